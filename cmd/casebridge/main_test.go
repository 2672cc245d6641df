package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/internal/codes"
	"github.com/casebridge/casebridge/internal/golden"
)

func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Setenv("CASEBRIDGE_DATA_DIR", t.TempDir())
	t.Setenv("CASEBRIDGE_DATABASE_URL", "")
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

const rec = "../../testdata/records/"

func TestCLI837dGolden(t *testing.T) {
	files, _ := filepath.Glob(rec + "*.json")
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		want, err := os.ReadFile("../../testdata/837d/" + name + ".x12")
		if err != nil {
			t.Fatal(err)
		}
		code, out, _ := runCLI(t, "", "837d", f, "--newlines", "--control-number", itoa(golden.ControlNumber(t, name)), "--at", "2026-11-27T10:00:00Z")
		if code != 0 {
			t.Fatalf("%s: exit %d", name, code)
		}
		if out != string(want) {
			t.Errorf("%s: CLI output differs from golden file", name)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestCLIExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stdout bool
		stderr string
	}{
		{"no args", nil, "", 64, false, "usage"},
		{"unknown command", []string{"frobnicate"}, "", 64, false, "unknown command"},
		{"bad flag", []string{"837d", "--nope", rec + "self.json"}, "", 64, false, "nope"},
		{"two files", []string{"837d", rec + "self.json", rec + "void.json"}, "", 64, false, "exactly one"},
		{"production without number", []string{"837d", "--usage", "P", rec + "self.json"}, "", 0, true, "warning"}, // the store draws it
		{"bad control number", []string{"837d", "--control-number", "0", rec + "self.json"}, "", 64, false, "control-number"},
		{"bad at", []string{"837d", "--at", "yesterday", rec + "self.json"}, "", 64, false, "RFC 3339"},
		{"unknown profile", []string{"837d", "--profile", "nosuch", rec + "self.json"}, "", 64, false, "profile"},
		{"not json", []string{"837d", "../../testdata/records-invalid/not-json.json"}, "", 2, false, "not valid JSON"},
		{"missing file", []string{"837d", "/no/such/file.json"}, "", 2, false, "cannot open"},
		{"shape errors", []string{"837d", "../../testdata/records-invalid/unknown-field.json"}, "", 1, false, "UNKNOWN_FIELD at /colour"},
		{"scrub errors", []string{"837d", "../../testdata/records-invalid/scrub-errors.json"}, "", 1, false, "NPI_CHECK_DIGIT at /billing_provider/npi"},
		{"stdin", []string{"837d", "-"}, mustRead(t, rec+"self.json"), 0, true, "warning"},
		{"check ok", []string{"check", rec + "dependent.json"}, "", 0, true, ""},
		{"check errors", []string{"check", "../../testdata/records-invalid/scrub-errors.json"}, "", 1, true, ""},
		{"check not json", []string{"check", "../../testdata/records-invalid/not-json.json"}, "", 2, false, "JSON"},
		{"835 no file", []string{"835"}, "", 64, false, "exactly one"},
		{"835 not x12", []string{"835", "-"}, "hello", 2, false, "ISA"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, tc.stdin, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tc.code, errs)
			}
			if (out != "") != tc.stdout {
				t.Errorf("stdout written = %v, want %v: %q", out != "", tc.stdout, out)
			}
			if !strings.Contains(errs, tc.stderr) {
				t.Errorf("stderr lacks %q: %s", tc.stderr, errs)
			}
		})
	}
}

func TestCLIScrubErrorsListsEveryProblem(t *testing.T) {
	code, out, errs := runCLI(t, "", "837d", "../../testdata/records-invalid/scrub-errors.json")
	if code != 1 || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	for _, want := range []string{
		"ID_DELIMITER at /record_id",
		"PAYER_CLAIM_NUMBER_REQUIRED at /payer_claim_number",
		"NPI_CHECK_DIGIT at /billing_provider/npi",
		"MEMBER_ID_REQUIRED at /subscriber/member_id",
		"DATE_INVALID at /subscriber/birth_date",
		"CODE_LOOKALIKE at /services/0/code",
		"CHARGE_NOT_POSITIVE at /services/0/charge",
		"D9997_SAME_DATE at /services/2/date",
		"SPECIAL_NEEDS_UNDOCUMENTED at /special_needs",
	} {
		if !strings.Contains(errs, "error "+want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	if strings.Contains(errs, "Doe") || strings.Contains(errs, "1980-02-30") {
		t.Errorf("stderr quotes PHI: %s", errs)
	}
}

// TestCLIControlNumbersFromTheStore: without --control-number, 837d (and
// --batch, --from-fhir) draw from the store in the data directory, per
// tenant and ISA06 sender, the counter serve's POST /v1/claims uses too.
func TestCLIControlNumbersFromTheStore(t *testing.T) {
	data := t.TempDir()
	t.Setenv("CASEBRIDGE_DATA_DIR", data)
	t.Setenv("CASEBRIDGE_DATABASE_URL", "")
	cli := func(stdin string, args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(args, strings.NewReader(stdin), &out, &errb)
		return code, out.String(), errb.String()
	}
	isa13 := func(x12 string) string {
		if len(x12) < 99 {
			return ""
		}
		return x12[90:99]
	}
	oneLine := strings.Join(strings.Fields(mustRead(t, rec+"self.json")), " ") + "\n" // NDJSON
	for i, step := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"", []string{"837d", rec + "self.json"}, "000000001"},
		{"", []string{"837d", rec + "self.json", "--usage", "P"}, "000000002"},
		{"", []string{"837d", rec + "self.json", "--control-number", "500"}, "000000500"}, // takes none
		{oneLine, []string{"837d", "--batch", "-"}, "000000003"},
		{"", []string{"837d", "--from-fhir", "../../testdata/fhir/ehr/claim-contained.json"}, "000000004"},
		{"", []string{"837d", rec + "self.json", "--tenant", "acme"}, "000000001"}, // another tenant's counter
		{"", []string{"837d", rec + "self.json", "--data", data}, "000000005"},
	} {
		code, out, errs := cli(step.stdin, step.args...)
		if code != 0 || isa13(out) != step.want {
			t.Errorf("step %d %v: exit %d, ISA13 %q, want %s: %.300s", i, step.args, code, isa13(out), step.want, errs)
		}
	}
	// a refused record draws nothing and opens no store: a data directory
	// that cannot be a directory still gives exit 1
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := cli("", "837d", "../../testdata/records-invalid/scrub-errors.json", "--data", notDir); code != 1 {
		t.Errorf("refused record, broken store: exit %d, want 1", code)
	}
	// a clean record and a store that does not open: exit 70, nothing on stdout
	code, out, errs := cli("", "837d", rec+"self.json", "--data", filepath.Join(notDir, "sub"))
	if code != 70 || out != "" || !strings.Contains(errs, "cannot allocate a control number") {
		t.Errorf("broken store: exit %d, stdout %d bytes, stderr %s", code, len(out), errs)
	}
	if strings.Contains(errs, "Doe") || strings.Contains(errs, "MBR100200") {
		t.Errorf("stderr holds PHI: %s", errs)
	}
	if code, _, _ := cli("", "837d", rec+"self.json", "--data", data, "--database-url", "postgres://x"); code != 64 {
		t.Errorf("--data and --database-url: exit %d, want 64", code)
	}
	if code, _, _ := cli("", "837d", rec+"self.json", "--tenant", "../x"); code != 64 {
		t.Errorf("bad tenant: exit %d, want 64", code)
	}
	if code, out, _ := cli("", "837d", rec+"self.json"); code != 0 || isa13(out) != "000000006" {
		t.Errorf("after the failures: exit %d, ISA13 %q, want 000000006", code, isa13(out))
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestCLI835MatchesGolden(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/835/*.x12")
	if len(files) < 3 {
		t.Fatal("no 835 test files")
	}
	for _, f := range files {
		want, err := os.ReadFile(strings.TrimSuffix(f, ".x12") + ".json")
		if err != nil {
			t.Fatal(err)
		}
		code, out, _ := runCLI(t, "", "835", f)
		if code != 0 {
			t.Fatalf("%s: exit %d", f, code)
		}
		if out != string(want) {
			t.Errorf("%s: CLI report differs from the golden report", filepath.Base(f))
		}
	}
	code, out, _ := runCLI(t, "", "835", "../../testdata/835/d9997_dental.x12", "--format", "table")
	want, _ := os.ReadFile("../../testdata/835/d9997_dental.table.txt")
	if code != 0 || out != string(want) {
		t.Errorf("table output differs (exit %d)", code)
	}
}

func TestCLI835Unreadable(t *testing.T) {
	code, out, errs := runCLI(t, "", "835", "../../testdata/835/invalid/837d_given_as_835-invalid.x12")
	if code != 2 || out != "" || !strings.Contains(errs, "segment") {
		t.Errorf("exit %d, stdout %q, stderr %s", code, out, errs)
	}
}

func TestCLI835RefusesOtherVersions(t *testing.T) {
	code, out, errs := runCLI(t, "", "835", "../../testdata/835/invalid/4010_version-invalid.x12")
	if code != 2 || out != "" || !strings.Contains(errs, "VERSION_UNSUPPORTED") || !strings.Contains(errs, "004010X091A1") {
		t.Errorf("exit %d, stdout %q, stderr %s", code, out, errs)
	}
}

// TestCLI835CodesDir: --codes-dir and CASEBRIDGE_CODES_DIR load the
// operator's official lists; a malformed one stops with exit 64 and
// file:line.
func TestCLI835CodesDir(t *testing.T) {
	t.Cleanup(func() { _ = codes.LoadDir("") })
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "carc.tsv"), []byte("Z9\t2020-01-01\t\tOperator text for Z9.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	in := "../../testdata/835/categories.x12"
	code, out, errs := runCLI(t, "", "835", in, "--codes-dir", dir)
	if code != 0 || !strings.Contains(out, "Operator text for Z9.") {
		t.Fatalf("--codes-dir: exit %d, stderr %s", code, errs)
	}
	_ = codes.LoadDir("")
	t.Setenv("CASEBRIDGE_CODES_DIR", dir)
	if code, out, _ := runCLI(t, "", "835", in); code != 0 || !strings.Contains(out, "Operator text for Z9.") {
		t.Fatalf("CASEBRIDGE_CODES_DIR: exit %d", code)
	}
	_ = codes.LoadDir("")
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "rarc.tsv"), []byte("N1\tyesterday\t\tx\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs = runCLI(t, "", "835", in, "--codes-dir", bad)
	if code != 64 || out != "" || !strings.Contains(errs, "rarc.tsv:1:") {
		t.Errorf("malformed list: exit %d, stderr %s", code, errs)
	}
	code, _, errs = runCLI(t, "", "serve", "--codes-dir", bad, "--addr", "127.0.0.1:0")
	if code != 64 || !strings.Contains(errs, "rarc.tsv:1:") {
		t.Errorf("serve with a malformed list: exit %d, stderr %s", code, errs)
	}
}

func TestCLIFHIR(t *testing.T) {
	for _, name := range []string{"self", "dependent", "replacement", "void"} {
		want, err := os.ReadFile("../../testdata/fhir/golden/" + name + ".bundle.json")
		if err != nil {
			t.Fatal(err)
		}
		code, out, _ := runCLI(t, "", "fhir", rec+name+".json", "--at", "2026-11-27T10:00:00Z")
		if code != 0 || out != string(want) {
			t.Errorf("%s: exit %d, Bundle differs from the golden Bundle", name, code)
		}
	}
	if code, _, _ := runCLI(t, "", "fhir", "../../testdata/records-invalid/scrub-errors.json"); code != 1 {
		t.Errorf("invalid record: exit %d", code)
	}
}

func TestCLIFromFHIR(t *testing.T) {
	// record → FHIR → 837D gives the bytes of record → 837D
	_, bundle, _ := runCLI(t, "", "fhir", rec+"dependent.json", "--at", "2026-11-27T10:00:00Z")
	code, out, errs := runCLI(t, bundle, "837d", "--from-fhir", "-", "--control-number", "1001", "--at", "2026-11-27T10:00:00Z", "--newlines")
	want, _ := os.ReadFile("../../testdata/837d/dependent.x12")
	if code != 0 || out != string(want) {
		t.Errorf("exit %d (%s): via FHIR differs from the golden 837D", code, errs)
	}
	tests := []struct {
		file string
		code int
		err  string
	}{
		{"../../testdata/fhir/Claim-100155.json", 1, "FHIR_CDT_REQUIRED at Claim.item[0].productOrService"},
		{"../../testdata/records-invalid/not-json.json", 2, ""},
		{"../../testdata/fhir/ehr/claim-contained.json", 0, "warning"},
	}
	for _, tc := range tests {
		code, _, errs := runCLI(t, "", "837d", "--from-fhir", tc.file)
		if code != tc.code || !strings.Contains(errs, tc.err) {
			t.Errorf("%s: exit %d, want %d; stderr %s", tc.file, code, tc.code, errs)
		}
	}
}

func TestCLI835FHIR(t *testing.T) {
	code, out, _ := runCLI(t, "", "835", "../../testdata/835/d9997_dental.x12", "--format", "fhir", "--at", "2026-11-27T10:00:00Z")
	if code != 0 || !strings.Contains(out, `"resourceType": "ClaimResponse"`) {
		t.Errorf("exit %d: %.200s", code, out)
	}
	if code, out, _ := runCLI(t, "hello", "835", "-", "--format", "fhir"); code != 2 || out != "" {
		t.Errorf("unreadable: exit %d", code)
	}
}

// TestClaimLoop follows one claim around: record → 837D, the payer's 835
// for it → a documentation denial on the line the 837D's REF*6R named, and
// the corrected claim built from that finding (frequency replacement, REF*F8
// = the 835's payer claim control number) → a new 837D.
func TestClaimLoop(t *testing.T) {
	code, x12out, _ := runCLI(t, "", "837d", rec+"dependent.json", "--control-number", "300", "--at", "2026-11-27T10:00:00Z")
	if code != 0 {
		t.Fatalf("837d: exit %d", code)
	}
	var lineIDs []string
	for _, seg := range strings.Split(x12out, "~") {
		if strings.HasPrefix(seg, "REF*6R*") {
			lineIDs = append(lineIDs, strings.TrimPrefix(seg, "REF*6R*"))
		}
	}
	code, out, _ := runCLI(t, "", "835", "../../testdata/835/loop_dependent.x12")
	if code != 0 {
		t.Fatalf("835: exit %d", code)
	}
	var rep struct {
		Remittances []struct {
			Claims []struct {
				PCN      string `json:"patient_control_number"`
				ICN      string `json:"payer_claim_control_number"`
				Findings []struct {
					Category string
					Line     string `json:"line_control_number"`
					NextStep string `json:"next_step"`
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	claim := rep.Remittances[0].Claims[0]
	if !strings.Contains(x12out, "CLM*"+claim.PCN+"*") {
		t.Errorf("CLP01 %s does not match the 837D's CLM01", claim.PCN)
	}
	if len(claim.Findings) != 1 || claim.Findings[0].Category != "documentation" || claim.Findings[0].Line != lineIDs[0] {
		t.Fatalf("findings %+v, 837D lines %v", claim.Findings, lineIDs)
	}
	if !strings.Contains(claim.Findings[0].NextStep, "narrative") {
		t.Errorf("next step %q", claim.Findings[0].NextStep)
	}

	// the corrected claim
	data, _ := os.ReadFile(rec + "dependent.json")
	var r map[string]any
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	r["frequency"] = "replacement"
	r["payer_claim_number"] = claim.ICN
	r["narrative"] = "Corrected claim with the case-management narrative: " + r["narrative"].(string)
	corrected, _ := json.Marshal(r)
	code, out, errs := runCLI(t, string(corrected), "837d", "-", "--control-number", "301", "--at", "2026-12-02T10:00:00Z")
	if code != 0 {
		t.Fatalf("corrected claim: exit %d: %s", code, errs)
	}
	for _, want := range []string{"*11:B:7*", "REF*F8*" + claim.ICN + "~", "REF*6R*" + lineIDs[0] + "~"} {
		if !strings.Contains(out, want) {
			t.Errorf("corrected 837D lacks %q", want)
		}
	}
}

func TestCLIVersionAndHelp(t *testing.T) {
	if code, out, _ := runCLI(t, "", "version"); code != 0 || !strings.HasPrefix(out, "casebridge ") {
		t.Errorf("version: exit %d %q", code, out)
	}
	if code, out, _ := runCLI(t, "", "help"); code != 0 || !strings.Contains(out, "837d") {
		t.Errorf("help: exit %d", code)
	}
}
