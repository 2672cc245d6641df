package fhir

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"google.golang.org/protobuf/proto"

	bcrpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"
)

// MarshalOwn is Marshal for a Bundle nobody else holds: no defensive
// clone first (jsonformat may rewrite its references in place).
func MarshalOwn(r *bcrpb.Bundle, indent bool) ([]byte, error) {
	m, err := marshaller(indent)
	if err != nil {
		return nil, err
	}
	return m.MarshalResource(r)
}

func marshaller(indent bool) (interface {
	Marshal(proto.Message) ([]byte, error)
	MarshalResource(proto.Message) ([]byte, error)
	MarshalElement(proto.Message) ([]byte, error)
}, error) {
	if err := codec(); err != nil {
		return nil, err
	}
	if indent {
		return pretty, nil
	}
	return compact, nil
}

// BundleStream writes a Bundle byte for byte as google/fhir marshals it
// whole, but one entry at a time (its marshaller builds a tree of maps of
// the whole message first: gigabytes for a set of 100,000 claims).
// google/fhir writes keys in alphabetical order, so "entry" comes first
// and the rest of the Bundle (the shell: id, identifier, type, ...) is
// written by Close. depth is the nesting level the Bundle is written at
// (indented output only). Every byte of a resource comes from google/fhir;
// the entry envelope (fullUrl, resource) is written here.
type BundleStream struct {
	out    *bufio.Writer
	indent bool
	depth  int
	tail   []byte
	n      int
}

// NewBundleStream starts a Bundle whose fields other than entry are the
// shell's (its own entries, if any, are ignored).
func NewBundleStream(out *bufio.Writer, shell *bcrpb.Bundle, indent bool, depth int) (*BundleStream, error) {
	entries := shell.Entry
	shell.Entry = nil
	tail, err := MarshalOwn(shell, indent)
	shell.Entry = entries
	if err != nil {
		return nil, err
	}
	return &BundleStream{out: out, indent: indent, depth: depth, tail: tail}, nil
}

func (s *BundleStream) pad(d int) string {
	if !s.indent {
		return ""
	}
	return "\n" + strings.Repeat("  ", d)
}

func (s *BundleStream) sep() string {
	if s.indent {
		return ": "
	}
	return ":"
}

// Entry writes one entry: its fullUrl and the resource as google/fhir
// marshals it.
func (s *BundleStream) Entry(fullURL string, res *bcrpb.ContainedResource) error {
	m, err := marshaller(s.indent)
	if err != nil {
		return err
	}
	data, err := m.Marshal(res)
	if err != nil {
		return err
	}
	return s.EntryFunc(fullURL, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// EntryFunc writes one entry whose resource write writes, as google/fhir
// marshals it at the top level (it is indented here to its place).
func (s *BundleStream) EntryFunc(fullURL string, write func(w io.Writer) error) error {
	if s.n == 0 {
		s.out.WriteString("{" + s.pad(s.depth+1) + `"entry"` + s.sep() + "[")
	} else {
		s.out.WriteByte(',')
	}
	s.n++
	s.out.WriteString(s.pad(s.depth+2) + "{")
	q, err := json.Marshal(fullURL)
	if err != nil {
		return err
	}
	s.out.WriteString(s.pad(s.depth+3) + `"fullUrl"` + s.sep())
	s.out.Write(q)
	s.out.WriteString("," + s.pad(s.depth+3) + `"resource"` + s.sep())
	if err := write(s.indented(s.depth + 3)); err != nil {
		return err
	}
	s.out.WriteString(s.pad(s.depth+2) + "}")
	return nil
}

// Close writes the rest of the Bundle after its entries.
func (s *BundleStream) Close() error {
	tail := s.tail
	if s.n > 0 {
		s.out.WriteString(s.pad(s.depth+1) + "],")
		tail = tail[1:] // its "{": the entry array opened the object
	}
	_, err := s.indented(s.depth).Write(tail)
	return err
}

func (s *BundleStream) indented(depth int) io.Writer {
	if !s.indent || depth == 0 {
		return s.out
	}
	return &indentWriter{out: s.out, pad: s.pad(depth)}
}

// indentWriter writes p with pad (a newline and spaces) for each newline.
type indentWriter struct {
	out *bufio.Writer
	pad string
}

func (w *indentWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.out.Write(p)
			break
		}
		w.out.Write(p[:i])
		w.out.WriteString(w.pad)
		p = p[i+1:]
	}
	return n, nil
}

// errNoArray means WriteWithArray's resource has no top-level array under
// the key with exactly one element.
var errNoArray = errors.New("fhir: the streamed array is not in the marshalled resource")

// WriteWithArray writes a resource whose array under key (a top-level
// field, e.g. a PaymentReconciliation's "detail") is too long to build:
// res holds one placeholder element there; the elements come from elems,
// one at a time, each marshalled by google/fhir (MarshalElement) into the
// place of the placeholder. The bytes are what marshalling res with all
// the elements gives. elems must emit at least one element.
func WriteWithArray(w io.Writer, res proto.Message, key string, indent bool, elems func(emit func(proto.Message) error) error) error {
	m, err := marshaller(indent)
	if err != nil {
		return err
	}
	doc, err := m.MarshalResource(res)
	if err != nil {
		return err
	}
	open, end, ok := topLevelArray(doc, key)
	if !ok {
		return errNoArray
	}
	if _, err := w.Write(doc[:open+1]); err != nil {
		return err
	}
	pad := ""
	if indent {
		pad = "\n    " // an element of a top-level array
	}
	n := 0
	if err := elems(func(e proto.Message) error {
		data, err := m.MarshalElement(e)
		if err != nil {
			return err
		}
		if n > 0 {
			w.Write([]byte{','})
		}
		n++
		if indent {
			data = bytes.ReplaceAll(data, []byte("\n"), []byte(pad))
		}
		w.Write([]byte(pad))
		_, err = w.Write(data)
		return err
	}); err != nil {
		return err
	}
	if n == 0 {
		return errNoArray
	}
	_, err = w.Write(doc[end:])
	return err
}

// topLevelArray finds the array under key in a JSON object as
// encoding/json writes it: the index of its "[" and the index just after
// its (single) element.
func topLevelArray(doc []byte, key string) (open, end int, ok bool) {
	want := `"` + key + `"`
	depth := 0
	for i := 0; i < len(doc); i++ {
		switch c := doc[i]; c {
		case '"':
			j := i + 1
			for j < len(doc) && doc[j] != '"' {
				if doc[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(doc) {
				return 0, 0, false
			}
			if depth == 1 && string(doc[i:j+1]) == want {
				k := j + 1
				for k < len(doc) && (doc[k] == ':' || doc[k] == ' ') {
					k++
				}
				if k >= len(doc) || doc[k] != '[' {
					return 0, 0, false
				}
				open = k
				close, ok := matching(doc, k)
				if !ok {
					return 0, 0, false
				}
				end = close
				for end > open && (doc[end-1] == ' ' || doc[end-1] == '\n') {
					end--
				}
				return open, end, true
			}
			i = j
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
	}
	return 0, 0, false
}

// matching is the index of the bracket closing the one at open.
func matching(doc []byte, open int) (int, bool) {
	depth := 0
	for i := open; i < len(doc); i++ {
		switch doc[i] {
		case '"':
			i++
			for i < len(doc) && doc[i] != '"' {
				if doc[i] == '\\' {
					i++
				}
				i++
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i, true
			}
		}
	}
	return 0, false
}

// MarshalResourceOwn is MarshalOwn for any resource nobody else holds.
func MarshalResourceOwn(r proto.Message, indent bool) ([]byte, error) {
	m, err := marshaller(indent)
	if err != nil {
		return nil, err
	}
	return m.MarshalResource(r)
}
