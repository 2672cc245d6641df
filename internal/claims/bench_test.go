package claims_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/casebridge/casebridge/internal/claims"
	"github.com/casebridge/casebridge/internal/golden"
	"github.com/casebridge/casebridge/internal/profile"
	"github.com/casebridge/casebridge/internal/record"
)

// The benchmarks of this file measure the use case against a baseline: a
// plain byte builder that appends the same 837D for the benchmark record
// with no checks, no text cleaning and no envelope bookkeeping. Compare
// BenchmarkGenerate with BenchmarkPlainBuilder of the same run (the machine
// is shared; absolute numbers are noise, the ratio is the measure).

const benchRecord = "../../testdata/records/dependent.json"

// BenchmarkGenerate measures a decoded record → scrub → 837D bytes: a
// two-line dependent claim with three attachments.
func BenchmarkGenerate(b *testing.B) {
	rec := golden.Record(b, benchRecord)
	prof := profile.Default()
	b.ReportAllocs()
	for b.Loop() {
		res, err := claims.Generate(rec, prof, claims.Options{ControlNumber: 1, At: at})
		if err != nil || res.X12 == nil {
			b.Fatal(err, res.Problems)
		}
	}
}

// BenchmarkPlainBuilder is the baseline: the same bytes appended by hand.
func BenchmarkPlainBuilder(b *testing.B) {
	rec := golden.Record(b, benchRecord)
	prof := profile.Default()
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		buf = plainBuild(buf[:0], rec, prof, 1, at)
	}
	if len(buf) == 0 {
		b.Fatal("empty")
	}
}

// BenchmarkDecode measures the strict decode of a valid record as sent.
func BenchmarkDecode(b *testing.B) {
	data := golden.Read(b, benchRecord)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		rec, probs, err := record.DecodeBytes(data)
		if err != nil || len(probs) > 0 || rec == nil {
			b.Fatal(err, probs)
		}
	}
}

// BenchmarkCheckBytes measures decode + scrub of a record as sent.
func BenchmarkCheckBytes(b *testing.B) {
	data := golden.Read(b, benchRecord)
	prof := profile.Default()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := claims.CheckBytes(data, prof, at); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPlainBuilderIsTheSameOutput keeps the baseline honest: it must write
// exactly what Generate writes for the benchmark record.
func TestPlainBuilderIsTheSameOutput(t *testing.T) {
	rec := golden.Record(t, benchRecord)
	prof := profile.Default()
	res, err := claims.Generate(rec, prof, claims.Options{ControlNumber: 1, At: at})
	if err != nil || res.X12 == nil {
		t.Fatal(err, res.Problems)
	}
	got := plainBuild(nil, rec, prof, 1, at)
	if !bytes.Equal(got, res.X12) {
		t.Errorf("plain builder differs:\n%s", golden.FirstDiff(strings.ReplaceAll(string(res.X12), "~", "~\n"), strings.ReplaceAll(string(got), "~", "~\n")))
	}
}

// plainBuild appends the 837D of the benchmark record (a dependent's claim
// from an organization with a rendering dentist, diagnoses, attachments) as
// Generate writes it, trusting every value.
func plainBuild(b []byte, r *record.Record, prof *profile.Profile, cn int, at time.Time) []byte {
	up := strings.ToUpper
	pad := func(b []byte, s string, n int) []byte {
		b = append(b, s...)
		for i := len(s); i < n; i++ {
			b = append(b, ' ')
		}
		return b
	}
	num := func(b []byte, n, width int) []byte {
		s := strconv.Itoa(n)
		for i := len(s); i < width; i++ {
			b = append(b, '0')
		}
		return append(b, s...)
	}
	ic := prof.Interchange
	segs := 0
	b = append(b, "ISA*00*          *00*          *"...)
	b = append(b, ic.SenderQualifier...)
	b = append(b, '*')
	b = pad(b, ic.SenderID, 15)
	b = append(b, '*')
	b = append(b, ic.ReceiverQualifier...)
	b = append(b, '*')
	b = pad(b, ic.ReceiverID, 15)
	b = append(b, '*')
	b = at.AppendFormat(b, "060102*1504")
	b = append(b, "*^*00501*"...)
	b = num(b, cn, 9)
	b = append(b, "*0*"...)
	b = append(b, ic.Usage...)
	b = append(b, "*:~GS*HC*"...)
	b = append(b, prof.Group.SenderCode...)
	b = append(b, '*')
	b = append(b, prof.Group.ReceiverCode...)
	b = append(b, '*')
	b = at.AppendFormat(b, "20060102*1504")
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(cn), 10)
	b = append(b, "*X*005010X224A2~ST*837*"...)
	b = num(b, cn, 4)
	b = append(b, "*005010X224A2~"...)
	seg := func(vals ...string) {
		last := len(vals)
		for last > 1 && vals[last-1] == "" {
			last--
		}
		for i, v := range vals[:last] {
			if i > 0 {
				b = append(b, '*')
			}
			b = append(b, v...)
		}
		b = append(b, '~')
		segs++
	}
	seg("BHT", "0019", "00", r.RecordID, at.Format("20060102"), at.Format("1504"), "CH")
	s := r.Submitter
	seg("NM1", "41", "2", up(s.Name), "", "", "", "", "46", s.ID)
	seg("PER", "IC", up(s.ContactName), "TE", s.Phone, "EM", up(s.Email))
	seg("NM1", "40", "2", up(prof.Receiver.Name), "", "", "", "", "46", prof.Receiver.ID)
	bp := r.BillingProvider
	seg("HL", "1", "", "20", "1")
	seg("PRV", "BI", "PXC", bp.Taxonomy)
	seg("NM1", "85", "2", up(bp.Name), "", "", "", "", "XX", bp.NPI)
	seg("N3", up(bp.Address.Line1), up(bp.Address.Line2))
	seg("N4", up(bp.Address.City), bp.Address.State, bp.Address.PostalCode)
	seg("REF", "EI", bp.TaxID)
	sub := r.Subscriber
	seg("HL", "2", "1", "22", "1")
	seg("SBR", prof.Subscriber.PayerResponsibility, "", sub.GroupNumber, "", "", "", "", "", prof.Subscriber.ClaimFilingIndicator)
	seg("NM1", "IL", "1", up(sub.LastName), up(sub.FirstName), "", "", "", "MI", sub.MemberID)
	seg("NM1", "PR", "2", up(r.Payer.Name), "", "", "", "", "PI", r.Payer.ID)
	pt := r.Patient
	seg("HL", "3", "2", "23", "0")
	seg("PAT", "19")
	seg("NM1", "QC", "1", up(pt.LastName), up(pt.FirstName))
	seg("N3", up(pt.Address.Line1))
	seg("N4", up(pt.Address.City), pt.Address.State, pt.Address.PostalCode)
	seg("DMG", "D8", strings.ReplaceAll(pt.BirthDate, "-", ""), pt.Gender)
	total := *r.Services[0].Charge
	for _, l := range r.Services[1:] {
		total = total.Add(*l.Charge)
	}
	c := prof.Claim
	seg("CLM", r.RecordID, total.X12(), "", "", "11:B:1", c.ProviderSignature, c.Assignment, c.BenefitsAssignment, c.ReleaseOfInfo)
	for _, a := range r.Attachments {
		if a.Transmission == "AA" {
			seg("PWK", a.ReportType, a.Transmission)
			continue
		}
		seg("PWK", a.ReportType, a.Transmission, "", "", "AC", a.ID)
	}
	seg("REF", "G1", r.PriorAuthorization)
	n := up(r.Narrative)
	seg("NTE", "ADD", n[:70])
	seg("NTE", "ADD", n[71:144])
	seg("NTE", "ADD", n[145:])
	seg("HI", "ABK:"+strings.ReplaceAll(r.Diagnoses[0], ".", ""))
	rp := r.RenderingProvider
	seg("NM1", "82", "1", up(rp.LastName), up(rp.FirstName), "", "", "", "XX", rp.NPI)
	seg("PRV", "PE", "PXC", rp.Taxonomy)
	for i, l := range r.Services {
		seg("LX", strconv.Itoa(i+1))
		seg("SV3", "AD:D9997", l.Charge.X12(), "", "", "", "1", "", "", "", "", "1")
		seg("DTP", "472", "D8", strings.ReplaceAll(l.Date, "-", ""))
		seg("REF", "6R", l.LineID)
	}
	b = append(b, "SE*"...)
	b = strconv.AppendInt(b, int64(segs+2), 10)
	b = append(b, '*')
	b = num(b, cn, 4)
	b = append(b, "~GE*1*"...)
	b = strconv.AppendInt(b, int64(cn), 10)
	b = append(b, "~IEA*1*"...)
	b = num(b, cn, 9)
	return append(b, '~')
}
