package fhir_test

import (
	"testing"

	"github.com/casebridge/casebridge/adapters/fhir"
)

func BenchmarkParseBundle(b *testing.B) {
	body := read(b, "../../testdata/fhir/golden/dependent.bundle.json")
	for b.Loop() {
		if _, st, _ := fhir.Parse(body); st != fhir.Parsed {
			b.Fatal(st)
		}
	}
}
