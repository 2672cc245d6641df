package app

import (
	"bytes"
	"io"

	"github.com/casebridge/casebridge/mapping/fhirmap"
	"github.com/casebridge/casebridge/mapping/remit"
)

// RemitToBundle is the whole
// 835 as one collection Bundle whose entries are the per-set Bundles
// (one per transaction set), in memory as JSON (WriteRemitBundle into a
// buffer: the output is held, the mapping one claim's resources at a
// time). Nothing is returned on a read error.
func RemitToBundle(r io.Reader, ro remit.Options, opts fhirmap.RemitOptions, indent bool) ([]byte, []remit.Warning, error) {
	var buf bytes.Buffer
	st, err := WriteRemitBundle(&buf, r, ro, opts, indent)
	if err != nil {
		return nil, st.Warnings, err
	}
	return buf.Bytes(), st.Warnings, nil
}
