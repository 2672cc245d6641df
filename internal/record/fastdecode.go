package record

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/casebridge/casebridge/internal/money"
)

// The strict pass of DecodeBytes: one walk over the bytes straight into a
// Record, driven by field tables built once per type. It accepts only what
// the full pass (generic parse, shape check, struct decode) accepts with no
// problem, and gives up — returning false — at the first thing it does not
// take as is: a syntax error, an unknown or repeated field, a wrong type, a
// bad amount, a null where an object must be, a string with escapes or
// non-ASCII it cannot copy (those it hands to encoding/json). DecodeBytes
// then runs the full pass, which finds every problem with its pointer.

type fieldKind uint8

const (
	kindString fieldKind = iota
	kindInt
	kindAmount      // *money.Amount
	kindStruct      // a struct value
	kindStructPtr   // *struct
	kindStrings     // []string
	kindStructSlice // []struct
)

type fieldInfo struct {
	index int
	bit   uint64 // the field's bit, for repeated keys
	kind  fieldKind
	elem  *typeInfo // struct kinds
}

type typeInfo struct {
	typ    reflect.Type
	fields map[string]fieldInfo // one lookup per key gives the field and its bit
}

var (
	typeInfoMu sync.Mutex
	typeInfos  = map[reflect.Type]*typeInfo{}
)

// recordInfo is the field table of Record, built once.
var recordInfo = sync.OnceValue(func() *typeInfo { return infoFor(reflect.TypeFor[Record]()) })

func infoFor(t reflect.Type) *typeInfo {
	typeInfoMu.Lock()
	defer typeInfoMu.Unlock()
	return infoForLocked(t)
}

func infoForLocked(t reflect.Type) *typeInfo {
	if ti, ok := typeInfos[t]; ok {
		return ti
	}
	ti := &typeInfo{typ: t, fields: map[string]fieldInfo{}}
	typeInfos[t] = ti
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		fi := fieldInfo{index: i}
		switch ft := f.Type; {
		case ft == reflect.TypeFor[*money.Amount]():
			fi.kind = kindAmount
		case ft.Kind() == reflect.String:
			fi.kind = kindString
		case ft.Kind() == reflect.Int:
			fi.kind = kindInt
		case ft.Kind() == reflect.Struct:
			fi.kind, fi.elem = kindStruct, infoForLocked(ft)
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct:
			fi.kind, fi.elem = kindStructPtr, infoForLocked(ft.Elem())
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.String:
			fi.kind = kindStrings
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			fi.kind, fi.elem = kindStructSlice, infoForLocked(ft.Elem())
		default:
			panic("record: no strict decoding for field " + t.Name() + "." + f.Name)
		}
		if len(ti.fields) == 64 {
			panic("record: more than 64 fields in " + t.Name())
		}
		fi.bit = uint64(1) << len(ti.fields)
		ti.fields[name] = fi
	}
	return ti
}

// decodeStrict is the strict pass; false means "take the full pass".
func decodeStrict(data []byte) (*Record, bool) {
	// the record's strings are cut from one copy of the input: one
	// allocation instead of one per field
	d := strictDecoder{data: data, text: string(data)}
	var rec Record
	d.space()
	if !d.object(recordInfo(), reflect.ValueOf(&rec).Elem()) {
		return nil, false
	}
	d.space()
	if d.pos != len(d.data) {
		return nil, false
	}
	return &rec, true
}

type strictDecoder struct {
	data []byte
	text string // data as a string
	pos  int
}

func (d *strictDecoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// next skips space and returns the next byte without consuming it (0 at the end).
func (d *strictDecoder) next() byte {
	d.space()
	if d.pos == len(d.data) {
		return 0
	}
	return d.data[d.pos]
}

func (d *strictDecoder) null() bool {
	if bytes.HasPrefix(d.data[d.pos:], []byte("null")) {
		d.pos += 4
		return true
	}
	return false
}

// str reads a JSON string at pos.
func (d *strictDecoder) str() (string, bool) {
	if d.pos >= len(d.data) || d.data[d.pos] != '"' {
		return "", false
	}
	start := d.pos
	simple := true
	for i := start + 1; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			d.pos = i + 1
			if simple {
				return d.text[start+1 : i], true
			}
			var s string // escapes or non-ASCII: exactly as encoding/json reads them
			if json.Unmarshal(d.data[start:i+1], &s) != nil {
				return "", false
			}
			return s, true
		case c == '\\':
			simple = false
			i++ // the escaped character, never the closing quote
		case c < 0x20:
			return "", false
		case c >= 0x80:
			simple = false
		}
	}
	return "", false
}

// number reads a JSON number at pos; integer reports no fraction or exponent.
func (d *strictDecoder) number() (tok []byte, integer bool, ok bool) {
	b, i := d.data, d.pos
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return nil, false, false
	}
	integer = true
	if i < len(b) && b[i] == '.' {
		i++
		integer = false
		if digits() == 0 {
			return nil, false, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		integer = false
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return nil, false, false
		}
	}
	tok, d.pos = b[d.pos:i], i
	return tok, integer, true
}

func (d *strictDecoder) object(ti *typeInfo, v reflect.Value) bool {
	if d.next() != '{' {
		return false
	}
	d.pos++
	if d.next() == '}' {
		d.pos++
		return true
	}
	var seen uint64
	for {
		d.space()
		key, ok := d.str()
		if !ok {
			return false
		}
		fi, known := ti.fields[key]
		if !known {
			return false
		}
		if seen&fi.bit != 0 {
			return false
		}
		seen |= fi.bit
		if d.next() != ':' {
			return false
		}
		d.pos++
		if d.next() == 0 || !d.value(fi, v.Field(fi.index)) {
			return false
		}
		switch d.next() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return true
		default:
			return false
		}
	}
}

// value reads the value of one field at pos (space skipped) into f.
func (d *strictDecoder) value(fi fieldInfo, f reflect.Value) bool {
	isNull := d.data[d.pos] == 'n'
	if isNull {
		if !d.null() {
			return false
		}
		// null leaves a string, number, pointer or list at its zero value;
		// a struct that must be an object is a shape problem
		return fi.kind != kindStruct
	}
	switch fi.kind {
	case kindString:
		s, ok := d.str()
		if ok {
			f.SetString(s)
		}
		return ok
	case kindInt:
		tok, integer, ok := d.number()
		if !ok || !integer {
			return false
		}
		n, err := strconv.ParseInt(d.text[d.pos-len(tok):d.pos], 10, 64)
		if err != nil {
			return false
		}
		f.SetInt(n)
		return true
	case kindAmount:
		var text string
		if d.data[d.pos] == '"' {
			s, ok := d.str()
			if !ok {
				return false
			}
			text = s
		} else {
			tok, _, ok := d.number()
			if !ok {
				return false
			}
			text = d.text[d.pos-len(tok) : d.pos]
		}
		a, err := money.Parse(text)
		if err != nil {
			return false
		}
		f.Set(reflect.ValueOf(&a))
		return true
	case kindStruct:
		return d.object(fi.elem, f)
	case kindStructPtr:
		p := reflect.New(fi.elem.typ)
		if !d.object(fi.elem, p.Elem()) {
			return false
		}
		f.Set(p)
		return true
	case kindStrings, kindStructSlice:
		return d.array(fi, f)
	}
	return false
}

func (d *strictDecoder) array(fi fieldInfo, f reflect.Value) bool {
	if d.data[d.pos] != '[' {
		return false
	}
	d.pos++
	// the list grows in place in the field (Value.Grow and SetLen on the
	// addressable field): no slice header boxed per element as
	// reflect.Append would; an empty array is an empty, non-nil list as
	// encoding/json makes it
	f.Grow(4)
	if d.next() == ']' {
		d.pos++
		return true
	}
	for {
		n := f.Len()
		switch d.next() {
		case '"':
			if fi.kind != kindStrings {
				return false
			}
			s, ok := d.str()
			if !ok {
				return false
			}
			f.Grow(1)
			f.SetLen(n + 1)
			f.Index(n).SetString(s)
		case '{':
			if fi.kind != kindStructSlice {
				return false
			}
			f.Grow(1)
			f.SetLen(n + 1)
			if !d.object(fi.elem, f.Index(n)) {
				return false
			}
		default:
			return false
		}
		switch d.next() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return true
		default:
			return false
		}
	}
}
