package claim837_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/golden"
	"github.com/casebridge/casebridge/internal/profile"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/mapping/claim837"
)

func records(t testing.TB) map[string]*record.Record {
	t.Helper()
	files, _ := filepath.Glob("../../testdata/records/*.json")
	if len(files) == 0 {
		t.Fatal("no records in testdata/records")
	}
	out := map[string]*record.Record{}
	for _, f := range files {
		out[filepath.Base(f)] = golden.Record(t, f)
	}
	return out
}

// x12View is what of rec an 837D carries: defaults applied, text cleaned,
// diagnoses without dots, the narrative as NTE holds it, per-line
// case-management details dropped, submitter and receiver resolved.
func x12View(rec *record.Record, prof *profile.Profile) *record.Record {
	r := rec.WithDefaults()
	clean := func(s string) string { c, _ := record.CleanText(s); return c }
	sub := &record.Submitter{Name: prof.Submitter.Name, ID: prof.Submitter.ID, ContactName: prof.Submitter.ContactName, Phone: prof.Submitter.Phone, Email: prof.Submitter.Email}
	if r.Submitter != nil {
		if r.Submitter.Name != "" {
			sub.Name = r.Submitter.Name
		}
		if r.Submitter.ID != "" {
			sub.ID = r.Submitter.ID
		}
		if r.Submitter.ContactName != "" || r.Submitter.Phone != "" || r.Submitter.Email != "" {
			sub.ContactName, sub.Phone, sub.Email = r.Submitter.ContactName, r.Submitter.Phone, r.Submitter.Email
		}
	}
	sub.Name, sub.ContactName, sub.Email = clean(sub.Name), clean(sub.ContactName), clean(sub.Email)
	r.Submitter = sub
	rcv := &record.Receiver{Name: prof.Receiver.Name, ID: prof.Receiver.ID}
	if r.Receiver != nil && r.Receiver.Name != "" {
		rcv.Name = r.Receiver.Name
	}
	if r.Receiver != nil && r.Receiver.ID != "" {
		rcv.ID = r.Receiver.ID
	}
	rcv.Name = clean(rcv.Name)
	r.Receiver = rcv
	addr := func(a *record.Address) {
		if a != nil {
			a.Line1, a.Line2, a.City = clean(a.Line1), clean(a.Line2), clean(a.City)
		}
	}
	bp := &r.BillingProvider
	bp.Name, bp.FirstName, bp.LastName = clean(bp.Name), clean(bp.FirstName), clean(bp.LastName)
	if bp.TaxIDType == record.TaxIDEIN {
		bp.TaxIDType = "" // REF*EI reads back as the default
	}
	addr(bp.Address)
	if rp := r.RenderingProvider; rp != nil {
		rp.FirstName, rp.LastName = clean(rp.FirstName), clean(rp.LastName)
		if rp.NPI == bp.NPI {
			r.RenderingProvider = nil // the billing dentist renders: no 2310B
		}
	}
	if f := r.ServiceFacility; f != nil {
		f.Name = clean(f.Name)
		addr(f.Address)
	}
	r.Payer.Name = clean(r.Payer.Name)
	r.Subscriber.FirstName, r.Subscriber.LastName = clean(r.Subscriber.FirstName), clean(r.Subscriber.LastName)
	addr(r.Subscriber.Address)
	if p := r.Patient; p != nil {
		p.FirstName, p.LastName = clean(p.FirstName), clean(p.LastName)
		addr(p.Address)
		// 2010BA has no DMG when the patient is not the subscriber
		r.Subscriber.BirthDate, r.Subscriber.Gender = "", ""
	}
	r.SpecialNeeds = nil
	for i, d := range r.Diagnoses {
		r.Diagnoses[i] = record.NormalizeDiagnosis(d)
	}
	if len(r.Diagnoses) == 0 {
		r.Diagnoses = nil
	}
	r.Narrative = strings.Join(claim837.NarrativeSegments(r.Narrative), " ")
	for i := range r.Services {
		s := r.Services[i]
		r.Services[i] = record.Service{LineID: s.LineID, Date: s.Date, Code: s.Code, Charge: s.Charge, Units: s.Units}
	}
	for i, a := range r.Attachments {
		id := a.ID
		if a.Transmission == "AA" {
			id = ""
		}
		r.Attachments[i] = record.Attachment{ID: id, ReportType: a.ReportType, Transmission: a.Transmission}
	}
	if len(r.Attachments) == 0 {
		r.Attachments = nil
	}
	return r
}

func TestRoundTrip(t *testing.T) {
	prof := profile.Default()
	for name, rec := range records(t) {
		t.Run(name, func(t *testing.T) {
			out, err := claim837.Write(rec, prof, claim837.Options{ControlNumber: 7, At: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			var got []*record.Record
			if err := claim837.Read(bytes.NewReader(out), func(r *record.Record) error { got = append(got, r); return nil }); err != nil {
				t.Fatalf("read back: %v", err)
			}
			if len(got) != 1 {
				t.Fatalf("%d claims read back, want 1", len(got))
			}
			want := x12View(rec, prof)
			// compared as JSON: amounts compare by value ("120.00" == "120")
			g, _ := jsonOf(got[0])
			w, _ := jsonOf(want)
			if !bytes.Equal(g, w) {
				t.Errorf("round trip differs:\n got %s\nwant %s", g, w)
			}
		})
	}
}

func TestReadPublicSamples(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/837d/public/*.x12")
	if len(files) < 3 {
		t.Fatalf("public samples missing: %v", files)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var got []*record.Record
			if err := claim837.Read(bytes.NewReader(data), func(r *record.Record) error { got = append(got, r); return nil }); err != nil {
				t.Fatalf("read: %v", err)
			}
			if len(got) != 1 {
				t.Fatalf("%d claims, want 1", len(got))
			}
			r := got[0]
			if r.RecordID == "" || len(r.Services) == 0 || r.Services[0].Charge == nil || r.Services[0].Date == "" && !strings.Contains(f, "machete") {
				t.Errorf("claim incompletely read: %+v", r)
			}
		})
	}
}

// FuzzRead: mutations of the 837D samples never panic, and reading ends
// either cleanly (every claim with a record and a source segment) or with a
// positioned *x12.Error that does not quote the input.
func FuzzRead(f *testing.F) {
	for _, pattern := range []string{"../../testdata/837d/*.x12", "../../testdata/837d/public/*.x12", "testdata/*.x12"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := claim837.ReadClaims(bytes.NewReader(data), func(c *claim837.Claim) error {
			if c.Record == nil || c.Source.Segment < 1 || c.NotMapped == nil || c.OtherPayers == nil {
				t.Fatalf("incomplete claim %+v", c)
			}
			if _, err := json.Marshal(c); err != nil {
				t.Fatalf("claim does not marshal: %v", err)
			}
			return nil
		})
		if err == nil {
			return
		}
		var xe *x12.Error
		if !errors.As(err, &xe) {
			t.Fatalf("unpositioned error %T %v", err, err)
		}
		if claim837.IsMappingError(err) && (xe.Segment < 1 || xe.SegmentID == "") {
			t.Fatalf("mapping error without its segment: %+v", xe)
		}
	})
}

// TestRenderingSameAsBilling: an individual billing dentist who is also
// given as the rendering dentist is not repeated in 2310B.
func TestRenderingSameAsBilling(t *testing.T) {
	rec := records(t)["individual-nursing.json"]
	rec.RenderingProvider = &record.RenderingProvider{FirstName: "Ruth", LastName: "Okafor", NPI: rec.BillingProvider.NPI, Taxonomy: "1223G0001X"}
	out, err := claim837.Write(rec, profile.Default(), claim837.Options{ControlNumber: 7, At: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("NM1*82*")) || bytes.Contains(out, []byte("PRV*PE*")) {
		t.Errorf("2310B written for the billing dentist herself:\n%s", out)
	}
	for _, want := range []string{"NM1*85*1*OKAFOR*RUTH****XX*1234567893~", "REF*SY*987654321~", "NM1*77*2*WILLOW CREEK NURSING CENTER*****XX*1346053246~"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("missing %s", want)
		}
	}
}
