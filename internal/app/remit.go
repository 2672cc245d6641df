package app

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/codes"
	"github.com/casebridge/casebridge/mapping/fhirmap"
	"github.com/casebridge/casebridge/mapping/remit"
)

// The 835 use cases the edges call (casebridge 835, POST
// /v1/remittances/findings): findings streamed as JSON or ndjson, the
// table for people, and the ClaimResponse Bundles (remitfhir*.go). The
// edges parse, call these and render; mapping/remit's doc.go says what
// the reports hold and how an error after output began ends them.

// RemitWarning is a problem that does not stop the reading of an 835 (the
// reader's or the FHIR mapping's).
type RemitWarning = remit.Warning

// RemitWarningsOmitted is the code of the warning that stands for the
// warnings of one code past the first remit.MaxWarningsPerCode; its
// Omitted counts them.
const RemitWarningsOmitted = remit.WarnWarningsOmitted

// RemitWarningCount is the number of warnings a list stands for, listed or
// not (remit.WarningCount): what every count of 835 warnings reports.
func RemitWarningCount(ws []RemitWarning) int { return remit.WarningCount(ws) }

// RemitReport is the findings report of a whole 835 (FindingsReport).
type RemitReport = remit.Report

// FindingsResult counts what WriteFindings wrote: remittances (ST/SE
// sets), claims and the warnings.
type FindingsResult = remit.Totals

// FindingsOptions choose WriteFindings' output.
type FindingsOptions struct {
	// Format is "json" (one document) or "ndjson" (one object a line).
	Format string
	// Indent indents the JSON document (the CLI); the HTTP API's is
	// compact. ndjson is never indented.
	Indent bool
	// OnClaim, if not nil, is called before each claim is written (the
	// CLI's memory limit follows the live heap with it).
	OnClaim func()
}

// WriteFindings reads an 835 and writes its findings report to w as it is
// made, so memory stays at about two claims whatever the size of the
// input. The first 64 KiB are buffered: a read error before anything went
// out to w leaves w untouched; after, the output ends with an "error"
// member (json) or line (ndjson). Either way the error is returned:
// Unreadable tells the input's fault (CLI exit 2, HTTP 422) from a
// failure to read or write.
func WriteFindings(r io.Reader, w io.Writer, o FindingsOptions) (FindingsResult, error) {
	var fw remit.Writer
	switch o.Format {
	case "json":
		fw = remit.NewJSONWriter(w, o.Indent)
	case "ndjson":
		fw = remit.NewNDJSONWriter(w)
	default:
		return FindingsResult{}, fmt.Errorf("findings format %q: want json or ndjson", o.Format)
	}
	if o.OnClaim != nil {
		fw = &claimHook{Writer: fw, fn: o.OnClaim}
	}
	return remit.WriteFindings(r, remit.Options{}, fw)
}

// claimHook calls fn before each claim is written.
type claimHook struct {
	remit.Writer
	fn func()
}

func (h *claimHook) Claim(rem *remit.Remittance, c *remit.ClaimReport) error {
	h.fn()
	return h.Writer.Claim(rem, c)
}

// FindingsReport reads a whole 835 and returns its findings report (for
// WriteFindingsTable), or no report and the error when it cannot be read.
func FindingsReport(r io.Reader) (*RemitReport, error) {
	return remit.BuildReport(r, remit.Options{})
}

// WriteFindingsTable prints a findings report for people.
func WriteFindingsTable(w io.Writer, rep *RemitReport) error {
	return remit.WriteTable(w, rep)
}

// StreamRemitFHIR is POST /v1/remittances/findings?format=fhir: what
// RemitToBundle returns (Bundle.timestamp at), written to w as it is made.
// The 835 is the request body, held whole within the gateway's body limit,
// and it is read once before the first byte goes out (≈ 1/100 of the
// mapping's time): an unreadable 835 is a positioned error with nothing
// written (HTTP 422), never a 200 whose Bundle stops half-way. An error
// after that (an I/O error of the spool, a write error) comes with
// st.Started telling whether output began.
func StreamRemitFHIR(w io.Writer, x12 []byte, at time.Time) (st RemitStream, err error) {
	if _, err := remit.Check(bytes.NewReader(x12), remit.Options{}); err != nil {
		return RemitStream{}, err
	}
	return WriteRemitBundle(w, bytes.NewReader(x12), remit.Options{}, fhirmap.RemitOptions{At: at}, false)
}

// WriteRemitFHIR is casebridge 835 --format fhir: WriteRemitBundle with
// Bundle.timestamp at. After a read error, st.Started tells whether the
// output was cut short.
func WriteRemitFHIR(w io.Writer, r io.Reader, at time.Time, indent bool) (st RemitStream, err error) {
	return WriteRemitBundle(w, r, remit.Options{}, fhirmap.RemitOptions{At: at}, indent)
}

// Unreadable reports whether err, from reading an 835, is the input's
// fault: a positioned *x12.Error (CLI exit 2, HTTP 422; the findings
// output, if it began, ends with it). Anything else is not (a write
// error, say).
func Unreadable(err error) bool {
	var xe *x12.Error
	return errors.As(err, &xe)
}

// LoadCodes installs the operator's official CARC/RARC/PLB lists from dir
// (carc.tsv, rarc.tsv, plb.tsv; see internal/codes.LoadDir: "" goes back
// to the built-in lists). The error names the file and line.
func LoadCodes(dir string) error {
	return codes.LoadDir(dir)
}
