package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// The README's exit-code contract and `check` agree: a record with errors
// prints the report on stdout and exits 1, and the README says so.
func TestCheckExitContractMatchesREADME(t *testing.T) {
	code, out, _ := runCLI(t, "", "check", "../../testdata/records-invalid/scrub-errors.json")
	var rep struct {
		Valid      *bool `json:"valid"`
		ErrorCount int   `json:"error_count"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitInvalid || rep.Valid == nil || *rep.Valid || rep.ErrorCount == 0 {
		t.Fatalf("check with errors: exit %d, stdout %q (%v)", code, out, err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i := strings.Index(s, "Exit codes, for every subcommand")
	if i < 0 {
		t.Fatal("README has no exit-code paragraph")
	}
	para := s[i:]
	if j := strings.Index(para, "\n\n"); j > 0 {
		para = para[:j]
	}
	if !strings.Contains(para, "`check`") || !strings.Contains(para, "report on stdout") || !strings.Contains(para, "exits 1") {
		t.Errorf("the README's exit-code paragraph does not state check's contract (report on stdout, exit 1): %s", para)
	}
}
