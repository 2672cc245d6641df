package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/casebridge/casebridge/internal/money"
)

// SyntaxError means the input is not JSON at all (or not one JSON object).
type SyntaxError struct {
	Offset int64
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("record: not valid JSON at byte %d: %s", e.Offset, e.Msg)
}

// MaxRecordBytes bounds the size of a record callers read before decoding.
const MaxRecordBytes = 8 << 20

// DecodeBytes decodes one record. It returns a *SyntaxError when data is not
// a JSON object, and otherwise the record with every shape problem (unknown
// field, wrong type, bad amount) as an error Problem with its pointer. The
// record is only usable when Problems has no errors.
//
// A record that matches the contract is decoded in one strict pass
// (decodeStrict); only when that pass gives up does the full pass run,
// which parses generically and reports every problem.
func DecodeBytes(data []byte) (*Record, Problems, error) {
	if rec, ok := decodeStrict(data); ok {
		return rec, nil, nil
	}
	return decodeFull(data)
}

// decodeFull is the full pass: generic parse, shape check with pointers,
// struct decode.
func decodeFull(data []byte) (*Record, Problems, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, nil, syntaxError(err, dec)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, &SyntaxError{Offset: dec.InputOffset(), Msg: "data after the record object"}
	}
	if _, ok := generic.(map[string]any); !ok {
		return nil, nil, &SyntaxError{Msg: "the record must be a JSON object"}
	}
	var probs Problems
	checkShape(generic, reflect.TypeOf(Record{}), "", &probs)
	if len(probs) > 0 {
		return nil, probs, nil
	}
	var rec Record
	strict := json.NewDecoder(bytes.NewReader(data))
	strict.DisallowUnknownFields()
	if err := strict.Decode(&rec); err != nil {
		// checkShape accepts only what the struct decode accepts; reaching
		// here is a bug, reported as a shape problem rather than a crash.
		return nil, Problems{{Severity: SeverityError, Code: "RECORD_SHAPE", Pointer: "", Message: "The record does not match the contract."}}, nil
	}
	return &rec, nil, nil
}

func syntaxError(err error, dec *json.Decoder) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &SyntaxError{Offset: se.Offset, Msg: se.Error()}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &SyntaxError{Offset: dec.InputOffset(), Msg: "unexpected end of input"}
	}
	return &SyntaxError{Offset: dec.InputOffset(), Msg: "invalid JSON"}
}

var amountType = reflect.TypeOf(money.Amount{})

// checkShape walks the generic JSON value against the Go type and reports,
// with a pointer, every place the struct decoder would refuse.
func checkShape(v any, t reflect.Type, ptr string, probs *Problems) {
	add := func(code, msg string) {
		*probs = append(*probs, Problem{Severity: SeverityError, Code: code, Pointer: ptr, Message: msg})
	}
	if t.Kind() == reflect.Pointer {
		if v == nil {
			return
		}
		t = t.Elem()
	}
	if t == amountType {
		var s string
		switch x := v.(type) {
		case json.Number:
			s = string(x)
		case string:
			s = x
		default:
			add("MONEY_INVALID", "Amount must be a decimal string such as \"85.00\" or a JSON number.")
			return
		}
		if _, err := money.Parse(s); err != nil {
			add("MONEY_INVALID", "Amount must be a plain decimal such as \"85.00\" (no exponent, sign '+' or separators).")
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			add("TYPE_MISMATCH", "Expected a JSON object.")
			return
		}
		fields := jsonFields(t)
		for _, key := range sortedKeys(obj) {
			f, ok := fields[key]
			if !ok {
				*probs = append(*probs, unknownField(ptr, key))
				continue
			}
			checkShape(obj[key], f.Type, ptr+Pointer(key), probs)
		}
	case reflect.Slice:
		if v == nil {
			return
		}
		arr, ok := v.([]any)
		if !ok {
			add("TYPE_MISMATCH", "Expected a JSON array.")
			return
		}
		for i, e := range arr {
			checkShape(e, t.Elem(), ptr+Pointer(i), probs)
		}
	case reflect.String:
		if v == nil {
			return
		}
		if _, ok := v.(string); !ok {
			add("TYPE_MISMATCH", "Expected a JSON string.")
		}
	case reflect.Int:
		if v == nil {
			return
		}
		n, ok := v.(json.Number)
		if !ok {
			add("TYPE_MISMATCH", "Expected a whole number.")
			return
		}
		if _, err := n.Int64(); err != nil || strings.ContainsAny(string(n), ".eE") {
			add("TYPE_MISMATCH", "Expected a whole number.")
		}
	}
}

// fieldTables caches jsonFields per type: built once, not per record.
var fieldTables sync.Map // reflect.Type → map[string]reflect.StructField

func jsonFields(t reflect.Type) map[string]reflect.StructField {
	if m, ok := fieldTables.Load(t); ok {
		return m.(map[string]reflect.StructField)
	}
	m, _ := fieldTables.LoadOrStore(t, buildJSONFields(t))
	return m.(map[string]reflect.StructField)
}

func buildJSONFields(t reflect.Type) map[string]reflect.StructField {
	out := make(map[string]reflect.StructField, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		out[name] = f
	}
	return out
}

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

// unknownField reports a key the contract does not define. A key not shaped
// like a contract field name (snake_case ASCII) may be client data pasted as
// a key (a name, a member id, a date): it is reported at its parent object,
// and neither pointer nor message repeats it, so no answer or log quotes it.
func unknownField(parent, key string) Problem {
	if fieldShaped(key) {
		return Problem{Severity: SeverityError, Code: "UNKNOWN_FIELD", Pointer: parent + Pointer(key),
			Message: "Unknown field: the record contract does not define it."}
	}
	return Problem{Severity: SeverityError, Code: "UNKNOWN_FIELD", Pointer: parent,
		Message: "Unknown field (its name is not repeated: it does not look like a field name): the record contract does not define it."}
}

// fieldShaped reports whether key looks like a contract field name:
// a lower-case letter, then up to 63 lower-case letters, digits or '_'.
func fieldShaped(key string) bool {
	if len(key) == 0 || len(key) > 64 || key[0] < 'a' || key[0] > 'z' {
		return false
	}
	for i := 1; i < len(key); i++ {
		c := key[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
