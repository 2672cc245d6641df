// Package x12 reads and writes ASC X12 interchanges: delimiters from the ISA,
// streaming segment reader, segment writer with envelopes and control numbers,
// envelope checks, and position-precise errors that keep data (PHI) out of
// their messages.
//
// The package knows nothing about 837 or 835 layouts; mapping/ builds those
// on top of it.
package x12

import "fmt"

// Delimiters are the four separators of an interchange. Repetition is 0 when
// the interchange declares none (a 4010-style 'U', or a letter/digit/space in
// ISA11).
type Delimiters struct {
	Element    byte
	Component  byte
	Repetition byte
	Segment    byte
}

// DefaultDelimiters are the separators casebridge writes unless told otherwise.
var DefaultDelimiters = Delimiters{Element: '*', Component: ':', Repetition: '^', Segment: '~'}

// Contains reports whether s holds any of the delimiters.
func (d Delimiters) Contains(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == d.Element || c == d.Component || c == d.Segment || (d.Repetition != 0 && c == d.Repetition) {
			return true
		}
	}
	return false
}

// Code is a stable, machine-readable error code.
type Code string

// Error is the one error type of the package. Positions are 1-based; zero
// means "not applicable". Error() never includes element values.
type Error struct {
	Code      Code
	Segment   int    // ordinal of the segment in the interchange, ISA = 1
	SegmentID string // e.g. "CLP"
	Loop      string // set by layout-aware callers, e.g. "2100"
	Element   int    // element position, e.g. 2 for CLP02
	Component int    // component position inside the element
	Offset    int64  // byte offset of the segment start in the input
	Msg       string // PHI-free description
}

func (e *Error) Error() string {
	pos := fmt.Sprintf("segment %d", e.Segment)
	if e.SegmentID != "" {
		pos += " (" + e.SegmentID + ")"
	}
	if e.Element > 0 {
		pos += fmt.Sprintf(" element %s%02d", e.SegmentID, e.Element)
		if e.Component > 0 {
			pos += fmt.Sprintf("-%d", e.Component)
		}
	}
	if e.Loop != "" {
		pos += " loop " + e.Loop
	}
	return fmt.Sprintf("x12: %s: %s at %s, byte %d", e.Code, e.Msg, pos, e.Offset)
}
