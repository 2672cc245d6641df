package snip

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/casebridge/casebridge/adapters/x12"
)

// AllTypes are the SNIP types Validate runs by default.
var AllTypes = []Type{Syntax, HIPAASyntax, Balancing, Situational, CodeSets, TradingPartner}

// Options select what Validate checks.
type Options struct {
	Types            []Type // nil: AllTypes
	MaxSegmentLength int    // the reader's limit; 0: its default
}

// ErrUnreadable wraps the reader's error when the input is not X12 at all
// (no ISA at its start) or cannot be read.
var ErrUnreadable = errors.New("snip: input is not an X12 interchange")

// Validate reads an interchange stream and reports every issue of the
// selected types it can check without the application layer (SNIP 1, 2,
// 4, 5 and the 837D claim balance of SNIP 3). It keeps only the open
// envelopes and loops in memory. It returns an error wrapping
// ErrUnreadable when the input does not start with an ISA or reading
// failed; a broken envelope is a report with Unusable set.
func Validate(r io.Reader, opts Options) (*Report, error) {
	t, err := Rules()
	if err != nil {
		return nil, err
	}
	v := newValidator(t, opts)
	rd := x12.NewReader(r, x12.ReaderOptions{MaxSegmentLength: opts.MaxSegmentLength})
	for {
		seg, err := rd.NextView()
		if err == io.EOF {
			break
		}
		if err != nil {
			var xe *x12.Error
			if !errors.As(err, &xe) || xe.Code == x12.CodeReadError || (xe.Code == x12.CodeISAMissing && v.segments == 0) {
				return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
			}
			if v.readerError(xe) {
				continue
			}
			break
		}
		v.segments++
		v.segment(seg)
	}
	v.finish()
	return v.report(), nil
}

// Selected reports whether the options select SNIP type typ.
func (o Options) Selected(typ Type) bool {
	if o.Types == nil {
		return true
	}
	return slices.Contains(o.Types, typ)
}

// ParseTypes reads a comma-separated SNIP type list ("1,2,3"); "" is every type.
func ParseTypes(s string) ([]Type, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []Type
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		var typ Type
		switch f {
		case "1", "2", "3", "4", "5", "7":
			typ = Type(f[0] - '0')
		default:
			return nil, fmt.Errorf("SNIP type must be one of 1,2,3,4,5,7")
		}
		if !slices.Contains(out, typ) {
			out = append(out, typ)
		}
	}
	slices.Sort(out)
	return out, nil
}

type validator struct {
	t        *Tables
	opts     Options
	env      *x12.EnvelopeChecker
	issues   []Issue
	segments int

	ics                    []Interchange
	isa                    *x12.Segment
	inGroup                bool
	gs01                   string
	gs08                   string
	gsSeen                 map[string]bool
	stSeen                 map[string]bool
	set                    *setState
	icOrd                  int // 1-based ordinals of the open envelopes
	grOrd                  int
	setOrd                 int
	ctrlISA                string
	ctrlGS                 string
	noCodes                bool // checking a loosely placed segment: no code-value checks
	omitted, omittedErrors int  // issues beyond MaxIssues
}

func newValidator(t *Tables, opts Options) *validator {
	return &validator{t: t, opts: opts, env: x12.NewEnvelopeChecker()}
}

// readerError turns a reader error into an issue; it reports whether
// reading may go on.
func (v *validator) readerError(xe *x12.Error) bool {
	is := Issue{Type: Syntax, Severity: SeverityError, Segment: xe.Segment, Offset: xe.Offset, SegmentID: xe.SegmentID, Element: xe.Element}
	switch xe.Code {
	case x12.CodeSegmentIDInvalid:
		is.Code, is.Message = CodeSegmentIDInvalid, "segment ID is empty or not 2-3 upper-case letters or digits"
		v.segments++
		// Counted in its set (SE01 counts it), not matched to the guide.
		v.env.Add(&x12.Segment{Ordinal: xe.Segment, Offset: xe.Offset})
		if v.set != nil {
			v.set.segIn++
		}
		v.add(is)
		return true
	case x12.CodeTruncated:
		is.Code, is.Message = CodeTruncated, "input ends inside a segment (no segment terminator)"
	case x12.CodeSegmentTooLong:
		is.Code, is.Message = CodeSegmentTooLong, "segment longer than the reader's limit"
	case x12.CodeISAInvalid:
		is.Code, is.SegmentID = CodeISAInvalid, "ISA"
		is.Message = "ISA is not a 106-byte fixed-width header: " + xe.Msg
		v.add(is)
		if xe.Element > 0 {
			if ed := v.t.Envelope["ISA"].Element(xe.Element); ed != nil && ed.TA1 != "" {
				v.issues[len(v.issues)-1].TA1 = ed.TA1
			}
		}
		return false
	default:
		is.Code, is.Message = string(xe.Code), xe.Msg
	}
	v.add(is)
	return false
}

// add positions is in the open envelopes, fills its acknowledgment codes
// and keeps it when its type is selected.
func (v *validator) add(is Issue) {
	if !v.opts.Selected(is.Type) {
		return
	}
	if is.Severity == "" {
		is.Severity = SeverityError
	}
	if len(v.issues) >= MaxIssues {
		v.omitted++
		if is.Severity == SeverityError {
			v.omittedErrors++
		}
		return
	}
	if is.IK3 == "" && is.IK4 == "" && is.IK5 == "" && is.TA1 == "" && is.AK9 == "" {
		setAcks(&is)
	}
	if is.Interchange == 0 {
		is.Interchange = v.icOrd
		if v.inGroup {
			is.Group = v.grOrd
			is.ControlNumber = v.ctrlGS
			is.ImplementationR = v.gs08
		} else {
			is.ControlNumber = v.ctrlISA
		}
		if v.set != nil {
			is.Set = v.setOrd
			is.ControlNumber = v.set.ctrl
			is.ImplementationR = v.set.impl
		}
	}
	v.issues = append(v.issues, is)
}

// segment handles one segment of the stream.
func (v *validator) segment(s *x12.Segment) {
	if s.ID == "GS" || s.ID == "ST" {
		s = s.Clone() // the envelope checker keeps the open GS and ST
	}
	for _, e := range v.env.Add(s) {
		v.envelopeIssue(e)
	}
	switch s.ID {
	case "ISA":
		v.closeSet(nil)
		v.isa = s
		v.icOrd++
		v.grOrd, v.inGroup = 0, false
		v.gsSeen = map[string]bool{}
		v.ctrlISA = strings.TrimSpace(s.Element(13))
		v.ics = append(v.ics, Interchange{
			ControlNumber: v.ctrlISA, SenderQual: s.Element(5), Sender: strings.TrimSpace(s.Element(6)),
			ReceiverQual: s.Element(7), Receiver: strings.TrimSpace(s.Element(8)),
			Date: s.Element(9), Time: s.Element(10), Usage: s.Element(15), Groups: []Group{},
		})
		v.checkEnvelope(s)
	case "GS":
		v.closeSet(nil)
		v.grOrd++
		v.inGroup = true
		v.setOrd = 0
		v.gs01, v.gs08, v.ctrlGS = strings.Clone(s.Element(1)), strings.Clone(s.Element(8)), strings.Clone(s.Element(6))
		v.stSeen = map[string]bool{}
		if len(v.ics) > 0 {
			ic := &v.ics[len(v.ics)-1]
			ic.Groups = append(ic.Groups, Group{FunctionalID: v.gs01, ControlNumber: v.ctrlGS, Version: v.gs08, Sets: []Set{}})
		}
		v.checkEnvelope(s)
		if v.gsSeen != nil && v.gsSeen[v.ctrlGS] {
			v.add(v.at(s, Syntax, CodeGSControlDuplicate, 6, 0, "GS06 repeats an earlier group control number of the interchange"))
		}
		if v.gsSeen != nil {
			v.gsSeen[v.ctrlGS] = true
		}
	case "GE", "IEA":
		v.closeSet(nil)
		v.checkEnvelope(s)
		if s.ID == "GE" {
			v.inGroup = false
		} else {
			v.isa, v.inGroup = nil, false
		}
	case "ST":
		v.closeSet(nil)
		v.openSet(s)
	case "SE":
		if v.set != nil {
			v.set.segIn++
			v.structure(s)
			v.closeSet(s)
		}
	default:
		if v.set != nil {
			v.set.segIn++
			v.structure(s)
		} else if s.ID == "TA1" && v.isa != nil && !v.inGroup {
			v.checkEnvelope(s)
		}
	}
}

// envelopeIssue converts an envelope checker finding.
func (v *validator) envelopeIssue(e *x12.Error) {
	is := Issue{Type: Syntax, Code: string(e.Code), Message: e.Msg, Segment: e.Segment, Offset: e.Offset, SegmentID: e.SegmentID, Element: e.Element}
	if e.Code == x12.CodeEnvelopeUnclosed {
		switch e.SegmentID {
		case "ST":
			is.IK5 = "2"
		case "GS":
			is.AK9 = "3"
		default:
			is.TA1 = "023"
		}
	}
	if e.Code == x12.CodeEnvelopeUnexpected && e.SegmentID == "ST" {
		is.IK5 = "18"
	}
	if v.set != nil && (e.SegmentID == "SE" || e.SegmentID == "ST") {
		is.SegmentInSet = v.set.segIn + 1
		if e.SegmentID == "ST" && e.Code == x12.CodeEnvelopeUnclosed {
			is.SegmentInSet = 1
		}
	}
	v.add(is)
}

// at builds an issue positioned at segment s.
func (v *validator) at(s *x12.Segment, typ Type, code string, elem, comp int, msg string) Issue {
	is := Issue{Type: typ, Code: code, Severity: SeverityError, Message: msg, Segment: s.Ordinal, Offset: s.Offset, SegmentID: s.ID, Element: elem, Component: comp}
	if v.set != nil && s.ID != "ISA" && s.ID != "GS" && s.ID != "GE" && s.ID != "IEA" {
		is.SegmentInSet = v.set.segIn
		if n := len(v.set.stack); n > 0 && v.set.stack[n-1].def.Parent != nil {
			is.Loop = v.set.stack[n-1].def.ID
		}
	}
	return is
}

// checkEnvelope checks the elements of ISA, GS, GE or IEA.
func (v *validator) checkEnvelope(s *x12.Segment) {
	def := v.t.Envelope[s.ID]
	if def == nil {
		return
	}
	before := len(v.issues)
	v.elements(s, def, "")
	for i := before; i < len(v.issues); i++ {
		is := &v.issues[i]
		is.IK3, is.IK4, is.IK5 = "", "", ""
		if ed := def.Element(is.Element); ed != nil && ed.TA1 != "" {
			is.TA1 = ed.TA1
		}
		if s.ID == "GS" && is.Element == 6 {
			is.AK9 = "6"
		}
		if is.Type == HIPAASyntax {
			is.Type = Syntax // envelope codes are standard syntax
		}
	}
}

func (v *validator) finish() {
	v.closeSet(nil)
	for _, e := range v.env.Finish() {
		v.envelopeIssue(e)
	}
}

// report sorts the issues by position and counts them per set.
func (v *validator) report() *Report {
	rep := &Report{Types: v.opts.Types, Interchanges: v.ics, Issues: v.issues, Omitted: v.omitted, omittedErrors: v.omittedErrors}
	if rep.Types == nil {
		rep.Types = AllTypes
	}
	if rep.Interchanges == nil {
		rep.Interchanges = []Interchange{}
	}
	rep.Finish()
	return rep
}

// Finish sorts the issues by position (stable: issues of one segment keep
// the order they were found in), recounts errors and warnings per set and
// sets Valid and Unusable. Callers that add issues call it again.
func (r *Report) Finish() {
	if r.Issues == nil {
		r.Issues = []Issue{}
	}
	sort.SliceStable(r.Issues, func(i, j int) bool {
		a, b := r.Issues[i], r.Issues[j]
		if a.Segment != b.Segment {
			return a.Segment < b.Segment
		}
		return a.Element < b.Element || (a.Element == b.Element && a.Component < b.Component)
	})
	r.Valid, r.Unusable = r.omittedErrors == 0, false
	for ic := range r.Interchanges {
		for g := range r.Interchanges[ic].Groups {
			for s := range r.Interchanges[ic].Groups[g].Sets {
				st := &r.Interchanges[ic].Groups[g].Sets[s]
				st.Errors, st.Warnings = 0, 0
			}
		}
	}
	for _, is := range r.Issues {
		if is.Severity == SeverityError {
			r.Valid = false
			if is.TA1 != "" {
				r.Unusable = true
			}
		}
		if is.Set == 0 || is.Interchange < 1 || is.Interchange > len(r.Interchanges) {
			continue
		}
		ic := &r.Interchanges[is.Interchange-1]
		if is.Group < 1 || is.Group > len(ic.Groups) || is.Set > len(ic.Groups[is.Group-1].Sets) {
			continue
		}
		st := &ic.Groups[is.Group-1].Sets[is.Set-1]
		if is.Severity == SeverityError {
			st.Errors++
		} else {
			st.Warnings++
		}
	}
}

// Add places an issue found outside the engine (the application layer's
// SNIP 3 and 7 checks) by its segment ordinal: interchange, group, set,
// position in the set, control number and implementation; fills its
// acknowledgment codes; and keeps it when its type was selected. Call
// Finish after the last Add.
func (r *Report) Add(is Issue) {
	if !slices.Contains(r.Types, is.Type) {
		return
	}
	if is.Severity == "" {
		is.Severity = SeverityError
	}
	if len(r.Issues) >= MaxIssues {
		r.Omitted++
		if is.Severity == SeverityError {
			r.omittedErrors++
		}
		return
	}
	if is.IK3 == "" && is.IK4 == "" && is.IK5 == "" && is.TA1 == "" && is.AK9 == "" {
		setAcks(&is)
	}
	for i, ic := range r.Interchanges {
		for g, grp := range ic.Groups {
			for k, set := range grp.Sets {
				if is.Segment >= set.First && is.Segment <= set.Last {
					is.Interchange, is.Group, is.Set = i+1, g+1, k+1
					is.SegmentInSet = is.Segment - set.First + 1
					is.ControlNumber, is.ImplementationR = set.ControlNumber, set.Implementation
				}
			}
		}
	}
	r.Issues = append(r.Issues, is)
}

// SetsOf returns the transaction sets of the report with ST01 id.
func (r *Report) SetsOf(id string) []Set {
	var out []Set
	for _, ic := range r.Interchanges {
		for _, g := range ic.Groups {
			for _, s := range g.Sets {
				if s.ID == id {
					out = append(out, s)
				}
			}
		}
	}
	return out
}
