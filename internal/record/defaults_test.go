package record_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/casebridge/casebridge/internal/record"
)

// TestFillDefaultsIsWithDefaults: filling in place gives the record
// WithDefaults gives as a copy, for every sample record, and a filled
// record is its own Defaulted (no copy).
func TestFillDefaultsIsWithDefaults(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/records/*.json")
	if len(files) == 0 {
		t.Fatal("no sample records")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rec, probs, err := record.DecodeBytes(data)
		if err != nil || probs.HasErrors() {
			continue // not a valid record (a batch or an invalid sample)
		}
		want := rec.WithDefaults()
		rec.FillDefaults()
		if !reflect.DeepEqual(rec, want) {
			t.Errorf("%s: FillDefaults %+v\nWithDefaults %+v", f, rec, want)
		}
		if rec.Defaulted() != rec {
			t.Errorf("%s: a filled record is copied by Defaulted", f)
		}
	}
}

func TestWarningCount(t *testing.T) {
	w := record.Problem{Severity: record.SeverityWarning}
	e := record.Problem{Severity: record.SeverityError}
	for _, ps := range []record.Problems{nil, {e}, {w}, {e, w, w}, {w, e}} {
		if got, want := ps.WarningCount(), len(ps.Warnings()); got != want {
			t.Errorf("%+v: WarningCount %d, Warnings %d", ps, got, want)
		}
	}
}
