package x12

import (
	"io"
	"slices"
	"strconv"
	"time"
)

// Element is one element to write: its components in order. A simple
// element has one component.
type Element []string

// E returns a simple (one-component) element.
func E(s string) Element { return Element{s} }

// C returns a composite element.
func C(components ...string) Element { return Element(components) }

// WriteOptions configure a Writer.
type WriteOptions struct {
	Delimiters          Delimiters // zero value → DefaultDelimiters; Repetition 0 writes 'U' in ISA11
	NewlineAfterSegment bool       // "\n" after each terminator
	UpperCase           bool       // upper-case ASCII letters in values (not ISA02/ISA04)
}

// InterchangeHeader holds the ISA values. Widths are fixed; shorter values
// are space padded, longer ones are refused with VALUE_INVALID.
type InterchangeHeader struct {
	AuthQualifier, AuthInfo, SecurityQualifier, SecurityInfo string    // default "00", spaces
	SenderQualifier, SenderID, ReceiverQualifier, ReceiverID string    // required
	Date                                                     time.Time // ISA09 YYMMDD / ISA10 HHMM, taken in UTC; required
	ControlNumber                                            int       // ISA13 %09d (1..999999999)
	AckRequested                                             bool      // ISA14 1/0
	Usage                                                    byte      // ISA15 'T' or 'P'
	Version                                                  string    // default "00501"
}

// GroupHeader holds the GS values.
type GroupHeader struct {
	FunctionalID, SenderCode, ReceiverCode string
	Date                                   time.Time // GS04 CCYYMMDD, GS05 HHMM (UTC); required
	ControlNumber                          int       // GS06 decimal, no padding (1..999999999)
	Version                                string    // GS08, e.g. 005010X224A2
}

type writerState int

const (
	stateIdle        writerState = iota // before ISA or after IEA
	stateInterchange                    // after ISA, outside GS
	stateGroup                          // after GS, outside ST
	stateTransaction                    // after ST
)

// Writer writes interchanges segment by segment, keeping envelope order and
// computing SE01, GE01 and IEA01. Each segment is passed to the underlying
// io.Writer with one Write call; wrap it in a bufio.Writer for files.
//
// Errors are sticky: after the first error every call returns it and
// nothing more is written. As a last guard the writer refuses values that
// contain a delimiter, CR or LF (DELIMITER_IN_DATA) instead of corrupting
// the output.
type Writer struct {
	w    io.Writer
	opts WriteOptions
	d    Delimiters
	err  error

	classes *byteClasses // of d
	state   writerState
	ordinal int   // segments written
	off     int64 // bytes written
	// buf holds the segment being built, from seg on. A writer on an
	// io.Writer starts every segment at 0 and hands the segment to w; an
	// appending writer (NewAppendWriter) keeps the whole output in buf,
	// each segment after the last, and copies nothing.
	buf    []byte
	seg    int
	append bool

	isaControl int
	groups     int
	gsSeen     usedSet[int] // GS06 values of the open interchange
	gsControl  int
	sets       int
	stSeen     usedSet[st02] // ST02 values of the open group
	stControl  st02
	stCount    int

	inSegment   bool // between BeginSegment and EndSegment
	segIDLen    int  // length of the ID of the segment being built (at buf[seg:])
	segElements int  // elements added to it
	segPending  int  // empty elements not yet written (dropped when trailing)
}

// NewWriter returns a Writer on w. Invalid delimiters in opts make every call
// return an ISA_INVALID error.
func NewWriter(w io.Writer, opts WriteOptions) *Writer {
	wr := &Writer{}
	wr.init(w, nil, opts)
	return wr
}

// NewAppendWriter returns a Writer that appends the interchange to dst
// instead of writing it to an io.Writer: Bytes returns dst with everything
// written so far. Built in memory this way, an interchange is copied once
// (no segment buffer, no Write call per segment); give dst the capacity
// the output will need and nothing grows.
func NewAppendWriter(dst []byte, opts WriteOptions) *Writer {
	wr := &Writer{}
	wr.init(nil, dst, opts)
	return wr
}

// Bytes returns the output of a writer made by NewAppendWriter: dst with
// every complete segment appended (nil for a writer on an io.Writer).
func (w *Writer) Bytes() []byte {
	if !w.append {
		return nil
	}
	return w.buf[:w.seg]
}

func (wr *Writer) init(out io.Writer, dst []byte, opts WriteOptions) {
	*wr = Writer{w: out, opts: opts, d: opts.Delimiters, append: out == nil, buf: dst}
	if out != nil {
		wr.buf = make([]byte, 0, 256)
	}
	wr.seg = len(wr.buf)
	if wr.d == (Delimiters{}) {
		wr.d = DefaultDelimiters
	}
	wr.classes = defaultClasses
	if wr.d != defaultDelimiters {
		wr.classes = classesFor(wr.d)
	}
	if msg := checkDelimiters(wr.d); msg != "" {
		wr.err = &Error{Code: CodeISAInvalid, Segment: 1, SegmentID: "ISA", Msg: msg}
	}
}

// begin starts a segment in buf: at 0 on an io.Writer, after the output
// so far when appending.
func (w *Writer) begin(id string) {
	if !w.append {
		w.seg = 0
	}
	// growing aside, a reslice: no write barrier while the collector runs
	n := w.seg
	if cap(w.buf)-n < len(id) {
		w.buf = slices.Grow(w.buf[:n], len(id))
	}
	w.buf = w.buf[:n+len(id)]
	copy(w.buf[n:], id)
}

// checkDelimiters returns a message when d cannot be written in an ISA.
func checkDelimiters(d Delimiters) string {
	switch {
	case !validSeparator(d.Element):
		return "element separator is a letter, digit, space or line break"
	case !validSeparator(d.Component) || d.Component == d.Element:
		return "component separator is a letter, digit, space, line break or equal to the element separator"
	case !validTerminator(d.Segment) || d.Segment == d.Element || d.Segment == d.Component:
		return "segment terminator is a letter, digit, space or equal to another separator"
	case d.Repetition != 0 && (!validSeparator(d.Repetition) || d.Repetition == d.Element || d.Repetition == d.Component || d.Repetition == d.Segment):
		return "repetition separator is a letter, digit, space, line break or equal to another separator"
	}
	return ""
}

// Err returns the first error, or nil.
func (w *Writer) Err() error { return w.err }

// errAt records a sticky error positioned at the segment about to be written.
func (w *Writer) errAt(code Code, id string, element, component int, msg string) error {
	if w.err == nil {
		w.err = &Error{Code: code, Segment: w.ordinal + 1, SegmentID: id, Element: element, Component: component, Offset: w.off, Msg: msg}
	}
	return w.err
}

// order checks the envelope state.
func (w *Writer) order(id string, want writerState, msg string) error {
	if w.err != nil {
		return w.err
	}
	if w.state != want || w.inSegment {
		return w.errAt(CodeEnvelopeOrder, id, 0, 0, msg)
	}
	return nil
}

// value appends v, refusing delimiters, CR and LF.
func (w *Writer) value(id string, element, component int, v string, upper bool) error {
	return appendValue(w, id, element, component, v, upper)
}

func appendValue[T string | []byte](w *Writer, id string, element, component int, v T, upper bool) error {
	// one pass: check each byte with the table, copy it, upper-case it
	n := len(w.buf)
	if cap(w.buf)-n < len(v) {
		w.buf = slices.Grow(w.buf, len(v))
	}
	if copyValue(w.buf[n:n+len(v)], v, w.classes, upper) >= 0 {
		if id == "" && w.inSegment {
			id = string(w.buf[w.seg : w.seg+w.segIDLen])
		}
		return w.errAt(CodeDelimiterInData, id, element, component, "value contains a delimiter, CR or LF")
	}
	// a reslice only: no write barrier on the heap-held Writer
	w.buf = w.buf[:n+len(v)]
	return nil
}

// st02 is an ST02 as written (4-9 characters), held without a string so
// that a transaction set costs no allocation.
type st02 struct {
	n uint8
	b [9]byte
}

// copyValue copies v into dst (of its length), upper-casing ASCII letters
// when upper, in one pass that checks each byte with the table: it returns
// the index of the first delimiter, CR or LF, or -1.
func copyValue[T string | []byte](dst []byte, v T, cls *byteClasses, upper bool) int {
	var mask uint8 = classDelimiter
	if upper {
		mask |= classLower
	}
	dst = dst[:len(v)]
	for i := 0; i < len(v); i++ {
		c := v[i]
		if k := cls[c]; k&mask != 0 {
			if k&classDelimiter != 0 {
				return i
			}
			c -= 'a' - 'A'
		}
		dst[i] = c
	}
	return -1
}

// usedSet holds the control numbers used in an envelope. Most envelopes
// hold one group or one set: the first value needs no map.
type usedSet[T comparable] struct {
	first T
	n     int
	more  map[T]bool
}

func (u *usedSet[T]) reset() { *u = usedSet[T]{} }

func (u *usedSet[T]) has(v T) bool { return (u.n > 0 && u.first == v) || u.more[v] }

func (u *usedSet[T]) add(v T) {
	switch {
	case u.n == 0:
		u.first = v
	case u.more == nil:
		u.more = map[T]bool{v: true}
	default:
		u.more[v] = true
	}
	u.n++
}

// Byte classes of a writer's delimiters.
const (
	classDelimiter = 1 << iota // a delimiter, CR or LF: refused in values
	classLower                 // a-z
)

type byteClasses [256]uint8

func classesFor(d Delimiters) *byteClasses {
	var c byteClasses
	for b := 'a'; b <= 'z'; b++ {
		c[b] |= classLower
	}
	for _, b := range []byte{d.Element, d.Component, d.Segment, '\r', '\n'} {
		c[b] |= classDelimiter
	}
	if d.Repetition != 0 {
		c[d.Repetition] |= classDelimiter
	}
	return &c
}

// defaultClasses are the classes of the default delimiters, built once.
var (
	defaultDelimiters = DefaultDelimiters
	defaultClasses    = classesFor(defaultDelimiters)
)

// fixed appends v space padded to width, refusing longer values.
func (w *Writer) fixed(element int, v string, width int, upper bool) error {
	if len(v) > width {
		return w.errAt(CodeValueInvalid, "ISA", element, 0, "value is longer than the fixed ISA field width")
	}
	w.buf = append(w.buf, w.d.Element)
	if err := w.value("ISA", element, 0, v, upper); err != nil {
		return err
	}
	for i := len(v); i < width; i++ {
		w.buf = append(w.buf, ' ')
	}
	return nil
}

// emit terminates the segment in w.buf and writes it.
func (w *Writer) emit() error {
	w.buf = append(w.buf, w.d.Segment)
	if w.opts.NewlineAfterSegment {
		w.buf = append(w.buf, '\n')
	}
	if w.append {
		w.ordinal++
		w.off += int64(len(w.buf) - w.seg)
		w.seg = len(w.buf)
		if w.state == stateTransaction {
			w.stCount++
		}
		return nil
	}
	n, err := w.w.Write(w.buf)
	if err == nil && n < len(w.buf) {
		err = io.ErrShortWrite
	}
	if err != nil {
		w.err = &Error{Code: CodeWriteError, Segment: w.ordinal + 1, Offset: w.off, Msg: "writing output failed", Err: err}
		return w.err
	}
	w.ordinal++
	w.off += int64(n)
	if w.state == stateTransaction {
		w.stCount++
	}
	return nil
}

// BeginInterchange writes the ISA: exactly 106 bytes including the
// terminator, fixed widths, ISA11 = repetition separator ('U' when none),
// ISA16 = component separator.
func (w *Writer) BeginInterchange(h InterchangeHeader) error {
	if err := w.order("ISA", stateIdle, "ISA while an interchange is open"); err != nil {
		return err
	}
	up := w.opts.UpperCase
	def := func(v, d string) string {
		if v == "" {
			return d
		}
		return v
	}
	if h.ControlNumber < 1 || h.ControlNumber > 999999999 {
		return w.errAt(CodeValueInvalid, "ISA", 13, 0, "control number must be 1..999999999")
	}
	if h.Date.IsZero() {
		return w.errAt(CodeValueInvalid, "ISA", 9, 0, "interchange date is required")
	}
	usage := h.Usage
	if up && usage >= 'a' && usage <= 'z' {
		usage -= 'a' - 'A'
	}
	if usage != 'T' && usage != 'P' {
		return w.errAt(CodeValueInvalid, "ISA", 15, 0, "usage indicator must be T or P")
	}
	type field struct {
		v     string
		width int
		exact bool // must fill the width (no padding)
		upper bool
	}
	date := h.Date.UTC()
	fields := [...]field{
		1:  {def(h.AuthQualifier, "00"), 2, true, up},
		2:  {h.AuthInfo, 10, false, false},
		3:  {def(h.SecurityQualifier, "00"), 2, true, up},
		4:  {h.SecurityInfo, 10, false, false},
		5:  {h.SenderQualifier, 2, true, up},
		6:  {h.SenderID, 15, false, up},
		7:  {h.ReceiverQualifier, 2, true, up},
		8:  {h.ReceiverID, 15, false, up},
		12: {def(h.Version, "00501"), 5, true, up},
	}
	w.begin("ISA")
	for i := 1; i <= 16; i++ {
		switch i {
		case 9:
			w.buf = append(w.buf, w.d.Element)
			w.buf = AppendDate(w.buf, date, "060102")
		case 10:
			w.buf = append(w.buf, w.d.Element)
			w.buf = AppendDate(w.buf, date, "1504")
		case 11:
			rep := w.d.Repetition
			if rep == 0 {
				rep = 'U'
			}
			w.buf = append(w.buf, w.d.Element, rep)
		case 13:
			w.buf = append(w.buf, w.d.Element)
			w.buf = appendPadded(w.buf, h.ControlNumber, 9)
		case 14:
			ack := byte('0')
			if h.AckRequested {
				ack = '1'
			}
			w.buf = append(w.buf, w.d.Element, ack)
		case 15:
			w.buf = append(w.buf, w.d.Element, usage)
		case 16:
			w.buf = append(w.buf, w.d.Element, w.d.Component)
		default:
			f := fields[i]
			if f.exact && len(f.v) != f.width {
				return w.errAt(CodeValueInvalid, "ISA", i, 0, "value does not have the fixed ISA field width")
			}
			if i == 6 || i == 8 {
				if f.v == "" {
					return w.errAt(CodeValueInvalid, "ISA", i, 0, "value is required")
				}
			}
			if err := w.fixed(i, f.v, f.width, f.upper); err != nil {
				return err
			}
		}
	}
	if err := w.emit(); err != nil {
		return err
	}
	w.state = stateInterchange
	w.isaControl = h.ControlNumber
	w.groups = 0
	w.gsSeen.reset()
	return nil
}

// AppendPadded appends n (>= 0) in decimal, zero padded to width: ISA13
// (width 9) and IEA02 as Writer writes them, an ST02 of width 4.
func AppendPadded(b []byte, n, width int) []byte { return appendPadded(b, n, width) }

// appendPadded appends n in decimal, zero padded to width.
func appendPadded(b []byte, n, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], int64(n), 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// BeginGroup writes GS*id*sender*receiver*CCYYMMDD*HHMM*control*X*version.
func (w *Writer) BeginGroup(h GroupHeader) error {
	if err := w.order("GS", stateInterchange, "GS outside an interchange or inside an open group"); err != nil {
		return err
	}
	switch {
	case len(h.FunctionalID) != 2:
		return w.errAt(CodeValueInvalid, "GS", 1, 0, "functional identifier must be 2 characters")
	case len(h.SenderCode) < 2 || len(h.SenderCode) > 15:
		return w.errAt(CodeValueInvalid, "GS", 2, 0, "application sender code must be 2-15 characters")
	case len(h.ReceiverCode) < 2 || len(h.ReceiverCode) > 15:
		return w.errAt(CodeValueInvalid, "GS", 3, 0, "application receiver code must be 2-15 characters")
	case h.Date.IsZero():
		return w.errAt(CodeValueInvalid, "GS", 4, 0, "group date is required")
	case h.ControlNumber < 1 || h.ControlNumber > 999999999:
		return w.errAt(CodeValueInvalid, "GS", 6, 0, "control number must be 1..999999999")
	case w.gsSeen.has(h.ControlNumber):
		return w.errAt(CodeValueInvalid, "GS", 6, 0, "group control number already used in this interchange")
	case len(h.Version) < 1 || len(h.Version) > 12:
		return w.errAt(CodeValueInvalid, "GS", 8, 0, "version must be 1-12 characters")
	}
	up := w.opts.UpperCase
	date := h.Date.UTC()
	w.begin("GS")
	for i, v := range [...]string{h.FunctionalID, h.SenderCode, h.ReceiverCode} {
		w.buf = append(w.buf, w.d.Element)
		if err := w.value("GS", i+1, 0, v, up); err != nil {
			return err
		}
	}
	w.buf = append(w.buf, w.d.Element)
	w.buf = AppendDate(w.buf, date, "20060102")
	w.buf = append(w.buf, w.d.Element)
	w.buf = AppendDate(w.buf, date, "1504")
	w.buf = append(w.buf, w.d.Element)
	w.buf = strconv.AppendInt(w.buf, int64(h.ControlNumber), 10)
	w.buf = append(w.buf, w.d.Element, 'X', w.d.Element)
	if err := w.value("GS", 8, 0, h.Version, up); err != nil {
		return err
	}
	if err := w.emit(); err != nil {
		return err
	}
	w.state = stateGroup
	w.groups++
	w.gsSeen.add(h.ControlNumber)
	w.gsControl = h.ControlNumber
	w.sets = 0
	w.stSeen.reset()
	return nil
}

// BeginTransaction writes ST*id*control[*implRef]. control must be 4-9
// characters and unique within the group.
func (w *Writer) BeginTransaction(id, control, implRef string) error {
	if err := w.order("ST", stateGroup, "ST outside a group or inside an open transaction set"); err != nil {
		return err
	}
	switch {
	case len(id) != 3:
		return w.errAt(CodeValueInvalid, "ST", 1, 0, "transaction set identifier must be 3 characters")
	case len(control) < 4 || len(control) > 9:
		return w.errAt(CodeValueInvalid, "ST", 2, 0, "control number must be 4-9 characters")
	case len(implRef) > 35:
		return w.errAt(CodeValueInvalid, "ST", 3, 0, "implementation reference must be at most 35 characters")
	}
	up := w.opts.UpperCase
	w.begin("ST")
	vals := [3]string{id, control, implRef}
	n := 3
	if implRef == "" {
		n = 2
	}
	var written st02
	for i, v := range vals[:n] {
		w.buf = append(w.buf, w.d.Element)
		at := len(w.buf)
		if err := w.value("ST", i+1, 0, v, up); err != nil {
			return err
		}
		if i == 1 {
			written.n = uint8(copy(written.b[:], w.buf[at:]))
		}
	}
	if w.stSeen.has(written) {
		return w.errAt(CodeValueInvalid, "ST", 2, 0, "transaction set control number already used in this group")
	}
	w.stCount = 0
	if err := w.emit(); err != nil {
		return err
	}
	w.state = stateTransaction
	w.stCount = 1
	w.stControl = written
	w.stSeen.add(written)
	return nil
}

// isEnvelopeID reports whether id is written by Begin*/End* only.
func isEnvelopeID(id string) bool {
	switch id {
	case "ISA", "IEA", "GS", "GE", "ST", "SE":
		return true
	}
	return false
}

// WriteSegment writes one segment inside a transaction set (or a TA1
// between ISA and GS). Trailing empty elements and trailing empty
// components are dropped; empty elements in the middle are kept as adjacent
// separators.
func (w *Writer) WriteSegment(id string, elems ...Element) error {
	if w.err != nil {
		return w.err
	}
	if !validID(id) {
		return w.errAt(CodeSegmentIDInvalid, "", 0, 0, "segment ID is empty or not 2-3 upper-case letters/digits")
	}
	if isEnvelopeID(id) {
		return w.errAt(CodeEnvelopeOrder, id, 0, 0, "envelope segments are written by Begin/End calls")
	}
	if w.inSegment {
		return w.errAt(CodeEnvelopeOrder, id, 0, 0, "segment written before the one begun ended")
	}
	if w.state != stateTransaction && !(id == "TA1" && w.state == stateInterchange) {
		return w.errAt(CodeEnvelopeOrder, id, 0, 0, "segment outside a transaction set")
	}
	last := len(elems)
	for last > 0 && lastComponent(elems[last-1]) == 0 {
		last--
	}
	up := w.opts.UpperCase
	w.begin(id)
	for i, el := range elems[:last] {
		w.buf = append(w.buf, w.d.Element)
		n := lastComponent(el)
		for j, c := range el[:n] {
			if j > 0 {
				w.buf = append(w.buf, w.d.Component)
			}
			if err := w.value(id, i+1, j+1, c, up); err != nil {
				return err
			}
		}
	}
	return w.emit()
}

// lastComponent returns the number of components up to the last non-empty one.
func lastComponent(el Element) int {
	n := len(el)
	for n > 0 && el[n-1] == "" {
		n--
	}
	return n
}

// EndTransaction writes SE*count*control; count covers ST..SE inclusive.
func (w *Writer) EndTransaction() error {
	if err := w.order("SE", stateTransaction, "SE without an open transaction set"); err != nil {
		return err
	}
	w.begin("SE")
	w.buf = append(w.buf, w.d.Element)
	w.buf = strconv.AppendInt(w.buf, int64(w.stCount+1), 10)
	w.buf = append(w.buf, w.d.Element)
	w.buf = append(w.buf, w.stControl.b[:w.stControl.n]...)
	if err := w.emit(); err != nil {
		return err
	}
	w.state = stateGroup
	w.sets++
	return nil
}

// EndGroup writes GE*number of ST*GS06.
func (w *Writer) EndGroup() error {
	if err := w.order("GE", stateGroup, "GE without an open group or with an open transaction set"); err != nil {
		return err
	}
	w.begin("GE")
	w.buf = append(w.buf, w.d.Element)
	w.buf = strconv.AppendInt(w.buf, int64(w.sets), 10)
	w.buf = append(w.buf, w.d.Element)
	w.buf = strconv.AppendInt(w.buf, int64(w.gsControl), 10)
	if err := w.emit(); err != nil {
		return err
	}
	w.state = stateInterchange
	return nil
}

// EndInterchange writes IEA*number of GS*ISA13.
func (w *Writer) EndInterchange() error {
	if err := w.order("IEA", stateInterchange, "IEA without an open interchange or with an open group"); err != nil {
		return err
	}
	w.begin("IEA")
	w.buf = append(w.buf, w.d.Element)
	w.buf = strconv.AppendInt(w.buf, int64(w.groups), 10)
	w.buf = append(w.buf, w.d.Element)
	w.buf = appendPadded(w.buf, w.isaControl, 9)
	if err := w.emit(); err != nil {
		return err
	}
	w.state = stateIdle
	return nil
}

// AppendSegment appends s to dst exactly as its elements hold it (nothing
// dropped, components and repetitions kept raw), with s.Delims and the
// segment terminator. It is the inverse of Reader.Next and does no envelope
// checks. It refuses an invalid ID (SEGMENT_ID_INVALID), an element holding
// the element separator, segment terminator, CR or LF (DELIMITER_IN_DATA),
// and an ISA that would not be a valid 106-byte ISA with s.Delims
// (ISA_INVALID).
func AppendSegment(dst []byte, s *Segment) ([]byte, error) {
	d := s.Delims
	if msg := checkDelimiters(d); msg != "" {
		return dst, s.Errorf(CodeISAInvalid, 0, 0, "%s", msg)
	}
	if len(s.Elements) == 0 || !validID(s.Elements[0]) {
		return dst, s.Errorf(CodeSegmentIDInvalid, 0, 0, "segment ID is empty or not 2-3 upper-case letters/digits")
	}
	start := len(dst)
	for i, el := range s.Elements {
		if i > 0 {
			dst = append(dst, d.Element)
		}
		for k := 0; k < len(el); k++ {
			if c := el[k]; c == d.Element || c == d.Segment || c == '\r' || c == '\n' {
				return dst[:start], s.Errorf(CodeDelimiterInData, i, 0, "value contains the element separator, segment terminator, CR or LF")
			}
		}
		dst = append(dst, el...)
	}
	dst = append(dst, d.Segment)
	if s.Elements[0] == "ISA" {
		got, _, msg := parseISA(dst[start:])
		if msg == "" && (len(dst)-start != isaLen || got != d) {
			msg = "ISA does not declare the segment's delimiters"
		}
		if msg != "" {
			return dst[:start], s.Errorf(CodeISAInvalid, 0, 0, "%s", msg)
		}
	}
	return dst, nil
}
