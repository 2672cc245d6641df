// Package claim837 translates a case-management record into an X12 837D
// (005010X224A2) interchange and reads such an interchange back into records.
package claim837

import (
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
	// Buffer, when it has the capacity, holds the output (Write appends
	// to Buffer[:0] and returns it): a caller that writes many claims
	// reuses one buffer. Without it Write allocates one.
	Buffer []byte
}

// ControlNumbers are the control numbers written.
type ControlNumbers struct {
	Interchange string `json:"interchange"`
	Group       string `json:"group"`
	Transaction string `json:"transaction"`
}

// ControlNumbersFor formats n the way Write does: the three numbers are
// cut from one string (one allocation, not three).
func ControlNumbersFor(n int) ControlNumbers {
	var b [40]byte
	isa := x12.AppendPadded(b[:0], n, 9)
	gs := strconv.AppendInt(isa, int64(n), 10)
	st := appendST02(gs, n)
	all := string(st)
	return ControlNumbers{
		Interchange: all[:len(isa)],
		Group:       all[len(isa):len(gs)],
		Transaction: all[len(gs):],
	}
}

// appendST02 appends ST02 for control number n: %04d (n itself when longer).
func appendST02(b []byte, n int) []byte { return x12.AppendPadded(b, n, 4) }

// Write renders rec (which must have passed the scrubber) as one interchange
// holding one 837D transaction. Output is built in memory: nothing is
// returned on error, so no half-written file can result.
func Write(rec *record.Record, prof *profile.Profile, opts Options) ([]byte, error) {
	usage, err := envelopeUsage(prof, opts)
	if err != nil {
		return nil, err
	}
	r := rec.Defaulted()
	at := opts.At.UTC()

	size := 1024 + 160*len(r.Services) + 48*len(r.Attachments) + len(r.Narrative)
	if opts.NewlineAfterSegment {
		size += size / 16
	}
	buf := opts.Buffer[:0]
	if cap(buf) < size {
		buf = make([]byte, 0, size)
	}
	// the segments are appended to buf as they are built: no copy per segment
	w := x12.NewAppendWriter(buf, x12.WriteOptions{NewlineAfterSegment: opts.NewlineAfterSegment})
	beginEnvelope(w, prof, opts.ControlNumber, usage, at)
	var st [20]byte
	w.BeginTransaction("837", string(appendST02(st[:0], opts.ControlNumber)), Version)
	s := &segs{w: w}
	s.header(r, r.RecordID, prof, at)
	provider := s.billingProvider(r)
	s.subscriber(r, prof, provider)
	s.claim(r, prof)
	w.EndTransaction()
	w.EndGroup()
	w.EndInterchange()
	if err := w.Err(); err != nil {
		return nil, err
	}
	return w.Bytes(), nil
}

// envelopeUsage checks the envelope options and returns ISA15: the
// options' usage, else the profile's.
func envelopeUsage(prof *profile.Profile, opts Options) (byte, error) {
	if opts.ControlNumber < 1 || opts.ControlNumber > 999999999 {
		return 0, fmt.Errorf("claim837: control number must be 1..999999999")
	}
	usage := prof.Interchange.Usage
	if opts.Usage != "" {
		usage = opts.Usage
	}
	if usage != "T" && usage != "P" {
		return 0, fmt.Errorf("claim837: usage must be T or P")
	}
	return usage[0], nil
}

// beginEnvelope writes the ISA and the GS of an 837D interchange.
func beginEnvelope(w *x12.Writer, prof *profile.Profile, control int, usage byte, at time.Time) {
	w.BeginInterchange(x12.InterchangeHeader{
		SenderQualifier:   prof.Interchange.SenderQualifier,
		SenderID:          prof.Interchange.SenderID,
		ReceiverQualifier: prof.Interchange.ReceiverQualifier,
		ReceiverID:        prof.Interchange.ReceiverID,
		Date:              at,
		ControlNumber:     control,
		AckRequested:      prof.Interchange.AckRequested,
		Usage:             usage,
	})
	w.BeginGroup(x12.GroupHeader{
		FunctionalID:  "HC",
		SenderCode:    prof.Group.SenderCode,
		ReceiverCode:  prof.Group.ReceiverCode,
		Date:          at,
		ControlNumber: control,
		Version:       Version,
	})
}

// segs writes segments with free text cleaned for X12, one BeginSegment …
// EndSegment at a time, so that a claim costs no allocation per element.
type segs struct {
	w  *x12.Writer
	hl int
}

// seg writes a segment of plain elements.
func (s *segs) seg(id string, vals ...string) {
	s.w.BeginSegment(id)
	for _, v := range vals {
		s.w.Simple(v)
	}
	s.w.EndSegment()
}

// e adds plain elements; t adds free text cleaned as record.CleanText does.
func (s *segs) e(vals ...string) {
	for _, v := range vals {
		s.w.Simple(v)
	}
}

func (s *segs) t(v string) {
	if record.PlainText(v) {
		s.w.Upper(v) // CleanText would only upper-case it
		return
	}
	c, _ := record.CleanText(v)
	s.w.Simple(c)
}

func (s *segs) begin(id string) { s.w.BeginSegment(id) }
func (s *segs) end()            { s.w.EndSegment() }

// header writes BHT (BHT03 = bht03) and loops 1000A/1000B of r.
func (s *segs) header(r *record.Record, bht03 string, prof *profile.Profile, at time.Time) {
	var d [16]byte
	s.begin("BHT")
	s.e("0019", "00", bht03)
	s.w.SimpleBytes(x12.AppendDate(d[:0], at, "20060102"))
	s.w.SimpleBytes(x12.AppendDate(d[:0], at, "1504"))
	s.e("CH")
	s.end()

	sub, rcv := Parties(r, prof)
	s.begin("NM1")
	s.e("41", "2")
	s.t(sub.Name)
	s.e("", "", "", "", "46", sub.ID)
	s.end()
	if sub.Phone != "" || sub.Email != "" {
		s.begin("PER")
		s.e("IC")
		s.t(sub.ContactName)
		if sub.Phone != "" {
			s.e("TE", sub.Phone)
		}
		if sub.Email != "" {
			s.e("EM")
			s.t(sub.Email)
		}
		s.end()
	}
	s.begin("NM1")
	s.e("40", "2")
	s.t(rcv.Name)
	s.e("", "", "", "", "46", rcv.ID)
	s.end()
}

// Parties returns the submitter (1000A) and receiver (1000B) the 837D of r
// carries: the profile's, with what r gives of its own.
func Parties(r *record.Record, prof *profile.Profile) (profile.Submitter, profile.Receiver) {
	sub := prof.Submitter
	if r.Submitter != nil {
		sub = mergeSubmitter(sub, *r.Submitter)
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
	return sub, rcv
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

// nextHL writes the next HL under parent (0: none) and returns its id.
func (s *segs) nextHL(parent int, level string, children bool) int {
	s.hl++
	s.begin("HL")
	s.w.Simple(strconv.Itoa(s.hl))
	if parent > 0 {
		s.w.Simple(strconv.Itoa(parent))
	} else {
		s.w.Simple("")
	}
	child := "0"
	if children {
		child = "1"
	}
	s.e(level, child)
	s.end()
	return s.hl
}

// name adds NM103 (last or organization name) and NM104 (first name).
func (s *segs) name(last, first string) {
	s.t(last)
	s.t(first)
}

func (s *segs) address(a *record.Address) {
	if a == nil {
		return
	}
	s.begin("N3")
	s.t(a.Line1)
	s.t(a.Line2)
	s.end()
	s.begin("N4")
	s.t(a.City)
	s.e(a.State, a.PostalCode)
	s.end()
}

// billingProvider writes a 2000A loop and returns its HL id.
func (s *segs) billingProvider(r *record.Record) int {
	id := s.nextHL(0, "20", true)
	bp := r.BillingProvider
	if bp.Taxonomy != "" {
		s.seg("PRV", "BI", "PXC", bp.Taxonomy)
	}
	s.begin("NM1")
	if bp.Individual() {
		s.e("85", "1")
		s.name(bp.LastName, bp.FirstName)
	} else {
		s.e("85", "2")
		s.t(bp.Name)
		s.e("")
	}
	s.e("", "", "", "XX", bp.NPI)
	s.end()
	s.address(bp.Address)
	taxID := "EI"
	if bp.TaxIDType == record.TaxIDSSN {
		taxID = "SY"
	}
	s.seg("REF", taxID, bp.TaxID)
	return id
}

func (s *segs) dmg(birth, gender string) {
	s.begin("DMG")
	s.e("D8")
	s.date8(birth)
	s.e(gender)
	s.end()
}

// date8 adds a YYYY-MM-DD date as CCYYMMDD (any other text without its dashes).
func (s *segs) date8(v string) {
	var d [16]byte
	b := d[:0]
	for i := 0; i < len(v); i++ {
		if v[i] != '-' {
			b = append(b, v[i])
		}
	}
	s.w.SimpleBytes(b)
}

var relationshipCode = map[string]string{"spouse": "01", "child": "19", "other": "G8"}

// subscriber writes the 2000B loop (and 2000C for a dependent) under the
// 2000A with HL id provider.
func (s *segs) subscriber(r *record.Record, prof *profile.Profile, provider int) {
	self := r.Patient == nil
	subID := s.nextHL(provider, "22", !self)
	rel := ""
	if self {
		rel = "18"
	}
	sub := r.Subscriber
	s.seg("SBR", prof.Subscriber.PayerResponsibility, rel, sub.GroupNumber, "", "", "", "", "", prof.Subscriber.ClaimFilingIndicator)
	s.begin("NM1")
	s.e("IL", "1")
	s.name(sub.LastName, sub.FirstName)
	s.e("", "", "", "MI", sub.MemberID)
	s.end()
	s.address(sub.Address)
	// DMG describes the patient: 2010BA carries it only when the
	// subscriber is the patient (spec x12.md §3.4)
	if self && (sub.BirthDate != "" || sub.Gender != "") {
		s.dmg(sub.BirthDate, sub.Gender)
	}
	s.begin("NM1")
	s.e("PR", "2")
	s.t(r.Payer.Name)
	s.e("", "", "", "", "PI", r.Payer.ID)
	s.end()
	if self {
		return
	}
	pt := r.Patient
	s.nextHL(subID, "23", false)
	s.seg("PAT", relationshipCode[pt.Relationship])
	s.begin("NM1")
	s.e("QC", "1")
	s.name(pt.LastName, pt.FirstName)
	s.end()
	s.address(pt.Address)
	s.dmg(pt.BirthDate, pt.Gender)
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
	narrativePieces(text, func(piece string) { out = append(out, piece) })
	return out
}

// narrativePieces calls fn with each NTE piece of text (already clean, or
// plain: upper-casing does not move a space).
func narrativePieces(text string, fn func(string)) {
	for n := 0; len(text) > 0 && n < 5; n++ {
		if len(text) <= 80 {
			fn(text)
			return
		}
		cut := strings.LastIndexByte(text[:81], ' ')
		if cut < 40 {
			cut = 80
		}
		fn(strings.TrimRight(text[:cut], " "))
		text = strings.TrimLeft(text[cut:], " ")
	}
}

func (s *segs) claim(r *record.Record, prof *profile.Profile) {
	total := money.Zero
	for _, l := range r.Services {
		total = total.Add(*l.Charge)
	}
	c := prof.Claim
	s.begin("CLM")
	var amount [48]byte
	s.e(r.RecordID)
	s.w.SimpleBytes(total.AppendX12(amount[:0]))
	s.e("", "")
	s.w.Composite(r.PlaceOfService, "B", frequencyCode[r.Frequency])
	s.e(c.ProviderSignature, c.Assignment, c.BenefitsAssignment, c.ReleaseOfInfo)
	s.end()
	for _, a := range r.Attachments {
		if a.Transmission == "AA" {
			s.seg("PWK", a.ReportType, a.Transmission)
			continue
		}
		s.seg("PWK", a.ReportType, a.Transmission, "", "", "AC", a.ID)
	}
	if r.Frequency != record.FrequencyOriginal {
		s.seg("REF", "F8", r.PayerClaimNumber)
	}
	if r.PriorAuthorization != "" {
		s.seg("REF", "G1", r.PriorAuthorization)
	}
	if record.PlainText(r.Narrative) {
		// cut the text as it is and upper-case it while writing: the same
		// pieces as NarrativeSegments, without building the clean copy
		narrativePieces(r.Narrative, func(piece string) {
			s.begin("NTE")
			s.e("ADD")
			s.w.Upper(piece)
			s.end()
		})
	} else {
		for _, n := range NarrativeSegments(r.Narrative) {
			s.seg("NTE", "ADD", n)
		}
	}
	if len(r.Diagnoses) > 0 {
		s.begin("HI")
		for i, d := range r.Diagnoses {
			q := "ABF"
			if i == 0 {
				q = "ABK"
			}
			var nd [16]byte
			s.w.Composite(q, string(appendDiagnosis(nd[:0], d)))
		}
		s.end()
	}
	// 2310B only when the treating dentist is not the billing provider
	// (spec x12.md §3.9)
	if rp := r.RenderingProvider; rp != nil && rp.NPI != r.BillingProvider.NPI {
		s.begin("NM1")
		s.e("82", "1")
		s.name(rp.LastName, rp.FirstName)
		s.e("", "", "", "XX", rp.NPI)
		s.end()
		s.seg("PRV", "PE", "PXC", rp.Taxonomy)
	}
	if f := r.ServiceFacility; f != nil {
		s.begin("NM1")
		s.e("77", "2")
		s.t(f.Name)
		if f.NPI != "" {
			s.e("", "", "", "", "XX", f.NPI)
		}
		s.end()
		s.address(f.Address)
	}
	pointers := diagnosisPointers
	if len(r.Diagnoses) <= len(pointers) {
		pointers = pointers[:len(r.Diagnoses)]
	} else {
		pointers = make([]string, len(r.Diagnoses))
		for i := range pointers {
			pointers[i] = strconv.Itoa(i + 1)
		}
	}
	for i, l := range r.Services {
		s.seg("LX", strconv.Itoa(i+1))
		s.begin("SV3")
		s.w.Composite("AD", l.Code)
		var amount [48]byte
		s.w.SimpleBytes(l.Charge.AppendX12(amount[:0]))
		s.e("", "", "", strconv.Itoa(l.Units))
		if len(pointers) > 0 {
			s.e("", "", "", "")
			s.w.Composite(pointers...)
		}
		s.end()
		s.begin("DTP")
		s.e("472", "D8")
		s.date8(l.Date)
		s.end()
		s.seg("REF", "6R", l.LineID)
	}
}

// appendDiagnosis appends record.NormalizeDiagnosis(code) to b, building
// no string for an ASCII code.
func appendDiagnosis(b []byte, code string) []byte {
	for i := 0; i < len(code); i++ {
		if code[i] >= 0x80 {
			return append(b, record.NormalizeDiagnosis(code)...)
		}
	}
	for len(code) > 0 && asciiSpace(code[0]) {
		code = code[1:]
	}
	for len(code) > 0 && asciiSpace(code[len(code)-1]) {
		code = code[:len(code)-1]
	}
	for i := 0; i < len(code); i++ {
		switch c := code[i]; {
		case c == '.':
		case 'a' <= c && c <= 'z':
			b = append(b, c-('a'-'A'))
		default:
			b = append(b, c)
		}
	}
	return b
}

// asciiSpace is unicode.IsSpace for ASCII (strings.TrimSpace's set).
func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// diagnosisPointers are the SV311 components: every line points at every
// diagnosis of the claim (the scrubber allows at most 4; more are built).
var diagnosisPointers = []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"}
