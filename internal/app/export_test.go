package app

// Test-only entry points: the per-set Bundles and the whole-Bundle oracle
// that the streamed FHIR output is compared with byte for byte. They build
// only with the tests, so the product carries no second path.

import (
	"io"
	"strings"
	"time"

	"github.com/google/uuid"

	cpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/codes_go_proto"
	dpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/datatypes_go_proto"
	bcrpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"

	"github.com/casebridge/casebridge/adapters/fhir"
	"github.com/casebridge/casebridge/mapping/fhirmap"
	"github.com/casebridge/casebridge/mapping/remit"
)

// RemitBundles streams an 835: fn gets the FHIR JSON of one collection
// Bundle (PaymentReconciliation, ClaimResponses, Organizations) per ST/SE
// transaction set, as soon as the set is read, so memory stays at one set.
// The warnings are the 835 reader's plus the FHIR mapping's. err is the
// reader's positioned *x12.Error when the input is not a readable 835 (exit
// code 2, HTTP 422), or fn's error.
func RemitBundles(r io.Reader, ro remit.Options, opts fhirmap.RemitOptions, indent bool, fn func(bundle []byte) error) ([]remit.Warning, error) {
	return remitSets(r, ro, opts, func(b *bcrpb.Bundle) error {
		data, err := fhir.Marshal(b, indent)
		if err != nil {
			return err
		}
		return fn(data)
	})
}

// RemitToBundleWhole is RemitToBundle as it was before streaming: the whole
// outer Bundle built in memory, then marshalled. Tests compare it with
// WriteRemitBundle.
func RemitToBundleWhole(r io.Reader, ro remit.Options, opts fhirmap.RemitOptions, indent bool) ([]byte, []remit.Warning, error) {
	outer := &bcrpb.Bundle{
		Type:      &bcrpb.Bundle_TypeCode{Value: cpb.BundleTypeCode_COLLECTION},
		Timestamp: &dpb.Instant{ValueUs: opts.At.UTC().Truncate(time.Second).UnixMicro(), Precision: dpb.Instant_SECOND, Timezone: "Z"},
	}
	var ids []string
	warnings, err := remitSets(r, ro, opts, func(b *bcrpb.Bundle) error {
		id := b.GetId().GetValue()
		ids = append(ids, id)
		outer.Entry = append(outer.Entry, &bcrpb.Bundle_Entry{
			FullUrl:  &dpb.Uri{Value: "urn:uuid:" + id},
			Resource: &bcrpb.ContainedResource{OneofResource: &bcrpb.ContainedResource_Bundle{Bundle: b}},
		})
		return nil
	})
	if err != nil {
		return nil, warnings, err
	}
	id := uuid.NewSHA1(uuid.NameSpaceURL, []byte(fhirmap.Base+"835/"+strings.Join(ids, "/"))).String()
	outer.Id = &dpb.Id{Value: id}
	outer.Identifier = &dpb.Identifier{System: &dpb.Uri{Value: fhirmap.SystemURI}, Value: &dpb.String{Value: "urn:uuid:" + id}}
	out, err := fhir.Marshal(outer, indent)
	return out, warnings, err
}
