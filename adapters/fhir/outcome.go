package fhir

import (
	"strings"

	cpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/codes_go_proto"
	dpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/datatypes_go_proto"
	oopb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/operation_outcome_go_proto"

	"github.com/casebridge/casebridge/mapping/fhirmap"
)

// Issue is one OperationOutcome issue.
type Issue struct {
	Severity   string // fatal | error | warning | information
	Code       string // FHIR issue type: structure, required, value, code-invalid, not-supported, business-rule, …
	Rule       string // stable casebridge code (issue.details.coding), "" when none
	Expression string // FHIRPath of the element, "" when the issue is about the whole body
	// Details is a PHI-free sentence: fine in logs.
	Details string
	// Diagnostics is extra PHI-free detail for the response (it never quotes
	// the input either; jsonformat's own diagnostics, which do, are dropped
	// in Parse). It stays out of logs all the same.
	Diagnostics string
}

// Outcome is the body of every FHIR error or validation answer.
type Outcome struct {
	Issues []Issue
}

// Warnings counts warning issues.
func (o *Outcome) Warnings() int {
	n := 0
	for _, i := range o.Issues {
		if i.Severity == fhirmap.SeverityWarning {
			n++
		}
	}
	return n
}

func (o *Outcome) add(is ...Issue) { o.Issues = append(o.Issues, is...) }

// Add appends issues.
func (o *Outcome) Add(is ...Issue) { o.add(is...) }

// AddMapped appends the FHIR mapping's issues (those with a message), their
// message as details and diagnostics.
func (o *Outcome) AddMapped(is fhirmap.Issues) { o.addMapped(is) }

func (o *Outcome) addMapped(is fhirmap.Issues) {
	for _, i := range is {
		if i.Message == "" {
			continue
		}
		o.add(Issue{Severity: i.Severity, Code: i.Code, Rule: i.Rule, Expression: i.Expression, Details: i.Message, Diagnostics: i.Message})
	}
}

// LogIssue is the PHI-free view of an issue for logs.
type LogIssue struct {
	Severity   string `json:"severity"`
	Code       string `json:"code"`
	Rule       string `json:"rule,omitempty"`
	Expression string `json:"expression,omitempty"`
	Details    string `json:"details"`
}

// Log returns the issues without diagnostics. Expressions naming an unknown
// element are cut to the parent (the element name is client text).
func (o *Outcome) Log() []LogIssue {
	out := make([]LogIssue, 0, len(o.Issues))
	for _, i := range o.Issues {
		expr := i.Expression
		if i.Rule == RuleUnknownElement {
			if k := strings.LastIndexByte(expr, '.'); k > 0 {
				expr = expr[:k]
			}
		}
		out = append(out, LogIssue{Severity: i.Severity, Code: i.Code, Rule: i.Rule, Expression: expr, Details: i.Details})
	}
	return out
}

// Resource builds the OperationOutcome. An outcome without issues says so
// with one information issue (OperationOutcome.issue is 1..*).
func (o *Outcome) Resource() *oopb.OperationOutcome {
	issues := o.Issues
	if len(issues) == 0 {
		issues = []Issue{{Severity: "information", Code: fhirmap.CodeInformational, Details: "No issues found."}}
	}
	out := &oopb.OperationOutcome{}
	for _, i := range issues {
		sev, ok := cpb.IssueSeverityCode_Value_value[strings.ToUpper(i.Severity)]
		if !ok {
			sev = int32(cpb.IssueSeverityCode_ERROR)
		}
		code, ok := cpb.IssueTypeCode_Value_value[strings.ToUpper(strings.ReplaceAll(i.Code, "-", "_"))]
		if !ok {
			code = int32(cpb.IssueTypeCode_PROCESSING)
		}
		pi := &oopb.OperationOutcome_Issue{
			Severity: &oopb.OperationOutcome_Issue_SeverityCode{Value: cpb.IssueSeverityCode_Value(sev)},
			Code:     &oopb.OperationOutcome_Issue_CodeType{Value: cpb.IssueTypeCode_Value(code)},
		}
		if i.Details != "" || i.Rule != "" {
			pi.Details = &dpb.CodeableConcept{}
			if i.Rule != "" {
				pi.Details.Coding = []*dpb.Coding{{System: &dpb.Uri{Value: fhirmap.CodeSystemRule}, Code: &dpb.Code{Value: i.Rule}}}
			}
			if i.Details != "" {
				pi.Details.Text = &dpb.String{Value: i.Details}
			}
		}
		if d := strings.TrimSpace(i.Diagnostics); d != "" {
			pi.Diagnostics = &dpb.String{Value: d}
		}
		if i.Expression != "" {
			pi.Expression = []*dpb.String{{Value: i.Expression}}
		}
		out.Issue = append(out.Issue, pi)
	}
	return out
}

// SimpleOutcome is the OperationOutcome of a gateway-level failure (route
// not found, method not allowed, body too large, internal error): one issue
// whose FHIR code follows the HTTP status. detail must be PHI-free.
func SimpleOutcome(status int, detail string) ([]byte, error) {
	code := "processing"
	switch status {
	case 400:
		code = "structure"
	case 404:
		code = "not-found"
	case 405, 415:
		code = "not-supported"
	case 413:
		code = "too-costly"
	case 500:
		code = "exception"
	}
	sev := "error"
	if status >= 500 {
		sev = "fatal"
	}
	o := &Outcome{}
	o.add(Issue{Severity: sev, Code: code, Details: detail})
	return Marshal(o.Resource(), false)
}
