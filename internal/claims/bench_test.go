package claims_test

import (
	"testing"

	"github.com/casebridge/casebridge/internal/claims"
	"github.com/casebridge/casebridge/internal/golden"
	"github.com/casebridge/casebridge/internal/profile"
)

// BenchmarkGenerate measures record → scrub → 837D for a two-line dependent
// claim with three attachments.
func BenchmarkGenerate(b *testing.B) {
	rec := golden.Record(b, "../../testdata/records/dependent.json")
	prof := profile.Default()
	b.ReportAllocs()
	for b.Loop() {
		res, err := claims.Generate(rec, prof, claims.Options{ControlNumber: 1, At: at})
		if err != nil || res.X12 == nil {
			b.Fatal(err, res.Problems)
		}
	}
}

// BenchmarkCheckBytes measures decode + scrub of a record as sent.
func BenchmarkCheckBytes(b *testing.B) {
	data := golden.Read(b, "../../testdata/records/dependent.json")
	prof := profile.Default()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := claims.CheckBytes(data, prof, at); err != nil {
			b.Fatal(err)
		}
	}
}
