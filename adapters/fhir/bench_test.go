package fhir_test

import (
	"bytes"
	"testing"

	"github.com/casebridge/casebridge/adapters/fhir"
	"github.com/casebridge/casebridge/mapping/fhirmap"
	"github.com/casebridge/casebridge/mapping/remit"
)

func BenchmarkParseBundle(b *testing.B) {
	body := read(b, "../../testdata/fhir/golden/dependent.bundle.json")
	for b.Loop() {
		if _, st, _ := fhir.Parse(body); st != fhir.Parsed {
			b.Fatal(st)
		}
	}
}

func BenchmarkRemitToBundle(b *testing.B) {
	body := read(b, "../../testdata/835/d9997_dental.x12")
	for b.Loop() {
		if _, _, err := fhir.RemitToBundle(bytes.NewReader(body), remit.Options{}, fhirmap.RemitOptions{At: at}, false); err != nil {
			b.Fatal(err)
		}
	}
}
