// Package golden compares test output with files in testdata and loads
// test inputs. Run the tests
// with -update to rewrite the files, then read the diff before committing.
// Only tests import it.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/internal/record"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// Check compares got with the file at path (rewriting it under -update) and
// reports the first differing line.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file missing (run the test with -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run with -update if the change is intended):\n%s", path, FirstDiff(string(want), string(got)))
	}
}

// FirstDiff describes the first line where two texts differ.
func FirstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n want: " + wl + "\n  got: " + gl
		}
	}
	return "(same lines, different bytes)"
}

// Read returns the file at path or fails the test.
func Read(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Record decodes the case record at path and fails the test unless it
// decodes without problems.
func Record(t testing.TB, path string) *record.Record {
	t.Helper()
	rec, probs, err := record.DecodeBytes(Read(t, path))
	if err != nil || probs.HasErrors() {
		t.Fatalf("%s: %v %v", path, err, probs)
	}
	return rec
}

// controlNumbers fixes the control number each record of testdata/records
// is written with in its 837D golden, so that adding a record does not
// renumber the goldens of the others.
var controlNumbers = map[string]int{
	"dependent":          1001,
	"replacement":        1002,
	"self":               1003,
	"void":               1004,
	"individual-nursing": 1005,
}

// ControlNumber returns the control number of the 837D golden of the record
// named name (its file name without .json), failing the test when the record
// has none yet.
func ControlNumber(t testing.TB, name string) int {
	t.Helper()
	cn, ok := controlNumbers[name]
	if !ok {
		t.Fatalf("give testdata/records/%s.json a control number in internal/golden", name)
	}
	return cn
}
