package app_test

import (
	"testing"

	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/profile"
)

func BenchmarkRecordToBundle(b *testing.B) {
	body := read(b, "../../testdata/records/dependent.json")
	prof := profile.Default()
	for b.Loop() {
		if out, _, err := app.RecordToBundle(body, prof, at, false); err != nil || out == nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClaimToX12(b *testing.B) {
	body := read(b, "../../testdata/fhir/golden/dependent.bundle.json")
	prof := profile.Default()
	for b.Loop() {
		if r := app.ClaimToX12(body, "", prof, opts()); r.Status != 200 {
			b.Fatal(r.Status)
		}
	}
}
