package fhirmap

import (
	"strings"

	"github.com/casebridge/casebridge/internal/record"
)

// Issue severities (OperationOutcome.issue.severity).
const (
	SeverityError       = "error"
	SeverityWarning     = "warning"
	SeverityInformation = "information"
)

// Issue types used here (OperationOutcome.issue.code, FHIR value set
// issue-type).
const (
	CodeStructure     = "structure"
	CodeRequired      = "required"
	CodeValue         = "value"
	CodeCodeInvalid   = "code-invalid"
	CodeNotSupported  = "not-supported"
	CodeNotFound      = "not-found"
	CodeBusinessRule  = "business-rule"
	CodeInformational = "informational"
)

// Issue is one finding about a posted Claim or Bundle. Message never quotes
// input values, so an Issue is fine in logs as well as in responses.
type Issue struct {
	Severity   string // error | warning | information
	Code       string // FHIR issue type
	Rule       string // stable casebridge code: FHIR_* from mapping, scrubber codes otherwise
	Expression string // FHIRPath of the element concerned, e.g. Claim.item[0].productOrService
	Message    string
	// Pointer is the record field the issue concerns ("" for none). A scrub
	// problem at or under the pointer of a mapping error is not repeated.
	Pointer string
}

// Issues is a list of issues.
type Issues []Issue

// HasErrors reports whether any issue is an error.
func (is Issues) HasErrors() bool {
	for _, i := range is {
		if i.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Mapped is a record read from FHIR: the record in Canonical form (partial
// when Issues has errors), the mapping issues, and where each record field
// came from so that later problems can be located in the FHIR input.
type Mapped struct {
	Record *record.Record
	Issues Issues
	paths  map[string]string
	covers []string // record pointers whose content a mapping error hides
}

// Expression returns the FHIRPath that pointer (an RFC 6901 pointer into
// the record) came from: the longest registered prefix, else the root.
func (m *Mapped) Expression(pointer string) string {
	for p := pointer; ; {
		if e, ok := m.paths[p]; ok {
			return e
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			return m.paths[""]
		}
		p = p[:i]
	}
}

// Problems turns scrubber problems about m.Record into issues located in
// the FHIR input. A problem at or under the pointer of a mapping error is
// dropped: the mapping issue already says what is wrong there.
func (m *Mapped) Problems(ps record.Problems) Issues {
	var out Issues
	for _, p := range ps {
		if m.covered(p.Pointer) {
			continue
		}
		sev := SeverityError
		if p.Severity != record.SeverityError {
			sev = SeverityWarning
		}
		out = append(out, Issue{Severity: sev, Code: problemCode(p), Rule: p.Code,
			Expression: m.Expression(p.Pointer), Message: p.Message, Pointer: p.Pointer})
	}
	return out
}

func (m *Mapped) covered(ptr string) bool {
	for _, c := range m.covers {
		if ptr == c || strings.HasPrefix(ptr, c+"/") {
			return true
		}
	}
	return false
}

// problemCode picks the FHIR issue type of a scrubber problem.
func problemCode(p record.Problem) string {
	c := p.Code
	switch {
	case p.Severity != record.SeverityError:
		return CodeInformational
	case c == "REQUIRED" || strings.HasSuffix(c, "_REQUIRED") || strings.HasSuffix(c, "_MISSING"):
		return CodeRequired
	case strings.HasSuffix(c, "_INVALID") || strings.HasSuffix(c, "_FORMAT") || strings.HasSuffix(c, "_CHECK_DIGIT") ||
		strings.HasPrefix(c, "ID_") || c == "TOO_LONG" || c == "CHARGE_PRECISION" || c == "MONEY_INVALID" || c == "TYPE_MISMATCH":
		return CodeValue
	case c == "CODE_NOT_CASE_MANAGEMENT" || c == "CODE_LOOKALIKE":
		return CodeCodeInvalid
	}
	return CodeBusinessRule
}
