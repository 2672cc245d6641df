package record

import (
	"strconv"
	"strings"
)

// Severities.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Problem is one finding about a record: a stable code, an RFC 6901 JSON
// pointer (zero-based array indexes) and a plain sentence. Messages never
// quote the offending value: records carry PHI.
type Problem struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Pointer  string `json:"pointer"`
	Message  string `json:"message"`
}

// Problems is a list of problems.
type Problems []Problem

// HasErrors reports whether any problem is an error.
func (ps Problems) HasErrors() bool {
	for _, p := range ps {
		if p.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Errors returns only the errors.
func (ps Problems) Errors() Problems { return ps.filter(SeverityError) }

// Warnings returns only the warnings.
func (ps Problems) Warnings() Problems { return ps.filter(SeverityWarning) }

// WarningCount is len(ps.Warnings()) without building the list.
func (ps Problems) WarningCount() int {
	n := 0
	for _, p := range ps {
		if p.Severity == SeverityWarning {
			n++
		}
	}
	return n
}

func (ps Problems) filter(sev string) Problems {
	out := Problems{}
	for _, p := range ps {
		if p.Severity == sev {
			out = append(out, p)
		}
	}
	return out
}

// Pointer builds an RFC 6901 pointer from tokens (strings or ints).
func Pointer(tokens ...any) string {
	var b strings.Builder
	n := 0
	for _, t := range tokens {
		if s, ok := t.(string); ok {
			n += len(s) + 1
		} else {
			n += 4
		}
	}
	b.Grow(n)
	for _, t := range tokens {
		b.WriteByte('/')
		switch v := t.(type) {
		case int:
			b.WriteString(strconv.Itoa(v))
		case string:
			b.WriteString(escapeToken(v))
		}
	}
	return b.String()
}

func escapeToken(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
