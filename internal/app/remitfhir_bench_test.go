package app_test

import (
	"bytes"
	"testing"

	dpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/datatypes_go_proto"
	bcrpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"

	"github.com/casebridge/casebridge/adapters/fhir"
	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/mapping/fhirmap"
	"github.com/casebridge/casebridge/mapping/remit"
)

func BenchmarkRemitToBundle(b *testing.B) {
	body := read(b, "../../testdata/835/d9997_dental.x12")
	for b.Loop() {
		if _, _, err := app.RemitToBundle(bytes.NewReader(body), remit.Options{}, fhirmap.RemitOptions{At: at}, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRemitMarshalOnly is google/fhir's own marshal of the Bundle
// BenchmarkRemitToBundle writes (same 835, same options): the ratio of
// the two is the mapping's overhead (issue 8: at most 1.5×).
func BenchmarkRemitMarshalOnly(b *testing.B) {
	body := read(b, "../../testdata/835/d9997_dental.x12")
	outer := &bcrpb.Bundle{}
	if _, err := remit.Read(bytes.NewReader(body), remit.Options{}, func(tx *remit.Transaction) error {
		inner, _ := fhirmap.RemitBundle(tx, fhirmap.RemitOptions{At: at})
		outer.Entry = append(outer.Entry, &bcrpb.Bundle_Entry{
			FullUrl:  &dpb.Uri{Value: "urn:uuid:" + inner.GetId().GetValue()},
			Resource: &bcrpb.ContainedResource{OneofResource: &bcrpb.ContainedResource_Bundle{Bundle: inner}},
		})
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fhir.Marshal(outer, false); err != nil {
			b.Fatal(err)
		}
	}
}
