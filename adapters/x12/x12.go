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

// Codes. The string values are stable and may be stored or mapped to
// acknowledgment codes (TA1, 999) by callers.
const (
	// Reader: input does not start with ISA (after an optional BOM and
	// whitespace).
	CodeISAMissing Code = "ISA_MISSING"
	// Reader/writer: an ISA that is short, misaligned, holds line breaks or
	// declares unusable delimiters (alphanumeric, space, equal to each other).
	CodeISAInvalid Code = "ISA_INVALID"
	// Reader: a segment longer than ReaderOptions.MaxSegmentLength.
	CodeSegmentTooLong Code = "SEGMENT_TOO_LONG"
	// Reader/writer: a segment ID that is empty or not 2-3 upper-case
	// letters/digits.
	CodeSegmentIDInvalid Code = "SEGMENT_ID_INVALID"
	// Reader: input ends inside a segment (no terminator).
	CodeTruncated Code = "TRUNCATED"
	// Reader: the underlying io.Reader failed (Err holds the cause).
	CodeReadError Code = "READ_ERROR"
	// Writer: a value holds a delimiter, CR or LF.
	CodeDelimiterInData Code = "DELIMITER_IN_DATA"
	// Writer: a call out of envelope order (GS before ISA, segment outside
	// ST..SE, envelope segment through WriteSegment, ...).
	CodeEnvelopeOrder Code = "ENVELOPE_ORDER"
	// Writer: a header value that does not fit its field (width, range,
	// missing required value).
	CodeValueInvalid Code = "VALUE_INVALID"
	// Writer: the underlying io.Writer failed (Err holds the cause).
	CodeWriteError Code = "WRITE_ERROR"

	// Envelope checks.
	CodeIEA02Mismatch      Code = "IEA02_MISMATCH"      // ISA13 != IEA02
	CodeGE02Mismatch       Code = "GE02_MISMATCH"       // GS06 != GE02
	CodeSE02Mismatch       Code = "SE02_MISMATCH"       // ST02 != SE02
	CodeSE01Count          Code = "SE01_COUNT"          // SE01 != segments ST..SE inclusive
	CodeGE01Count          Code = "GE01_COUNT"          // GE01 != number of ST in the group
	CodeIEA01Count         Code = "IEA01_COUNT"         // IEA01 != number of GS in the interchange
	CodeEnvelopeUnclosed   Code = "ENVELOPE_UNCLOSED"   // ST/GS/ISA without its SE/GE/IEA
	CodeEnvelopeUnexpected Code = "ENVELOPE_UNEXPECTED" // ST outside GS, SE without ST, data outside ST..SE, ...
)

// Error is the one error type of the package. Positions are 1-based; zero
// means "not applicable". Error() never includes element values.
type Error struct {
	Code      Code
	Segment   int    // ordinal of the segment in the input stream, first ISA = 1
	SegmentID string // e.g. "CLP"
	Loop      string // set by layout-aware callers, e.g. "2100"
	Element   int    // element position, e.g. 2 for CLP02
	Component int    // component position inside the element
	Offset    int64  // byte offset of the segment start in the input
	Msg       string // PHI-free description
	Err       error  // underlying I/O error for READ_ERROR / WRITE_ERROR, else nil
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
	s := fmt.Sprintf("x12: %s: %s at %s, byte %d", e.Code, e.Msg, pos, e.Offset)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying I/O error, if any.
func (e *Error) Unwrap() error { return e.Err }
