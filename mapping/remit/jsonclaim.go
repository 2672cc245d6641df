package remit

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"unicode/utf8"
	"unsafe"

	"github.com/casebridge/casebridge/internal/money"
)

// appendClaimJSON appends c as encoding/json writes it (HTML characters not
// escaped), indented two spaces a level with c at depth, or compact: the
// same bytes, without reflection (the findings writers spend most of their
// time here). TestClaimJSONMatchesEncodingJSON holds it to that.
func appendClaimJSON(b []byte, c *ClaimReport, indent bool, depth int) []byte {
	o := obj{b: b, indent: indent, depth: depth}
	o.open()
	o.str("patient_control_number", c.PatientControlNumber)
	o.str("payer_claim_control_number", c.PayerClaimControlNumber)
	o.str("status_code", c.StatusCode)
	o.str("status", c.Status)
	if c.StatusNote != "" {
		o.str("status_note", c.StatusNote)
	}
	o.str("payment_outcome", c.PaymentOutcome)
	o.amount("charge", c.Charge)
	o.amount("paid", c.Paid)
	o.amount("patient_responsibility", c.PatientResponsibility)
	o.key("adjustments")
	o.b = appendAdjustments(o.b, c.Adjustments, indent, depth+1)
	o.key("remarks")
	o.b = appendRemarks(o.b, c.Remarks, indent, depth+1)
	o.key("lines")
	if c.Lines == nil {
		o.b = append(o.b, "null"...)
	} else {
		a := arr{b: o.b, indent: indent, depth: depth + 1}
		a.open()
		for i := range c.Lines {
			a.elem()
			a.b = appendLineJSON(a.b, &c.Lines[i], indent, depth+2)
		}
		o.b = a.close()
	}
	o.key("findings")
	if c.Findings == nil {
		o.b = append(o.b, "null"...)
	} else {
		a := arr{b: o.b, indent: indent, depth: depth + 1}
		a.open()
		for i := range c.Findings {
			a.elem()
			a.b = appendFindingJSON(a.b, &c.Findings[i], indent, depth+2)
		}
		o.b = a.close()
	}
	return o.close()
}

func appendLineJSON(b []byte, l *LineReport, indent bool, depth int) []byte {
	o := obj{b: b, indent: indent, depth: depth}
	o.open()
	o.str("line_control_number", l.LineControlNumber)
	o.str("procedure", l.Procedure)
	if l.SubmittedProcedure != "" {
		o.str("submitted_procedure", l.SubmittedProcedure)
	}
	o.amount("charge", l.Charge)
	o.amount("paid", l.Paid)
	if l.Allowed != nil {
		o.amount("allowed", *l.Allowed)
	}
	o.number("units", l.Units)
	o.str("service_date_from", l.ServiceDateFrom)
	o.str("service_date_to", l.ServiceDateTo)
	o.key("adjustments")
	o.b = appendAdjustments(o.b, l.Adjustments, indent, depth+1)
	o.key("remarks")
	o.b = appendRemarks(o.b, l.Remarks, indent, depth+1)
	return o.close()
}

func appendAdjustments(b []byte, as []AdjustmentReport, indent bool, depth int) []byte {
	if as == nil {
		return append(b, "null"...)
	}
	a := arr{b: b, indent: indent, depth: depth}
	a.open()
	for i := range as {
		x := &as[i]
		a.elem()
		o := obj{b: a.b, indent: indent, depth: depth + 1}
		o.open()
		o.str("group", x.Group)
		o.str("reason", x.Reason)
		o.amount("amount", x.Amount)
		if x.Quantity != "" {
			o.number("quantity", x.Quantity)
		}
		o.str("category", string(x.Category))
		if x.plainDesc {
			o.key("description")
			o.b = append(o.b, '"')
			o.b = append(o.b, x.Description...)
			o.b = append(o.b, '"')
		} else {
			o.str("description", x.Description)
		}
		o.retired(x.Retired)
		a.b = o.close()
	}
	return a.close()
}

func appendRemarks(b []byte, rs []RemarkReport, indent bool, depth int) []byte {
	if rs == nil {
		return append(b, "null"...)
	}
	a := arr{b: b, indent: indent, depth: depth}
	a.open()
	for i := range rs {
		x := &rs[i]
		a.elem()
		o := obj{b: a.b, indent: indent, depth: depth + 1}
		o.open()
		o.str("code", x.Code)
		if x.Category != "" {
			o.str("category", string(x.Category))
		}
		o.str("description", x.Description)
		o.retired(x.Retired)
		a.b = o.close()
	}
	return a.close()
}

func appendFindingJSON(b []byte, f *Finding, indent bool, depth int) []byte {
	o := obj{b: b, indent: indent, depth: depth}
	o.open()
	o.str("category", string(f.Category))
	o.amount("amount", f.Amount)
	if f.LineControlNumber != "" {
		o.str("line_control_number", f.LineControlNumber)
	}
	o.key("codes")
	if f.Codes == nil {
		o.b = append(o.b, "null"...)
	} else {
		a := arr{b: o.b, indent: indent, depth: depth + 1}
		a.open()
		for _, s := range f.Codes {
			a.elem()
			a.b = appendJSONString(a.b, s)
		}
		o.b = a.close()
	}
	o.str("explanation", f.Explanation)
	o.str("next_step", f.NextStep)
	return o.close()
}

// obj writes one JSON object's members.
type obj struct {
	b      []byte
	indent bool
	depth  int
	n      int
}

func newline(b []byte, indent bool, depth int) []byte {
	if !indent {
		return b
	}
	if 1+2*depth <= len(newlines) {
		return append(b, newlines[:1+2*depth]...)
	}
	b = append(b, '\n')
	for i := 0; i < depth; i++ {
		b = append(b, ' ', ' ')
	}
	return b
}

// newlines is a line break and the indentation of up to 15 levels.
const newlines = "\n                              "

func (o *obj) open() { o.b = append(o.b, '{') }

func (o *obj) key(k string) {
	if !o.indent {
		if o.n > 0 {
			o.b = append(o.b, ',', '"')
		} else {
			o.b = append(o.b, '"')
		}
		o.n++
		o.b = append(o.b, k...)
		o.b = append(o.b, '"', ':')
		return
	}
	if o.n > 0 {
		o.b = append(o.b, ',')
	}
	o.n++
	o.b = newline(o.b, o.indent, o.depth+1)
	o.b = append(o.b, '"')
	o.b = append(o.b, k...)
	o.b = append(o.b, '"', ':')
	if o.indent {
		o.b = append(o.b, ' ')
	}
}

func (o *obj) str(k, v string) {
	o.key(k)
	o.b = appendJSONString(o.b, v)
}

func (o *obj) amount(k string, a money.Amount) {
	o.key(k)
	o.b = append(o.b, '"')
	o.b = a.AppendReport(o.b)
	o.b = append(o.b, '"')
}

// number writes a json.Number as encoding/json does ("" is 0; the values
// here come from money.Amount.X12, always valid numbers).
func (o *obj) number(k string, n json.Number) {
	o.key(k)
	if n == "" {
		n = "0"
	}
	o.b = append(o.b, n...)
}

func (o *obj) retired(r Retired) {
	if r.Deactivated {
		o.key("deactivated")
		o.b = append(o.b, "true"...)
	}
	if r.StopDate != "" {
		o.str("stop_date", r.StopDate)
	}
}

func (o *obj) close() []byte {
	if o.n > 0 {
		o.b = newline(o.b, o.indent, o.depth)
	}
	return append(o.b, '}')
}

// arr writes one JSON array's elements.
type arr struct {
	b      []byte
	indent bool
	depth  int
	n      int
}

func (a *arr) open() { a.b = append(a.b, '[') }

func (a *arr) elem() {
	if a.n > 0 {
		a.b = append(a.b, ',')
	}
	a.n++
	a.b = newline(a.b, a.indent, a.depth+1)
}

func (a *arr) close() []byte {
	if a.n > 0 {
		a.b = newline(a.b, a.indent, a.depth)
	}
	return append(a.b, ']')
}

// plainJSON reports whether s is printable ASCII without '"' or '\\':
// appendJSONString copies such a string as it is.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// appendJSONString quotes s as encoding/json does without HTML escaping.
// Plain printable ASCII (nearly everything in an 835) is copied; anything
// else goes through encoding/json itself.
func appendJSONString(b []byte, s string) []byte {
	i := 0
	// Eight bytes at a time: any byte below 0x20, '"', '\\' or above 0x7f
	// sends the string to the slow path.
	for ; i+8 <= len(s); i += 8 {
		w := binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))
		if w&hi8 != 0 || zeroByte(w^(lo8*'"')) || zeroByte(w^(lo8*'\\')) || (w-lo8*0x20)&^w&hi8 != 0 {
			return appendJSONStringSlow(b, s)
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			return appendJSONStringSlow(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

const (
	lo8 = 0x0101010101010101
	hi8 = 0x8080808080808080
)

// zeroByte reports whether one of w's bytes is zero (w holding no byte
// above 0x7f).
func zeroByte(w uint64) bool { return (w-lo8)&^w&hi8 != 0 }

func appendJSONStringSlow(b []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	out := buf.Bytes()
	return append(b, out[:len(out)-1]...)
}
