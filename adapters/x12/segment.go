package x12

import (
	"fmt"
	"strings"
)

// Segment is one segment. Elements[0] is the segment ID; Elements[i] is
// element i (1-based) as raw text: components and repetitions are not split.
// For ISA, ISA11 and ISA16 hold the repetition and component separator
// characters themselves.
type Segment struct {
	ID       string
	Elements []string
	Ordinal  int   // 1-based position in the input stream (first ISA = 1), counting every segment
	Offset   int64 // byte offset of the segment's first byte
	Delims   Delimiters
}

// Element returns element i (1-based; 0 is the ID), or "" when absent.
func (s *Segment) Element(i int) string {
	if i < 0 || i >= len(s.Elements) {
		return ""
	}
	return s.Elements[i]
}

// Component returns component j (1-based) of element i, or "" when absent.
// Component(i, 1) of a non-composite element is the whole element.
func (s *Segment) Component(i, j int) string {
	e := s.Element(i)
	if j < 1 || e == "" {
		return ""
	}
	sep := s.Delims.Component
	if sep == 0 {
		if j == 1 {
			return e
		}
		return ""
	}
	for k := 1; ; k++ {
		n := strings.IndexByte(e, sep)
		if k == j {
			if n < 0 {
				return e
			}
			return e[:n]
		}
		if n < 0 {
			return ""
		}
		e = e[n+1:]
	}
}

// Components splits element i on the component separator. It returns nil
// when the element is absent or empty.
func (s *Segment) Components(i int) []string {
	return split(s.Element(i), s.Delims.Component)
}

// Repeats splits element i on the repetition separator; with no repetition
// separator (Repetition == 0) it returns the whole element as the only
// repeat. It returns nil when the element is absent or empty.
func (s *Segment) Repeats(i int) []string {
	return split(s.Element(i), s.Delims.Repetition)
}

func split(e string, sep byte) []string {
	if e == "" {
		return nil
	}
	if sep == 0 {
		return []string{e}
	}
	return strings.Split(e, string(sep))
}

// Len returns the number of elements after the ID.
func (s *Segment) Len() int {
	if len(s.Elements) == 0 {
		return 0
	}
	return len(s.Elements) - 1
}

// Errorf returns an error positioned at this segment (and at element and
// component when they are > 0). The formatted text must not contain data
// values (PHI); pass names and counts, not element contents.
func (s *Segment) Errorf(code Code, element, component int, format string, args ...any) *Error {
	return &Error{
		Code:      code,
		Segment:   s.Ordinal,
		SegmentID: s.ID,
		Element:   element,
		Component: component,
		Offset:    s.Offset,
		Msg:       fmt.Sprintf(format, args...),
	}
}

// validID reports whether id is 2-3 upper-case ASCII letters or digits.
func validID(id string) bool {
	if len(id) < 2 || len(id) > 3 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !isUpperAlnum(id[i]) {
			return false
		}
	}
	return true
}

func isUpperAlnum(c byte) bool {
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func isAlnum(c byte) bool {
	return isUpperAlnum(c) || (c >= 'a' && c <= 'z')
}
