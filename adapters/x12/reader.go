package x12

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"math/bits"
	"unsafe"
)

// DefaultMaxSegmentLength is the segment length limit used when
// ReaderOptions.MaxSegmentLength is zero.
const DefaultMaxSegmentLength = 1 << 20

// isaLen is the length of an ISA segment including its terminator.
const isaLen = 106

// isaSeparators are the 0-based offsets of the 16 element separators in an ISA.
var isaSeparators = [16]int{3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103}

// ReaderOptions configure a Reader.
type ReaderOptions struct {
	// MaxSegmentLength bounds one segment in bytes (terminator excluded).
	// 0 or less means DefaultMaxSegmentLength. A longer segment stops the
	// reader with SEGMENT_TOO_LONG.
	MaxSegmentLength int
}

// Reader reads segments from an X12 stream. Delimiters come from each ISA;
// a later ISA (concatenated interchanges) replaces them.
//
// Line breaks: CR and LF are never data. Any number of them may follow a
// segment terminator, and CR/LF bytes inside a segment (wrapped lines) are
// dropped. Spaces and tabs between a terminator and the next segment ID
// (indented files) are skipped too; Indented reports the first segment
// they preceded, so callers can warn once. When the terminator is itself LF (or CR), blank and
// whitespace-only lines are skipped and the last segment may lack its
// terminator at end of input. Whitespace after the last segment is ignored.
//
// Errors are *Error values. SEGMENT_ID_INVALID is recoverable: the bad
// segment has been consumed and Next may be called again. Every other error
// (and io.EOF) is final: Next keeps returning it.
type Reader struct {
	br      *bufio.Reader
	max     int
	delims  Delimiters
	haveISA bool
	off     int64 // bytes consumed
	ordinal int   // ordinal of the last segment started
	err     error // final error or io.EOF
	scratch []byte

	spaced   bool // spaces or tabs since the last segment
	indented int  // ordinal of the first segment after spaces or tabs

	view      Segment // the segment NextView returns
	viewElems []string
	arena     func(id string, n int) []byte // see SetTextArena

	// NextView's fast path reads segments straight out of the bytes
	// bufio holds (win, from Peek) and tells bufio at once, before any
	// other call on br, how far it got (sync): no call into bufio per
	// segment.
	win  []byte
	wpos int
}

// sync discards from bufio what the fast path consumed of its window.
func (r *Reader) sync() {
	if r.wpos > 0 {
		_, _ = r.br.Discard(r.wpos)
	}
	r.win, r.wpos = nil, 0
}

// fastView reads the next segment from the window when it is an ordinary
// one that lies whole in it: not an ISA (nor anything else starting with
// I), no line break inside, a valid ID, delimiters that are not CR or LF.
// Otherwise it returns nil, having consumed at most the line breaks,
// spaces and tabs before the segment, and next reads it the usual way
// (which finds every error).
func (r *Reader) fastView() *Segment {
	t, e := r.delims.Segment, r.delims.Element
	if t == '\n' || t == '\r' || e == '\n' || e == '\r' {
		return nil
	}
	for {
		if r.wpos >= len(r.win) {
			r.sync()
			n := r.br.Buffered()
			if n == 0 {
				return nil // next's ReadByte fills the buffer or finds the end
			}
			r.win, _ = r.br.Peek(n)
		}
		c := r.win[r.wpos]
		if c == '\r' || c == '\n' {
			r.wpos++
			r.off++
			continue
		}
		if c == ' ' || c == '\t' {
			r.wpos++
			r.off++
			r.spaced = true
			continue
		}
		if c == 'I' {
			return nil
		}
		break
	}
	rest := r.win[r.wpos:]
	i := bytes.IndexByte(rest, t)
	if i < 0 || i > r.max {
		return nil
	}
	elems, src, ok := r.splitCopy(rest[:i], e)
	if !ok {
		return nil
	}
	r.viewElems = elems
	if !validIDBytes(src[:len(elems[0])]) {
		return nil
	}
	start := r.off
	r.wpos += i + 1
	r.off += int64(i + 1)
	if r.spaced && r.indented == 0 {
		r.indented = r.ordinal + 1
	}
	r.spaced = false
	r.ordinal++
	seg := &r.view
	seg.ID, seg.Elements = elems[0], elems
	seg.Ordinal, seg.Offset, seg.Delims = r.ordinal, start, r.delims
	return seg
}

// SetTextArena makes NextView copy each segment's text into storage of
// the caller's before splitting it: alloc(id, n) returns n bytes for the
// text of the segment whose ID is id (id is only valid during the call;
// it may be an invalid ID the reader then refuses). The strings of a
// NextView segment then point into that storage and stay valid as long
// as the caller keeps it, at the cost of one copy of the segment, made in
// the same pass as the split (cheaper than copying the split elements
// afterwards, as Segment.Own does). The Segment itself is still the
// reader's and reused. nil goes back to views into the reader's buffer.
func (r *Reader) SetTextArena(alloc func(id string, n int) []byte) { r.arena = alloc }

// NewReader returns a Reader on r. It buffers r; it never reads the whole
// input at once.
func NewReader(r io.Reader, opts ReaderOptions) *Reader {
	limit := opts.MaxSegmentLength
	if limit <= 0 {
		limit = DefaultMaxSegmentLength
	}
	return &Reader{br: bufio.NewReaderSize(r, 64<<10), max: limit}
}

// Delimiters returns the delimiters of the current interchange. It is the
// zero value until the first ISA has been read.
func (r *Reader) Delimiters() Delimiters { return r.delims }

// Indented returns the ordinal of the first segment that spaces or tabs
// preceded (after the segment terminator before it), or 0 when none did so
// far. Line breaks alone do not count: one segment per line is common.
func (r *Reader) Indented() int { return r.indented }

// Offset returns the number of bytes consumed so far.
func (r *Reader) Offset() int64 { return r.off }

// ReadAll reads segments until the end of input. On an error it returns the
// segments read before it together with the error.
func ReadAll(rd io.Reader, opts ReaderOptions) ([]*Segment, error) {
	r := NewReader(rd, opts)
	var segs []*Segment
	for {
		s, err := r.Next()
		if err == io.EOF {
			return segs, nil
		}
		if err != nil {
			return segs, err
		}
		segs = append(segs, s)
	}
}

// Next returns the next segment, io.EOF at a clean end of input, or an
// *Error. Each returned Segment is freshly allocated and owned by the caller.
func (r *Reader) Next() (*Segment, error) { return r.next(false) }

// NextView is Next without allocating: the Segment and the strings of its
// Elements belong to the Reader and are valid only until the next call to
// Next or NextView (the strings point into the Reader's buffer). Callers
// copy what they keep (Segment.Own, strings.Clone). An ISA is always
// freshly allocated. Errors are the same as Next's.
func (r *Reader) NextView() (*Segment, error) { return r.next(true) }

func (r *Reader) next(view bool) (*Segment, error) {
	if r.err != nil {
		return nil, r.err
	}
	if !r.haveISA {
		return r.readFirst()
	}
	if view {
		if seg := r.fastView(); seg != nil {
			return seg, nil
		}
	}
	r.sync()
	for {
		c, err := r.br.ReadByte()
		if err != nil {
			if err == io.EOF {
				r.err = io.EOF
				return nil, io.EOF
			}
			return nil, r.readError(err)
		}
		switch c {
		case '\r', '\n':
			r.off++
			continue
		case ' ', '\t':
			r.off++
			r.spaced = true
			continue
		}
		_ = r.br.UnreadByte() // cannot fail right after ReadByte
		if r.spaced && r.indented == 0 {
			r.indented = r.ordinal + 1
		}
		r.spaced = false
		if c == 'I' {
			isISA, err := r.atISA()
			if err != nil {
				return nil, err
			}
			if isISA {
				return r.readISA()
			}
		}
		seg, skip, err := r.readSegment(view)
		if skip {
			continue
		}
		return seg, err
	}
}

// fail records a final error and returns it.
func (r *Reader) fail(e *Error) error {
	r.err = e
	return e
}

func (r *Reader) readError(err error) error {
	return r.fail(&Error{Code: CodeReadError, Segment: r.ordinal + 1, Offset: r.off, Msg: "reading input failed", Err: err})
}

// readFirst skips an optional UTF-8 BOM and whitespace, then reads the ISA.
func (r *Reader) readFirst() (*Segment, error) {
	p, err := r.br.Peek(3)
	if err != nil && err != io.EOF {
		return nil, r.readError(err)
	}
	if len(p) == 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF {
		_, _ = r.br.Discard(3)
		r.off += 3
	}
	for {
		c, err := r.br.ReadByte()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, r.readError(err)
		}
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			r.off++
			continue
		}
		_ = r.br.UnreadByte()
		break
	}
	isISA, err := r.atISA()
	if err != nil {
		return nil, err
	}
	if !isISA {
		return nil, r.fail(&Error{Code: CodeISAMissing, Segment: 1, Offset: r.off, Msg: "input does not start with an ISA segment"})
	}
	return r.readISA()
}

// atISA reports whether the unread input starts with an ISA segment: "ISA"
// followed by something that cannot continue a segment ID.
func (r *Reader) atISA() (bool, error) {
	p, err := r.br.Peek(4)
	if err != nil && err != io.EOF {
		return false, r.readError(err)
	}
	if len(p) < 3 || p[0] != 'I' || p[1] != 'S' || p[2] != 'A' {
		return false, nil
	}
	return len(p) == 3 || !isUpperAlnum(p[3]), nil
}

// readISA reads the fixed-width ISA at the current position and switches to
// its delimiters.
func (r *Reader) readISA() (*Segment, error) {
	p, err := r.br.Peek(isaLen)
	if err != nil && err != io.EOF {
		return nil, r.readError(err)
	}
	r.ordinal++
	bad := &Error{Code: CodeISAInvalid, Segment: r.ordinal, SegmentID: "ISA", Offset: r.off}
	if len(p) < isaLen {
		bad.Msg = "ISA is shorter than 106 bytes"
		return nil, r.fail(bad)
	}
	d, elem, msg := parseISA(p)
	if msg != "" {
		bad.Element, bad.Msg = elem, msg
		return nil, r.fail(bad)
	}
	seg := &Segment{ID: "ISA", Ordinal: r.ordinal, Offset: r.off, Delims: d}
	seg.Elements = splitElements(string(p[:isaLen-1]), d.Element, len(isaSeparators)+1)
	_, _ = r.br.Discard(isaLen)
	r.off += isaLen
	r.delims = d
	r.haveISA = true
	return seg, nil
}

// parseISA checks the 106 bytes of an ISA and returns its delimiters. On a
// problem it returns the element it concerns (0 when none) and a message.
func parseISA(p []byte) (d Delimiters, element int, msg string) {
	if len(p) < isaLen || p[0] != 'I' || p[1] != 'S' || p[2] != 'A' {
		return d, 0, "not a 106-byte ISA segment"
	}
	e, c, t := p[3], p[104], p[105]
	if !validSeparator(e) {
		return d, 0, "element separator is a letter, digit, space or line break"
	}
	// Alignment first: a field of the wrong width shifts everything after it.
	field := 0 // ISA element holding position i
	next := 0  // index into isaSeparators
	for i := 3; i < isaLen-1; i++ {
		if next < len(isaSeparators) && i == isaSeparators[next] {
			if p[i] != e {
				return d, field, "ISA element has the wrong width (fixed-width fields misaligned)"
			}
			next++
			field++
		} else if p[i] == e {
			return d, field, "ISA element has the wrong width (fixed-width fields misaligned)"
		}
	}
	if !validSeparator(c) || c == e {
		return d, 16, "component separator (ISA16) is a letter, digit, space, line break or equal to the element separator"
	}
	if !validTerminator(t) || t == e || t == c {
		return d, 0, "segment terminator is a letter, digit, space or equal to another separator"
	}
	field = 0
	next = 0
	for i := 3; i < isaLen-1; i++ {
		if next < len(isaSeparators) && i == isaSeparators[next] {
			next++
			field++
			continue
		}
		switch p[i] {
		case t:
			return d, field, "segment terminator inside the ISA"
		case '\r', '\n':
			return d, field, "line break inside the ISA"
		}
	}
	d = Delimiters{Element: e, Component: c, Segment: t}
	if rep := p[82]; validSeparator(rep) && rep != e && rep != c && rep != t {
		d.Repetition = rep
	}
	return d, 0, ""
}

// validSeparator reports whether c may be an element, component or
// repetition separator.
func validSeparator(c byte) bool {
	return !isAlnum(c) && c != ' ' && c != '\r' && c != '\n'
}

// validTerminator reports whether c may be a segment terminator (CR and LF
// are allowed there).
func validTerminator(c byte) bool {
	return !isAlnum(c) && c != ' '
}

// readSegment reads one segment that does not start with CR/LF and is not
// an ISA. skip is true for a blank or whitespace-only line when the
// terminator is CR or LF.
func (r *Reader) readSegment(view bool) (seg *Segment, skip bool, err error) {
	t := r.delims.Segment
	start := r.off
	line, rerr := r.br.ReadSlice(t)
	if rerr == bufio.ErrBufferFull {
		r.scratch = append(r.scratch[:0], line...)
		for rerr == bufio.ErrBufferFull {
			if len(r.scratch) > r.max {
				r.off += int64(len(r.scratch))
				return nil, false, r.tooLong(start, r.scratch)
			}
			line, rerr = r.br.ReadSlice(t)
			r.scratch = append(r.scratch, line...)
		}
		line = r.scratch
	}
	r.off += int64(len(line))
	content := line
	switch rerr {
	case nil:
		content = line[:len(line)-1]
	case io.EOF:
		if onlyWhitespace(content) {
			r.err = io.EOF
			return nil, false, io.EOF
		}
		if t != '\n' && t != '\r' {
			r.ordinal++
			return nil, false, r.fail(&Error{Code: CodeTruncated, Segment: r.ordinal, SegmentID: leadingID(content, r.delims.Element), Offset: start, Msg: "input ends inside a segment (no segment terminator)"})
		}
		// Line-terminated files often lack the final line break.
	default:
		return nil, false, r.readError(rerr)
	}
	if len(content) > r.max {
		return nil, false, r.tooLong(start, content)
	}
	e := r.delims.Element
	if view && t != '\n' && t != '\r' && e != '\n' && e != '\r' {
		// One pass splits the elements and looks for line breaks: segments
		// are short, so this beats separate vectorised scans.
		if elems, src, ok := r.splitCopy(content, e); ok {
			r.ordinal++
			if !validIDBytes(src[:len(elems[0])]) {
				r.viewElems = elems
				return nil, false, &Error{Code: CodeSegmentIDInvalid, Segment: r.ordinal, Offset: start, Msg: "segment ID is empty or not 2-3 upper-case letters/digits"}
			}
			if elems[0] == "ISA" {
				r.viewElems = elems
				return nil, false, r.fail(&Error{Code: CodeISAInvalid, Segment: r.ordinal, SegmentID: "ISA", Offset: start, Msg: "ISA split by line breaks or not at a segment start"})
			}
			r.viewElems = elems
			// Field by field: a composite literal would zero and copy the
			// whole Segment through a temporary.
			seg = &r.view
			seg.ID, seg.Elements = elems[0], elems
			seg.Ordinal, seg.Offset, seg.Delims = r.ordinal, start, r.delims
			return seg, false, nil
		}
	}
	// Line breaks inside a segment are dropped; bytes.IndexByte and
	// bytes.Count run vectorised, faster than one byte loop doing both.
	if bytes.IndexByte(content, '\n') >= 0 || bytes.IndexByte(content, '\r') >= 0 {
		r.scratch = stripCRLF(r.scratch[:0], content)
		content = r.scratch
	}
	seps := bytes.Count(content, []byte{e})
	if (t == '\n' || t == '\r') && onlyWhitespace(content) {
		return nil, true, nil // blank line
	}
	r.ordinal++
	idLen := 0
	for idLen < len(content) && content[idLen] != e {
		idLen++
	}
	id := content[:idLen]
	if !validIDBytes(id) {
		// Recoverable: the segment is consumed, the next one can be read.
		return nil, false, &Error{Code: CodeSegmentIDInvalid, Segment: r.ordinal, Offset: start, Msg: "segment ID is empty or not 2-3 upper-case letters/digits"}
	}
	if string(id) == "ISA" {
		return nil, false, r.fail(&Error{Code: CodeISAInvalid, Segment: r.ordinal, SegmentID: "ISA", Offset: start, Msg: "ISA split by line breaks or not at a segment start"})
	}
	if view {
		seg = &r.view
		if cap(r.viewElems) < seps+1 {
			r.viewElems = make([]string, seps+1, max(seps+1, 32))
		}
		seg.Elements = r.viewElems[:seps+1]
		*seg = Segment{Elements: seg.Elements, Ordinal: r.ordinal, Offset: start, Delims: r.delims}
		splitInto(seg.Elements, unsafe.String(unsafe.SliceData(content), len(content)), e)
		seg.ID = seg.Elements[0]
		if r.arena != nil {
			r.ownInArena(seg)
		}
		return seg, false, nil
	}
	seg = newSegment(seps + 1)
	seg.Ordinal, seg.Offset, seg.Delims = r.ordinal, start, r.delims
	splitInto(seg.Elements, string(content), e)
	seg.ID = seg.Elements[0]
	return seg, false, nil
}

// splitCopy splits a segment's content for NextView, after copying it
// into the text arena when there is one (src is what was split); ok is
// false when content holds a line break (see splitView).
func (r *Reader) splitCopy(content []byte, e byte) (elems []string, src []byte, ok bool) {
	if r.viewElems == nil {
		r.viewElems = make([]string, 0, 32)
	}
	src = content
	if r.arena != nil && len(content) > 0 {
		src = r.arena(idPrefix(content, e), len(content))[:len(content)]
		copy(src, content)
	}
	elems, ok = splitView(r.viewElems[:0], src, e)
	return elems, src, ok
}

// idPrefix is the text before the first element separator, at most 4
// bytes (a valid ID has 2 or 3), as a string into content.
func idPrefix(content []byte, e byte) string {
	n := 0
	for n < len(content) && n < 4 && content[n] != e {
		n++
	}
	return unsafe.String(unsafe.SliceData(content), n)
}

// ownInArena moves the text of a view segment split off the fast path
// (line breaks stripped into the scratch buffer) into the arena.
func (r *Reader) ownInArena(s *Segment) {
	n := 0
	for _, e := range s.Elements {
		n += len(e)
	}
	if n == 0 {
		return
	}
	buf := r.arena(s.ID, n)[:n]
	all := unsafe.String(&buf[0], n)
	off := 0
	for i, e := range s.Elements {
		copy(buf[off:], e)
		s.Elements[i] = all[off : off+len(e)]
		off += len(e)
	}
	s.ID = s.Elements[0]
}

// Own copies the text of s's elements into one new string, so s keeps
// them after the Reader moves on (the strings of a NextView segment point
// into the Reader's buffer). The Segment itself is not copied: a view
// segment is still reused by the next call; Clone copies it whole.
func (s *Segment) Own() {
	n := 0
	for _, e := range s.Elements {
		n += len(e)
	}
	if n == 0 {
		return
	}
	buf := make([]byte, 0, n)
	for _, e := range s.Elements {
		buf = append(buf, e...)
	}
	all := unsafe.String(unsafe.SliceData(buf), len(buf))
	off := 0
	for i, e := range s.Elements {
		s.Elements[i] = all[off : off+len(e)]
		off += len(e)
	}
	s.ID = s.Elements[0]
}

// Clone returns a Segment of its own with its own element strings.
func (s *Segment) Clone() *Segment {
	c := newSegment(len(s.Elements))
	els := c.Elements
	*c = *s
	c.Elements = els
	copy(c.Elements, s.Elements)
	c.Own()
	return c
}

// newSegment allocates a Segment with n elements, in one allocation for
// the common sizes.
func newSegment(n int) *Segment {
	switch {
	case n <= 4:
		a := new(struct {
			s Segment
			e [4]string
		})
		a.s.Elements = a.e[:n:n]
		return &a.s
	case n <= 8:
		a := new(struct {
			s Segment
			e [8]string
		})
		a.s.Elements = a.e[:n:n]
		return &a.s
	case n <= 16:
		a := new(struct {
			s Segment
			e [16]string
		})
		a.s.Elements = a.e[:n:n]
		return &a.s
	}
	return &Segment{Elements: make([]string, n)}
}

func (r *Reader) tooLong(start int64, content []byte) error {
	r.ordinal++
	return r.fail(&Error{Code: CodeSegmentTooLong, Segment: r.ordinal, SegmentID: leadingID(content, r.delims.Element), Offset: start, Msg: "segment exceeds the maximum segment length"})
}

// leadingID returns the segment ID at the start of content when it is a
// valid ID, else "" (an invalid ID may be data and must not reach messages).
func leadingID(content []byte, e byte) string {
	if len(content) > 4 {
		content = content[:4]
	}
	if n := bytes.IndexByte(content, e); n >= 0 {
		content = content[:n]
	}
	if validIDBytes(content) {
		return string(content)
	}
	return ""
}

func validIDBytes(id []byte) bool {
	if len(id) < 2 || len(id) > 3 {
		return false
	}
	for _, c := range id {
		if !isUpperAlnum(c) {
			return false
		}
	}
	return true
}

func onlyWhitespace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// stripCRLF appends src without CR and LF bytes to dst. dst may alias src
// (same start): the write position never passes the read position.
func stripCRLF(dst, src []byte) []byte {
	for _, c := range src {
		if c != '\r' && c != '\n' {
			dst = append(dst, c)
		}
	}
	return dst
}

// splitElements splits s on sep into n parts (n = separators + 1).
func splitElements(s string, sep byte, n int) []string {
	elems := make([]string, n)
	splitInto(elems, s, sep)
	return elems
}

// splitInto fills elems with the parts of s split on sep; s must hold
// exactly len(elems)-1 separators. Elements are short, so a plain loop beats
// repeated IndexByte calls.
// splitView splits content at sep into elems (its strings point into
// content); ok is false, with nothing split, when content holds a line
// break (the caller strips line breaks first).
func splitView(elems []string, content []byte, sep byte) (out []string, ok bool) {
	s := unsafe.String(unsafe.SliceData(content), len(content))
	elems = elems[:cap(elems)]
	k, from, i := 0, 0, 0
	// Eight bytes at a time: exact masks of the separators and line breaks
	// in each word, the separators taken lowest first.
	pat, nl, cr := swarLo*uint64(sep), swarLo*uint64('\n'), swarLo*uint64('\r')
	for ; i+8 <= len(s); i += 8 {
		w := binary.LittleEndian.Uint64(content[i : i+8])
		// A byte below 0x0e, then exactly: CR or LF.
		if (w-swarLo*0x0e)&^w&swar80 != 0 && zeroBytes(w^nl)|zeroBytes(w^cr) != 0 {
			return elems[:0], false
		}
		for m := zeroBytes(w ^ pat); m != 0; m &= m - 1 {
			at := i + bits.TrailingZeros64(m)/8
			if k == len(elems) {
				elems = append(elems, "")
				elems = elems[:cap(elems)]
			}
			elems[k] = s[from:at]
			k++
			from = at + 1
		}
	}
	for ; i < len(s); i++ {
		c := s[i]
		if c == sep {
			if k == len(elems) {
				elems = append(elems, "")
				elems = elems[:cap(elems)]
			}
			elems[k] = s[from:i]
			k++
			from = i + 1
		} else if c <= '\r' && (c == '\n' || c == '\r') {
			return elems[:0], false
		}
	}
	if k == len(elems) {
		elems = append(elems, "")
	}
	elems[k] = s[from:]
	return elems[:k+1], true
}

const (
	swarLo = 0x0101010101010101
	swar7f = 0x7f7f7f7f7f7f7f7f
	swar80 = 0x8080808080808080
)

// zeroBytes has the high bit set in exactly the bytes of x that are zero.
func zeroBytes(x uint64) uint64 {
	t := (x & swar7f) + swar7f
	return ^(t | x | swar7f)
}

func splitInto(elems []string, s string, sep byte) {
	k, from := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			elems[k] = s[from:i]
			k++
			from = i + 1
		}
	}
	elems[k] = s[from:]
}
