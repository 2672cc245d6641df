// Package ack reads the acknowledgments that come back for the 837Ds
// casebridge sends: the TA1 interchange acknowledgment, the 999
// implementation acknowledgment (005010X231A1) and the 277CA claim
// acknowledgment (005010X214). It keeps what matching them to stored claims
// and explaining them needs: control numbers, outcomes, error positions and
// codes, claim status categories. It decides nothing about claims.
//
// Errors are *x12.Error values with the segment ordinal, segment id and
// element position; messages never quote element values.
package ack

import (
	"bytes"
	"io"
	"strconv"
	"strings"

	"github.com/casebridge/casebridge/adapters/x12"
)

// Kind is the kind of an acknowledgment file.
type Kind string

// The kinds read.
const (
	KindTA1   Kind = "TA1"
	Kind999   Kind = "999"
	Kind277CA Kind = "277CA"
)

// Error codes of the reader (besides adapters/x12's).
const (
	CodeUnsupported    x12.Code = "ACK_UNSUPPORTED"     // not a TA1, 999 or 277CA 005010X214
	CodeEmpty          x12.Code = "ACK_EMPTY"           // an interchange with nothing to acknowledge
	CodeStructure      x12.Code = "ACK_STRUCTURE"       // a segment where the layout has no place for it
	CodeElementMissing x12.Code = "ACK_ELEMENT_MISSING" // a required element is empty
	CodeElementInvalid x12.Code = "ACK_ELEMENT_INVALID" // an element that is not of its type or code list
)

// Implementation references.
const (
	Version999   = "005010X231A1"
	Version277CA = "005010X214"
)

// File is one acknowledgment file as read.
type File struct {
	Kind   Kind
	TA1s   []TA1      // every TA1 (with or without a 999)
	Sets   []SetAck   // 999: one per AK2, or per AK1 with no AK2 (a group-level answer)
	Claims []ClaimAck // 277CA: one per 2200D claim status tracking number
}

// TA1 is one interchange acknowledgment.
type TA1 struct {
	Segment       int    // ordinal in the file
	ControlNumber string // TA101: ISA13 of the acknowledged interchange
	Date, Time    string // TA102, TA103
	Ack           string // TA104: A, E, R
	Note          string // TA105 note code
	Addressee     string `json:"-"` // the TA1's ISA08 (trimmed): our ISA06
}

// SetAck is one AK2 (with its AK1 and its group's AK9): the answer for one
// transaction set we sent. A group answered without any AK2 (AK9 R with no
// set accepted, e.g. a GE01 count error) gives one SetAck with SetControl "".
type SetAck struct {
	Segment       int    // ordinal of the AK2 (or the AK1)
	FunctionalID  string // AK101
	GroupControl  string // AK102: GS06 we sent
	GroupVersion  string // AK103
	GroupStatus   string // AK901
	GroupCodes    []string
	SetID         string // AK201
	SetControl    string // AK202: ST02 we sent
	SetVersion    string // AK203
	Status        string // IK501: A, E, R, M, W, X (the group's AK901 when there is no AK2)
	Codes         []string
	Errors        []SegmentError
	ResponseISA13 string // ISA13 of the 999's own interchange
	// Addressee is the 999's ISA08 (trimmed): the sender of the
	// interchange it answers (our ISA06).
	Addressee string `json:"-"`
}

// SegmentError is one IK3 with its CTX and IK4s.
type SegmentError struct {
	Segment   int    // ordinal of the IK3 in the file
	SegmentID string // IK301
	Position  int    // IK302: position in the set we sent (ST = 1)
	Loop      string // IK303
	Code      string // IK304
	ClaimID   string // CTX business unit CLM01 (the claim's record id), "" when none
	Elements  []ElementError
}

// ElementError is one IK4.
type ElementError struct {
	Position, Component, Repetition int    // IK401-1..3
	Ref                             string // IK402 data element reference
	Code                            string // IK403
}

// ClaimAck is one claim in a 277CA (loop 2200D).
type ClaimAck struct {
	Segment              int    // ordinal of the 2200D TRN
	PatientControlNumber string // TRN02 = the CLM01 we sent
	PayerClaimNumber     string // REF*1K
	ClearinghouseTrace   string // REF*D9
	Statuses             []Status
}

// Status is one claim status composite of an STC (STC01, STC10, STC11).
type Status struct {
	Category string // the Health Care Claim Status Category Code (e.g. A3)
	Code     string // the Health Care Claim Status Code (e.g. 562)
	Entity   string // the entity identifier code (e.g. 85), "" when none
	Action   string // STC03 action code (WQ accepted, U rejected), on the first composite
}

// Read reads one acknowledgment file (one or more interchanges, all of one
// kind). Body limits are the caller's.
func Read(r io.Reader) (*File, error) {
	segs, err := x12.ReadAll(r, x12.ReaderOptions{})
	if err != nil {
		return nil, err
	}
	return readSegments(segs)
}

// ReadBytes is Read over a byte slice.
func ReadBytes(b []byte) (*File, error) { return Read(bytes.NewReader(b)) }

func readSegments(segs []*x12.Segment) (*File, error) {
	if len(segs) == 0 {
		return nil, &x12.Error{Code: x12.CodeISAMissing, Msg: "no interchange"}
	}
	env := x12.NewEnvelopeChecker()
	for _, s := range segs {
		if err := envelopeFatal(env.Add(s)); err != nil {
			return nil, err
		}
	}
	if err := envelopeFatal(env.Finish()); err != nil {
		return nil, err
	}
	f := &File{}
	p := parser{f: f}
	for _, s := range segs {
		if err := p.segment(s); err != nil {
			return nil, err
		}
	}
	if err := p.endGroup(nil); err != nil {
		return nil, err
	}
	switch {
	case p.kind != "":
		f.Kind = p.kind
	case len(f.TA1s) > 0:
		f.Kind = KindTA1
	}
	if f.Kind == "" || (f.Kind == KindTA1 && len(f.TA1s) == 0) {
		last := segs[len(segs)-1]
		return nil, last.Errorf(CodeEmpty, 0, 0, "the interchange holds no TA1, 999 or 277CA")
	}
	return f, nil
}

// envelopeFatal returns the first envelope error that leaves the file's
// structure unknown (an envelope not closed, a segment outside its
// envelope); count and control-number mismatches are the validator's
// business, not a reason to ignore an acknowledgment.
func envelopeFatal(errs []*x12.Error) error {
	for _, e := range errs {
		if e.Code == x12.CodeEnvelopeUnclosed || e.Code == x12.CodeEnvelopeUnexpected {
			return e
		}
	}
	return nil
}

// parser walks the segments of a file.
type parser struct {
	f     *File
	kind  Kind
	isa13 string
	isa08 string

	// 999
	group    *SetAck // AK1 values of the open group
	groupAt  int     // index in f.Sets of the group's first SetAck
	set      *SetAck // open AK2
	ik3      *SegmentError
	setIndex int

	// 277CA
	hlLevel string    // HL03 of the current HL
	claim   *ClaimAck // the open 2200D
	svc     bool      // inside a 2220D service line
}

func (p *parser) segment(s *x12.Segment) error {
	switch s.ID {
	case "ISA":
		p.isa13, p.isa08 = s.Element(13), strings.TrimSpace(s.Element(8))
		return nil
	case "IEA":
		return nil
	case "TA1":
		return p.ta1(s)
	case "GS":
		return p.gs(s)
	case "GE":
		return p.endGroup(s)
	case "ST":
		p.hlLevel, p.claim, p.svc = "", nil, false
		if want := map[Kind]string{Kind999: "999", Kind277CA: "277"}[p.kind]; want != "" && s.Element(1) != want {
			return s.Errorf(CodeUnsupported, 1, 0, "ST01 does not match the group's functional identifier (GS01)")
		}
		return nil
	case "SE":
		p.closeClaim()
		return nil
	}
	switch p.kind {
	case Kind999:
		return p.seg999(s)
	case Kind277CA:
		return p.seg277(s)
	}
	return s.Errorf(CodeStructure, 0, 0, "segment outside a 999 or 277CA transaction set")
}

func (p *parser) ta1(s *x12.Segment) error {
	t := TA1{Segment: s.Ordinal, ControlNumber: s.Element(1), Date: s.Element(2), Time: s.Element(3),
		Ack: s.Element(4), Note: s.Element(5), Addressee: p.isa08}
	for i, v := range []string{t.ControlNumber, t.Date, t.Time, t.Ack, t.Note} {
		if v == "" {
			return s.Errorf(CodeElementMissing, i+1, 0, "TA1%02d is required", i+1)
		}
	}
	// TA101 is N0 9/9 (X12 005010 TA1), but senders drop the leading
	// zeros (testdata/x12/imsweb_999_rejected_with_ta1.x12: TA1*101): 1-9
	// digits are read. TA104 is A, E or R.
	if _, ok := ControlNumber(t.ControlNumber); !ok {
		return s.Errorf(CodeElementInvalid, 1, 0, "TA101 must be an interchange control number of 1-9 digits")
	}
	switch t.Ack {
	case "A", "E", "R":
	default:
		return s.Errorf(CodeElementInvalid, 4, 0, "TA104 must be A, E or R")
	}
	p.f.TA1s = append(p.f.TA1s, t)
	return nil
}

// gs fixes the kind from GS01/GS08: FA 005010X231A1 is a 999, HN
// 005010X214 a 277CA. Every group of a file must be of one kind.
func (p *parser) gs(s *x12.Segment) error {
	var k Kind
	switch {
	case s.Element(1) == "FA" && s.Element(8) == Version999:
		k = Kind999
	case s.Element(1) == "HN" && s.Element(8) == Version277CA:
		k = Kind277CA
	default:
		el := 8
		if s.Element(1) != "FA" && s.Element(1) != "HN" {
			el = 1
		}
		return s.Errorf(CodeUnsupported, el, 0, "not a 999 (GS01 FA, GS08 005010X231A1) or a 277CA (GS01 HN, GS08 005010X214)")
	}
	if p.kind != "" && p.kind != k {
		return s.Errorf(CodeUnsupported, 1, 0, "a file holds one kind of acknowledgment")
	}
	p.kind = k
	return nil
}

// ---- 999

func (p *parser) seg999(s *x12.Segment) error {
	switch s.ID {
	case "AK1":
		if p.group != nil {
			return s.Errorf(CodeStructure, 0, 0, "second AK1 in a 999 transaction set")
		}
		if err := required(s, 1, 2); err != nil {
			return err
		}
		if !digits(s.Element(2)) || len(s.Element(2)) > 9 {
			return s.Errorf(CodeElementInvalid, 2, 0, "AK102 must be a group control number of 1-9 digits")
		}
		p.group = &SetAck{Segment: s.Ordinal, FunctionalID: s.Element(1), GroupControl: s.Element(2),
			GroupVersion: s.Element(3), ResponseISA13: p.isa13, Addressee: p.isa08}
		p.groupAt = len(p.f.Sets)
		return nil
	case "AK2":
		if p.group == nil {
			return s.Errorf(CodeStructure, 0, 0, "AK2 before AK1")
		}
		if err := required(s, 1, 2); err != nil {
			return err
		}
		if p.set != nil {
			return s.Errorf(CodeStructure, 0, 0, "AK2 before the IK5 of the previous AK2")
		}
		sa := *p.group
		sa.Segment, sa.SetID, sa.SetControl, sa.SetVersion = s.Ordinal, s.Element(1), s.Element(2), s.Element(3)
		p.f.Sets = append(p.f.Sets, sa)
		p.set, p.ik3 = &p.f.Sets[len(p.f.Sets)-1], nil
		return nil
	case "IK3":
		if p.set == nil {
			return s.Errorf(CodeStructure, 0, 0, "IK3 outside an AK2 loop")
		}
		if err := required(s, 1, 2); err != nil {
			return err
		}
		pos, err := strconv.Atoi(s.Element(2))
		if err != nil || pos < 1 {
			return s.Errorf(CodeElementInvalid, 2, 0, "IK302 must be a positive segment position")
		}
		p.set.Errors = append(p.set.Errors, SegmentError{Segment: s.Ordinal, SegmentID: s.Element(1), Position: pos,
			Loop: s.Element(3), Code: s.Element(4)})
		p.ik3 = &p.set.Errors[len(p.set.Errors)-1]
		return nil
	case "CTX":
		if p.set == nil {
			return s.Errorf(CodeStructure, 0, 0, "CTX outside an AK2 loop")
		}
		// The business-unit CTX (X231A1 2100 CTX): CTX01-1 CLM01, CTX01-2
		// the patient control number. The situational-trigger CTX is kept
		// out: it names a segment, not a claim.
		if p.ik3 != nil && s.Component(1, 1) == "CLM01" {
			p.ik3.ClaimID = s.Component(1, 2)
		}
		return nil
	case "IK4":
		if p.ik3 == nil {
			return s.Errorf(CodeStructure, 0, 0, "IK4 outside an IK3 loop")
		}
		if err := required(s, 1, 3); err != nil {
			return err
		}
		var e ElementError
		for j, dst := range []*int{&e.Position, &e.Component, &e.Repetition} {
			v := s.Component(1, j+1)
			if v == "" {
				continue
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 9999 {
				return s.Errorf(CodeElementInvalid, 1, j+1, "IK401 positions must be numbers")
			}
			*dst = n
		}
		e.Ref, e.Code = s.Element(2), s.Element(3)
		p.ik3.Elements = append(p.ik3.Elements, e)
		return nil
	case "IK5":
		if p.set == nil {
			return s.Errorf(CodeStructure, 0, 0, "IK5 outside an AK2 loop")
		}
		if err := required(s, 1); err != nil {
			return err
		}
		if !oneOf(s.Element(1), "A", "E", "R", "M", "W", "X") {
			return s.Errorf(CodeElementInvalid, 1, 0, "IK501 must be A, E, R, M, W or X")
		}
		p.set.Status, p.set.Codes = s.Element(1), codes(s, 2, 6)
		p.set, p.ik3 = nil, nil
		return nil
	case "AK9":
		if p.group == nil {
			return s.Errorf(CodeStructure, 0, 0, "AK9 before AK1")
		}
		if p.set != nil {
			return s.Errorf(CodeStructure, 0, 0, "AK9 before the IK5 of the last AK2")
		}
		if err := required(s, 1); err != nil {
			return err
		}
		if !oneOf(s.Element(1), "A", "E", "P", "R", "M", "W", "X") {
			return s.Errorf(CodeElementInvalid, 1, 0, "AK901 must be A, E, P, R, M, W or X")
		}
		gc := codes(s, 5, 9)
		if p.groupAt == len(p.f.Sets) {
			// no AK2: the answer is for the whole group
			g := *p.group
			g.Status, g.Codes = s.Element(1), gc
			p.f.Sets = append(p.f.Sets, g)
		}
		for i := p.groupAt; i < len(p.f.Sets); i++ {
			p.f.Sets[i].GroupStatus, p.f.Sets[i].GroupCodes = s.Element(1), gc
		}
		p.group = nil
		return nil
	}
	return s.Errorf(CodeStructure, 0, 0, "segment not in a 999 transaction set")
}

// endGroup checks that a 999 group was closed by AK9 (the AK9 is required).
func (p *parser) endGroup(s *x12.Segment) error {
	if p.kind != Kind999 {
		return nil
	}
	if p.set != nil || p.group != nil {
		if s == nil {
			return &x12.Error{Code: CodeStructure, Msg: "999 ends without IK5 or AK9"}
		}
		return s.Errorf(CodeStructure, 0, 0, "999 group ends without IK5 or AK9")
	}
	return nil
}

// ---- 277CA (005010X214)

func (p *parser) seg277(s *x12.Segment) error {
	switch s.ID {
	case "HL":
		p.closeClaim()
		p.hlLevel, p.svc = s.Element(3), false
	case "TRN":
		// 2200D: TRN*2*<patient control number> under the patient HL (PT).
		if p.hlLevel != "PT" {
			return nil
		}
		p.closeClaim()
		if s.Element(2) == "" {
			return s.Errorf(CodeElementMissing, 2, 0, "TRN02 (the patient control number) is required in loop 2200D")
		}
		p.claim, p.svc = &ClaimAck{Segment: s.Ordinal, PatientControlNumber: s.Element(2)}, false
	case "STC":
		if p.claim == nil || p.svc {
			return nil // information source, receiver, provider or line statuses
		}
		if s.Component(1, 1) == "" {
			return s.Errorf(CodeElementMissing, 1, 1, "STC01-1 (the claim status category) is required")
		}
		for n, el := range []int{1, 10, 11} {
			st := Status{Category: s.Component(el, 1), Code: s.Component(el, 2), Entity: s.Component(el, 3)}
			if st.Category == "" {
				continue
			}
			if n == 0 {
				st.Action = s.Element(3)
			}
			p.claim.Statuses = append(p.claim.Statuses, st)
		}
	case "REF":
		if p.claim == nil || p.svc {
			return nil
		}
		switch s.Element(1) {
		case "1K":
			p.claim.PayerClaimNumber = s.Element(2)
		case "D9":
			p.claim.ClearinghouseTrace = s.Element(2)
		}
	case "SVC":
		p.svc = true
	}
	return nil
}

func (p *parser) closeClaim() {
	if p.claim != nil {
		p.f.Claims = append(p.f.Claims, *p.claim)
		p.claim = nil
	}
}

// ---- helpers

func required(s *x12.Segment, els ...int) error {
	for _, i := range els {
		if s.Element(i) == "" {
			return s.Errorf(CodeElementMissing, i, 0, "%s%02d is required", s.ID, i)
		}
	}
	return nil
}

func codes(s *x12.Segment, from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		if v := s.Element(i); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func digits(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return v != ""
}

func oneOf(v string, set ...string) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}

// ControlNumber parses a control number element (ISA13, GS06, ST02) as the
// store keeps it; false when it is not 1-9 digits.
func ControlNumber(v string) (int64, bool) {
	v = strings.TrimSpace(v)
	if !digits(v) || len(v) > 9 {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil
}
