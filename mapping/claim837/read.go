package claim837

import (
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/money"
	"github.com/casebridge/casebridge/internal/record"
)

// Error codes of the 837D reader.
const (
	CodeNotAn837D  x12.Code = "NOT_837D"
	CodeStructure  x12.Code = "STRUCTURE"
	CodeBadAmount  x12.Code = "BAD_AMOUNT"
	CodeBadDate    x12.Code = "BAD_DATE"
	CodeBadInteger x12.Code = "BAD_INTEGER"
)

// Read streams an 837D and calls fn once per claim (CLM loop) with the
// record it carries: what the 837D can say of the case record (ids,
// parties, dates, codes, charges, narrative, attachments, diagnoses).
// Per-line case-management details do not travel in an 837D and come back
// empty. Segments it does not map (TOO, DN2, 2420 loops, COB…) are skipped.
func Read(r io.Reader, fn func(*record.Record) error) error {
	rd := x12.NewReader(r, x12.ReaderOptions{})
	st := &readState{}
	for {
		seg, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return st.flush(fn)
		}
		if err != nil {
			return err
		}
		if err := st.add(seg, fn); err != nil {
			return err
		}
	}
}

type readState struct {
	in837     bool
	submitter *record.Submitter
	receiver  *record.Receiver
	billing   record.BillingProvider
	level     string // current HL03
	sub       record.Subscriber
	payer     record.Payer
	patient   *record.Patient
	entity    string // last NM1 entity: 85, IL, PR, QC, 82, 77, 41, 40
	cur       *record.Record
	line      *record.Service
	narrative []string
	claimDate string // claim-level DTP*472, for lines without their own
}

func (s *readState) flush(fn func(*record.Record) error) error {
	if s.cur == nil {
		return nil
	}
	s.cur.Narrative = strings.Join(s.narrative, " ")
	for i := range s.cur.Services {
		if s.cur.Services[i].Date == "" {
			s.cur.Services[i].Date = s.claimDate
		}
	}
	rec := s.cur
	s.cur, s.line, s.narrative, s.claimDate = nil, nil, nil, ""
	return fn(rec)
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

func (s *readState) add(seg *x12.Segment, fn func(*record.Record) error) error {
	switch seg.ID {
	case "ST":
		if seg.Element(1) != "837" {
			return seg.Errorf(CodeNotAn837D, 1, 0, "transaction set is not an 837")
		}
		s.in837 = true
		return nil
	case "SE":
		s.in837 = false
		return s.flush(fn)
	}
	if !s.in837 {
		return nil
	}
	switch seg.ID {
	case "HL":
		if err := s.flush(fn); err != nil {
			return err
		}
		s.level = seg.Element(3)
		switch s.level {
		case "20":
			s.billing = record.BillingProvider{}
		case "22":
			s.sub, s.payer, s.patient = record.Subscriber{}, record.Payer{}, nil
		case "23":
			s.patient = &record.Patient{Relationship: "other"}
		}
	case "NM1":
		return s.nm1(seg)
	case "PER":
		if s.entity == "41" && s.submitter != nil {
			for i := 3; i+1 <= seg.Len(); i += 2 {
				switch seg.Element(i) {
				case "TE":
					s.submitter.Phone = seg.Element(i + 1)
				case "EM":
					s.submitter.Email = seg.Element(i + 1)
				}
			}
			s.submitter.ContactName = seg.Element(2)
		}
	case "PRV":
		switch seg.Element(1) {
		case "BI":
			s.billing.Taxonomy = seg.Element(3)
		case "PE":
			if s.cur != nil && s.cur.RenderingProvider != nil {
				s.cur.RenderingProvider.Taxonomy = seg.Element(3)
			}
		}
	case "N3", "N4":
		s.addressSegment(seg)
	case "DMG":
		bd := ""
		if seg.Element(2) != "" {
			d, err := date(seg, 2)
			if err != nil {
				return err
			}
			bd = d
		}
		if s.level == "23" && s.patient != nil {
			s.patient.BirthDate, s.patient.Gender = bd, seg.Element(3)
		} else {
			s.sub.BirthDate, s.sub.Gender = bd, seg.Element(3)
		}
	case "SBR":
		s.sub.GroupNumber = seg.Element(3)
	case "PAT":
		if s.patient != nil {
			if rel, ok := relationshipName[seg.Element(1)]; ok {
				s.patient.Relationship = rel
			}
		}
	case "REF":
		return s.ref(seg)
	case "CLM":
		return s.clm(seg, fn)
	case "PWK":
		if s.cur != nil {
			s.cur.Attachments = append(s.cur.Attachments, record.Attachment{ID: seg.Element(6), ReportType: seg.Element(1), Transmission: seg.Element(2)})
		}
	case "NTE":
		if s.cur != nil && seg.Element(1) == "ADD" {
			s.narrative = append(s.narrative, seg.Element(2))
		}
	case "HI":
		if s.cur != nil {
			for i := 1; i <= seg.Len(); i++ {
				if code := seg.Component(i, 2); code != "" {
					s.cur.Diagnoses = append(s.cur.Diagnoses, code)
				}
			}
		}
	case "LX":
		if s.cur == nil {
			return seg.Errorf(CodeStructure, 0, 0, "service line outside a claim")
		}
		s.cur.Services = append(s.cur.Services, record.Service{})
		s.line = &s.cur.Services[len(s.cur.Services)-1]
	case "SV3":
		return s.sv3(seg)
	case "DTP":
		if seg.Element(1) == "472" && seg.Element(2) == "D8" {
			d, err := date(seg, 3)
			if err != nil {
				return err
			}
			if s.line != nil {
				s.line.Date = d
			} else if s.cur != nil {
				s.claimDate = d
			}
		}
	}
	return nil
}

func (s *readState) nm1(seg *x12.Segment) error {
	s.entity = seg.Element(1)
	last, first, id := seg.Element(3), seg.Element(4), seg.Element(9)
	switch s.entity {
	case "41":
		s.submitter = &record.Submitter{Name: last, ID: id}
	case "40":
		s.receiver = &record.Receiver{Name: last, ID: id}
	case "85":
		if seg.Element(2) == "1" {
			s.billing.LastName, s.billing.FirstName = last, first
		} else {
			s.billing.Name = last
		}
		s.billing.NPI = id
	case "IL":
		s.sub.LastName, s.sub.FirstName, s.sub.MemberID = last, first, id
	case "PR":
		s.payer = record.Payer{Name: last, ID: id}
	case "QC":
		if s.patient != nil {
			s.patient.LastName, s.patient.FirstName = last, first
		}
	case "82":
		if s.cur != nil && s.line == nil {
			s.cur.RenderingProvider = &record.RenderingProvider{LastName: last, FirstName: first, NPI: id}
		}
	case "77":
		if s.cur != nil && s.line == nil {
			s.cur.ServiceFacility = &record.ServiceFacility{Name: last, NPI: id}
		}
	}
	return nil
}

func (s *readState) addressSegment(seg *x12.Segment) {
	var a *record.Address
	switch s.entity {
	case "85":
		a = address(&s.billing.Address)
	case "IL":
		a = address(&s.sub.Address)
	case "QC":
		if s.patient == nil {
			return
		}
		a = address(&s.patient.Address)
	case "77":
		if s.cur == nil || s.cur.ServiceFacility == nil || s.line != nil {
			return
		}
		a = address(&s.cur.ServiceFacility.Address)
	default:
		return
	}
	if seg.ID == "N3" {
		a.Line1, a.Line2 = seg.Element(1), seg.Element(2)
		return
	}
	a.City, a.State, a.PostalCode = seg.Element(1), seg.Element(2), seg.Element(3)
}

func (s *readState) ref(seg *x12.Segment) error {
	v := seg.Element(2)
	switch seg.Element(1) {
	case "EI", "SY":
		if s.entity == "85" && s.cur == nil {
			s.billing.TaxID, s.billing.TaxIDType = v, ""
			if seg.Element(1) == "SY" {
				s.billing.TaxIDType = record.TaxIDSSN
			}
		}
	case "F8":
		if s.cur != nil {
			s.cur.PayerClaimNumber = v
		}
	case "G1":
		if s.cur != nil && s.line == nil {
			s.cur.PriorAuthorization = v
		}
	case "6R":
		if s.line != nil {
			s.line.LineID = v
		}
	}
	return nil
}

func (s *readState) clm(seg *x12.Segment, fn func(*record.Record) error) error {
	if err := s.flush(fn); err != nil {
		return err
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
	if s.patient != nil {
		p := *s.patient
		rec.Patient = &p
	}
	s.cur, s.line = rec, nil
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
