package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
)

// SyntaxError locates the first JSON syntax error of a body without
// quoting it: Offset is the 0-based byte offset of the offending byte (the
// body's length when the JSON ends early), Reason a PHI-free phrase.
type SyntaxError struct {
	Offset    int64
	Reason    string
	Truncated bool
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("not valid JSON at byte %d: %s", e.Offset, e.Reason)
}

// reBadChar is encoding/json's "invalid character 'x' <context>": the
// character is client text, the context is not.
var reBadChar = regexp.MustCompile(`^invalid character '.*?' ((?:after|looking for|in) .*)$`)

// JSONSyntax reports the first syntax error of body, or nil when body is
// well-formed JSON. It is what the HTTP gateway and the FHIR reader say for
// a body that is not JSON: path-free, value-free, with the real offset (a
// truncated body is reported at its end, not at byte 0).
func JSONSyntax(body []byte) *SyntaxError {
	var v json.RawMessage
	err := json.Unmarshal(body, &v)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return nil
	}
	if se.Error() == "unexpected end of JSON input" {
		return &SyntaxError{Offset: int64(len(body)), Reason: "the JSON ends early (truncated body)", Truncated: true}
	}
	off := se.Offset - 1 // encoding/json counts the offending byte
	if off < 0 {
		off = 0
	}
	reason := "malformed JSON"
	if m := reBadChar.FindStringSubmatch(se.Error()); m != nil {
		reason = "unexpected character " + m[1]
	}
	return &SyntaxError{Offset: off, Reason: reason}
}
