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
	"github.com/casebridge/casebridge/mapping/claim837"
)

// every837D lists the 837D samples: ours, the public ones, and the
// synthetic multi-interchange file of this package.
func every837D(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, p := range []string{"../../testdata/837d/*.x12", "../../testdata/837d/public/*.x12", "../../testdata/x12/*837d*.x12", "testdata/*.x12"} {
		m, _ := filepath.Glob(p)
		files = append(files, m...)
	}
	if len(files) < 10 {
		t.Fatalf("837D samples missing: %v", files)
	}
	return files
}

func readClaims(t testing.TB, data []byte) []*claim837.Claim {
	t.Helper()
	var got []*claim837.Claim
	if err := claim837.ReadClaims(bytes.NewReader(data), func(c *claim837.Claim) error { got = append(got, c); return nil }); err != nil {
		t.Fatalf("read: %v", err)
	}
	return got
}

// TestReadClaimsGolden: every sample's claims as JSON (record, source,
// other payers, not mapped segments) against testdata/read/NAME.json.
func TestReadClaimsGolden(t *testing.T) {
	for _, f := range every837D(t) {
		name := filepath.Base(filepath.Dir(f)) + "_" + strings.TrimSuffix(filepath.Base(f), ".x12")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got := readClaims(t, data)
			if len(got) == 0 {
				t.Fatal("no claim read")
			}
			out, err := json.MarshalIndent(got, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "read", name+".json"), append(out, '\n'))
		})
	}
}

// TestReadClaimsMulti checks the synthetic file's structure by hand: three
// interchange/group/set paths, three billing providers, a dependent, the
// other-payer loop summarised and the 2310A/D/E, TOO, DN2, 2420A, 2430 and
// REF*G3/9F segments listed as not mapped with their loops.
func TestReadClaimsMulti(t *testing.T) {
	data, err := os.ReadFile("testdata/multi.x12")
	if err != nil {
		t.Fatal(err)
	}
	got := readClaims(t, data)
	var ids []string
	for _, c := range got {
		ids = append(ids, c.Record.RecordID+"@"+c.Source.Interchange+"/"+c.Source.Group+"/"+c.Source.Set)
	}
	want := "CLAIM-A1@000000101/101/0001 CLAIM-A2@000000101/101/0001 CLAIM-B1@000000101/101/0001 CLAIM-C1@000000101/101/0001 CLAIM-D1@000000101/101/0002 CLAIM-E1@000000202/202/0003"
	if strings.Join(ids, " ") != want {
		t.Fatalf("claims %v\nwant %s", ids, want)
	}
	a1 := got[0]
	if len(a1.OtherPayers) != 1 {
		t.Fatalf("other payers %+v", a1.OtherPayers)
	}
	op := a1.OtherPayers[0]
	if op.Responsibility != "S" || op.PayerID != "OTH1" || op.SubscriberID != "OTHERMEM9" || op.Paid.String() != "150.00" ||
		op.RemainingLiability.String() != "30.00" || op.AdjudicationDate != "2026-10-25" || len(op.Adjustments) != 2 || op.Adjustments[1].Group != "PR" {
		t.Errorf("other payer summary %+v", op)
	}
	nm := map[string]bool{}
	for _, n := range a1.NotMapped {
		nm[n.SegmentID+"/"+n.Loop] = true
	}
	for _, w := range []string{"CUR/2000A", "PER/2010AA", "NM1/2010AB", "N3/2010AB", "REF/2010BA", "N3/2010BB", "DN2/2300", "REF/2300",
		"NM1/2310A", "REF/2310B", "NM1/2310D", "NM1/2310E", "OI/2320", "MOA/2320", "N3/2330A", "NM1/2330D", "REF/2330D",
		"TOO/2400", "NTE/2400", "NM1/2420A", "PRV/2420A", "SVD/2420A", "DTP/2420A"} {
		if !nm[w] {
			t.Errorf("not reported as not mapped: %s (have %v)", w, nm)
		}
	}
	for _, n := range got[2].NotMapped { // CLAIM-B1 is under another subscriber and shares only 1000A/2000A
		if n.Loop == "2010BA" || n.Loop == "2300" {
			t.Errorf("CLAIM-B1 carries another claim's segment %+v", n)
		}
	}
	b1 := got[2].Record
	if b1.Patient == nil || b1.Patient.Relationship != "child" || b1.Patient.BirthDate != "2015-06-30" || b1.Subscriber.MemberID != "MEM0003" {
		t.Errorf("dependent claim %+v", b1)
	}
	if c1 := got[3].Record; c1.BillingProvider.LastName != "OKAFOR" || c1.BillingProvider.TaxIDType != "ssn" || c1.BillingProvider.Address.Line2 != "" {
		t.Errorf("second billing provider %+v", c1.BillingProvider)
	}
	if e1 := got[5].Record; len(e1.Diagnoses) != 1 || e1.Services[0].Code != "D9997" {
		t.Errorf("':' vs '>' component separator: %+v", e1)
	}
}

// modeledKeys are the segments of a claim the record holds, as id and
// qualifier, in order: what a rewrite of the record must give back.
func modeledKeys(t testing.TB, data []byte) map[string][]string {
	t.Helper()
	segs, err := x12.ReadAll(bytes.NewReader(data), x12.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	notMapped := map[int]bool{}
	claimOf := map[int]string{}
	for _, c := range readClaims(t, data) {
		for _, n := range c.NotMapped {
			if n.Element == 0 {
				notMapped[n.Segment] = true
			}
		}
		claimOf[c.Source.Segment] = c.Record.RecordID
	}
	out := map[string][]string{}
	cur, level, inCOB := "", "", false
	pending := map[string][]string{} // modeled segments of the levels above the claim: "", 20, 22, 23
	for _, s := range segs {
		switch s.ID {
		case "ISA", "GS", "GE", "IEA", "BHT", "SE":
			continue
		case "ST":
			pending, level, cur = map[string][]string{}, "", ""
			continue
		case "HL":
			level, cur = s.Element(3), ""
			switch level {
			case "20":
				delete(pending, "22")
				fallthrough
			case "22":
				delete(pending, "23")
			}
			delete(pending, level)
			continue
		}
		if id, ok := claimOf[s.Ordinal]; ok {
			cur, inCOB = id, false
			for _, l := range []string{"", "20", "22", "23"} {
				out[cur] = append(out[cur], pending[l]...)
			}
		}
		if cur != "" && s.ID == "SBR" {
			inCOB = true // 2320/2330: summarised in other_payers, not written back
		}
		if s.ID == "LX" {
			inCOB = false
		}
		if notMapped[s.Ordinal] || inCOB {
			continue
		}
		k := s.ID
		switch s.ID {
		case "NM1", "REF", "DTP", "PRV", "NTE", "AMT":
			k += "*" + s.Element(1)
		}
		if cur == "" {
			pending[level] = append(pending[level], k)
		} else {
			out[cur] = append(out[cur], k)
		}
	}
	return out
}

// writerNeutral removes what the writer normalises from a key list: every
// line gets its own DTP*472 (a claim-level date moves to the lines) and a
// REF*6R (the default line id), checked by count instead; the narrative's
// NTE*ADD are re-cut at 80 characters and a missing 1000A PER comes from
// the profile (both compared in the record); a 2310B naming
// the billing NPI is not written (the billing dentist renders).
func writerNeutral(keys []string, selfRendering bool) []string {
	var out []string
	for _, k := range keys {
		switch {
		case k == "DTP*472", k == "REF*6R", k == "NTE*ADD", k == "PER":
		case selfRendering && (k == "NM1*82" || k == "PRV*PE"):
		default:
			out = append(out, k)
		}
	}
	return out
}

func count(keys []string, k string) int {
	n := 0
	for _, x := range keys {
		if x == k {
			n++
		}
	}
	return n
}

// TestRewriteKeepsModeledSegments: each 837D → claims → one 837D per
// record → the same modeled segments, claim by claim, and the same record
// again (the reader is a fixed point of write∘read).
func TestRewriteKeepsModeledSegments(t *testing.T) {
	prof := profile.Default()
	for _, f := range every837D(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			wantKeys := modeledKeys(t, data)
			for _, c := range readClaims(t, data) {
				out, err := claim837.Write(c.Record, prof, claim837.Options{ControlNumber: 9, At: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)})
				if err != nil {
					t.Fatalf("%s: write: %v", c.Record.RecordID, err)
				}
				back := readClaims(t, out)
				if len(back) != 1 {
					t.Fatalf("%d claims from one record", len(back))
				}
				g, _ := json.Marshal(back[0].Record)
				w, _ := json.Marshal(x12View(c.Record, prof))
				if !bytes.Equal(g, w) {
					t.Errorf("%s: record changed by a rewrite:\n got %s\nwant %s", c.Record.RecordID, g, w)
				}
				rp := c.Record.RenderingProvider
				selfRendering := rp != nil && rp.NPI == c.Record.BillingProvider.NPI
				gotKeys := writerNeutral(modeledKeys(t, out)[c.Record.RecordID], false)
				want := writerNeutral(wantKeys[c.Record.RecordID], selfRendering)
				if strings.Join(gotKeys, " ") != strings.Join(want, " ") {
					t.Errorf("%s: modeled segments differ:\n got %v\nwant %v", c.Record.RecordID, gotKeys, want)
				}
				if n, lines := count(modeledKeys(t, out)[c.Record.RecordID], "DTP*472"), len(c.Record.Services); n != lines || count(modeledKeys(t, out)[c.Record.RecordID], "REF*6R") != lines {
					t.Errorf("%s: %d lines, %d DTP*472 written, each line wants its date and REF*6R", c.Record.RecordID, lines, n)
				}
			}
		})
	}
}

// TestReadErrorsPositioned: a defect gives an *x12.Error at its segment and
// element, never quoting the value.
func TestReadErrorsPositioned(t *testing.T) {
	base, err := os.ReadFile("../../testdata/837d/dependent.x12")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, from, to string
		code           x12.Code
		segID          string
		element        int
		mapping        bool
		loop           string
	}{
		{"birth date", "DMG*D8*2015", "DMG*D8*X015", claim837.CodeBadDate, "DMG", 2, true, "2010CA"},
		{"charge", "SV3*AD:D9997*", "SV3*AD:D9997*1X", claim837.CodeBadAmount, "SV3", 2, true, "2400"},
		{"units", "SV3*AD:D9997*95****1", "SV3*AD:D9997*95****Z", claim837.CodeBadInteger, "SV3", 6, true, "2400"},
		{"claim outside subscriber", "HL*2*1*22*1~", "HL*2*1*21*1~", claim837.CodeStructure, "HL", 3, true, ""},
		{"not an 837", "ST*837*", "ST*835*", claim837.CodeNotAn837D, "ST", 1, false, ""},
		{"an 837P", "ST*837*1001*005010X224A2", "ST*837*1001*005010X222A1", claim837.CodeVersion, "ST", 3, false, ""},
		{"truncated", "IEA*1*", "IEA*1", x12.CodeTruncated, "", 0, false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := string(base)
			if tc.name == "truncated" {
				in = in[:strings.LastIndex(in, "IEA*1*")+5]
			} else {
				if !strings.Contains(in, tc.from) {
					t.Fatalf("sample lacks %q", tc.from)
				}
				in = strings.Replace(in, tc.from, tc.to, 1)
			}
			err := claim837.ReadClaims(strings.NewReader(in), func(*claim837.Claim) error { return nil })
			var xe *x12.Error
			if !errors.As(err, &xe) {
				t.Fatalf("error %v, want *x12.Error", err)
			}
			if xe.Code != tc.code || (tc.segID != "" && xe.SegmentID != tc.segID) || xe.Element != tc.element || xe.Segment == 0 || (tc.loop != "" && xe.Loop != tc.loop) {
				t.Errorf("error %+v, want %s at %s%02d", xe, tc.code, tc.segID, tc.element)
			}
			if claim837.IsMappingError(err) != tc.mapping {
				t.Errorf("IsMappingError = %v", !tc.mapping)
			}
			if strings.Contains(err.Error(), "2015") || strings.Contains(err.Error(), "1X") {
				t.Errorf("error quotes the input: %v", err)
			}
		})
	}
}
