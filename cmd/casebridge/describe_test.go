package main

import (
	"encoding/json"
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

// describe --mask describes the masked file: the same tree (as many lines,
// the same segments and element names) without the original's names, ids,
// addresses or dates.
func TestDescribeMask(t *testing.T) {
	_, plain, _ := runCLI(t, "", "describe", "../../testdata/837d/dependent.x12")
	code, masked, stderr := runCLI(t, "", "describe", "--mask", "--mask-key", "k", "../../testdata/837d/dependent.x12")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	a, b := strings.Split(plain, "\n"), strings.Split(masked, "\n")
	if len(a) != len(b) {
		t.Fatalf("%d lines, masked %d", len(a), len(b))
	}
	changed := 0
	for i := range a {
		ka, _, _ := strings.Cut(a[i], ": ")
		kb, _, _ := strings.Cut(b[i], ": ")
		if ka != kb {
			t.Fatalf("line %d: %q, masked %q", i+1, ka, kb)
		}
		if a[i] != b[i] {
			changed++
		}
	}
	data, err := os.ReadFile("../../testdata/records/dependent.json")
	if err != nil {
		t.Fatal(err)
	}
	type person struct {
		MemberID  string `json:"member_id"`
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
		BirthDate string `json:"birth_date"`
	}
	var rec struct{ Subscriber, Patient person }
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	for _, p := range []person{rec.Subscriber, rec.Patient} {
		for _, v := range []string{p.MemberID, p.FirstName, p.LastName, strings.ReplaceAll(p.BirthDate, "-", "")} {
			if v != "" && strings.Contains(masked, strings.ToUpper(v)) {
				t.Errorf("masked description still holds a value of the record (%d characters)", len(v))
			}
		}
	}
	if changed < 10 {
		t.Errorf("only %d lines changed by masking", changed)
	}
	if code, _, _ := runCLI(t, "", "describe", "--mask", "--mask-key", "k", "-", "extra"); code != exitUsage {
		t.Errorf("two inputs: exit %d", code)
	}
}
