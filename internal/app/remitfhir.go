package app

import (
	"bytes"
	"io"

	bcrpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"

	"github.com/casebridge/casebridge/mapping/fhirmap"
	"github.com/casebridge/casebridge/mapping/remit"
)

// remitSets streams the 835 and hands fn the Bundle of each transaction
// set; the warnings are the reader's, then the mapping's.
func remitSets(r io.Reader, ro remit.Options, opts fhirmap.RemitOptions, fn func(*bcrpb.Bundle) error) ([]remit.Warning, error) {
	var mapWarnings []remit.Warning
	warnings, err := remit.Read(r, ro, func(tx *remit.Transaction) error {
		b, w := fhirmap.RemitBundle(tx, opts)
		mapWarnings = append(mapWarnings, w...)
		return fn(b)
	})
	return append(warnings, mapWarnings...), err
}

// RemitToBundle is POST /v1/remittances/findings?format=fhir: the whole
// 835 as one collection Bundle whose entries are the per-set Bundles
// (one per transaction set), in memory as JSON (WriteRemitBundle into a
// buffer: one set's protos at a time). Nothing is returned on a read error.
func RemitToBundle(r io.Reader, ro remit.Options, opts fhirmap.RemitOptions, indent bool) ([]byte, []remit.Warning, error) {
	var buf bytes.Buffer
	st, err := WriteRemitBundle(&buf, r, ro, opts, indent)
	if err != nil {
		return nil, st.Warnings, err
	}
	return buf.Bytes(), st.Warnings, nil
}
