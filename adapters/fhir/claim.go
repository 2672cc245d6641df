package fhir

import (
	"errors"
	"time"

	"github.com/casebridge/casebridge/internal/claims"
	"github.com/casebridge/casebridge/internal/profile"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/mapping/fhirmap"
)

// Response is what an endpoint function answers: write Status, ContentType
// and Body as they are. Outcome holds the issues behind the answer (also the
// warnings of a success) for headers and logs.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
	Outcome     *Outcome
	// Cause is the PHI-free cause of a 5xx answer, for the log (e.g. the
	// control-number allocator's error); nil otherwise.
	Cause error
	// unreadable is true when the body could not be read as FHIR at all.
	unreadable bool
}

// Log is the PHI-free list of issues for the request log.
func (r Response) Log() []LogIssue {
	if r.Outcome == nil {
		return nil
	}
	return r.Outcome.Log()
}

// Warnings counts the warnings of the answer (for a Casebridge-Warnings
// header).
func (r Response) Warnings() int {
	if r.Outcome == nil {
		return 0
	}
	return r.Outcome.Warnings()
}

// ExitCode maps the answer to the CLI exit codes: 0 success, 1 the input was
// read but has errors, 2 the input could not be read, 70 the machine failed
// (no control number could be allocated).
func (r Response) ExitCode() int {
	switch {
	case r.Status < 300:
		return 0
	case r.Status >= 500:
		return 70
	case r.unreadable:
		return 2
	}
	return 1
}

// outcomeResponse answers with an OperationOutcome.
func outcomeResponse(status int, o *Outcome) Response {
	body, err := Marshal(o.Resource(), false)
	if err != nil {
		return Response{Status: 500, Outcome: o}
	}
	return Response{Status: status, ContentType: ContentTypeFHIR, Body: body, Outcome: o}
}

// unsupportedType is the 415 answer to a body that is not FHIR JSON.
func unsupportedType() Response {
	o := &Outcome{}
	o.add(Issue{Severity: "error", Code: fhirmap.CodeNotSupported, Rule: RuleContentType,
		Details: "Send the resource as application/fhir+json (or application/json)."})
	return outcomeResponse(415, o)
}

// readClaim parses the body and maps the Claim or Bundle to a record. A nil
// Mapped comes with the response to send.
func readClaim(body []byte, contentType string) (*fhirmap.Mapped, *Outcome, *Response) {
	if !AcceptableContentType(contentType) {
		r := unsupportedType()
		return nil, nil, &r
	}
	res, st, out := Parse(body)
	if st != Parsed {
		r := outcomeResponse(st.HTTPStatus(), out)
		r.unreadable = st == NotJSON || st == NotFHIR || st == TooLarge
		return nil, nil, &r
	}
	m := fhirmap.FromResource(res)
	out.addMapped(m.Issues)
	if m.Record == nil {
		r := outcomeResponse(400, out)
		return nil, nil, &r
	}
	return m, out, nil
}

// ClaimToX12 is POST /fhir/Claim/$x12: a Claim with contained resources, or
// a collection Bundle with the Claim first, becomes the 837D through the
// same scrubber and writer (claims.Generate) and profile as a case record.
// Success is 200 with application/edi-x12; otherwise an OperationOutcome:
// 415 wrong media type, 400 not JSON / not FHIR / not a Claim or Bundle, 422
// invalid FHIR or a claim the D9997 mapping or the scrubber refuses.
func ClaimToX12(body []byte, contentType string, prof *profile.Profile, opts claims.Options) Response {
	m, out, resp := readClaim(body, contentType)
	if resp != nil {
		return *resp
	}
	if m.Issues.HasErrors() {
		out.addMapped(m.Problems(claims.Check(m.Record, prof, opts.At)))
		return outcomeResponse(422, out)
	}
	res, err := claims.Generate(m.Record, prof, opts)
	if errors.Is(err, claims.ErrControlNumber) {
		out.add(Issue{Severity: "fatal", Code: "exception", Rule: "CONTROL_NUMBER", Details: "No control number could be allocated."})
		r := outcomeResponse(500, out)
		r.Cause = err
		return r
	}
	if err != nil {
		out.add(Issue{Severity: "error", Code: "processing", Rule: "ENVELOPE_OPTIONS", Details: err.Error()})
		return outcomeResponse(400, out)
	}
	out.addMapped(m.Problems(res.Problems))
	if res.X12 == nil {
		return outcomeResponse(422, out)
	}
	return Response{Status: 200, ContentType: ContentTypeX12, Body: res.X12, Outcome: out}
}

// ValidateClaim is POST /fhir/Claim/$validate: 200 with an OperationOutcome
// whenever validation ran (FHIR errors, mapping issues and scrub problems
// are all issues in it); 415 for a wrong media type, 400 when the body is
// not JSON at all and 413 when it is over MaxBodyBytes.
func ValidateClaim(body []byte, contentType string, prof *profile.Profile, today time.Time) Response {
	if !AcceptableContentType(contentType) {
		return unsupportedType()
	}
	res, st, out := Parse(body)
	switch st {
	case NotJSON, TooLarge:
		r := outcomeResponse(st.HTTPStatus(), out)
		r.unreadable = true
		return r
	case Parsed:
		m := fhirmap.FromResource(res)
		out.addMapped(m.Issues)
		if m.Record != nil {
			out.addMapped(m.Problems(claims.Check(m.Record, prof, today)))
		}
	}
	return outcomeResponse(200, out)
}

// RecordToBundle is POST /v1/claims/fhir and `casebridge fhir`: a case
// record (JSON) becomes the collection Bundle. err is a *record.SyntaxError
// when body is not a JSON object. probs holds the decode and scrub problems;
// when it has errors out is nil and the caller answers them (problem JSON).
func RecordToBundle(body []byte, prof *profile.Profile, at time.Time, indent bool) (out []byte, probs record.Problems, err error) {
	rec, probs, err := record.DecodeBytes(body)
	if err != nil || probs.HasErrors() {
		return nil, probs, err
	}
	return RecordBundle(rec, prof, at, indent)
}

// RecordBundle scrubs a decoded record and writes its Bundle; Claim.created
// and Bundle.timestamp are at.
func RecordBundle(rec *record.Record, prof *profile.Profile, at time.Time, indent bool) ([]byte, record.Problems, error) {
	probs := claims.Check(rec, prof, at)
	if probs.HasErrors() {
		return nil, probs, nil
	}
	b, err := fhirmap.ToBundle(rec, at)
	if err != nil {
		return nil, probs, err
	}
	out, err := Marshal(b, indent)
	return out, probs, err
}
