package fhir

import "github.com/casebridge/casebridge/mapping/fhirmap"

// Response is a FHIR endpoint's answer, as internal/app builds it: write
// Status, ContentType and Body as they are. Outcome holds the issues behind
// the answer (also the warnings of a success) for headers and logs.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
	Outcome     *Outcome
	// Cause is the PHI-free cause of a 5xx answer, for the log (e.g. the
	// control-number allocator's error); nil otherwise.
	Cause error
	// Unreadable is true when the body could not be read as FHIR at all.
	Unreadable bool
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
	case r.Unreadable:
		return 2
	}
	return 1
}

// OutcomeResponse answers with an OperationOutcome.
func OutcomeResponse(status int, o *Outcome) Response {
	body, err := Marshal(o.Resource(), false)
	if err != nil {
		return Response{Status: 500, Outcome: o}
	}
	return Response{Status: status, ContentType: ContentTypeFHIR, Body: body, Outcome: o}
}

// UnsupportedType is the 415 answer to a body that is not FHIR JSON.
func UnsupportedType() Response {
	o := &Outcome{}
	o.add(Issue{Severity: "error", Code: fhirmap.CodeNotSupported, Rule: RuleContentType,
		Details: "Send the resource as application/fhir+json (or application/json)."})
	return OutcomeResponse(415, o)
}

// ParseFailed is the answer to a body Parse did not read (st is not Parsed):
// an OperationOutcome with the parse's status; Unreadable when the body is
// not JSON, not FHIR or too large.
func ParseFailed(st ParseStatus, o *Outcome) Response {
	r := OutcomeResponse(st.HTTPStatus(), o)
	r.Unreadable = st == NotJSON || st == NotFHIR || st == TooLarge
	return r
}
