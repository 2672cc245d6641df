// Package claim837 translates a case-management record into an X12 837D
// (005010X224A2) interchange and reads such an interchange back into records.
package claim837

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/money"
	"github.com/casebridge/casebridge/internal/profile"
	"github.com/casebridge/casebridge/internal/record"
)

// Version is the 837D implementation guide this package writes.
const Version = "005010X224A2"

// Options are the envelope choices of one run.
type Options struct {
	ControlNumber       int       // ISA13 (%09d), GS06, ST02 (%04d or longer)
	At                  time.Time // ISA09/10, GS04/05, BHT04/05 (UTC)
	NewlineAfterSegment bool
	Usage               string // overrides the profile's ISA15 when set (T or P)
}

// ControlNumbers are the control numbers written.
type ControlNumbers struct {
	Interchange string `json:"interchange"`
	Group       string `json:"group"`
	Transaction string `json:"transaction"`
}

// ControlNumbersFor formats n the way Write does.
func ControlNumbersFor(n int) ControlNumbers {
	return ControlNumbers{
		Interchange: fmt.Sprintf("%09d", n),
		Group:       strconv.Itoa(n),
		Transaction: fmt.Sprintf("%04d", n),
	}
}

// Write renders rec (which must have passed the scrubber) as one interchange
// holding one 837D transaction. Output is built in memory: nothing is
// returned on error, so no half-written file can result.
func Write(rec *record.Record, prof *profile.Profile, opts Options) ([]byte, error) {
	if opts.ControlNumber < 1 || opts.ControlNumber > 999999999 {
		return nil, fmt.Errorf("claim837: control number must be 1..999999999")
	}
	usage := prof.Interchange.Usage
	if opts.Usage != "" {
		usage = opts.Usage
	}
	if usage != "T" && usage != "P" {
		return nil, fmt.Errorf("claim837: usage must be T or P")
	}
	r := rec.WithDefaults()
	at := opts.At.UTC()
	cn := ControlNumbersFor(opts.ControlNumber)

	var buf bytes.Buffer
	w := x12.NewWriter(&buf, x12.WriteOptions{NewlineAfterSegment: opts.NewlineAfterSegment})
	w.BeginInterchange(x12.InterchangeHeader{
		SenderQualifier:   prof.Interchange.SenderQualifier,
		SenderID:          prof.Interchange.SenderID,
		ReceiverQualifier: prof.Interchange.ReceiverQualifier,
		ReceiverID:        prof.Interchange.ReceiverID,
		Date:              at,
		ControlNumber:     opts.ControlNumber,
		AckRequested:      prof.Interchange.AckRequested,
		Usage:             usage[0],
	})
	w.BeginGroup(x12.GroupHeader{
		FunctionalID:  "HC",
		SenderCode:    prof.Group.SenderCode,
		ReceiverCode:  prof.Group.ReceiverCode,
		Date:          at,
		ControlNumber: opts.ControlNumber,
		Version:       Version,
	})
	w.BeginTransaction("837", cn.Transaction, Version)
	s := &segs{w: w}
	s.header(r, prof, at)
	s.billingProvider(r)
	s.subscriber(r, prof)
	s.claim(r, prof)
	w.EndTransaction()
	w.EndGroup()
	w.EndInterchange()
	if err := w.Err(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// segs writes segments with free text cleaned for X12.
type segs struct {
	w  *x12.Writer
	hl int
}

func (s *segs) seg(id string, elems ...x12.Element) { s.w.WriteSegment(id, elems...) }

// e is a plain element; t is cleaned free text.
func e(v string) x12.Element { return x12.E(v) }
func t(v string) x12.Element {
	c, _ := record.CleanText(v)
	return x12.E(c)
}

func (s *segs) header(r *record.Record, prof *profile.Profile, at time.Time) {
	s.seg("BHT", e("0019"), e("00"), e(r.RecordID), e(at.Format("20060102")), e(at.Format("1504")), e("CH"))

	sub := prof.Submitter
	if r.Submitter != nil {
		sub = mergeSubmitter(sub, *r.Submitter)
	}
	s.seg("NM1", e("41"), e("2"), t(sub.Name), e(""), e(""), e(""), e(""), e("46"), e(sub.ID))
	per := []x12.Element{e("IC"), t(sub.ContactName)}
	if sub.Phone != "" {
		per = append(per, e("TE"), e(sub.Phone))
	}
	if sub.Email != "" {
		per = append(per, e("EM"), t(sub.Email))
	}
	if len(per) > 2 {
		s.seg("PER", per...)
	}
	rcv := prof.Receiver
	if r.Receiver != nil {
		if r.Receiver.Name != "" {
			rcv.Name = r.Receiver.Name
		}
		if r.Receiver.ID != "" {
			rcv.ID = r.Receiver.ID
		}
	}
	s.seg("NM1", e("40"), e("2"), t(rcv.Name), e(""), e(""), e(""), e(""), e("46"), e(rcv.ID))
}

func mergeSubmitter(p profile.Submitter, r record.Submitter) profile.Submitter {
	if r.Name != "" {
		p.Name = r.Name
	}
	if r.ID != "" {
		p.ID = r.ID
	}
	if r.ContactName != "" || r.Phone != "" || r.Email != "" {
		// a record that names its own contact replaces the profile's whole
		// contact, so numbers of two different people are never mixed
		p.ContactName, p.Phone, p.Email = r.ContactName, r.Phone, r.Email
	}
	return p
}

func (s *segs) nextHL(parent int, level string, children bool) int {
	s.hl++
	p := ""
	if parent > 0 {
		p = strconv.Itoa(parent)
	}
	child := "0"
	if children {
		child = "1"
	}
	s.seg("HL", e(strconv.Itoa(s.hl)), e(p), e(level), e(child))
	return s.hl
}

func (s *segs) address(a *record.Address) {
	if a == nil {
		return
	}
	s.seg("N3", t(a.Line1), t(a.Line2))
	s.seg("N4", t(a.City), e(a.State), e(a.PostalCode))
}

func (s *segs) billingProvider(r *record.Record) {
	s.nextHL(0, "20", true)
	bp := r.BillingProvider
	if bp.Taxonomy != "" {
		s.seg("PRV", e("BI"), e("PXC"), e(bp.Taxonomy))
	}
	if bp.Individual() {
		s.seg("NM1", e("85"), e("1"), t(bp.LastName), t(bp.FirstName), e(""), e(""), e(""), e("XX"), e(bp.NPI))
	} else {
		s.seg("NM1", e("85"), e("2"), t(bp.Name), e(""), e(""), e(""), e(""), e("XX"), e(bp.NPI))
	}
	s.address(bp.Address)
	taxID := "EI"
	if bp.TaxIDType == record.TaxIDSSN {
		taxID = "SY"
	}
	s.seg("REF", e(taxID), e(bp.TaxID))
}

func dmg(birth, gender string) []x12.Element {
	return []x12.Element{e("D8"), e(strings.ReplaceAll(birth, "-", "")), e(gender)}
}

var relationshipCode = map[string]string{"spouse": "01", "child": "19", "other": "G8"}

func (s *segs) subscriber(r *record.Record, prof *profile.Profile) {
	self := r.Patient == nil
	s.nextHL(1, "22", !self)
	rel := ""
	if self {
		rel = "18"
	}
	sub := r.Subscriber
	s.seg("SBR", e(prof.Subscriber.PayerResponsibility), e(rel), e(sub.GroupNumber), e(""), e(""), e(""), e(""), e(""), e(prof.Subscriber.ClaimFilingIndicator))
	s.seg("NM1", e("IL"), e("1"), t(sub.LastName), t(sub.FirstName), e(""), e(""), e(""), e("MI"), e(sub.MemberID))
	s.address(sub.Address)
	// DMG describes the patient: 2010BA carries it only when the
	// subscriber is the patient (spec x12.md §3.4)
	if self && (sub.BirthDate != "" || sub.Gender != "") {
		s.seg("DMG", dmg(sub.BirthDate, sub.Gender)...)
	}
	s.seg("NM1", e("PR"), e("2"), t(r.Payer.Name), e(""), e(""), e(""), e(""), e("PI"), e(r.Payer.ID))
	if self {
		return
	}
	pt := r.Patient
	s.nextHL(2, "23", false)
	s.seg("PAT", e(relationshipCode[pt.Relationship]))
	s.seg("NM1", e("QC"), e("1"), t(pt.LastName), t(pt.FirstName))
	s.address(pt.Address)
	s.seg("DMG", dmg(pt.BirthDate, pt.Gender)...)
}

var frequencyCode = map[string]string{
	record.FrequencyOriginal:    "1",
	record.FrequencyReplacement: "7",
	record.FrequencyVoid:        "8",
}

// NarrativeSegments splits the cleaned narrative into at most 5 pieces of at
// most 80 characters, breaking at spaces where it can.
func NarrativeSegments(narrative string) []string {
	text, _ := record.CleanText(narrative)
	var out []string
	for len(text) > 0 && len(out) < 5 {
		if len(text) <= 80 {
			out = append(out, text)
			break
		}
		cut := strings.LastIndexByte(text[:81], ' ')
		if cut < 40 {
			cut = 80
		}
		out = append(out, strings.TrimRight(text[:cut], " "))
		text = strings.TrimLeft(text[cut:], " ")
	}
	return out
}

func (s *segs) claim(r *record.Record, prof *profile.Profile) {
	total := money.Zero
	for _, l := range r.Services {
		total = total.Add(*l.Charge)
	}
	c := prof.Claim
	s.seg("CLM", e(r.RecordID), e(total.X12()), e(""), e(""),
		x12.C(r.PlaceOfService, "B", frequencyCode[r.Frequency]),
		e(c.ProviderSignature), e(c.Assignment), e(c.BenefitsAssignment), e(c.ReleaseOfInfo))
	for _, a := range r.Attachments {
		if a.Transmission == "AA" {
			s.seg("PWK", e(a.ReportType), e(a.Transmission))
			continue
		}
		s.seg("PWK", e(a.ReportType), e(a.Transmission), e(""), e(""), e("AC"), e(a.ID))
	}
	if r.Frequency != record.FrequencyOriginal {
		s.seg("REF", e("F8"), e(r.PayerClaimNumber))
	}
	if r.PriorAuthorization != "" {
		s.seg("REF", e("G1"), e(r.PriorAuthorization))
	}
	for _, n := range NarrativeSegments(r.Narrative) {
		s.seg("NTE", e("ADD"), e(n))
	}
	var pointers []string
	if len(r.Diagnoses) > 0 {
		hi := make([]x12.Element, 0, len(r.Diagnoses))
		for i, d := range r.Diagnoses {
			q := "ABF"
			if i == 0 {
				q = "ABK"
			}
			hi = append(hi, x12.C(q, record.NormalizeDiagnosis(d)))
			pointers = append(pointers, strconv.Itoa(i+1))
		}
		s.seg("HI", hi...)
	}
	// 2310B only when the treating dentist is not the billing provider
	// (spec x12.md §3.9)
	if rp := r.RenderingProvider; rp != nil && rp.NPI != r.BillingProvider.NPI {
		s.seg("NM1", e("82"), e("1"), t(rp.LastName), t(rp.FirstName), e(""), e(""), e(""), e("XX"), e(rp.NPI))
		s.seg("PRV", e("PE"), e("PXC"), e(rp.Taxonomy))
	}
	if f := r.ServiceFacility; f != nil {
		nm1 := []x12.Element{e("77"), e("2"), t(f.Name)}
		if f.NPI != "" {
			nm1 = append(nm1, e(""), e(""), e(""), e(""), e("XX"), e(f.NPI))
		}
		s.seg("NM1", nm1...)
		s.address(f.Address)
	}
	for i, l := range r.Services {
		s.seg("LX", e(strconv.Itoa(i+1)))
		sv3 := []x12.Element{x12.C("AD", l.Code), e(l.Charge.X12()), e(""), e(""), e(""), e(strconv.Itoa(l.Units))}
		if len(pointers) > 0 {
			sv3 = append(sv3, e(""), e(""), e(""), e(""), x12.C(pointers...))
		}
		s.seg("SV3", sv3...)
		s.seg("DTP", e("472"), e("D8"), e(strings.ReplaceAll(l.Date, "-", "")))
		s.seg("REF", e("6R"), e(l.LineID))
	}
}
