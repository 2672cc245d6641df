package claims_test

import (
	"bytes"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/claims"
	"github.com/casebridge/casebridge/internal/golden"
	"github.com/casebridge/casebridge/internal/money"
	"github.com/casebridge/casebridge/internal/profile"
	"github.com/casebridge/casebridge/internal/record"
)

var at = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// goldenRecords are the valid records of testdata/records.
func goldenRecords(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../../testdata/records/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no records: %v", err)
	}
	return files
}

func TestGolden837D(t *testing.T) {
	for _, path := range goldenRecords(t) {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		t.Run(name, func(t *testing.T) {
			cn := golden.ControlNumber(t, name)
			rec := golden.Record(t, path)
			res, err := claims.Generate(rec, profile.Default(), claims.Options{ControlNumber: cn, At: at, NewlineAfterSegment: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.X12 == nil {
				t.Fatalf("record has errors: %+v", res.Problems.Errors())
			}
			golden.Check(t, filepath.Join("../../testdata/837d", name+".x12"), res.X12)
			checkStructure(t, rec, res.X12)
		})
	}
}

// checkStructure reads the output back and checks the envelope and the
// invariants every 837D we write must hold.
func checkStructure(t *testing.T, rec *record.Record, out []byte) {
	t.Helper()
	segs, err := x12.ReadAll(bytes.NewReader(out), x12.ReaderOptions{})
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	if len(out) < 106 || out[105] != '~' || !bytes.HasPrefix(out, []byte("ISA*")) {
		t.Errorf("ISA is not 106 characters")
	}
	ec := x12.NewEnvelopeChecker()
	for _, s := range segs {
		for _, e := range ec.Add(s) {
			t.Errorf("envelope: %v", e)
		}
	}
	for _, e := range ec.Finish() {
		t.Errorf("envelope: %v", e)
	}
	var sts, lx, sv3, dtp, ref6r, dmg, nm182 int
	var hl []string
	firstLX := -1
	clm02 := ""
	total := money.Zero
	for i, s := range segs {
		switch s.ID {
		case "ST":
			sts++
		case "HL":
			hl = append(hl, s.Element(3))
		case "DMG":
			// 2010BA carries DMG only when the patient is the subscriber
			dmg++
			if rec.Patient != nil && hl[len(hl)-1] != "23" {
				t.Errorf("DMG in the subscriber loop of a dependent's claim")
			}
		case "NM1":
			if s.Element(1) == "82" {
				nm182++
			}
		case "CLM":
			clm02 = s.Element(2)
		case "LX":
			lx++
			if s.Element(1) != strconv.Itoa(lx) {
				t.Errorf("LX%d numbered %s", lx, s.Element(1))
			}
			if firstLX < 0 {
				firstLX = i
			}
		case "SV3":
			sv3++
			total = total.Add(amount(t, s.Element(2)))
		case "DTP":
			if s.Element(1) == "472" && firstLX >= 0 {
				dtp++
			}
		case "REF":
			if s.Element(1) == "6R" {
				ref6r++
			}
		case "PWK", "NTE":
			if firstLX >= 0 {
				t.Errorf("%s after the first LX", s.ID)
			}
		}
	}
	if sts != 1 {
		t.Errorf("%d ST segments", sts)
	}
	wantHL := "20,22"
	if rec.Patient != nil {
		wantHL = "20,22,23"
	}
	if strings.Join(hl, ",") != wantHL {
		t.Errorf("HL levels %v, want %s", hl, wantHL)
	}
	if dmg != 1 {
		t.Errorf("%d DMG segments, want 1 (the patient's)", dmg)
	}
	// 2310B only when someone other than the billing provider renders
	if rp := rec.RenderingProvider; (rp != nil && rp.NPI != rec.BillingProvider.NPI) != (nm182 == 1) || nm182 > 1 {
		t.Errorf("%d NM1*82 segments", nm182)
	}
	n := len(rec.Services)
	if lx != n || sv3 != n || dtp != n || ref6r != n {
		t.Errorf("lines: LX %d SV3 %d DTP*472 %d REF*6R %d, want %d each", lx, sv3, dtp, ref6r, n)
	}
	if !amount(t, clm02).Equal(total) {
		t.Errorf("CLM02 %s != sum of SV302 %v", clm02, total)
	}
}

func amount(t *testing.T, s string) money.Amount {
	t.Helper()
	a, err := money.Parse(s)
	if err != nil {
		t.Fatalf("amount %q: %v", s, err)
	}
	return a
}
