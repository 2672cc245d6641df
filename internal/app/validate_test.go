package app_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/golden"
)

// validateToday fixes the scrubber's today (SNIP 7) so reports are stable.
var validateToday = time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)

func validateFile(t *testing.T, path string, types []app.SnipType) *app.ValidationReport {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := app.ValidateX12(data, app.ValidateOptions{Types: types, Today: validateToday})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rep
}

func reportJSON(t *testing.T, rep *app.ValidationReport) []byte {
	t.Helper()
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// The deliberately broken files (testdata/x12/broken, one defect each, made
// from testdata/837d/self.x12): each gives its defect, at its position, with
// its 999/TA1 codes, first among its errors; the whole report is a golden
// file beside the input.
func TestValidateBrokenFiles(t *testing.T) {
	type want struct {
		code, segID, loop  string
		segment, element   int
		segInSet           int
		ta1, ak9, ik5, ik3 string
		ik4                string
		errors             int // errors in the report (SNIP 1-5 and 7)
	}
	cases := map[string]want{
		"wrong_se01":           {code: "SE01_COUNT", segID: "SE", segment: 34, element: 1, segInSet: 32, ik5: "4", errors: 1},
		"missing_clm":          {code: "SEGMENT_REQUIRED_MISSING", segID: "CLM", loop: "2300", segment: 21, segInSet: 19, ik5: "I5", ik3: "3", errors: 1},
		"bad_hl_parent":        {code: "HL_PARENT_INVALID", segID: "HL", loop: "2000B", segment: 14, element: 2, segInSet: 12, ik5: "I5", ik3: "8", ik4: "I12", errors: 1},
		"bad_date":             {code: "INVALID_DATE", segID: "DTP", loop: "2400", segment: 32, element: 3, segInSet: 30, ik5: "5", ik3: "8", ik4: "8", errors: 1},
		"element_too_long":     {code: "ELEMENT_TOO_LONG", segID: "NM1", loop: "1000A", segment: 5, element: 3, segInSet: 3, ik5: "5", ik3: "8", ik4: "5", errors: 1},
		"unknown_qualifier":    {code: "CODE_VALUE_INVALID", segID: "REF", loop: "2300", segment: 23, element: 1, segInSet: 21, ik5: "I5", ik3: "8", ik4: "7", errors: 1},
		"clm02_not_sum_sv302":  {code: "UNBALANCED", segID: "CLM", loop: "2300", segment: 21, element: 2, segInSet: 19, ik5: "I5", ik3: "8", ik4: "I12", errors: 1},
		"isa_not_106":          {code: "ISA_INVALID", segID: "ISA", segment: 1, element: 6, ta1: "006", errors: 1},
		"isa13_iea02_mismatch": {code: "IEA02_MISMATCH", segID: "IEA", segment: 36, element: 2, ta1: "001", errors: 1},
		"delimiter_in_data":    {code: "TOO_MANY_ELEMENTS", segID: "NTE", loop: "2300", segment: 26, element: 3, segInSet: 24, ik5: "5", ik3: "8", ik4: "3", errors: 1},
		"truncated":            {code: "ENVELOPE_UNCLOSED", segID: "ISA", segment: 1, ta1: "023", errors: 4},
		"sixth_nte":            {code: "SEGMENT_OVER_MAX_USE", segID: "NTE", loop: "2300", segment: 29, segInSet: 27, ik5: "I5", ik3: "5", errors: 1},
	}
	files, _ := filepath.Glob("../../testdata/x12/broken/*.x12")
	if len(files) != len(cases) {
		t.Errorf("%d broken files, %d cases", len(files), len(cases))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".x12")
		t.Run(name, func(t *testing.T) {
			w, ok := cases[name]
			if !ok {
				t.Fatalf("no expectation for %s", name)
			}
			rep := validateFile(t, f, nil)
			golden.Check(t, strings.TrimSuffix(f, ".x12")+".report.json", reportJSON(t, rep))
			if rep.Valid {
				t.Fatal("reported valid")
			}
			var first *app.ValidationIssue
			errs := 0
			for i := range rep.Issues {
				if rep.Issues[i].Severity == "error" {
					errs++
					if first == nil {
						first = &rep.Issues[i]
					}
				}
			}
			if errs != w.errors {
				t.Errorf("%d errors, want %d", errs, w.errors)
			}
			g := first
			got := want{code: g.Code, segID: g.SegmentID, loop: g.Loop, segment: g.Segment, element: g.Element, segInSet: g.SegmentInSet,
				ta1: g.TA1, ak9: g.AK9, ik5: g.IK5, ik3: g.IK3, ik4: g.IK4, errors: errs}
			if got != w {
				t.Errorf("first error\n got %+v\nwant %+v", got, w)
			}
			if (w.ta1 != "") != rep.Unusable {
				t.Errorf("envelope_unusable = %v", rep.Unusable)
			}
		})
	}
}

// Every public sample (and every 837D and 835 of testdata) validates, or
// fails with the reasons testdata/x12/VALIDATION.md documents: the reports
// are golden files in testdata/x12/validation. casebridge's own 837Ds are
// valid.
func TestValidateSamples(t *testing.T) {
	var files []string
	for _, g := range []string{"../../testdata/x12/*.x12", "../../testdata/837d/*.x12", "../../testdata/837d/public/*.x12", "../../testdata/835/*.x12", "../../testdata/835/public/*.x12"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	if len(files) < 40 {
		t.Fatalf("only %d samples found", len(files))
	}
	doc, err := os.ReadFile("../../testdata/x12/VALIDATION.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		rel := strings.TrimPrefix(f, "../../testdata/")
		t.Run(rel, func(t *testing.T) {
			rep := validateFile(t, f, nil)
			name := strings.ReplaceAll(strings.TrimSuffix(rel, ".x12"), "/", "_")
			golden.Check(t, "../../testdata/x12/validation/"+name+".report.json", reportJSON(t, rep))
			if strings.HasPrefix(rel, "837d/") && !strings.Contains(rel, "public") && !rep.Valid {
				t.Errorf("casebridge's own 837D is not valid: %+v", rep.Issues[0])
			}
			if rep.Valid {
				return
			}
			// each code of an invalid sample's errors is documented for it
			section := sampleSection(string(doc), filepath.Base(f))
			if section == "" {
				t.Fatalf("invalid, and not in VALIDATION.md")
			}
			for _, is := range rep.Issues {
				if is.Severity == "error" && !strings.Contains(section, is.Code) {
					t.Errorf("error %s at segment %d is not documented for %s", is.Code, is.Segment, filepath.Base(f))
				}
			}
		})
	}
}

// sampleSection returns the VALIDATION.md table row of file (the line that
// names it in backquotes).
func sampleSection(doc, file string) string {
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "| `"+file+"`") {
			return line
		}
	}
	return ""
}

// --snip selects: a report holds only issues of the selected types.
func TestValidateSelectTypes(t *testing.T) {
	for _, sel := range []string{"1", "2", "3", "1,5", "7"} {
		types, err := app.ParseSnipTypes(sel)
		if err != nil {
			t.Fatal(err)
		}
		rep := validateFile(t, "../../testdata/x12/machete_837d_tr3_d3320_quirky.x12", types)
		for _, is := range rep.Issues {
			if !strings.Contains(sel, string(rune('0'+int(is.Type)))) {
				t.Errorf("--snip %s: issue of type %d (%s)", sel, is.Type, is.Code)
			}
		}
	}
	rep := validateFile(t, "../../testdata/x12/broken/clm02_not_sum_sv302.x12", []app.SnipType{1, 2})
	if !rep.Valid {
		t.Errorf("CLM02 ≠ Σ SV302 is SNIP 3 only, but SNIP 1,2 found %+v", rep.Issues)
	}
	for _, bad := range []string{"6", "1,x", "0"} {
		var oe *app.OptionError
		if _, err := app.ParseSnipTypes(bad); !errors.As(err, &oe) || oe.Option != "snip" {
			t.Errorf("ParseSnipTypes(%q) = %v", bad, err)
		}
	}
}

// Input that is not X12 at all is ErrX12Unreadable, not a report.
func TestValidateUnreadable(t *testing.T) {
	for _, in := range []string{"", "hello", `{"resourceType":"Claim"}`, "IS"} {
		if _, err := app.ValidateX12([]byte(in), app.ValidateOptions{}); !errors.Is(err, app.ErrX12Unreadable) {
			t.Errorf("%q: %v", in, err)
		}
	}
}

// The 835 balancing of mapping/remit is SNIP 3: an unbalanced claim is
// reported at its CLP04 in loop 2100, positioned in its set.
func TestValidate835Balancing(t *testing.T) {
	data, err := os.ReadFile("../../testdata/835/d9997_dental.x12")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := app.ValidateX12(data, app.ValidateOptions{Today: validateToday})
	if err != nil || !rep.Valid {
		t.Fatalf("sample: %v %+v", err, rep)
	}
	s := string(data)
	i := strings.Index(s, "CLP*")
	j := i + strings.IndexByte(s[i:], '~')
	f := strings.Split(s[i:j], "*")
	f[4] = "0.01" // CLP04
	bad := s[:i] + strings.Join(f, "*") + s[j:]
	rep, err = app.ValidateX12([]byte(bad), app.ValidateOptions{Today: validateToday})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, is := range rep.Issues {
		if is.Code == "UNBALANCED" && is.SegmentID == "CLP" && is.Element == 4 && is.Loop == "2100" && is.Set == 1 && is.SegmentInSet > 0 && is.IK3 == "8" {
			found = true
		}
	}
	if !found || rep.Valid {
		t.Errorf("no positioned claim balancing issue: %+v", rep.Issues)
	}
}
