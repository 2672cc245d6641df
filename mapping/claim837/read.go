package claim837

import (
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/money"
	"github.com/casebridge/casebridge/internal/record"
)

// Error codes of the 837D reader. They are the codes of a file that was read
// as X12 but does not hold what an 837D claim needs (IsMappingError).
const (
	CodeNotAn837D  x12.Code = "NOT_837D"
	CodeStructure  x12.Code = "STRUCTURE"
	CodeBadAmount  x12.Code = "BAD_AMOUNT"
	CodeBadDate    x12.Code = "BAD_DATE"
	CodeBadInteger x12.Code = "BAD_INTEGER"
	// The set is an 837 of another guide (837P X222, 837I X223, 4010): ST03,
	// else GS08, must name 005010X224 (837D; A1-A3 are read alike).
	CodeVersion x12.Code = "VERSION_UNSUPPORTED"
)

// IsMappingError reports whether err is one of the reader's own positioned
// errors (the X12 was read, a claim in it cannot be), as opposed to X12
// that cannot be read at all (no ISA, truncated, …) or a callback's error.
func IsMappingError(err error) bool {
	var xe *x12.Error
	if !errors.As(err, &xe) {
		return false
	}
	switch xe.Code {
	case CodeStructure, CodeBadAmount, CodeBadDate, CodeBadInteger:
		return true
	}
	return false
}

// Claim is one claim (2300 loop) of an 837D as read: the record it carries,
// where it was, and what of it the record cannot hold.
type Claim struct {
	Record *record.Record `json:"record"`
	Source Source         `json:"source"`
	// OtherPayers are the claim's 2320/2330 loops (coordination of
	// benefits), summarised: the case record has no place for them.
	OtherPayers []OtherPayer `json:"other_payers"`
	// NotMapped lists every segment of the claim's path (its 1000A/B,
	// 2000A, 2000B, 2000C loops and the claim itself) whose content is in
	// neither Record nor OtherPayers, in file order.
	NotMapped []NotMapped `json:"not_mapped"`
}

// Source is where a claim is in the file: the control numbers of its
// envelopes (ISA13, GS06, ST02) and the ordinal of its CLM segment.
type Source struct {
	Interchange string `json:"interchange"`
	Group       string `json:"group"`
	Set         string `json:"set"`
	Segment     int    `json:"segment"`
}

// NotMapped is a segment the record model cannot hold or, with Element,
// one element of a segment otherwise mapped (a middle name, CLM11 related
// causes, SV304 oral cavity, …).
type NotMapped struct {
	SegmentID string `json:"segment_id"`
	Loop      string `json:"loop"`
	Segment   int    `json:"segment"`           // ordinal in the file, first ISA = 1
	Element   int    `json:"element,omitempty"` // 0: the whole segment
}

// usedElements are the elements the mapping reads (or the writer derives
// again: SV311 diagnosis pointers, SBR01/02/09, CLM06-09 from the profile
// and the record) of the segments it maps; any other element with a value
// is reported as not mapped. Segments absent here are read whole.
var usedElements = map[string][]int{
	"NM1": {1, 2, 3, 4, 8, 9},
	"N3":  {1, 2},
	"N4":  {1, 2, 3},
	"REF": {1, 2},
	"PRV": {1, 2, 3},
	"DMG": {1, 2, 3},
	"SBR": {1, 2, 3, 9},
	"PAT": {1},
	"CLM": {1, 2, 5, 6, 7, 8, 9},
	"DTP": {1, 2, 3},
	"PWK": {1, 2, 5, 6},
	"NTE": {1, 2},
	"LX":  {1},
	"SV3": {1, 2, 6, 11},
	"AMT": {1, 2},
}

// reportElements lists the elements of a mapped segment that the record
// cannot hold, and SV301/CLM05 components beyond the ones it reads.
func (s *readState) reportElements(seg *x12.Segment) {
	used, ok := usedElements[seg.ID]
	if !ok {
		return
	}
	for i := 1; i <= seg.Len(); i++ {
		if seg.Element(i) == "" || slices.Contains(used, i) {
			continue
		}
		s.notMappedElement(seg, i)
	}
	if seg.ID == "SV3" && len(seg.Components(1)) > 2 { // modifiers, description
		s.notMappedElement(seg, 1)
	}
}

// OtherPayer summarises a 2320 loop and its 2330A/2330B loops
// (005010X224A2 §2.3.2.3 2320 Other Subscriber Information).
type OtherPayer struct {
	Segment         int    `json:"segment"`                          // the 2320 SBR's ordinal
	Responsibility  string `json:"responsibility"`                   // SBR01: P, S, T, …
	Relationship    string `json:"relationship,omitempty"`           // SBR02
	GroupNumber     string `json:"group_number,omitempty"`           // SBR03
	FilingIndicator string `json:"claim_filing_indicator,omitempty"` // SBR09
	// 2330B NM1*PR
	PayerName string `json:"payer_name,omitempty"`
	PayerID   string `json:"payer_id,omitempty"`
	// 2330A NM1*IL
	SubscriberLastName  string `json:"subscriber_last_name,omitempty"`
	SubscriberFirstName string `json:"subscriber_first_name,omitempty"`
	SubscriberID        string `json:"subscriber_id,omitempty"`
	// 2320 AMT*D (payer paid), AMT*EAF (remaining patient liability), AMT*A8
	// (noncovered), 2330B DTP*573 (adjudication date)
	Paid               *money.Amount `json:"paid,omitempty"`
	RemainingLiability *money.Amount `json:"remaining_patient_liability,omitempty"`
	Noncovered         *money.Amount `json:"noncovered,omitempty"`
	AdjudicationDate   string        `json:"adjudication_date,omitempty"`
	// 2320 CAS: group, then (reason, amount, quantity) triplets
	Adjustments []OtherPayerAdjustment `json:"adjustments,omitempty"`
}

// OtherPayerAdjustment is one CARC of a 2320 CAS.
type OtherPayerAdjustment struct {
	Group  string        `json:"group"`
	Reason string        `json:"reason"`
	Amount *money.Amount `json:"amount"`
}

// Read streams an 837D and calls fn once per claim with the record it
// carries. It is ReadClaims without the report of what the record cannot
// hold.
func Read(r io.Reader, fn func(*record.Record) error) error {
	return ReadClaims(r, func(c *Claim) error { return fn(c.Record) })
}

// ReadClaims streams any 005010X224A2 input — several interchanges, groups
// and transaction sets, several billing providers (2000A), subscribers
// (2000B) and patients (2000C) — and calls fn once per claim (2300 loop),
// as soon as the claim ends. What the 837D can say of the case record
// (ids, parties, dates, codes, charges, narrative, attachments, diagnoses)
// goes into Claim.Record; the other-payer loops into Claim.OtherPayers;
// every other segment is listed in Claim.NotMapped. Per-line case-management
// details do not travel in an 837D and come back empty.
//
// Errors are *x12.Error positioned at segment and element, never quoting
// data: the X12 reader's (unreadable input) or the mapping's
// (IsMappingError); an error of fn is returned as is.
func ReadClaims(r io.Reader, fn func(*Claim) error) error {
	rd := x12.NewReader(r, x12.ReaderOptions{})
	st := &readState{fn: fn}
	for {
		seg, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return st.flush()
		}
		if err != nil {
			return err
		}
		if err := st.add(seg); err != nil {
			return err
		}
	}
}

type readState struct {
	fn func(*Claim) error

	isa13, gs06, st02 string
	gs08              string
	in837             bool

	submitter *record.Submitter
	receiver  *record.Receiver
	billing   record.BillingProvider
	level     string // current HL03: 20, 22, 23
	sub       record.Subscriber
	payer     record.Payer
	patient   *record.Patient
	loop      string // current loop id, e.g. 2010BA, 2310B, 2330A, 2420A
	// not mapped segments of the levels above the claim
	hdrNM, billNM, subNM, patNM []NotMapped

	cur       *Claim
	line      *record.Service
	other     *OtherPayer
	narrative []string
	claimDate string // claim-level DTP*472, for lines without their own
}

func (s *readState) flush() error {
	c := s.cur
	if c == nil {
		return nil
	}
	c.Record.Narrative = strings.Join(s.narrative, " ")
	for i := range c.Record.Services {
		if c.Record.Services[i].Date == "" {
			c.Record.Services[i].Date = s.claimDate
		}
	}
	if c.OtherPayers == nil {
		c.OtherPayers = []OtherPayer{}
	}
	if c.NotMapped == nil {
		c.NotMapped = []NotMapped{}
	}
	s.cur, s.line, s.other, s.narrative, s.claimDate = nil, nil, nil, nil, ""
	return s.fn(c)
}

func amount(seg *x12.Segment, el int) (*money.Amount, error) {
	a, err := money.Parse(seg.Element(el))
	if err != nil {
		return nil, seg.Errorf(CodeBadAmount, el, 0, "not a decimal amount")
	}
	return &a, nil
}

func date(seg *x12.Segment, el int) (string, error) {
	v := seg.Element(el)
	if len(v) != 8 {
		return "", seg.Errorf(CodeBadDate, el, 0, "not a CCYYMMDD date")
	}
	for i := 0; i < 8; i++ {
		if v[i] < '0' || v[i] > '9' {
			return "", seg.Errorf(CodeBadDate, el, 0, "not a CCYYMMDD date")
		}
	}
	return v[:4] + "-" + v[4:6] + "-" + v[6:], nil
}

var relationshipName = map[string]string{"01": "spouse", "19": "child"}
var frequencyName = map[string]string{"1": record.FrequencyOriginal, "7": record.FrequencyReplacement, "8": record.FrequencyVoid}

func address(a **record.Address) *record.Address {
	if *a == nil {
		*a = &record.Address{}
	}
	return *a
}

// notMapped records seg as not held by the record, on the claim when one
// is open, else on the level above it (every claim under it gets it).
func (s *readState) notMapped(seg *x12.Segment) { s.notMappedElement(seg, 0) }

func (s *readState) notMappedElement(seg *x12.Segment, element int) {
	nm := NotMapped{SegmentID: seg.ID, Loop: s.loop, Segment: seg.Ordinal, Element: element}
	switch {
	case s.cur != nil:
		s.cur.NotMapped = append(s.cur.NotMapped, nm)
	case s.level == "23":
		s.patNM = append(s.patNM, nm)
	case s.level == "22":
		s.subNM = append(s.subNM, nm)
	case s.level == "20":
		s.billNM = append(s.billNM, nm)
	default:
		s.hdrNM = append(s.hdrNM, nm)
	}
}

func (s *readState) add(seg *x12.Segment) error {
	switch seg.ID {
	case "ISA":
		s.isa13 = seg.Element(13)
		return nil
	case "GS":
		s.gs06, s.gs08 = seg.Element(6), seg.Element(8)
		return nil
	case "ST":
		if err := s.flush(); err != nil { // a set without its SE: its claim ends here
			return err
		}
		if seg.Element(1) != "837" {
			return seg.Errorf(CodeNotAn837D, 1, 0, "transaction set is not an 837")
		}
		// ST03 names the implementation guide (X12 005010X224A2 §1.4); when it
		// is empty, GS08 does
		if v := seg.Element(3); v != "" && !strings.HasPrefix(v, "005010X224") {
			return seg.Errorf(CodeVersion, 3, 0, "not the 837D implementation guide 005010X224")
		} else if v == "" && s.gs08 != "" && !strings.HasPrefix(s.gs08, "005010X224") {
			return seg.Errorf(CodeVersion, 0, 0, "the group (GS08) is not the 837D implementation guide 005010X224")
		}
		s.in837, s.st02, s.loop, s.level = true, seg.Element(2), "", ""
		s.submitter, s.receiver = nil, nil
		s.hdrNM, s.billNM, s.subNM, s.patNM = nil, nil, nil, nil
		return nil
	case "SE":
		s.in837 = false
		return s.flush()
	case "GE", "IEA", "TA1":
		return nil
	}
	if !s.in837 {
		return nil
	}
	mapped, err := s.segment(seg)
	if err != nil {
		var xe *x12.Error
		if errors.As(err, &xe) && xe.Loop == "" && seg.ID != "HL" { // an HL opens a level: no loop yet
			xe.Loop = s.loop
		}
		return err
	}
	if !mapped {
		s.notMapped(seg)
	} else {
		s.reportElements(seg)
	}
	return nil
}

// segment maps seg and reports whether its content went into the record or
// an other-payer summary.
func (s *readState) segment(seg *x12.Segment) (bool, error) {
	switch seg.ID {
	case "BHT":
		return true, nil // written from the envelope (BHT03 = CLM01)
	case "HL":
		return true, s.hl(seg)
	case "NM1":
		return s.nm1(seg)
	case "CLM":
		return true, s.clm(seg)
	case "SBR":
		return true, s.sbr(seg)
	case "LX":
		if s.cur == nil {
			return false, seg.Errorf(CodeStructure, 0, 0, "service line outside a claim")
		}
		s.cur.Record.Services = append(s.cur.Record.Services, record.Service{})
		s.line, s.other, s.loop = &s.cur.Record.Services[len(s.cur.Record.Services)-1], nil, "2400"
		return true, nil
	case "SV3":
		return true, s.sv3(seg)
	}
	switch s.loop {
	case "1000A":
		if seg.ID == "PER" && s.submitter != nil {
			for i := 3; i+1 <= seg.Len(); i += 2 {
				switch seg.Element(i) {
				case "TE":
					s.submitter.Phone = seg.Element(i + 1)
				case "EM":
					s.submitter.Email = seg.Element(i + 1)
				}
			}
			s.submitter.ContactName = seg.Element(2)
			return true, nil
		}
	case "2000A":
		if seg.ID == "PRV" && seg.Element(1) == "BI" {
			s.billing.Taxonomy = seg.Element(3)
			return true, nil
		}
	case "2010AA":
		switch {
		case seg.ID == "N3" || seg.ID == "N4":
			s.addressSegment(seg, address(&s.billing.Address))
			return true, nil
		case seg.ID == "REF" && (seg.Element(1) == "EI" || seg.Element(1) == "SY"):
			s.billing.TaxID, s.billing.TaxIDType = seg.Element(2), ""
			if seg.Element(1) == "SY" {
				s.billing.TaxIDType = record.TaxIDSSN
			}
			return true, nil
		}
	case "2000B":
		// PAT in 2000B is only for a deceased or pregnant subscriber: not held
	case "2010BA":
		switch seg.ID {
		case "N3", "N4":
			s.addressSegment(seg, address(&s.sub.Address))
			return true, nil
		case "DMG":
			bd, err := dmgDate(seg)
			if err != nil {
				return false, err
			}
			s.sub.BirthDate, s.sub.Gender = bd, seg.Element(3)
			return true, nil
		}
	case "2000C":
		if seg.ID == "PAT" && s.patient != nil {
			if rel, ok := relationshipName[seg.Element(1)]; ok {
				s.patient.Relationship = rel
			}
			return true, nil
		}
	case "2010CA":
		switch seg.ID {
		case "N3", "N4":
			s.addressSegment(seg, address(&s.patient.Address))
			return true, nil
		case "DMG":
			bd, err := dmgDate(seg)
			if err != nil {
				return false, err
			}
			s.patient.BirthDate, s.patient.Gender = bd, seg.Element(3)
			return true, nil
		}
	case "2300":
		return s.claimSegment(seg)
	case "2310B":
		if seg.ID == "PRV" && seg.Element(1) == "PE" {
			s.cur.Record.RenderingProvider.Taxonomy = seg.Element(3)
			return true, nil
		}
	case "2310C":
		if seg.ID == "N3" || seg.ID == "N4" {
			s.addressSegment(seg, address(&s.cur.Record.ServiceFacility.Address))
			return true, nil
		}
	case "2320":
		return s.otherPayerSegment(seg)
	case "2330B":
		if seg.ID == "DTP" && seg.Element(1) == "573" {
			d, err := date(seg, 3)
			if err != nil {
				return false, err
			}
			s.other.AdjudicationDate = d
			return true, nil
		}
	case "2400":
		switch {
		case seg.ID == "DTP" && seg.Element(1) == "472" && seg.Element(2) == "D8":
			d, err := date(seg, 3)
			if err != nil {
				return false, err
			}
			s.line.Date = d
			return true, nil
		case seg.ID == "REF" && seg.Element(1) == "6R":
			s.line.LineID = seg.Element(2)
			return true, nil
		}
	}
	return false, nil
}

func dmgDate(seg *x12.Segment) (string, error) {
	if seg.Element(2) == "" {
		return "", nil
	}
	return date(seg, 2)
}

func (s *readState) hl(seg *x12.Segment) error {
	if err := s.flush(); err != nil {
		return err
	}
	s.level = seg.Element(3)
	switch s.level {
	case "20":
		s.billing, s.loop = record.BillingProvider{}, "2000A"
		s.billNM, s.subNM, s.patNM = nil, nil, nil
	case "22":
		if s.billing.NPI == "" && s.billing.Name == "" && s.billing.LastName == "" {
			return seg.Errorf(CodeStructure, 3, 0, "subscriber level (HL03 22) before any billing provider level")
		}
		s.sub, s.payer, s.patient, s.loop = record.Subscriber{}, record.Payer{}, nil, "2000B"
		s.subNM, s.patNM = nil, nil
	case "23":
		s.patient, s.loop = &record.Patient{Relationship: "other"}, "2000C"
		s.patNM = nil
	default:
		return seg.Errorf(CodeStructure, 3, 0, "hierarchical level code is not 20, 22 or 23")
	}
	return nil
}

// nm1 sets the loop an NM1 opens (005010X224A2 §2.3 loop table) and maps
// the ones the record holds.
func (s *readState) nm1(seg *x12.Segment) (bool, error) {
	entity := seg.Element(1)
	last, first, id := seg.Element(3), seg.Element(4), seg.Element(9)
	switch {
	case s.cur != nil && s.line != nil:
		// 2420A-D line-level providers: the record has none
		s.loop = map[string]string{"82": "2420A", "DD": "2420B", "DQ": "2420C", "77": "2420D"}[entity]
		if s.loop == "" {
			s.loop = "2420"
		}
		return false, nil
	case s.cur != nil && s.other != nil:
		switch entity {
		case "IL":
			s.loop = "2330A"
			s.other.SubscriberLastName, s.other.SubscriberFirstName, s.other.SubscriberID = last, first, id
			return true, nil
		case "PR":
			s.loop = "2330B"
			s.other.PayerName, s.other.PayerID = last, id
			return true, nil
		}
		// 2330C-H: the other payer's ids of the claim's providers
		s.loop = map[string]string{"DN": "2330C", "P3": "2330C", "82": "2330D", "DQ": "2330E", "85": "2330F", "77": "2330G", "DD": "2330H"}[entity]
		if s.loop == "" {
			s.loop = "2330"
		}
		return false, nil
	case s.cur != nil:
		switch entity {
		case "DN", "P3":
			s.loop = "2310A"
		case "82":
			s.loop = "2310B"
			s.cur.Record.RenderingProvider = &record.RenderingProvider{LastName: last, FirstName: first, NPI: id}
			return true, nil
		case "77":
			s.loop = "2310C"
			s.cur.Record.ServiceFacility = &record.ServiceFacility{Name: last, NPI: id}
			return true, nil
		case "DD":
			s.loop = "2310D"
		case "DQ":
			s.loop = "2310E"
		default:
			s.loop = "2310"
		}
		return false, nil
	}
	switch entity {
	case "41":
		s.loop = "1000A"
		s.submitter = &record.Submitter{Name: last, ID: id}
		return true, nil
	case "40":
		s.loop = "1000B"
		s.receiver = &record.Receiver{Name: last, ID: id}
		return true, nil
	case "85":
		if s.level != "20" {
			break
		}
		s.loop = "2010AA"
		if seg.Element(2) == "1" {
			s.billing.LastName, s.billing.FirstName = last, first
		} else {
			s.billing.Name = last
		}
		s.billing.NPI = id
		return true, nil
	case "87":
		s.loop = "2010AB" // pay-to address
		return false, nil
	case "PE":
		s.loop = "2010AC" // pay-to plan
		return false, nil
	case "IL":
		if s.level != "22" {
			break
		}
		s.loop = "2010BA"
		s.sub.LastName, s.sub.FirstName, s.sub.MemberID = last, first, id
		return true, nil
	case "PR":
		if s.level != "22" {
			break
		}
		s.loop = "2010BB"
		s.payer = record.Payer{Name: last, ID: id}
		return true, nil
	case "QC":
		if s.level != "23" || s.patient == nil {
			break
		}
		s.loop = "2010CA"
		s.patient.LastName, s.patient.FirstName = last, first
		return true, nil
	}
	s.loop = "NM1*" + entity
	if entity == "" {
		s.loop = "NM1"
	}
	return false, nil
}

func (s *readState) addressSegment(seg *x12.Segment, a *record.Address) {
	if seg.ID == "N3" {
		a.Line1, a.Line2 = seg.Element(1), seg.Element(2)
		return
	}
	a.City, a.State, a.PostalCode = seg.Element(1), seg.Element(2), seg.Element(3)
}

// claimSegment maps a 2300 segment after CLM.
func (s *readState) claimSegment(seg *x12.Segment) (bool, error) {
	r := s.cur.Record
	switch seg.ID {
	case "DTP":
		if seg.Element(1) == "472" && seg.Element(2) == "D8" {
			d, err := date(seg, 3)
			if err != nil {
				return false, err
			}
			s.claimDate = d
			return true, nil
		}
	case "PWK":
		r.Attachments = append(r.Attachments, record.Attachment{ID: seg.Element(6), ReportType: seg.Element(1), Transmission: seg.Element(2)})
		return true, nil
	case "REF":
		switch seg.Element(1) {
		case "F8":
			r.PayerClaimNumber = seg.Element(2)
			return true, nil
		case "G1":
			r.PriorAuthorization = seg.Element(2)
			return true, nil
		}
		// G3 predetermination, 9F referral, D9 clearinghouse trace, …: not held
	case "NTE":
		if seg.Element(1) == "ADD" {
			s.narrative = append(s.narrative, seg.Element(2))
			return true, nil
		}
	case "HI":
		var codes []string
		for i := 1; i <= seg.Len(); i++ {
			switch seg.Component(i, 1) {
			case "ABK", "ABF", "BK", "BF": // ICD-10-CM principal/other (and ICD-9's)
			default:
				return false, nil
			}
			if code := seg.Component(i, 2); code != "" {
				codes = append(codes, code)
			}
		}
		r.Diagnoses = append(r.Diagnoses, codes...)
		return true, nil
	}
	return false, nil
}

// sbr is 2000B's SBR or, inside a claim, a 2320 loop's.
func (s *readState) sbr(seg *x12.Segment) error {
	if s.cur == nil {
		if s.level != "22" {
			return seg.Errorf(CodeStructure, 0, 0, "SBR outside a subscriber level")
		}
		s.sub.GroupNumber = seg.Element(3)
		return nil
	}
	if s.line != nil {
		return seg.Errorf(CodeStructure, 0, 0, "other-payer loop (2320) after a service line")
	}
	s.cur.OtherPayers = append(s.cur.OtherPayers, OtherPayer{
		Segment: seg.Ordinal, Responsibility: seg.Element(1), Relationship: seg.Element(2),
		GroupNumber: seg.Element(3), FilingIndicator: seg.Element(9),
	})
	s.other, s.loop = &s.cur.OtherPayers[len(s.cur.OtherPayers)-1], "2320"
	return nil
}

// otherPayerSegment maps a 2320 segment after SBR (005010X224A2 2320 CAS,
// AMT*D/EAF/A8); OI and MOA are not summarised.
func (s *readState) otherPayerSegment(seg *x12.Segment) (bool, error) {
	switch seg.ID {
	case "CAS":
		group := seg.Element(1)
		for i := 2; i <= seg.Len() && i <= 19; i += 3 {
			if seg.Element(i) == "" {
				continue
			}
			a, err := amount(seg, i+1)
			if err != nil {
				return false, err
			}
			s.other.Adjustments = append(s.other.Adjustments, OtherPayerAdjustment{Group: group, Reason: seg.Element(i), Amount: a})
		}
		return true, nil
	case "AMT":
		var dst **money.Amount
		switch seg.Element(1) {
		case "D":
			dst = &s.other.Paid
		case "EAF":
			dst = &s.other.RemainingLiability
		case "A8":
			dst = &s.other.Noncovered
		default:
			return false, nil
		}
		a, err := amount(seg, 2)
		if err != nil {
			return false, err
		}
		*dst = a
		return true, nil
	}
	return false, nil
}

func (s *readState) clm(seg *x12.Segment) error {
	if err := s.flush(); err != nil {
		return err
	}
	if s.level != "22" && s.level != "23" {
		return seg.Errorf(CodeStructure, 0, 0, "claim outside a subscriber or patient level")
	}
	if _, err := amount(seg, 2); err != nil {
		return err
	}
	freq, ok := frequencyName[seg.Component(5, 3)]
	if !ok {
		freq = seg.Component(5, 3)
	}
	rec := &record.Record{
		RecordID:        seg.Element(1),
		Frequency:       freq,
		Submitter:       clone(s.submitter),
		Receiver:        clone(s.receiver),
		BillingProvider: s.billing,
		Payer:           s.payer,
		Subscriber:      s.sub,
		PlaceOfService:  seg.Component(5, 1),
	}
	rec.BillingProvider.Address = clone(s.billing.Address)
	rec.Subscriber.Address = clone(s.sub.Address)
	if s.level == "23" && s.patient != nil {
		p := *s.patient
		p.Address = clone(p.Address)
		rec.Patient = &p
	}
	var nm []NotMapped
	for _, l := range [][]NotMapped{s.hdrNM, s.billNM, s.subNM, s.patNM} {
		nm = append(nm, l...)
	}
	s.cur = &Claim{
		Record:    rec,
		Source:    Source{Interchange: s.isa13, Group: s.gs06, Set: s.st02, Segment: seg.Ordinal},
		NotMapped: nm,
	}
	s.line, s.other, s.loop = nil, nil, "2300"
	return nil
}

func clone[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func (s *readState) sv3(seg *x12.Segment) error {
	if s.line == nil {
		return seg.Errorf(CodeStructure, 0, 0, "SV3 outside a service line")
	}
	charge, err := amount(seg, 2)
	if err != nil {
		return err
	}
	s.line.Code = seg.Component(1, 2)
	s.line.Charge = charge
	s.line.Units = 1
	if u := seg.Element(6); u != "" {
		n, err := strconv.Atoi(u)
		if err != nil || n < 1 {
			return seg.Errorf(CodeBadInteger, 6, 0, "procedure count is not a positive whole number")
		}
		s.line.Units = n
	}
	return nil
}
