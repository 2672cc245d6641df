package fhirmap

import "github.com/casebridge/casebridge/internal/codes"

// SetCodeLookups stands in CARC, RARC and PLB tables (nil keeps the
// current one) until the returned restore is called. Tests only; not safe
// beside parallel tests.
func SetCodeLookups(carc, rarc, plb func(string) (codes.Info, bool)) (restore func()) {
	oc, or, op := lookupCARC, lookupRARC, lookupPLB
	if carc != nil {
		lookupCARC = carc
	}
	if rarc != nil {
		lookupRARC = rarc
	}
	if plb != nil {
		lookupPLB = plb
	}
	return func() { lookupCARC, lookupRARC, lookupPLB = oc, or, op }
}
