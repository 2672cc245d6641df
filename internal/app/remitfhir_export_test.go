package app

import (
	"io"

	bcrpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"

	"github.com/casebridge/casebridge/mapping/fhirmap"
	"github.com/casebridge/casebridge/mapping/remit"
)

// SetSpoolMemory sets how much of a set's claims stays in memory before
// WriteRemitBundle's spool moves to its temporary file; it returns the
// previous value.
func SetSpoolMemory(n int) int {
	old := spoolMemory
	spoolMemory = n
	return old
}

// remitSets (test oracle) reads the 835 whole set by whole set and hands fn the Bundle of each transaction
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
