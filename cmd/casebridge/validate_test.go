package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// casebridge validate: exit 0 valid, 1 errors found, 2 not X12, 64 usage;
// the text report names each bad segment id and its position.
func TestCLIValidate(t *testing.T) {
	cases := []struct {
		name  string
		stdin string
		args  []string
		code  int
		out   []string // in stdout
		err   string   // in stderr
	}{
		{"valid", "", []string{"validate", "../../testdata/837d/void.x12"}, 0,
			[]string{"void.x12: valid, 0 error(s)", "set 1: 837 ST02"}, ""},
		{"sixth NTE", "", []string{"validate", "../../testdata/x12/broken/sixth_nte.x12"}, 1,
			[]string{"INVALID, 1 error(s)", "error SNIP 2 SEGMENT_OVER_MAX_USE at segment 29 NTE loop 2300 (position 27 in set 1)", "[IK502 I5, IK304 5]"}, ""},
		{"bad date", "", []string{"validate", "--snip", "1", "../../testdata/x12/broken/bad_date.x12"}, 1,
			[]string{"(SNIP 1)", "at segment 32 DTP element DTP03 loop 2400", "IK403 8"}, ""},
		{"ISA not 106", "", []string{"validate", "../../testdata/x12/broken/isa_not_106.x12"}, 1,
			[]string{"envelope is unusable", "ISA_INVALID at segment 1 ISA element ISA06", "TA105 006"}, ""},
		{"stdin", mustRead(t, "../../testdata/837d/self.x12"), []string{"validate", "-"}, 0, []string{"-: valid"}, ""},
		{"SNIP 3 only", "", []string{"validate", "--snip", "3", "../../testdata/x12/broken/clm02_not_sum_sv302.x12"}, 1,
			[]string{"UNBALANCED at segment 21 CLM element CLM02"}, ""},
		{"SNIP 1 misses a balance error", "", []string{"validate", "--snip=1,2", "../../testdata/x12/broken/clm02_not_sum_sv302.x12"}, 0, []string{"valid"}, ""},
		{"not X12", "{\"id\": 1}", []string{"validate", "-"}, 2, nil, "not an X12 interchange"},
		{"no file", "", []string{"validate", "/nonexistent/file.x12"}, 2, nil, "cannot open"},
		{"bad snip", "", []string{"validate", "--snip", "6", "../../testdata/837d/self.x12"}, 64, nil, "SNIP type must be one of"},
		{"bad format", "", []string{"validate", "--format", "xml", "../../testdata/837d/self.x12"}, 64, nil, "--format"},
		{"no input", "", []string{"validate"}, 64, nil, "exactly one input"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.stdin, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout %s\nstderr %s", code, tc.code, out, errOut)
			}
			for _, w := range tc.out {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			if !strings.Contains(errOut, tc.err) {
				t.Errorf("stderr lacks %q: %s", tc.err, errOut)
			}
		})
	}
}

// --format json prints the report the golden files hold (the same JSON as
// POST /v1/x12/validate).
func TestCLIValidateJSON(t *testing.T) {
	code, out, _ := runCLI(t, "", "validate", "--format", "json", "../../testdata/x12/broken/missing_clm.x12")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var rep struct {
		Valid  bool `json:"valid"`
		Issues []struct {
			Code      string `json:"code"`
			SegmentID string `json:"segment_id"`
			Loop      string `json:"loop"`
			Segment   int    `json:"segment"`
			IK3       string `json:"ik3_error_code"`
		} `json:"issues"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Valid || len(rep.Issues) == 0 {
		t.Fatalf("%+v", rep)
	}
	is := rep.Issues[0]
	if is.Code != "SEGMENT_REQUIRED_MISSING" || is.SegmentID != "CLM" || is.Loop != "2300" || is.Segment != 21 || is.IK3 != "3" {
		t.Errorf("first issue %+v", is)
	}
}
