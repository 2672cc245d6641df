package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/internal/claims"
	"github.com/casebridge/casebridge/internal/golden"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/mapping/claim837"
)

// TestMain lets a test run the binary as the CLI (CASEBRIDGE_TEST_CLI=1),
// to measure it as a process.
// With CASEBRIDGE_TEST_RSS set to a file, it writes its peak resident
// memory there (VmHWM, in KiB): the rusage of a child counts the parent's
// memory at the fork.
func TestMain(m *testing.M) {
	if os.Getenv("CASEBRIDGE_TEST_CLI") == "1" {
		code := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
		if path := os.Getenv("CASEBRIDGE_TEST_RSS"); path != "" {
			status, _ := os.ReadFile("/proc/self/status")
			for _, l := range strings.Split(string(status), "\n") {
				if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
					os.WriteFile(path, []byte(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB"))), 0o600)
				}
			}
		}
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// batchFile writes n valid records (ids B1…Bn) and the given extra lines
// (after line n) as NDJSON and returns its path.
func batchFile(t *testing.T, n int, extra ...string) string {
	t.Helper()
	base := golden.Record(t, rec+"dependent.json")
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for i := 1; i <= n; i++ {
		r := base.Clone()
		r.RecordID = fmt.Sprintf("B%d", i)
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range extra {
		buf.WriteString(l + "\n")
	}
	path := filepath.Join(t.TempDir(), "batch.ndjson")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func claimsIn(t *testing.T, x12 string) []*record.Record {
	t.Helper()
	var out []*record.Record
	if err := claim837.Read(strings.NewReader(x12), func(r *record.Record) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCLIBatch(t *testing.T) {
	path := batchFile(t, 2, `{"record_id":"X","colour":1}`, `not json`)
	env := []string{"--control-number", "12", "--at", "2026-11-27T10:00:00Z"}
	code, out, errOut := runCLI(t, "", append([]string{"837d", "--batch", path}, env...)...)
	if code != exitInvalid {
		t.Fatalf("exit %d, want 1: %s", code, errOut)
	}
	var rep claims.BatchResult
	if err := json.Unmarshal([]byte(errOut), &rep); err != nil {
		t.Fatalf("stderr is not the JSON report: %v\n%s", err, errOut)
	}
	if len(rep.Accepted) != 2 || len(rep.Refused) != 2 || rep.Refused[0].Line != 3 || rep.Refused[0].RecordID != "X" ||
		rep.Refused[0].Problems[0].Code != "UNKNOWN_FIELD" || rep.Refused[1].Line != 4 || rep.Refused[1].Problems[0].Code != "JSON_SYNTAX" {
		t.Errorf("report %+v", rep)
	}
	if rep.ControlNumbers == nil || rep.ControlNumbers.Interchange != "000000012" {
		t.Errorf("control numbers %+v", rep.ControlNumbers)
	}
	if got := claimsIn(t, out); len(got) != 2 || got[0].RecordID != "B1" || got[1].RecordID != "B2" {
		t.Errorf("stdout holds %d claims", len(got))
	}

	// all valid, from stdin: exit 0
	data, _ := os.ReadFile(batchFile(t, 3))
	code, out, errOut = runCLI(t, string(data), append([]string{"837d", "--batch", "-"}, env...)...)
	if code != exitOK || len(claimsIn(t, out)) != 3 {
		t.Errorf("stdin: exit %d, %s", code, errOut)
	}
	// nothing valid: exit 1, nothing on stdout
	code, out, _ = runCLI(t, "{}\n", append([]string{"837d", "--batch", "-"}, env...)...)
	if code != exitInvalid || out != "" {
		t.Errorf("no valid record: exit %d, stdout %q", code, out)
	}
	// unreadable, usage
	if code, _, _ := runCLI(t, "", "837d", "--batch", filepath.Join(t.TempDir(), "missing.ndjson")); code != exitUnread {
		t.Errorf("missing file: exit %d", code)
	}
	if code, _, _ := runCLI(t, "", "837d", "--batch", "--from-fhir", path); code != exitUsage {
		t.Errorf("--batch --from-fhir: exit %d", code)
	}
}

// TestCLIBatch10000InMemoryBound runs the CLI as a process on 10,000
// records: one interchange of 10,000 claims in two sets, in bounded memory.
// The bound is checked against a baseline process of the same binary run
// side by side (casebridge version: the runtime and the FHIR tables every
// command starts with), so the test measures what the batch itself holds
// and does not turn red on a machine whose baseline differs; the absolute
// peak (64 MiB target) is logged and measured by the bench script.
func TestCLIBatch10000InMemoryBound(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("peak RSS is read from Linux /proc")
	}
	if testing.Short() {
		t.Skip("short")
	}
	path := batchFile(t, 10000)
	outPath := filepath.Join(t.TempDir(), "out.x12")
	outFile, err := os.Create(outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer outFile.Close()
	peak := func(stdout io.Writer, args ...string) int64 {
		t.Helper()
		var errOut bytes.Buffer
		cmd := exec.Command(os.Args[0], args...)
		rssPath := filepath.Join(t.TempDir(), "rss")
		cmd.Env = append(os.Environ(), "CASEBRIDGE_TEST_CLI=1", "CASEBRIDGE_DATA_DIR="+t.TempDir(), "CASEBRIDGE_DATABASE_URL=", "CASEBRIDGE_TEST_RSS="+rssPath)
		cmd.Stdout, cmd.Stderr = stdout, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v: %.500s", err, errOut.String())
		}
		kib, err := os.ReadFile(rssPath)
		if err != nil {
			t.Fatal(err)
		}
		n, err := strconv.ParseInt(string(kib), 10, 64)
		if err != nil {
			t.Fatalf("VmHWM %q", kib)
		}
		return n * 1024
	}
	base := peak(io.Discard, "version")
	maxRSS := peak(outFile, "837d", "--batch", path, "--control-number", "1", "--at", "2026-11-27T10:00:00Z")
	t.Logf("peak RSS %.1f MiB (baseline process %.1f MiB)", float64(maxRSS)/(1<<20), float64(base)/(1<<20))
	if grown := maxRSS - base; grown >= 32<<20 {
		t.Errorf("the batch grew peak RSS by %.1f MiB over the baseline process; want < 32 MiB", float64(grown)/(1<<20))
	}
	x12, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(claimsIn(t, string(x12))); n != 10000 || strings.Count(string(x12), "ST*837*") != 2 {
		t.Errorf("%d claims in %d sets", n, strings.Count(string(x12), "ST*837*"))
	}
}
