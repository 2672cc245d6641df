package x12

import "strings"

// EnvelopeChecker checks ISA/IEA, GS/GE and ST/SE pairing, control numbers
// and counts on a stream of segments. Feed every segment, in order, to Add;
// call Finish at the end of input. It keeps only the open envelope segments
// and counters, so it works on streams of any size.
//
// Issues are reported at the segment where they are found: count and
// control-number mismatches at the closing segment (with the element set),
// unclosed envelopes at their opening segment.
type EnvelopeChecker struct {
	isa, gs, st *Segment // open envelope segments, nil when closed
	groups      int      // GS seen in the open interchange
	sets        int      // SE seen in the open group
	count       int      // segments in the open transaction set, ST included
}

// NewEnvelopeChecker returns a checker with no open envelope.
func NewEnvelopeChecker() *EnvelopeChecker { return &EnvelopeChecker{} }

// Add checks one segment and returns the issues found at it (nil when none).
func (c *EnvelopeChecker) Add(s *Segment) []*Error {
	var errs []*Error
	switch s.ID {
	case "ISA":
		errs = c.closeST(errs, "ISA")
		errs = c.closeGS(errs, "ISA")
		if c.isa != nil {
			errs = append(errs, unclosed(c.isa, "IEA", "the next ISA"))
		}
		c.isa, c.groups = s, 0
	case "GS":
		errs = c.closeST(errs, "GS")
		errs = c.closeGS(errs, "the next GS")
		if c.isa == nil {
			errs = append(errs, s.Errorf(CodeEnvelopeUnexpected, 0, 0, "GS outside an interchange"))
		} else {
			c.groups++
		}
		c.gs, c.sets = s, 0
	case "ST":
		errs = c.closeST(errs, "the next ST")
		if c.gs == nil {
			errs = append(errs, s.Errorf(CodeEnvelopeUnexpected, 0, 0, "ST outside a functional group"))
		}
		c.st, c.count = s, 1
	case "SE":
		if c.st == nil {
			return append(errs, s.Errorf(CodeEnvelopeUnexpected, 0, 0, "SE without an open ST"))
		}
		c.count++
		if !countMatches(s.Element(1), c.count) {
			errs = append(errs, s.Errorf(CodeSE01Count, 1, 0, "SE01 does not match the segment count from ST to SE (counted %d)", c.count))
		}
		if s.Element(2) != c.st.Element(2) {
			errs = append(errs, s.Errorf(CodeSE02Mismatch, 2, 0, "SE02 does not match ST02 (segment %d)", c.st.Ordinal))
		}
		c.st = nil
		if c.gs != nil {
			c.sets++
		}
	case "GE":
		errs = c.closeST(errs, "GE")
		if c.gs == nil {
			return append(errs, s.Errorf(CodeEnvelopeUnexpected, 0, 0, "GE without an open GS"))
		}
		if !countMatches(s.Element(1), c.sets) {
			errs = append(errs, s.Errorf(CodeGE01Count, 1, 0, "GE01 does not match the number of transaction sets in the group (counted %d)", c.sets))
		}
		if !controlMatches(s.Element(2), c.gs.Element(6)) {
			errs = append(errs, s.Errorf(CodeGE02Mismatch, 2, 0, "GE02 does not match GS06 (segment %d)", c.gs.Ordinal))
		}
		c.gs = nil
	case "IEA":
		errs = c.closeST(errs, "IEA")
		errs = c.closeGS(errs, "IEA")
		if c.isa == nil {
			return append(errs, s.Errorf(CodeEnvelopeUnexpected, 0, 0, "IEA without an open ISA"))
		}
		if !countMatches(s.Element(1), c.groups) {
			errs = append(errs, s.Errorf(CodeIEA01Count, 1, 0, "IEA01 does not match the number of functional groups in the interchange (counted %d)", c.groups))
		}
		if !controlMatches(s.Element(2), strings.TrimSpace(c.isa.Element(13))) {
			errs = append(errs, s.Errorf(CodeIEA02Mismatch, 2, 0, "IEA02 does not match ISA13 (segment %d)", c.isa.Ordinal))
		}
		c.isa = nil
	default:
		switch {
		case c.st != nil:
			c.count++
		case s.ID == "TA1" && c.isa != nil && c.gs == nil:
			// TA1 sits between ISA and GS.
		default:
			errs = append(errs, s.Errorf(CodeEnvelopeUnexpected, 0, 0, "segment outside a transaction set"))
		}
	}
	return errs
}

// Finish reports the envelopes still open at the end of input and resets
// the checker.
func (c *EnvelopeChecker) Finish() []*Error {
	var errs []*Error
	errs = c.closeST(errs, "the end of input")
	errs = c.closeGS(errs, "the end of input")
	if c.isa != nil {
		errs = append(errs, unclosed(c.isa, "IEA", "the end of input"))
	}
	*c = EnvelopeChecker{}
	return errs
}

func (c *EnvelopeChecker) closeST(errs []*Error, before string) []*Error {
	if c.st != nil {
		errs = append(errs, unclosed(c.st, "SE", before))
		c.st = nil
	}
	return errs
}

func (c *EnvelopeChecker) closeGS(errs []*Error, before string) []*Error {
	if c.gs != nil {
		errs = append(errs, unclosed(c.gs, "GE", before))
		c.gs = nil
	}
	return errs
}

func unclosed(open *Segment, closer, before string) *Error {
	return open.Errorf(CodeEnvelopeUnclosed, 0, 0, "%s not closed by %s before %s", open.ID, closer, before)
}

// countMatches reports whether v is a decimal number equal to n.
func countMatches(v string, n int) bool {
	if v == "" || len(v) > 18 || !allDigits(v) {
		return false
	}
	got := 0
	for i := 0; i < len(v); i++ {
		got = got*10 + int(v[i]-'0')
	}
	return got == n
}

// controlMatches compares control numbers: equal text, or equal numbers
// when both are all digits (leading zeros ignored).
func controlMatches(a, b string) bool {
	if a == b {
		return true
	}
	if a == "" || b == "" || !allDigits(a) || !allDigits(b) {
		return false
	}
	return strings.TrimLeft(a, "0") == strings.TrimLeft(b, "0")
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
