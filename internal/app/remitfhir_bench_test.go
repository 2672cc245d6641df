package app_test

import (
	"bytes"
	"testing"

	dpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/datatypes_go_proto"
	bcrpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"

	"github.com/casebridge/casebridge/adapters/fhir"
	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/cpuclock"
	"github.com/casebridge/casebridge/internal/gen835"
	"github.com/casebridge/casebridge/mapping/fhirmap"
	"github.com/casebridge/casebridge/mapping/remit"
)

// remitBenchInputs: the sample 835, and one generated set of 2,000 claims
// (its claims go through the spool's temporary file).
func remitBenchInputs(b *testing.B) []struct {
	name string
	body []byte
} {
	var g bytes.Buffer
	if _, err := gen835.Write(&g, gen835.Config{Sets: 1, ClaimsPerSet: 2000, Seed: 8}); err != nil {
		b.Fatal(err)
	}
	return []struct {
		name string
		body []byte
	}{{"d9997_dental", read(b, "../../testdata/835/d9997_dental.x12")}, {"one_set_2000", g.Bytes()}}
}

func BenchmarkRemitToBundle(b *testing.B) {
	for _, in := range remitBenchInputs(b) {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.body)))
			clock := cpuclock.Start(b)
			for b.Loop() {
				if _, _, err := app.RemitToBundle(bytes.NewReader(in.body), remit.Options{}, fhirmap.RemitOptions{At: at}, false); err != nil {
					b.Fatal(err)
				}
			}
			clock.Report(b, len(in.body))
		})
	}
}

// BenchmarkRemitMarshalOnly is google/fhir's own marshal of the Bundle
// BenchmarkRemitToBundle writes (same 835, same options): the ratio of
// the two is the mapping's overhead (issue 8: at most 1.5×).
func BenchmarkRemitMarshalOnly(b *testing.B) {
	for _, in := range remitBenchInputs(b) {
		b.Run(in.name, func(b *testing.B) {
			outer := &bcrpb.Bundle{}
			if _, err := remit.Read(bytes.NewReader(in.body), remit.Options{}, func(tx *remit.Transaction) error {
				inner, _ := fhirmap.RemitBundle(tx, fhirmap.RemitOptions{At: at})
				outer.Entry = append(outer.Entry, &bcrpb.Bundle_Entry{
					FullUrl:  &dpb.Uri{Value: "urn:uuid:" + inner.GetId().GetValue()},
					Resource: &bcrpb.ContainedResource{OneofResource: &bcrpb.ContainedResource_Bundle{Bundle: inner}},
				})
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(in.body)))
			b.ReportAllocs()
			clock := cpuclock.Start(b)
			for b.Loop() {
				if _, err := fhir.Marshal(outer, false); err != nil {
					b.Fatal(err)
				}
			}
			clock.Report(b, len(in.body))
		})
	}
}
