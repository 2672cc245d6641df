// Package fhir is the FHIR R4 JSON edge of casebridge: every FHIR byte in or
// out goes through google/fhir/go's jsonformat here. It reads posted JSON
// with the validating unmarshaller and turns every failure into an
// OperationOutcome (with PHI-free details for logs kept apart), writes
// resources, and offers one function per endpoint that an HTTP handler (or
// the CLI) calls with the body and gets a status, a content type and bytes
// back. It does not import Gin.
package fhir

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"reflect"
	"regexp"
	"strings"
	"sync"

	"github.com/google/fhir/go/fhirversion"
	"github.com/google/fhir/go/jsonformat"
	bcrpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"
	"google.golang.org/protobuf/proto"

	"github.com/casebridge/casebridge/mapping/fhirmap"
)

// Media types.
const (
	ContentTypeFHIR = "application/fhir+json"
	ContentTypeJSON = "application/json"
	ContentTypeX12  = "application/edi-x12"
)

// MaxBodyBytes is the largest body Parse reads (callers answer 413 above it).
const MaxBodyBytes = 8 << 20

// maxNesting bounds how deep a posted resource may nest.
const maxNesting = 64

// Rules (issue.details codes) of the parse step.
const (
	RuleNotJSON         = "FHIR_NOT_JSON"
	RuleUnknownElement  = "FHIR_UNKNOWN_ELEMENT"
	RuleUnknownResource = "FHIR_UNKNOWN_RESOURCE"
	RuleStructure       = "FHIR_STRUCTURE"
	RuleBadValue        = "FHIR_BAD_VALUE"
	RuleBadCode         = "FHIR_BAD_CODE"
	RuleRequired        = "FHIR_REQUIRED_ELEMENT"
	RuleReferenceType   = "FHIR_REFERENCE_TYPE"
	RuleContentType     = "FHIR_CONTENT_TYPE"
	RuleTooLarge        = "FHIR_TOO_LARGE"
)

var (
	codecOnce   sync.Once
	unmarshal   *jsonformat.Unmarshaller
	compact     *jsonformat.Marshaller
	pretty      *jsonformat.Marshaller
	errCodecNew error
)

// codec builds the shared (race-free, spec/fhir.md §10.5 #13) marshallers
// once. Dates without a zone are read in UTC.
func codec() error {
	codecOnce.Do(func() {
		var errs [3]error
		unmarshal, errs[0] = jsonformat.NewUnmarshaller("UTC", fhirversion.R4)
		compact, errs[1] = jsonformat.NewMarshaller(false, "", "", fhirversion.R4)
		pretty, errs[2] = jsonformat.NewPrettyMarshaller(fhirversion.R4)
		errCodecNew = errors.Join(errs[:]...)
		if unmarshal != nil {
			unmarshal.MaxNestingDepth = maxNesting
		}
	})
	return errCodecNew
}

// Marshal writes a resource (bare, e.g. *Bundle, or a *ContainedResource) as
// FHIR JSON. jsonformat rewrites references in place, so a clone is
// marshalled: the caller's message may be shared between goroutines.
func Marshal(r proto.Message, indent bool) ([]byte, error) {
	if err := codec(); err != nil {
		return nil, err
	}
	m := compact
	if indent {
		m = pretty
	}
	c := proto.Clone(r)
	if cr, ok := c.(*bcrpb.ContainedResource); ok {
		return m.Marshal(cr)
	}
	return m.MarshalResource(c)
}

// AcceptableContentType reports whether a request body of this media type is
// read as FHIR JSON: application/fhir+json, application/json (any
// parameters), or none given.
func AcceptableContentType(contentType string) bool {
	if strings.TrimSpace(contentType) == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch mt {
	case ContentTypeFHIR, ContentTypeJSON, "application/json+fhir":
		return true
	}
	return false
}

// ParseStatus says how far Parse got.
type ParseStatus int

const (
	Parsed      ParseStatus = iota // a valid resource
	NotJSON                        // the body is not one JSON object (400)
	NotFHIR                        // JSON, but not a readable FHIR resource (400)
	InvalidFHIR                    // a resource that fails validation: required elements, reference types (422)
	TooLarge                       // the body is over MaxBodyBytes (413)
)

// HTTPStatus is the status an endpoint answers for a failed parse.
func (s ParseStatus) HTTPStatus() int {
	switch s {
	case Parsed:
		return 200
	case InvalidFHIR:
		return 422
	case TooLarge:
		return 413
	}
	return 400
}

// Parse reads one FHIR R4 resource with google/fhir's validating
// unmarshaller. On failure it returns the status and an Outcome naming every
// problem the library reported, with FHIRPath expressions (a missing
// element is named itself: Claim.insurance, not Claim). It never panics on
// input.
func Parse(body []byte) (res *bcrpb.ContainedResource, status ParseStatus, out *Outcome) {
	out = &Outcome{}
	if err := codec(); err != nil {
		out.add(Issue{Severity: "fatal", Code: "exception", Details: "The FHIR reader could not be set up."})
		return nil, NotFHIR, out
	}
	if len(body) > MaxBodyBytes {
		out.add(Issue{Severity: "error", Code: "too-costly", Rule: RuleTooLarge, Details: fmt.Sprintf("The body is larger than %d bytes.", MaxBodyBytes)})
		return nil, TooLarge, out
	}
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' || JSONSyntax(body) != nil {
		out.add(notJSON(body))
		return nil, NotJSON, out
	}
	rep := &reporter{}
	msg, err := safeUnmarshal(body, rep)
	if err != nil {
		status := NotFHIR
		for _, pe := range parseErrors(err) {
			is := pe.issue()
			if is.Rule == RuleNotJSON {
				status = NotJSON
				is = notJSON(body)
			}
			out.add(is)
		}
		return nil, status, out
	}
	if len(rep.errs) > 0 {
		status := InvalidFHIR
		for _, pe := range rep.errs {
			is := pe.issue()
			if is.Rule != RuleRequired && is.Rule != RuleReferenceType {
				status = NotFHIR
			}
			out.add(is)
		}
		return nil, status, out
	}
	cr, ok := msg.(*bcrpb.ContainedResource)
	if !ok || cr.GetOneofResource() == nil {
		out.add(Issue{Severity: "error", Code: fhirmap.CodeStructure, Rule: RuleStructure, Details: "The body is not a FHIR resource."})
		return nil, NotFHIR, out
	}
	for _, pe := range rep.warns {
		is := pe.issue()
		is.Severity = "warning"
		out.add(is)
	}
	return cr, Parsed, out
}

func safeUnmarshal(body []byte, rep *reporter) (msg proto.Message, err error) {
	defer func() {
		if r := recover(); r != nil {
			msg, err = nil, &parseError{Details: "the resource could not be read", Type: "panic"}
		}
	}()
	return unmarshal.UnmarshalWithErrorReporter(body, rep)
}

// notJSON is the issue of a body that is not one JSON object: the rule and
// the real byte offset, never the bytes around it.
func notJSON(body []byte) Issue {
	is := Issue{Severity: "error", Code: fhirmap.CodeStructure, Rule: RuleNotJSON, Details: "The body is not a JSON object."}
	if se := JSONSyntax(body); se != nil {
		is.Details = fmt.Sprintf("The body is not valid JSON: %s at byte %d.", se.Reason, se.Offset)
	}
	return is
}

// reporter collects the validation errors jsonformat reports.
type reporter struct{ errs, warns []parseError }

func (r *reporter) ReportValidationError(path string, err error) error {
	for _, pe := range parseErrors(err) {
		if pe.Path == "" {
			pe.Path = path
		}
		r.errs = append(r.errs, pe)
	}
	return nil
}

func (r *reporter) ReportValidationWarning(path string, err error) error {
	for _, pe := range parseErrors(err) {
		if pe.Path == "" {
			pe.Path = path
		}
		r.warns = append(r.warns, pe)
	}
	return nil
}

// parseError mirrors jsonformat's UnmarshalError, which lives in an
// internal package (spec/fhir.md §10.5 #7): Details is PHI-free, Diagnostics
// may quote the input and never leaves this package (issue() keeps only
// what it can rebuild without input values).
type parseError struct {
	Path, Details, Diagnostics, Type string
}

func (e *parseError) Error() string { return e.Details }

// parseErrors reads the exported fields of jsonformat's error values by
// reflection (UnmarshalError and UnmarshalErrorList); any other error gives
// a generic PHI-free detail and its text as diagnostics.
func parseErrors(err error) []parseError {
	if pe, ok := err.(*parseError); ok {
		return []parseError{*pe}
	}
	v := reflect.ValueOf(err)
	if v.Kind() == reflect.Slice {
		var out []parseError
		for i := 0; i < v.Len(); i++ {
			if pe, ok := fromValue(v.Index(i)); ok {
				out = append(out, pe)
			}
		}
		if len(out) > 0 {
			return out
		}
	} else if pe, ok := fromValue(v); ok {
		return []parseError{pe}
	}
	// a plain error (jsonformat's date and decimal checks) quotes the value
	return []parseError{{Details: "the resource could not be read"}}
}

func fromValue(v reflect.Value) (parseError, bool) {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return parseError{}, false
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return parseError{}, false
	}
	field := func(name string) string {
		f := v.FieldByName(name)
		if f.IsValid() && f.Kind() == reflect.String {
			return f.String()
		}
		return ""
	}
	if !v.FieldByName("Details").IsValid() {
		return parseError{}, false
	}
	return parseError{Path: field("Path"), Details: field("Details"), Diagnostics: field("Diagnostics"), Type: field("Type")}, true
}

// reTypeSegment is the resource-type segment jsonformat puts after
// Bundle.entry[n].resource and contained[n] ("….resource.Claim.status",
// "….resource.documentReference").
var (
	reTypeSegment = regexp.MustCompile(`(\.resource|\.contained\[\d+\])\.[A-Za-z]+`)
	reQuoted      = regexp.MustCompile(`"([A-Za-z0-9_]+)"`)
	// reElementName is the shape of a FHIR element name; an unknown key of
	// any other shape is not echoed (it may be data pasted as a key).
	reElementName = regexp.MustCompile(`^[a-z_][A-Za-z0-9_]{0,63}$`)
	// reCodeType is the code system type of jsonformat's "\"x\" is not a T".
	reCodeType = regexp.MustCompile(` is not an? ([A-Za-z0-9]+)$`)
)

// fhirPath turns a jsonformat path into FHIRPath.
func fhirPath(p string) string { return reTypeSegment.ReplaceAllString(p, "$1") }

func (e parseError) issue() Issue {
	path := fhirPath(e.Path)
	// Diagnostics stays empty unless rebuilt from PHI-free parts: jsonformat's
	// diagnostics quote the input ("found \"JANE\"", "\"X\" is not a …Code").
	is := Issue{Severity: "error", Expression: path, Details: e.Details}
	d := e.Details
	switch {
	case d == "unknown resource type" || d == "invalid resource type" || strings.Contains(d, `"resourceType"`):
		is.Code, is.Rule = fhirmap.CodeStructure, RuleUnknownResource
		is.Expression = ""
		is.Details = "resourceType is missing or is not an R4 resource type."
	case e.Type == "RequiredFieldError" || strings.HasPrefix(d, "missing required field"):
		is.Code, is.Rule = fhirmap.CodeRequired, RuleRequired
		if m := reQuoted.FindStringSubmatch(d); m != nil && path != "" {
			is.Expression = path + "." + m[1]
		}
		is.Details = "A required element is missing."
		is.Diagnostics = e.Details
	case e.Type == "ReferenceTypeError":
		is.Code, is.Rule = fhirmap.CodeValue, RuleReferenceType
		is.Details = "The reference points to a resource type this element does not allow."
		is.Diagnostics = e.Details
	case d == "invalid JSON" && e.Path == "":
		is.Code, is.Rule = fhirmap.CodeStructure, RuleNotJSON
		is.Details = "The body is not valid JSON."
	case d == "unknown field":
		is.Code, is.Rule = fhirmap.CodeStructure, RuleUnknownElement
		if m := reQuoted.FindStringSubmatch(e.Diagnostics); m != nil && path != "" && reElementName.MatchString(m[1]) {
			is.Expression = path + "." + m[1]
		}
		is.Details = "The element is not defined for this resource in FHIR R4."
	case strings.Contains(d, "code type mismatch"):
		is.Code, is.Rule = fhirmap.CodeCodeInvalid, RuleBadCode
		is.Details = "The code is not one of the values FHIR allows here."
		if m := reCodeType.FindStringSubmatch(e.Diagnostics); m != nil {
			is.Diagnostics = "The value is not one of the codes of " + m[1] + "."
		}
	case strings.HasPrefix(d, "expected ") && d != "expected array" || strings.HasPrefix(d, "invalid ") &&
		!strings.HasPrefix(d, "invalid JSON") && d != "invalid field" && d != "invalid extension field" ||
		strings.Contains(d, "out of range"):
		is.Code, is.Rule = fhirmap.CodeValue, RuleBadValue
		is.Details = "The value is not valid for its FHIR type (" + d + ")."
	default:
		is.Code, is.Rule = fhirmap.CodeStructure, RuleStructure
		is.Details = "The JSON does not have the shape FHIR R4 defines (" + d + ")."
	}
	return is
}
