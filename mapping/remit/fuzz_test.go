package remit_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/codes"
	"github.com/casebridge/casebridge/mapping/remit"
)

// FuzzRead feeds arbitrary bytes to the 835 path: it must never panic or
// hang, every failure must be a positioned *x12.Error, and every report
// must hold only known statuses, outcomes and categories and encode to
// JSON and to a table; the streamed findings, their claim text in
// recycled blocks of 8 bytes (see TestRecycledClaimTextMatchesReport),
// must be the report's JSON byte for byte.
func FuzzRead(f *testing.F) {
	defer remit.SetClaimBlockSize(8)()
	seeds, _ := filepath.Glob(filepath.Join(testdata, "*.x12"))
	more, _ := filepath.Glob(filepath.Join(testdata, "*", "*.x12"))
	for _, p := range append(seeds, more...) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(strings.ReplaceAll(wrap(body("CLP*A*1*100*80**12*ICN", "SVC*AD:D9997*100*80", "CAS*CO*119*20", "LQ*HE*N411")...), "~", "~\r\n\t ")))
	f.Add([]byte(wrap(body("CLP*A*22*-100*-80**12*ICN", "SVC*AD:D9997*-100*-80", "CAS*CO*16*-20", "LQ*HE*N850")...)))
	// Streaming shapes: claims before the payee (held until it is known),
	// a reversal and its correction around an LX and a payee change, PLB.
	f.Add([]byte(wrap("BPR*I*0*C*CHK************20261120", "TRN*1*T1*1999999999", "N1*PR*PLAN", "LX*1",
		"CLP*A*1*100*80**12*ICN1", "CAS*CO*45*20", "CLP*B*4*50*0**12*ICN2", "SVC*AD:D9997*50*0", "CAS*CO*16*50",
		"N1*PE*DENTIST*XX*1234567893", "CLP*A*22*-100*-80**12*ICN1", "LX*2", "CLP*A*1*100*90**12*ICN3", "CAS*CO*45*10",
		"N1*PE*OTHER*XX*1234567893", "CLP*C*1*10*10**12*ICN4", "PLB*1234567893*20261231*WO:ICN4*-10")))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := remit.BuildReport(bytes.NewReader(data), remit.Options{MaxSegmentLength: 4096})
		if err != nil {
			var xe *x12.Error
			if !errors.As(err, &xe) || xe.Code == "" || xe.Segment < 1 {
				t.Fatalf("error %T %v is not a positioned *x12.Error", err, err)
			}
			if rep != nil {
				t.Fatal("report returned with an error")
			}
			return
		}
		statuses := map[string]bool{"paid": true, "denied": true, "reversed": true, "forwarded": true, "predetermination": true, "pended": true}
		outcomes := map[string]bool{"full": true, "partial": true, "none": true}
		claims := 0
		for _, r := range rep.Remittances {
			for _, c := range r.Claims {
				claims++
				if !statuses[c.Status] || !outcomes[c.PaymentOutcome] {
					t.Fatalf("status %q outcome %q", c.Status, c.PaymentOutcome)
				}
				for _, fd := range c.Findings {
					if !fd.Category.Valid() || fd.Codes == nil || fd.NextStep == "" {
						t.Fatalf("bad finding %+v", fd)
					}
				}
				for _, a := range c.Adjustments {
					if !a.Category.Valid() {
						t.Fatalf("bad category %q", a.Category)
					}
				}
			}
		}
		if claims != rep.Summary.Claims {
			t.Fatalf("summary counts %d claims, report has %d", rep.Summary.Claims, claims)
		}
		for k := range rep.Summary.DeniedByCategory {
			if !codes.Category(k).IsDenial() {
				t.Fatalf("non-denial %q in denied_by_category", k)
			}
		}
		if _, err := json.Marshal(rep); err != nil {
			t.Fatal(err)
		}
		if err := remit.WriteTable(io.Discard, rep); err != nil {
			t.Fatal(err)
		}
		got, err := streamJSON(t, data, false)
		if err != nil {
			t.Fatalf("streamed findings: %v (the report had none)", err)
		}
		if want := encodeNoEscape(t, rep, false); !bytes.Equal(got, want) {
			t.Fatal("streamed findings differ from the report's JSON")
		}
	})
}
