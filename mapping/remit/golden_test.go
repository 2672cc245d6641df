package remit_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/internal/golden"
	"github.com/casebridge/casebridge/mapping/remit"
)

const testdata = "../../testdata/835"

// goldenInputs lists every readable 835 of testdata/835: our own files and
// the public copies. testdata/835/invalid holds inputs that must fail.
func goldenInputs(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, pat := range []string{"*.x12", "public/*.x12"} {
		m, err := filepath.Glob(filepath.Join(testdata, pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 18 {
		t.Fatalf("only %d 835 files under %s", len(files), testdata)
	}
	return files
}

func buildReport(t testing.TB, path string) *remit.Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := remit.BuildReport(f, remit.Options{})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rep
}

// TestGoldenReports compares each report with its checked-in JSON. Run
// `go test ./mapping/remit -update` to rewrite them, then read the diff.
func TestGoldenReports(t *testing.T) {
	for _, in := range goldenInputs(t) {
		rel, _ := filepath.Rel(testdata, in)
		t.Run(rel, func(t *testing.T) {
			rep := buildReport(t, in)
			got, err := json.MarshalIndent(rep, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden.Check(t, strings.TrimSuffix(in, ".x12")+".json", got)
		})
	}
}

// TestGoldenTable pins the people-facing table of the D9997 sample.
func TestGoldenTable(t *testing.T) {
	rep := buildReport(t, filepath.Join(testdata, "d9997_dental.x12"))
	var buf bytes.Buffer
	if err := remit.WriteTable(&buf, rep); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join(testdata, "d9997_dental.table.txt"), buf.Bytes())
}

// TestPublicCopies checks the public samples are byte-for-byte copies of
// the shared originals (skipped where the shared folder is not around).
func TestPublicCopies(t *testing.T) {
	shared := "../../../shared/testdata/public"
	if _, err := os.Stat(shared); err != nil {
		t.Skip("shared testdata not present")
	}
	orig, _ := filepath.Glob(filepath.Join(shared, "*835*.x12"))
	if len(orig) != 12 {
		t.Fatalf("%d shared 835 samples, want 12", len(orig))
	}
	for _, o := range orig {
		a, _ := os.ReadFile(o)
		b, err := os.ReadFile(filepath.Join(testdata, "public", filepath.Base(o)))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s: copy missing or changed (%v)", filepath.Base(o), err)
		}
	}
}
