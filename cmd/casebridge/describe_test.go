package main

import (
	"os"
	"strings"
	"testing"
)

// TestDescribe: the command prints the golden loop tree of each sample
// (internal/app's TestDescribeGolden writes them), from a file or stdin.
func TestDescribe(t *testing.T) {
	for in, out := range map[string]string{
		"837d/self.x12":                        "837d_self.txt",
		"835/d9997_dental.x12":                 "835_d9997_dental.txt",
		"x12/imsweb_999_rejected_with_ta1.x12": "999_imsweb_rejected_with_ta1.txt",
		"277ca/claims.x12":                     "277ca_claims.txt",
	} {
		want, err := os.ReadFile("../../testdata/describe/" + out)
		if err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := runCLI(t, "", "describe", "../../testdata/"+in)
		if code != exitOK || stdout != string(want) || stderr != "" {
			t.Errorf("%s: exit %d, stderr %q, output equals golden: %v", in, code, stderr, stdout == string(want))
		}
	}
	data, _ := os.ReadFile("../../testdata/277ca/claims.x12")
	if code, stdout, _ := runCLI(t, string(data), "describe", "-"); code != exitOK || !strings.Contains(stdout, "loop 2200D Claim Status Tracking Number") {
		t.Errorf("stdin: exit %d", code)
	}
	code, _, stderr := runCLI(t, "hello", "describe", "-")
	if code != exitUnread || !strings.Contains(stderr, "ISA_MISSING") {
		t.Errorf("not X12: exit %d %s", code, stderr)
	}
	if code, _, _ := runCLI(t, "", "describe"); code != exitUsage {
		t.Errorf("no file: exit %d", code)
	}
}
