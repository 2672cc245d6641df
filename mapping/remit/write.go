package remit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/casebridge/casebridge/adapters/x12"
)

// ErrorReport is the "error" object that ends a streamed report when the
// input turns out unreadable after output began: the positioned *x12.Error
// in JSON, PHI-free like its message.
type ErrorReport struct {
	Code          string `json:"code"`
	SegmentNumber int    `json:"segment_number"`
	SegmentID     string `json:"segment_id"`
	Loop          string `json:"loop,omitempty"`
	Element       string `json:"element"` // e.g. "CLP04", "" when it concerns the whole segment
	Offset        int64  `json:"offset"`
	Message       string `json:"message"`
}

// NewErrorReport converts a read error; ok is false when err is not an
// *x12.Error (then it is not the input's fault: a write error, say).
func NewErrorReport(err error) (ErrorReport, bool) {
	var xe *x12.Error
	if !errors.As(err, &xe) {
		return ErrorReport{}, false
	}
	e := ErrorReport{Code: string(xe.Code), SegmentNumber: xe.Segment, SegmentID: xe.SegmentID, Loop: xe.Loop, Offset: xe.Offset, Message: xe.Error()}
	if xe.Element > 0 && xe.SegmentID != "" {
		e.Element = fmt.Sprintf("%s%02d", xe.SegmentID, xe.Element)
	}
	return e, true
}

// encoder marshals values without HTML escaping (as the CLI and the HTTP
// API always did), indented under a prefix or compact.
type encoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

func newEncoder() *encoder {
	e := &encoder{}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	return e
}

// marshal returns v's JSON without the trailing newline; the bytes are
// valid until the next call. prefix "" with indent false is compact.
func (e *encoder) marshal(v any, prefix string, indent bool) ([]byte, error) {
	e.buf.Reset()
	if indent {
		e.enc.SetIndent(prefix, "  ")
	} else {
		e.enc.SetIndent("", "")
	}
	if err := e.enc.Encode(v); err != nil {
		return nil, err
	}
	b := e.buf.Bytes()
	return b[:len(b)-1], nil
}

// outWriter passes writes on and remembers whether any went out.
type outWriter struct {
	w    io.Writer
	used bool
}

func (o *outWriter) Write(p []byte) (int, error) {
	o.used = o.used || len(p) > 0
	return o.w.Write(p)
}

// bufSize is the output buffered before anything is written: a read error
// found before the first flush leaves nothing written at all.
const bufSize = 64 << 10

// flushSize is the output gathered before each later write: bigger writes,
// fewer system calls, memory still bounded (the buffer holds at most this
// plus one claim).
const flushSize = 256 << 10

// outBuf is the writers' output buffer: the claims' JSON is appended to it
// directly (no copy through a bufio.Writer), and it goes out to out once
// it holds bufSize bytes (the first time) or flushSize (after).
type outBuf struct {
	out   outWriter
	b     []byte
	limit int
	err   error
}

func newOutBuf(w io.Writer) outBuf {
	return outBuf{out: outWriter{w: w}, b: make([]byte, 0, bufSize+bufSize/2), limit: bufSize}
}

// spill writes the buffer out once it is over the limit.
func (o *outBuf) spill() error {
	if len(o.b) < o.limit {
		return o.err
	}
	return o.Flush()
}

// Flush writes out what is buffered.
func (o *outBuf) Flush() error {
	if o.err != nil {
		return o.err
	}
	if len(o.b) > 0 {
		if _, err := o.out.Write(o.b); err != nil {
			o.err = err
			return err
		}
	}
	o.b = o.b[:0]
	if o.limit < flushSize {
		o.limit = flushSize
		if cap(o.b) < flushSize+flushSize/2 {
			o.b = make([]byte, 0, flushSize+flushSize/2)
		}
	}
	return nil
}

func (o *outBuf) WriteByte(c byte) error { o.b = append(o.b, c); return o.spill() }

func (o *outBuf) WriteString(s string) (int, error) {
	o.b = append(o.b, s...)
	return len(s), o.spill()
}

func (o *outBuf) Write(p []byte) (int, error) {
	o.b = append(o.b, p...)
	return len(p), o.spill()
}

// JSONWriter writes the findings report (the Report JSON, byte for byte
// what encoding/json writes for BuildReport's Report, indented by two
// spaces or compact) as it is made: each claim when it is done, each
// remittance's provider adjustments and balance at its SE, the warnings
// and the summary last. Call Fail on a read error after WriteFindings
// began, and Flush at the end.
type JSONWriter struct {
	w       outBuf
	enc     *encoder
	indent  bool
	started bool // "{"remittances": [" written
	inRem   bool // inside a remittance's claims array
	nRems   int
	nClaims int
}

// NewJSONWriter returns a JSONWriter on w, indented (as the CLI) or
// compact (as the HTTP API).
func NewJSONWriter(w io.Writer, indent bool) *JSONWriter {
	return &JSONWriter{w: newOutBuf(w), enc: newEncoder(), indent: indent}
}

// Started reports whether any output went out to the writer (the first
// 64 KiB are buffered).
func (j *JSONWriter) Started() bool { return j.w.out.used }

func (j *JSONWriter) nl(depth int) {
	if !j.indent {
		return
	}
	j.w.WriteByte('\n')
	for i := 0; i < depth; i++ {
		j.w.WriteString("  ")
	}
}

func (j *JSONWriter) key(k string) {
	j.w.WriteByte('"')
	j.w.WriteString(k)
	j.w.WriteString(`":`)
	if j.indent {
		j.w.WriteByte(' ')
	}
}

// value writes v at depth (its nested lines indented below it).
func (j *JSONWriter) value(v any, depth int) error {
	prefix := ""
	if j.indent {
		prefix = indentOf(depth)
	}
	b, err := j.enc.marshal(v, prefix, j.indent)
	if err != nil {
		return err
	}
	_, err = j.w.Write(b)
	return err
}

var indents = func() []string {
	s := make([]string, 8)
	for i := range s {
		s[i] = string(bytes.Repeat([]byte("  "), i))
	}
	return s
}()

func indentOf(depth int) string { return indents[depth] }

func (j *JSONWriter) start() {
	if j.started {
		return
	}
	j.started = true
	j.w.WriteByte('{')
	j.nl(1)
	j.key("remittances")
	j.w.WriteByte('[')
}

func (j *JSONWriter) BeginRemittance(rem *Remittance) error {
	j.start()
	if j.nRems > 0 {
		j.w.WriteByte(',')
	}
	j.nRems++
	j.nl(2)
	j.w.WriteByte('{')
	for _, f := range []struct {
		k string
		v any
	}{{"control_number", rem.ControlNumber}, {"payer", rem.Payer}, {"payee", rem.Payee}, {"payment", rem.Payment}} {
		j.nl(3)
		j.key(f.k)
		if err := j.value(f.v, 3); err != nil {
			return err
		}
		j.w.WriteByte(',')
	}
	j.nl(3)
	j.key("claims")
	j.w.WriteByte('[')
	j.inRem, j.nClaims = true, 0
	return nil
}

func (j *JSONWriter) Claim(rem *Remittance, c *ClaimReport) error {
	if j.nClaims > 0 {
		j.w.WriteByte(',')
	}
	j.nClaims++
	j.nl(4)
	j.w.b = appendClaimJSON(j.w.b, c, j.indent, 4)
	return j.w.spill()
}

func (j *JSONWriter) closeClaims() {
	if j.nClaims > 0 {
		j.nl(3)
	}
	j.w.WriteByte(']')
	j.inRem = false
}

func (j *JSONWriter) EndRemittance(rem *Remittance) error {
	j.closeClaims()
	j.w.WriteByte(',')
	j.nl(3)
	j.key("provider_adjustments")
	if err := j.value(rem.ProviderAdjustments, 3); err != nil {
		return err
	}
	j.w.WriteByte(',')
	j.nl(3)
	j.key("balanced")
	j.w.WriteString(strconv.FormatBool(rem.Balanced))
	j.nl(2)
	j.w.WriteByte('}')
	return nil
}

func (j *JSONWriter) closeRemittances() {
	j.start()
	if j.nRems > 0 {
		j.nl(1)
	}
	j.w.WriteByte(']')
}

func (j *JSONWriter) End(warnings []Warning, s Summary) error {
	j.closeRemittances()
	j.w.WriteByte(',')
	j.nl(1)
	j.key("warnings")
	if err := j.value(warnings, 1); err != nil {
		return err
	}
	j.w.WriteByte(',')
	j.nl(1)
	j.key("summary")
	if err := j.value(s, 1); err != nil {
		return err
	}
	j.nl(0)
	j.w.WriteString("}\n")
	return nil
}

// Fail ends a report that a read error cut short: the open arrays and
// objects are closed and an "error" member (ErrorReport) follows the
// remittances, so the output is still one JSON document. A remittance cut
// short lacks provider_adjustments and balanced; warnings and summary are
// absent.
func (j *JSONWriter) Fail(e ErrorReport) error {
	if j.inRem {
		j.closeClaims()
		j.nl(2)
		j.w.WriteByte('}')
	}
	j.closeRemittances()
	j.w.WriteByte(',')
	j.nl(1)
	j.key("error")
	if err := j.value(e, 1); err != nil {
		return err
	}
	j.nl(0)
	j.w.WriteString("}\n")
	return nil
}

// Flush writes out what is buffered.
func (j *JSONWriter) Flush() error { return j.w.Flush() }

// NDJSONWriter writes the findings as newline-delimited JSON, one object a
// line: one per claim as it is done (the claim report with the
// remittance's "control_number" first), one per remittance at its SE
// ({"remittance": {...}} without its claims, with their count), and a last
// line {"summary": {...}, "warnings": N}, N counting every warning found,
// listed or not (WarningCount). Warnings themselves are not
// written (the CLI prints them to stderr). A read error after output began
// ends the output with {"error": {...}} (ErrorReport).
type NDJSONWriter struct {
	w      outBuf
	enc    *encoder
	claims int
	cn     []byte // "{"control_number":"…","
}

// NewNDJSONWriter returns an NDJSONWriter on w.
func NewNDJSONWriter(w io.Writer) *NDJSONWriter {
	return &NDJSONWriter{w: newOutBuf(w), enc: newEncoder()}
}

// Started reports whether any output went out to the writer (the first
// 64 KiB are buffered).
func (n *NDJSONWriter) Started() bool { return n.w.out.used }

// RemittanceLine is the per-remittance line of the ndjson output.
type RemittanceLine struct {
	ControlNumber       string                     `json:"control_number"`
	Payer               ReportPayer                `json:"payer"`
	Payee               ReportPayee                `json:"payee"`
	Payment             ReportPayment              `json:"payment"`
	Claims              int                        `json:"claims"`
	ProviderAdjustments []ProviderAdjustmentReport `json:"provider_adjustments"`
	Balanced            bool                       `json:"balanced"`
}

func (n *NDJSONWriter) BeginRemittance(rem *Remittance) error {
	n.claims = 0
	b, err := n.enc.marshal(rem.ControlNumber, "", false)
	if err != nil {
		return err
	}
	n.cn = append(append(append(n.cn[:0], `{"control_number":`...), b...), ',')
	return nil
}

func (n *NDJSONWriter) Claim(rem *Remittance, c *ClaimReport) error {
	n.claims++
	// The control number opened the object: the claim's "{" takes the
	// place of the comma after it.
	k := len(n.cn) - 1
	at := len(n.w.b) + k
	n.w.b = appendClaimJSON(append(n.w.b, n.cn[:k]...), c, false, 0)
	n.w.b[at] = ','
	n.w.b = append(n.w.b, '\n')
	return n.w.spill()
}

func (n *NDJSONWriter) line(v any) error {
	b, err := n.enc.marshal(v, "", false)
	if err != nil {
		return err
	}
	n.w.Write(b)
	return n.w.WriteByte('\n')
}

func (n *NDJSONWriter) EndRemittance(rem *Remittance) error {
	return n.line(struct {
		Remittance RemittanceLine `json:"remittance"`
	}{RemittanceLine{rem.ControlNumber, rem.Payer, rem.Payee, rem.Payment, n.claims, rem.ProviderAdjustments, rem.Balanced}})
}

func (n *NDJSONWriter) End(warnings []Warning, s Summary) error {
	return n.line(struct {
		Summary  Summary `json:"summary"`
		Warnings int     `json:"warnings"`
	}{s, WarningCount(warnings)})
}

// Fail writes the final {"error": {...}} line.
func (n *NDJSONWriter) Fail(e ErrorReport) error {
	return n.line(struct {
		Error ErrorReport `json:"error"`
	}{e})
}

// Flush writes out what is buffered.
func (n *NDJSONWriter) Flush() error { return n.w.Flush() }

// Writer is a Sink that writes the findings out: a JSONWriter or an
// NDJSONWriter.
type Writer interface {
	Sink
	Started() bool // anything written yet
	Fail(ErrorReport) error
	Flush() error
}

// Totals counts what WriteFindings wrote.
type Totals struct {
	Remittances int
	Claims      int
	Warnings    []Warning
}

// WriteFindings reads an 835 and writes its findings to w as they are
// made. On a read error after output began (w.Started: the first 64 KiB
// are buffered), w gets the error as its last member or line (Fail) and
// is flushed; before, what was buffered is dropped and nothing is
// written. Either way the error is returned.
func WriteFindings(r io.Reader, opts Options, w Writer) (Totals, error) {
	t := &totalsTap{Writer: w}
	err := Findings(r, opts, t)
	if err != nil {
		if e, ok := NewErrorReport(err); ok && w.Started() {
			_ = w.Fail(e)
			_ = w.Flush()
		}
		return t.Totals, err
	}
	return t.Totals, w.Flush()
}

type totalsTap struct {
	Writer
	Totals
}

func (t *totalsTap) EndRemittance(rem *Remittance) error {
	t.Remittances++
	return t.Writer.EndRemittance(rem)
}

func (t *totalsTap) Claim(rem *Remittance, c *ClaimReport) error {
	t.Claims++
	return t.Writer.Claim(rem, c)
}

func (t *totalsTap) End(ws []Warning, s Summary) error {
	t.Warnings = ws
	return t.Writer.End(ws, s)
}
