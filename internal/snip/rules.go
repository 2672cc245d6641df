package snip

import (
	"embed"
	"fmt"

	"github.com/casebridge/casebridge/adapters/x12"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The rule tables are data: one text file per transaction set in rules/,
// read once on first use. The format (one record a line, fields split by
// '|', '#' starts a comment line):
//
//	T|837|005010X224A2|HC|Health Care Claim: Dental        a transaction set (ST01, implementation, GS01, name)
//	L|2000A|ST|0|R|Billing Provider Hierarchical Level    a loop: id, parent loop id ("-" for the set's root), repeat (0 = >1), usage
//	S|HL|3=20|R|1|Billing Provider Hierarchical Level     a segment of the current loop, in position order: id,
//	                                                      qualifier (element=code,code or "-"), usage, max use (0 = >1)
//	E|3|735|ID|1|2|R|Hierarchical Level Code|20 22        an element of the last segment: position, data element
//	                                                      reference, type, min, max, usage, name, allowed codes (space separated)
//	C|5|C023|R|Health Care Service Location Information    a composite element of the last segment
//	c|1|1331|AN|1|2|R|Facility Code Value|                 a component of the last composite (fields as E)
//	A|2300|2000C|100|R                                    loop 2300 (defined before) is also a child of 2000C,
//	                                                      repeat 100, required there
//	B|2300|CLM|2|2400|SV3|2|source                        SNIP 3: CLM02 = Σ SV302 of the 2400s in each 2300
//	W|2300|CLM|5.3|7 8|REF|1=F8|source                    SNIP 4: when CLM05-3 is 7 or 8 the 2300 holds a REF*F8
//	W|2000B|SBR|2|18|!HL|3=23|source                      …and "!" : when SBR02 is 18 the 2000B holds no HL*23 (2000C)
//	V|*|PWK|2!AA|5,6|4|source                            when PWK02 is present and not AA, PWK05 and PWK06 are required
//	                                                      (type 1: a syntax note of the standard; 4: situational)
//	X|*|NM1|9|NPI|8=XX|I12                                SNIP 5: NM109 passes the NPI check when NM108 is XX
//	IN|2000B                                              later S/L lines continue loop 2000B (after its child loops)
//	N|6-8                                                 elements 6 to 8 of the last segment are not used
//	D|NM1                                                 a template: the E/C/c/N lines after it, until the next
//	                                                      L/S/IN/D, are copied by U
//	U|NM1                                                 copy template NM1's elements into the last segment; later
//	                                                      E lines replace the element of the same position
//
// The first S of a loop is its trigger: a segment matching it (id and
// qualifier) opens a new occurrence of the loop. Usage: R required, S
// situational, N not used. Types: AN, ID, N0..N9, R, DT, TM, and DQ (a
// date in the format its qualifier, the element before it, names: D8
// CCYYMMDD, RD8 CCYYMMDD-CCYYMMDD, DT CCYYMMDDHHMM). A segment with no E/C
// lines is matched and counted, its elements are not checked one by one.
//
// Envelope segments (ISA, GS, GE, IEA) are in rules/envelope.txt under the
// pseudo transaction "ENV"; an E line there may carry a tenth field, the
// TA1 note code (TA105) its errors map onto.
//
// Code meanings are in rules/codes.txt: ref|code|meaning, one a line.

//go:embed rules/*.txt
var ruleFiles embed.FS

// Usage of a segment, loop or element in an implementation guide.
type Usage byte

// The usages.
const (
	UsageRequired    Usage = 'R'
	UsageSituational Usage = 'S'
	UsageNotUsed     Usage = 'N'
)

// ElementDef is one element (or one component of a composite).
type ElementDef struct {
	Pos        int
	Ref        string // data element reference number, e.g. "1028"; composite id, e.g. "C023"
	Name       string
	Type       string // AN, ID, N0.., R, DT, TM, DQ; "" for a composite
	Min, Max   int
	Usage      Usage
	Codes      []string     // allowed values, nil when any value of the type is allowed
	Components []ElementDef // a composite's components, by position
	TA1        string       // envelope only: TA105 note code for an error here
}

// Composite reports whether e is a composite.
func (e *ElementDef) Composite() bool { return e.Type == "" }

// Allows reports whether v is an allowed code (always true without a list).
func (e *ElementDef) Allows(v string) bool {
	if e.Codes == nil {
		return true
	}
	for _, c := range e.Codes {
		if c == v {
			return true
		}
	}
	return false
}

// SegmentDef is one segment position of a loop.
type SegmentDef struct {
	ID       string
	QualElem int      // element holding the qualifier (0: none)
	Quals    []string // qualifier values that select this position
	Usage    Usage
	MaxUse   int // 0: unbounded
	Name     string
	Elements []ElementDef // by position; empty: not tabulated
	Loop     *LoopDef
}

// Element returns the definition of element pos, or nil.
func (s *SegmentDef) Element(pos int) *ElementDef {
	for i := range s.Elements {
		if s.Elements[i].Pos == pos {
			return &s.Elements[i]
		}
	}
	return nil
}

// MaxPos returns the highest tabulated element position.
func (s *SegmentDef) MaxPos() int {
	m := 0
	for _, e := range s.Elements {
		m = max(m, e.Pos)
	}
	return m
}

// LoopDef is one loop of an implementation guide.
type LoopDef struct {
	ID      string
	Name    string
	Parent  *LoopDef
	Repeat  int // 0: unbounded
	Usage   Usage
	Entries []Entry // segments and child loops, in position order; Entries[0] is the trigger segment
}

// Trigger returns the loop's first segment.
func (l *LoopDef) Trigger() *SegmentDef {
	if len(l.Entries) == 0 {
		return nil
	}
	return l.Entries[0].Seg
}

// Entry is a segment or a child loop. A loop may be the child of several
// loops (2300 under 2000B and 2000C): its usage and repeat are the entry's.
type Entry struct {
	Seg    *SegmentDef
	Loop   *LoopDef
	Usage  Usage // a loop's usage here
	Repeat int   // a loop's repeat here; 0: unbounded
}

// TransactionDef is the rule table of one implementation guide.
type TransactionDef struct {
	ID             string // ST01
	Implementation string // ST03 / GS08
	Functional     string // GS01
	Name           string
	Root           *LoopDef
	Loops          map[string]*LoopDef
	Balances       []BalanceRule
	Situationals   []SituationalRule
	CodeChecks     []CodeCheck
	ElementRules   []ElementRule
	segIDs         map[string]bool
	sitLoops       map[string]bool // loops situational rules look into
}

// Ref names an element or component of a segment: "CLM" 5 3 is CLM05-3.
type Ref struct {
	Seg       string
	Elem, Com int
}

func (r Ref) String() string { return elemName(r.Seg, r.Elem, r.Com) }

// Value returns the referenced value of s (which must be r.Seg).
func (r Ref) value(s *x12.Segment) string {
	if r.Com > 0 {
		return s.Component(r.Elem, r.Com)
	}
	return s.Element(r.Elem)
}

// BalanceRule (SNIP 3): in each occurrence of Loop, Total equals the sum of
// Part over the occurrences of PartLoop inside it.
type BalanceRule struct {
	Loop     string
	Total    Ref
	PartLoop string
	Part     Ref
	Source   string
}

// SituationalRule (SNIP 4): in each occurrence of Loop, when When (read in
// the loop or an enclosing one) holds one of Values, a segment matching
// Need (id, qualifier element and codes) must be in the occurrence.
type SituationalRule struct {
	Loop   string
	When   Ref
	Values []string
	Need   SegmentDef
	Absent bool // "!SEG": the segment (or the loop it triggers) must not be there
	Source string
}

// ElementRule: in segment Seg (in Loop, or every loop for "*"), when the
// condition element is present (Values nil), holds one of Values, or
// (Not) is present and holds none of them, every Need element is required.
// Type 1 rules are the base standard's syntax notes (paired and
// conditional elements, X12.6: P0809 and the like); type 4 rules are the
// implementation guide's situational elements.
type ElementRule struct {
	Loop   string
	If     Ref
	Values []string
	Not    bool
	Need   []Ref
	Type   Type
	Source string
}

// CodeCheck (SNIP 5): the element At is checked against an external code
// set (Check: NPI, STATE, ZIP, TAXONOMY, CDT, ICD10CM, EIN) when the
// condition If (an element of the same segment; empty Values means empty)
// holds. Loop "*" is every loop. IK4 is the IK403 code of a failure.
type CodeCheck struct {
	Loop   string
	At     Ref
	Check  string
	If     *Ref
	Values []string
	IK4    string
}

// HasSegment reports whether the guide uses segment id anywhere.
func (t *TransactionDef) HasSegment(id string) bool { return t.segIDs[id] }

// Tables holds every rule table.
type Tables struct {
	Sets     []*TransactionDef
	Envelope map[string]*SegmentDef       // ISA, GS, GE, IEA
	Meanings map[string]map[string]string // data element ref -> code -> meaning
}

// Set returns the table for ST01 and an implementation reference (ST03, or
// GS08 when ST03 is empty); when impl matches none, the one for ST01 alone.
func (t *Tables) Set(id, impl string) (def *TransactionDef, exact bool) {
	for _, s := range t.Sets {
		if s.ID == id && s.Implementation == impl {
			return s, true
		}
	}
	for _, s := range t.Sets {
		if s.ID == id {
			return s, false
		}
	}
	return nil, false
}

// Meaning returns the meaning of code for data element ref, or "".
func (t *Tables) Meaning(ref, code string) string { return t.Meanings[ref][code] }

var (
	tablesOnce sync.Once
	tables     *Tables
	tablesErr  error
)

// Rules returns the rule tables (parsed on first use). A table that does
// not parse is a build defect; the tests parse every table.
func Rules() (*Tables, error) {
	tablesOnce.Do(func() { tables, tablesErr = loadTables() })
	return tables, tablesErr
}

func loadTables() (*Tables, error) {
	t := &Tables{Envelope: map[string]*SegmentDef{}, Meanings: map[string]map[string]string{}}
	ents, err := ruleFiles.ReadDir("rules")
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		b, err := ruleFiles.ReadFile("rules/" + e.Name())
		if err != nil {
			return nil, err
		}
		if e.Name() == "codes.txt" {
			if err := parseMeanings(t, string(b)); err != nil {
				return nil, fmt.Errorf("rules/%s: %w", e.Name(), err)
			}
			continue
		}
		def, err := parseTable(string(b))
		if err != nil {
			return nil, fmt.Errorf("rules/%s: %w", e.Name(), err)
		}
		if def.ID == "ENV" {
			for _, en := range def.Root.Entries {
				t.Envelope[en.Seg.ID] = en.Seg
			}
			continue
		}
		t.Sets = append(t.Sets, def)
	}
	return t, nil
}

func parseMeanings(t *Tables, text string) error {
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.SplitN(line, "|", 3)
		if len(f) != 3 {
			return fmt.Errorf("line %d: want ref|code|meaning", n+1)
		}
		m := t.Meanings[f[0]]
		if m == nil {
			m = map[string]string{}
			t.Meanings[f[0]] = m
		}
		m[f[1]] = f[2]
	}
	return nil
}

func parseTable(text string) (*TransactionDef, error) {
	def := &TransactionDef{Loops: map[string]*LoopDef{}, segIDs: map[string]bool{}}
	var cur *LoopDef
	var seg *SegmentDef
	var comp *ElementDef
	templates := map[string]*SegmentDef{}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, " \r\t")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		f := strings.Split(strings.TrimSpace(line), "|")
		bad := func(msg string) error { return fmt.Errorf("line %d: %s", n+1, msg) }
		switch f[0] {
		case "T":
			if len(f) != 5 {
				return nil, bad("T wants 5 fields")
			}
			def.ID, def.Implementation, def.Functional, def.Name = f[1], f[2], f[3], f[4]
		case "L":
			if len(f) != 6 {
				return nil, bad("L wants 6 fields")
			}
			l := &LoopDef{ID: f[1], Name: f[5], Usage: Usage(f[4][0])}
			rep, err := strconv.Atoi(f[3])
			if err != nil {
				return nil, bad("repeat is not a number")
			}
			l.Repeat = rep
			if f[2] == "-" {
				if def.Root != nil {
					return nil, bad("a second root loop")
				}
				def.Root = l
			} else {
				p := def.Loops[f[2]]
				if p == nil {
					return nil, bad("unknown parent loop " + f[2])
				}
				l.Parent = p
				p.Entries = append(p.Entries, Entry{Loop: l, Usage: l.Usage, Repeat: rep})
			}
			if def.Loops[l.ID] != nil {
				return nil, bad("loop defined twice: " + l.ID)
			}
			def.Loops[l.ID] = l
			cur, seg, comp = l, nil, nil
		case "A":
			if len(f) != 5 || def.Loops[f[1]] == nil || def.Loops[f[2]] == nil {
				return nil, bad("A wants a known loop and a known parent")
			}
			rep, err := strconv.Atoi(f[3])
			if err != nil {
				return nil, bad("repeat is not a number")
			}
			p := def.Loops[f[2]]
			p.Entries = append(p.Entries, Entry{Loop: def.Loops[f[1]], Usage: Usage(f[4][0]), Repeat: rep})
			cur, seg, comp = p, nil, nil
		case "B":
			// B|loop|SEG|elem|partloop|SEG|elem|source
			if len(f) != 8 {
				return nil, bad("B wants 8 fields")
			}
			tot, err1 := parseRef(f[2], f[3])
			part, err2 := parseRef(f[5], f[6])
			if err1 != nil || err2 != nil {
				return nil, bad("B: bad element reference")
			}
			def.Balances = append(def.Balances, BalanceRule{Loop: f[1], Total: tot, PartLoop: f[4], Part: part, Source: f[7]})
		case "W":
			// W|loop|SEG|elem|values|NEEDSEG|qual|source
			if len(f) != 8 {
				return nil, bad("W wants 8 fields")
			}
			when, err := parseRef(f[2], f[3])
			if err != nil {
				return nil, bad("W: bad element reference")
			}
			need, absent := strings.CutPrefix(f[5], "!")
			r := SituationalRule{Loop: f[1], When: when, Values: strings.Fields(f[4]), Need: SegmentDef{ID: need}, Absent: absent, Source: f[7]}
			if f[6] != "-" {
				q := strings.SplitN(f[6], "=", 2)
				e, err := strconv.Atoi(q[0])
				if len(q) != 2 || err != nil {
					return nil, bad("W: qualifier wants element=codes")
				}
				r.Need.QualElem, r.Need.Quals = e, strings.Split(q[1], ",")
			}
			def.Situationals = append(def.Situationals, r)
			if def.sitLoops == nil {
				def.sitLoops = map[string]bool{}
			}
			def.sitLoops[r.Loop] = true
		case "X":
			// X|loop|SEG|elem|check|if (elem=codes or -)|ik4
			if len(f) != 7 {
				return nil, bad("X wants 7 fields")
			}
			at, err := parseRef(f[2], f[3])
			if err != nil {
				return nil, bad("X: bad element reference")
			}
			c := CodeCheck{Loop: f[1], At: at, Check: f[4], IK4: f[6]}
			if f[5] != "-" {
				q := strings.SplitN(f[5], "=", 2)
				ref, err := parseRef(f[2], q[0])
				if len(q) != 2 || err != nil {
					return nil, bad("X: condition wants element=codes")
				}
				c.If, c.Values = &ref, strings.Fields(q[1])
			}
			if !knownCheck(c.Check) {
				return nil, bad("X: unknown check " + c.Check)
			}
			def.CodeChecks = append(def.CodeChecks, c)
		case "V":
			// V|loop|SEG|cond|need,need|type|source; cond: 8 (present), 2=AA BM, 2!AA
			if len(f) != 7 {
				return nil, bad("V wants 7 fields")
			}
			r := ElementRule{Loop: f[1], Source: f[6]}
			cond := f[3]
			var vals string
			if i := strings.IndexAny(cond, "=!"); i >= 0 {
				r.Not = cond[i] == '!'
				cond, vals = cond[:i], cond[i+1:]
				r.Values = strings.Fields(vals)
			}
			var err error
			if r.If, err = parseRef(f[2], cond); err != nil {
				return nil, bad("V: bad condition element")
			}
			for _, n := range strings.Split(f[4], ",") {
				ref, err := parseRef(f[2], n)
				if err != nil {
					return nil, bad("V: bad required element")
				}
				r.Need = append(r.Need, ref)
			}
			switch f[5] {
			case "1":
				r.Type = Syntax
			case "4":
				r.Type = Situational
			default:
				return nil, bad("V: type must be 1 or 4")
			}
			def.ElementRules = append(def.ElementRules, r)
		case "IN":
			if len(f) != 2 || def.Loops[f[1]] == nil {
				return nil, bad("IN wants a known loop")
			}
			cur, seg, comp = def.Loops[f[1]], nil, nil
		case "S":
			if len(f) != 6 || cur == nil {
				return nil, bad("S wants 6 fields inside a loop")
			}
			s := &SegmentDef{ID: f[1], Usage: Usage(f[3][0]), Name: f[5], Loop: cur}
			if f[2] != "-" {
				q := strings.SplitN(f[2], "=", 2)
				if len(q) != 2 {
					return nil, bad("qualifier wants element=codes")
				}
				e, err := strconv.Atoi(q[0])
				if err != nil {
					return nil, bad("qualifier element is not a number")
				}
				s.QualElem, s.Quals = e, strings.Split(q[1], ",")
			}
			mu, err := strconv.Atoi(f[4])
			if err != nil {
				return nil, bad("max use is not a number")
			}
			s.MaxUse = mu
			cur.Entries = append(cur.Entries, Entry{Seg: s})
			def.segIDs[s.ID] = true
			seg, comp = s, nil
		case "D":
			if len(f) != 2 {
				return nil, bad("D wants a name")
			}
			seg, comp = &SegmentDef{ID: f[1]}, nil
			templates[f[1]] = seg
			cur = nil
		case "U":
			tp := templates[f[len(f)-1]]
			if len(f) != 2 || seg == nil || tp == nil {
				return nil, bad("U wants a known template after a segment")
			}
			for _, e := range tp.Elements {
				e.Components = slices.Clone(e.Components)
				setElement(seg, e)
			}
			comp = nil
		case "N":
			a, b, ok := strings.Cut(f[len(f)-1], "-")
			if !ok {
				b = a
			}
			lo, err1 := strconv.Atoi(a)
			hi, err2 := strconv.Atoi(b)
			if len(f) != 2 || seg == nil || err1 != nil || err2 != nil || lo > hi {
				return nil, bad("N wants a position range after a segment")
			}
			for p := lo; p <= hi; p++ {
				setElement(seg, ElementDef{Pos: p, Type: "AN", Min: 1, Max: 999, Usage: UsageNotUsed, Name: "Not Used"})
			}
			comp = nil
		case "E", "c":
			if seg == nil || len(f) < 8 || len(f) > 10 || (f[0] == "c" && comp == nil) {
				return nil, bad("E/c wants 8 to 10 fields after a segment (c after a composite)")
			}
			e, err := parseElement(f)
			if err != nil {
				return nil, bad(err.Error())
			}
			if f[0] == "E" {
				setElement(seg, e)
				comp = nil
			} else {
				comp.Components = append(comp.Components, e)
			}
		case "C":
			if seg == nil || len(f) != 5 {
				return nil, bad("C wants 5 fields after a segment")
			}
			pos, err := strconv.Atoi(f[1])
			if err != nil {
				return nil, bad("position is not a number")
			}
			comp = setElement(seg, ElementDef{Pos: pos, Ref: f[2], Usage: Usage(f[3][0]), Name: f[4]})
		default:
			return nil, bad("unknown record " + f[0])
		}
	}
	if def.Root == nil {
		return nil, fmt.Errorf("no root loop")
	}
	for _, l := range def.Loops {
		if len(l.Entries) == 0 || l.Entries[0].Seg == nil {
			return nil, fmt.Errorf("loop %s does not start with a segment", l.ID)
		}
	}
	return def, nil
}

// setElement adds e to s, replacing an element of the same position, and
// returns it in place.
func setElement(s *SegmentDef, e ElementDef) *ElementDef {
	for i := range s.Elements {
		if s.Elements[i].Pos == e.Pos {
			s.Elements[i] = e
			return &s.Elements[i]
		}
	}
	s.Elements = append(s.Elements, e)
	return &s.Elements[len(s.Elements)-1]
}

// parseRef reads "5" or "5.3" as element 5 (component 3) of segment seg.
func parseRef(seg, pos string) (Ref, error) {
	a, b, ok := strings.Cut(pos, ".")
	e, err := strconv.Atoi(a)
	if err != nil || e < 1 {
		return Ref{}, fmt.Errorf("bad position")
	}
	r := Ref{Seg: seg, Elem: e}
	if ok {
		if r.Com, err = strconv.Atoi(b); err != nil || r.Com < 1 {
			return Ref{}, fmt.Errorf("bad component")
		}
	}
	return r, nil
}

func parseElement(f []string) (ElementDef, error) {
	var e ElementDef
	var err error
	if e.Pos, err = strconv.Atoi(f[1]); err != nil {
		return e, fmt.Errorf("position is not a number")
	}
	e.Ref, e.Type = f[2], f[3]
	if e.Min, err = strconv.Atoi(f[4]); err != nil {
		return e, fmt.Errorf("min is not a number")
	}
	if e.Max, err = strconv.Atoi(f[5]); err != nil {
		return e, fmt.Errorf("max is not a number")
	}
	if f[6] == "" {
		return e, fmt.Errorf("usage missing")
	}
	e.Usage = Usage(f[6][0])
	e.Name = f[7]
	if len(f) > 8 && strings.TrimSpace(f[8]) != "" {
		e.Codes = strings.Fields(f[8])
	}
	if len(f) > 9 {
		e.TA1 = f[9]
	}
	switch {
	case e.Type == "AN", e.Type == "ID", e.Type == "R", e.Type == "DT", e.Type == "TM", e.Type == "DQ":
	case len(e.Type) == 2 && e.Type[0] == 'N' && e.Type[1] >= '0' && e.Type[1] <= '9':
	default:
		return e, fmt.Errorf("unknown type %q", e.Type)
	}
	return e, nil
}
