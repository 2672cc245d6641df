package x12

import "slices"

// Segment-at-a-time writing without building []Element values: BeginSegment,
// then its elements in order with Simple, Upper and Composite, then
// EndSegment. It writes exactly what WriteSegment writes for the same
// elements (trailing empty elements and components dropped, delimiters in
// values refused) and allocates nothing per segment, which matters when an
// interchange carries thousands of claims.
//
//	w.BeginSegment("NM1")
//	w.Simple("85")
//	w.Simple("2")
//	w.Upper(name)
//	w.EndSegment()

// BeginSegment starts segment id inside a transaction set (or a TA1 between
// ISA and GS), with the checks of WriteSegment.
func (w *Writer) BeginSegment(id string) error {
	if w.err != nil {
		return w.err
	}
	switch {
	case w.inSegment:
		return w.errAt(CodeEnvelopeOrder, id, 0, 0, "segment started before the previous one ended")
	case !validID(id):
		return w.errAt(CodeSegmentIDInvalid, "", 0, 0, "segment ID is empty or not 2-3 upper-case letters/digits")
	case isEnvelopeID(id):
		return w.errAt(CodeEnvelopeOrder, id, 0, 0, "envelope segments are written by Begin/End calls")
	case w.state != stateTransaction && !(id == "TA1" && w.state == stateInterchange):
		return w.errAt(CodeEnvelopeOrder, id, 0, 0, "segment outside a transaction set")
	}
	w.inSegment = true
	w.segIDLen = len(id)
	w.segElements = 0
	w.segPending = 0
	w.begin(id)
	return nil
}

// Simple adds a simple element (upper-cased when WriteOptions.UpperCase).
func (w *Writer) Simple(v string) { w.simple(v, w.opts.UpperCase) }

// Upper adds a simple element with its ASCII letters upper-cased.
func (w *Writer) Upper(v string) { w.simple(v, true) }

func (w *Writer) simple(v string, upper bool) {
	if !w.element() {
		return
	}
	if v == "" {
		w.segPending++
		return
	}
	// the separators held back, the one before v and v itself go in at
	// once: one capacity check, the buffer held in a local
	n, seps := len(w.buf), w.segPending+1
	need := seps + len(v)
	if cap(w.buf)-n < need {
		w.buf = slices.Grow(w.buf, need)
	}
	buf := w.buf[:n+need]
	for i := n; i < n+seps; i++ {
		buf[i] = w.d.Element
	}
	w.segPending = 0
	if copyValue(buf[n+seps:], v, w.classes, upper) >= 0 {
		w.errAt(CodeDelimiterInData, string(w.buf[w.seg:w.seg+w.segIDLen]), w.segElements, 1, "value contains a delimiter, CR or LF")
		return
	}
	w.buf = buf // a reslice of w.buf: no write barrier
}

// SimpleBytes adds a simple element held in b (which is not retained), so
// callers can format dates and numbers into a stack buffer.
func (w *Writer) SimpleBytes(b []byte) {
	if !w.element() {
		return
	}
	if len(b) == 0 {
		w.segPending++
		return
	}
	w.separators()
	_ = appendValue(w, "", w.segElements, 1, b, w.opts.UpperCase)
}

// Composite adds a composite element of the given components.
func (w *Writer) Composite(components ...string) {
	if !w.element() {
		return
	}
	n := lastComponent(components)
	if n == 0 {
		w.segPending++
		return
	}
	w.separators()
	for j, c := range components[:n] {
		if j > 0 {
			w.buf = append(w.buf, w.d.Component)
		}
		if w.value("", w.segElements, j+1, c, w.opts.UpperCase) != nil {
			return
		}
	}
}

// element counts one more element; false when nothing is to be written.
func (w *Writer) element() bool {
	if w.err != nil {
		return false
	}
	if !w.inSegment {
		w.errAt(CodeEnvelopeOrder, "", 0, 0, "element outside a segment (BeginSegment first)")
		return false
	}
	w.segElements++
	return true
}

// separators writes the element separators of the empty elements held back
// and the one before the element being written.
func (w *Writer) separators() {
	for ; w.segPending >= 0; w.segPending-- {
		w.buf = append(w.buf, w.d.Element)
	}
	w.segPending = 0
}

// EndSegment writes the segment started by BeginSegment.
func (w *Writer) EndSegment() error {
	if w.err != nil {
		return w.err
	}
	if !w.inSegment {
		return w.errAt(CodeEnvelopeOrder, "", 0, 0, "EndSegment without BeginSegment")
	}
	w.inSegment = false
	return w.emit()
}
