package snip

import (
	"fmt"
	"strings"

	"github.com/casebridge/casebridge/adapters/x12"
)

// setState is one open transaction set: its table and the loops open in it.
type setState struct {
	def      *TransactionDef
	ctrl     string // ST02
	impl     string // ST03 or GS08
	segIn    int    // segments so far, ST = 1
	stack    []*loopInst
	hlNext   int // the HL01 the next HL must carry
	sums     []*sumState
	aborted  bool        // the set ended without its SE
	unplaced bool        // the last segment could not be placed in the loops
	free     []*loopInst // closed loop occurrences, for reuse
}

// loopInst is one occurrence of a loop.
type loopInst struct {
	def    *LoopDef
	pos    int   // index of the entry last matched
	counts []int // per entry: segments or loop occurrences seen
	// HL loops: the HL01, HL04 and where the HL was.
	hl01, hl04 string
	hlChild    bool
	hlSeg      x12.Segment // ID, ordinal, offset (no elements)
	hlSegIn    int
	trig       x12.Segment // the trigger's position (no elements)
	trigIn     int
	vals       map[string]string // element values situational rules read
	valAt      map[string]posn
	bal        map[int]*balAcc // balance rules whose total is in this occurrence
	segs       map[string]bool // "ID" and "ID*QUAL" seen in this occurrence
	pending    map[int]Issue   // required entries skipped: reported when the loop closes unless they come late
}

func newLoopInst(def *LoopDef) *loopInst {
	return &loopInst{def: def, counts: make([]int, len(def.Entries))}
}

// newLoop returns a loop occurrence, reusing one the set has closed.
func (st *setState) newLoop(def *LoopDef) *loopInst {
	n := len(st.free)
	if n == 0 {
		return newLoopInst(def)
	}
	li := st.free[n-1]
	st.free = st.free[:n-1]
	counts := li.counts[:0]
	for range def.Entries {
		counts = append(counts, 0)
	}
	*li = loopInst{def: def, counts: counts}
	return li
}

func (v *validator) openSet(s *x12.Segment) {
	v.setOrd++
	ctrl := strings.Clone(s.Element(2))
	impl := strings.Clone(s.Element(3))
	if impl == "" {
		impl = v.gs08
	}
	st := &setState{ctrl: ctrl, impl: impl, segIn: 1, hlNext: 1}
	v.set = st
	if n := len(v.ics); n > 0 {
		if g := len(v.ics[n-1].Groups); g > 0 {
			grp := &v.ics[n-1].Groups[g-1]
			grp.Sets = append(grp.Sets, Set{ID: strings.Clone(s.Element(1)), ControlNumber: ctrl, Implementation: impl, First: s.Ordinal, Last: s.Ordinal})
		}
	}
	if v.stSeen != nil {
		if v.stSeen[ctrl] {
			v.add(v.at(s, Syntax, CodeSTControlDuplicate, 2, 0, "ST02 repeats an earlier transaction set control number of the group"))
		}
		v.stSeen[ctrl] = true
	}
	def, exact := v.t.Set(s.Element(1), impl)
	if def == nil {
		v.add(v.at(s, Syntax, CodeSetNotSupported, 1, 0, "ST01 names a transaction set casebridge has no rules for"))
		return
	}
	if v.gs01 != "" && def.Functional != v.gs01 {
		v.add(v.at(s, Syntax, CodeSetIDMismatch, 1, 0, fmt.Sprintf("ST01 %s does not belong in a functional group with GS01 %s", def.ID, v.gs01)))
	}
	if !exact {
		is := v.at(s, HIPAASyntax, CodeImplementationWrong, 3, 0, "implementation reference (ST03, or GS08 when ST03 is empty) is not "+def.Implementation+"; checked against "+def.Implementation)
		if s.Element(3) == "" {
			is.Element = 0
		}
		v.add(is)
	}
	st.def = def
	root := newLoopInst(def.Root)
	root.counts[0] = 1
	st.stack = []*loopInst{root}
	v.elements(s, def.Root.Trigger(), "")
	st.sums = v.newSums()
}

// closeSet ends the open set: at its SE (se != nil) or at an envelope
// segment or the end of input (the envelope checker reports the missing SE).
func (v *validator) closeSet(se *x12.Segment) {
	st := v.set
	if st == nil {
		return
	}
	if st.def != nil {
		at := se
		if at == nil {
			at = &x12.Segment{}
		}
		st.aborted = se == nil // no SE: ENVELOPE_UNCLOSED says it, not one issue per missing segment
		for len(st.stack) > 0 {
			v.popLoop(at)
		}
	}
	if n := len(v.ics); n > 0 {
		if g := len(v.ics[n-1].Groups); g > 0 {
			if k := len(v.ics[n-1].Groups[g-1].Sets); k > 0 {
				set := &v.ics[n-1].Groups[g-1].Sets[k-1]
				set.Segments = st.segIn
				set.Last = set.First + st.segIn - 1
			}
		}
	}
	v.set = nil
}

// matches reports whether segment s fits definition d (id and qualifier).
func matches(d *SegmentDef, s *x12.Segment) bool {
	if d.ID != s.ID {
		return false
	}
	if d.QualElem == 0 {
		return true
	}
	q := s.Element(d.QualElem)
	for _, c := range d.Quals {
		if c == q {
			return true
		}
	}
	return false
}

// structure places segment s in the loops of its set (SNIP 2) and checks
// its elements.
func (v *validator) structure(s *x12.Segment) {
	st := v.set
	if st.def == nil || len(st.stack) == 0 {
		return
	}
	// 1. Forward in the open loops, innermost first: the segment itself,
	// or the trigger of a child loop (a new occurrence of the loop when it
	// is the one that ended).
	for loose := 0; loose < 2; loose++ {
		if loose == 1 && v.looseMatch(s) {
			st.unplaced = false
			return
		}
		for d := len(st.stack) - 1; d >= 0 && loose == 0; d-- {
			li := st.stack[d]
			from := li.pos
			if from == 0 && li.def.Parent != nil {
				from = 1 // entry 0 is the trigger: another one opens a new occurrence
			}
			// Positions of one segment ID in a row (REF*G1, REF*F8, …) share
			// one position of the base standard: any order among them.
			for from > 0 && from < len(li.def.Entries) && (from > 1 || li.def.Parent == nil) &&
				sameSegment(li.def.Entries[from-1], li.def.Entries[from]) {
				from--
			}
			for i := from; i < len(li.def.Entries); i++ {
				e := li.def.Entries[i]
				if e.Seg != nil && matches(e.Seg, s) {
					v.popTo(d, s)
					v.advance(li, i, s)
					v.takeSegment(li, i, e.Seg, s)
					st.unplaced = false
					return
				}
				if e.Loop != nil && matches(e.Loop.Trigger(), s) {
					v.popTo(d, s)
					v.advance(li, i, s)
					li.counts[i]++
					if r := e.Repeat; r > 0 && li.counts[i] > r {
						is := v.at(s, HIPAASyntax, CodeLoopOverMax, 0, 0, fmt.Sprintf("loop %s occurs more than %d times", e.Loop.ID, r))
						is.Loop = e.Loop.ID
						v.add(is)
					}
					if st.def.sitLoops[li.def.ID] {
						// situational rules of li may ask for its child loops
						if li.segs == nil {
							li.segs = map[string]bool{}
						}
						li.segs[strings.Clone(s.ID)] = true
						if q := e.Loop.Trigger().QualElem; q > 0 {
							li.segs[s.ID+"*"+s.Element(q)] = true
						}
					}
					child := st.newLoop(e.Loop)
					st.stack = append(st.stack, child)
					child.trig = x12.Segment{ID: s.ID, Ordinal: s.Ordinal, Offset: s.Offset}
					child.trigIn = st.segIn
					v.takeSegment(child, 0, e.Loop.Trigger(), s)
					st.unplaced = false
					return
				}
			}
		}
	}
	// 2. Earlier in the innermost loop: out of order. When it was skipped
	// as missing, it is out of order instead.
	if v.outOfOrder(st.stack[len(st.stack)-1], s) {
		st.unplaced = false
		return
	}
	// 3. A segment of a child loop whose trigger is missing: report the
	// trigger and open the loop, so what follows is placed (one missing CLM
	// is one issue, not one per segment of the claim). Not right after a
	// segment that could not be placed: that one, not a trigger, is what
	// went wrong.
	unplaced := st.unplaced
	st.unplaced = true
	for d := len(st.stack) - 1; d >= 0 && !unplaced; d-- {
		li := st.stack[d]
		for i := max(li.pos, 1); i < len(li.def.Entries); i++ {
			e := li.def.Entries[i]
			if e.Loop == nil {
				continue
			}
			for j := 1; j < len(e.Loop.Entries); j++ {
				if c := e.Loop.Entries[j]; c.Seg != nil && matches(c.Seg, s) {
					v.popTo(d, s)
					v.advance(li, i, s)
					li.counts[i]++
					is := v.at(s, HIPAASyntax, CodeSegmentRequiredMissing, 0, 0,
						fmt.Sprintf("loop %s has no %s: the segments of the loop follow without it", e.Loop.ID, segLabel(e.Loop.Trigger())))
					is.SegmentID, is.Loop = e.Loop.Trigger().ID, e.Loop.ID
					v.add(is)
					child := st.newLoop(e.Loop)
					child.counts[0] = 1
					child.pos = j
					st.stack = append(st.stack, child)
					v.takeSegment(child, j, c.Seg, s)
					st.unplaced = false
					return
				}
			}
		}
	}
	// 4. Not placeable: earlier in an enclosing loop, elsewhere in the
	// guide, or not in the guide at all.
	for d := len(st.stack) - 2; d >= 0; d-- {
		if v.outOfOrder(st.stack[d], s) {
			return
		}
	}
	if st.def.HasSegment(s.ID) {
		v.add(v.at(s, HIPAASyntax, CodeSegmentUnexpected, 0, 0, fmt.Sprintf("%s is not expected here (loop %s)", s.ID, loopName(st.stack[len(st.stack)-1].def))))
		return
	}
	v.add(v.at(s, HIPAASyntax, CodeSegmentNotInSet, 0, 0, fmt.Sprintf("%s is not a segment of %s", s.ID, st.def.Implementation)))
}

func loopName(l *LoopDef) string {
	if l.Parent == nil {
		return "header/trailer"
	}
	return l.ID
}

// advance moves li to entry i, reporting required entries skipped.
func (v *validator) advance(li *loopInst, i int, s *x12.Segment) {
	for j := li.pos; j < i; j++ {
		if li.counts[j] == 0 {
			v.missing(li, j, s)
		}
	}
	li.pos = i
}

// missing reports entry j of li, absent and required.
func (v *validator) missing(li *loopInst, j int, s *x12.Segment) {
	if v.set.aborted {
		return
	}
	if li.pending != nil {
		if _, ok := li.pending[j]; ok {
			return
		}
	}
	e := li.def.Entries[j]
	if (e.Seg != nil && e.Seg.Usage != UsageRequired) || (e.Loop != nil && e.Usage != UsageRequired) {
		return
	}
	var id, what string
	if e.Seg != nil {
		id, what = e.Seg.ID, segLabel(e.Seg)
	} else {
		id, what = e.Loop.Trigger().ID, "loop "+e.Loop.ID+" ("+segLabel(e.Loop.Trigger())+")"
	}
	is := v.at(s, HIPAASyntax, CodeSegmentRequiredMissing, 0, 0, fmt.Sprintf("required %s missing in loop %s", what, loopName(li.def)))
	is.SegmentID = id
	if li.def.Parent != nil {
		is.Loop = li.def.ID
	} else {
		is.Loop = ""
	}
	if e.Loop != nil {
		is.Loop = e.Loop.ID
	}
	if li.pending == nil {
		li.pending = map[int]Issue{}
	}
	li.pending[j] = is
}

// flushPending reports the required entries of li still missing.
func (v *validator) flushPending(li *loopInst) {
	for j := range li.def.Entries {
		if is, ok := li.pending[j]; ok {
			v.add(is)
		}
	}
	li.pending = nil
}

func segLabel(d *SegmentDef) string {
	if d.QualElem == 0 {
		return d.ID
	}
	return d.ID + "*" + strings.Join(d.Quals, "/")
}

// popTo closes the loops above depth d.
func (v *validator) popTo(d int, s *x12.Segment) {
	for len(v.set.stack) > d+1 {
		v.popLoop(s)
	}
}

// popLoop closes the innermost loop occurrence: required entries never
// seen, HL04 promises, situational rules and sums.
func (v *validator) popLoop(s *x12.Segment) {
	st := v.set
	li := st.stack[len(st.stack)-1]
	for j := li.pos; j < len(li.def.Entries); j++ {
		if li.counts[j] == 0 {
			v.missing(li, j, s)
		}
	}
	v.flushPending(li)
	if li.hl04 == "1" && !li.hlChild && !st.aborted {
		is := v.at(&li.hlSeg, HIPAASyntax, CodeHLChildCode, 4, 0, "HL04 is 1 but no child level follows")
		is.SegmentInSet, is.Loop, is.ElementRef = li.hlSegIn, li.def.ID, "736"
		v.add(is)
	}
	if !st.aborted {
		v.closeRules(li)
	}
	st.stack = st.stack[:len(st.stack)-1]
	st.free = append(st.free, li)
}

// takeSegment counts s at entry i of li, checks max use, usage, elements
// and, for HL, the hierarchy.
func (v *validator) takeSegment(li *loopInst, i int, d *SegmentDef, s *x12.Segment) {
	li.counts[i]++
	if d.MaxUse > 0 && li.counts[i] > d.MaxUse {
		v.add(v.at(s, HIPAASyntax, CodeSegmentOverMaxUse, 0, 0, fmt.Sprintf("%s occurs more than %d times in loop %s", segLabel(d), d.MaxUse, loopName(li.def))))
	}
	if d.Usage == UsageNotUsed {
		v.add(v.at(s, HIPAASyntax, CodeSegmentNotUsed, 0, 0, fmt.Sprintf("%s is not used in loop %s", segLabel(d), loopName(li.def))))
	}
	if v.set.def.sitLoops[li.def.ID] {
		if li.segs == nil {
			li.segs = map[string]bool{}
		}
		li.segs[strings.Clone(s.ID)] = true
		if d.QualElem > 0 {
			li.segs[s.ID+"*"+s.Element(d.QualElem)] = true
		}
	}
	v.elements(s, d, li.def.ID)
	if s.ID == "HL" && i == 0 {
		v.hierarchy(li, s)
	}
	v.segmentRules(li, s)
}

// hierarchy checks HL01 numbering, HL02 against the enclosing HL level and
// HL04 of the parent (X12 HL semantics; 005010X224A2 2000A-C, spec §3.1).
func (v *validator) hierarchy(li *loopInst, s *x12.Segment) {
	st := v.set
	li.hl01, li.hl04 = strings.Clone(s.Element(1)), strings.Clone(s.Element(4))
	li.hlSeg = x12.Segment{ID: "HL", Ordinal: s.Ordinal, Offset: s.Offset}
	li.hlSegIn = st.segIn
	if want := fmt.Sprint(st.hlNext); s.Element(1) != want {
		is := v.at(s, HIPAASyntax, CodeHLNumber, 1, 0, fmt.Sprintf("HL01 must be %s: HL numbers count 1, 2, 3… in the set", want))
		is.ElementRef = "628"
		v.add(is)
	}
	st.hlNext++
	var parent *loopInst
	for d := len(st.stack) - 2; d >= 0; d-- {
		if st.stack[d].hlSeg.ID == "HL" {
			parent = st.stack[d]
			break
		}
	}
	want := ""
	if parent != nil {
		want = parent.hl01
		parent.hlChild = true
		if parent.hl04 == "0" {
			is := v.at(&parent.hlSeg, HIPAASyntax, CodeHLChildCode, 4, 0, "HL04 is 0 but a child level follows")
			is.SegmentInSet, is.Loop, is.ElementRef = parent.hlSegIn, parent.def.ID, "736"
			v.add(is)
			parent.hl04 = "" // once
		}
	}
	if s.Element(2) != want {
		msg := "HL02 must be empty at the top level"
		if parent != nil {
			msg = fmt.Sprintf("HL02 must be the HL01 of the enclosing level (loop %s, segment %d)", parent.def.ID, parent.hlSeg.Ordinal)
		}
		is := v.at(s, HIPAASyntax, CodeHLParent, 2, 0, msg)
		is.ElementRef = "734"
		v.add(is)
	}
}

func sameSegment(a, b Entry) bool {
	return a.Seg != nil && b.Seg != nil && a.Seg.ID == b.Seg.ID
}

// looseMatch places s at a position of the innermost loop with its segment
// ID but another qualifier: the qualifier is reported as an invalid code
// value, and the elements are checked for syntax only. Among such
// positions it takes the first forward one not yet at its max use.
func (v *validator) looseMatch(s *x12.Segment) bool {
	st := v.set
	li := st.stack[len(st.stack)-1]
	pick := -1
	for i := max(li.pos, 1); i < len(li.def.Entries); i++ {
		e := li.def.Entries[i]
		if e.Seg == nil || e.Seg.ID != s.ID || e.Seg.QualElem == 0 {
			continue
		}
		if pick < 0 {
			pick = i
		}
		if e.Seg.MaxUse == 0 || li.counts[i] < e.Seg.MaxUse {
			pick = i
			break
		}
	}
	if pick < 0 {
		return false
	}
	d := li.def.Entries[pick].Seg
	v.advance(li, pick, s)
	is := v.at(s, HIPAASyntax, CodeCodeValueInvalid, d.QualElem, 0,
		fmt.Sprintf("%s is not a qualifier loop %s allows for %s", elemName(s.ID, d.QualElem, 0), loopName(li.def), s.ID))
	if ed := d.Element(d.QualElem); ed != nil {
		is.ElementRef = ed.Ref
	}
	v.add(is)
	v.noCodes = true
	v.takeSegment(li, pick, d, s)
	v.noCodes = false
	return true
}

// outOfOrder reports s when it matches an entry of li before the current
// position (not li's trigger). A required entry skipped as missing is
// counted now and reported out of order instead.
func (v *validator) outOfOrder(li *loopInst, s *x12.Segment) bool {
	from := 0
	if li.def.Parent != nil {
		from = 1
	}
	for i := from; i < li.pos && i < len(li.def.Entries); i++ {
		e := li.def.Entries[i]
		if e.Seg == nil || !matches(e.Seg, s) {
			continue
		}
		delete(li.pending, i)
		li.counts[i]++
		v.add(v.at(s, HIPAASyntax, CodeSegmentOutOfOrder, 0, 0, fmt.Sprintf("%s belongs earlier in loop %s", segLabel(e.Seg), loopName(li.def))))
		return true
	}
	return false
}
