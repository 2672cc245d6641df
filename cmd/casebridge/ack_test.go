package main

import (
	"strings"
	"testing"

	"github.com/casebridge/casebridge/mapping/ack"
)

// TestValidateAck: validate --ack prints the 999 (a TA1 for an unusable
// envelope) with control numbers drawn from the data directory's store,
// one after the other; exit 0 valid, 1 errors, 2 not X12.
func TestValidateAck(t *testing.T) {
	data := t.TempDir()
	for i, tc := range []struct {
		file   string
		code   int
		kind   ack.Kind
		status string
	}{
		{"../../testdata/837d/self.x12", 0, ack.Kind999, "A"},
		{"../../testdata/x12/broken/wrong_se01.x12", 1, ack.Kind999, "R"},
		{"../../testdata/x12/broken/truncated.x12", 1, ack.KindTA1, "R"},
	} {
		code, out, errOut := runCLI(t, "", "validate", "--ack", "--data", data, tc.file)
		if code != tc.code {
			t.Fatalf("%s: exit %d, want %d: %s", tc.file, code, tc.code, errOut)
		}
		f, err := ack.ReadBytes([]byte(out))
		if err != nil {
			t.Fatalf("%s: %v\n%s", tc.file, err, out)
		}
		if f.Kind != tc.kind {
			t.Errorf("%s: %s, want %s", tc.file, f.Kind, tc.kind)
		}
		switch tc.kind {
		case ack.Kind999:
			if len(f.Sets) != 1 || f.Sets[0].Status != tc.status || f.Sets[0].GroupControl != "1003" {
				t.Errorf("%s: %+v", tc.file, f.Sets)
			}
		case ack.KindTA1:
			if len(f.TA1s) != 1 || f.TA1s[0].Ack != tc.status || f.TA1s[0].ControlNumber != "000001003" {
				t.Errorf("%s: %+v", tc.file, f.TA1s)
			}
		}
		// our ISA13: the store's next number for tenant local and sender CLEARINGHOUSE
		if want := "*00000000" + string(rune('1'+i)) + "*0*T*:~"; !strings.Contains(out[:110], want) {
			t.Errorf("%s: ISA %q, want ISA13 …%d", tc.file, out[:106], i+1)
		}
		if tc.code == 1 && !strings.Contains(errOut, "error SNIP") {
			t.Errorf("%s: no issue on stderr: %s", tc.file, errOut)
		}
	}
	code, out, _ := runCLI(t, "hello", "validate", "--ack", "--data", data, "-")
	if code != exitUnread || out != "" {
		t.Errorf("not X12: exit %d, stdout %q", code, out)
	}
	code, _, _ = runCLI(t, "", "validate", "--ack", "--data", data, "--database-url", "postgres://x", "../../testdata/837d/self.x12")
	if code != exitUsage {
		t.Errorf("both stores: exit %d", code)
	}
	code, _, _ = runCLI(t, "", "validate", "--ack", "--tenant", "bad tenant!", "../../testdata/837d/self.x12")
	if code != exitUsage {
		t.Errorf("bad tenant: exit %d", code)
	}
}
