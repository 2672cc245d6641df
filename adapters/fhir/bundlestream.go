package fhir

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"

	bcrpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"
)

// MarshalOwn is Marshal for a Bundle nobody else holds: no defensive
// clone first (jsonformat may rewrite its references in place).
func MarshalOwn(r *bcrpb.Bundle, indent bool) ([]byte, error) {
	if err := codec(); err != nil {
		return nil, err
	}
	m := compact
	if indent {
		m = pretty
	}
	return m.MarshalResource(r)
}

// WriteBundle writes a collection Bundle to out as google/fhir marshals
// it, but one entry resource at a time (its marshaller builds a tree of
// maps of the whole message first: gigabytes for a set of 100,000
// claims), each entry's proto dropped once written: b is consumed. depth
// is the nesting level the Bundle is written at (indented output only).
func WriteBundle(out *bufio.Writer, b *bcrpb.Bundle, indent bool, depth int) error {
	pad := func(d int) string {
		if !indent {
			return ""
		}
		return "\n" + strings.Repeat("  ", d)
	}
	sep := ": "
	if !indent {
		sep = ":"
	}
	for _, e := range b.Entry {
		if e.GetId() != nil || len(e.GetExtension()) > 0 || len(e.GetModifierExtension()) > 0 || len(e.GetLink()) > 0 ||
			e.GetSearch() != nil || e.GetRequest() != nil || e.GetResponse() != nil {
			// not an entry this writer knows: the whole Bundle at once
			data, err := MarshalOwn(b, indent)
			if err != nil {
				return err
			}
			if indent {
				data = bytes.ReplaceAll(data, []byte("\n"), []byte("\n"+strings.Repeat("  ", depth)))
			}
			_, err = out.Write(data)
			return err
		}
	}
	entries := b.Entry
	b.Entry = nil
	tail, err := MarshalOwn(b, indent)
	b.Entry = entries
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		out.WriteString("{" + pad(depth+1) + `"entry"` + sep + "[")
		for i, e := range entries {
			if i > 0 {
				out.WriteByte(',')
			}
			out.WriteString(pad(depth+2) + "{")
			fields := 0
			if u := e.GetFullUrl().GetValue(); u != "" {
				q, _ := json.Marshal(u)
				out.WriteString(pad(depth+3) + `"fullUrl"` + sep)
				out.Write(q)
				fields++
			}
			if e.GetResource() != nil {
				if err := codec(); err != nil {
					return err
				}
				m := compact
				if indent {
					m = pretty
				}
				res, err := m.Marshal(e.GetResource())
				if err != nil {
					return err
				}
				if fields > 0 {
					out.WriteByte(',')
				}
				out.WriteString(pad(depth+3) + `"resource"` + sep)
				if indent {
					res = bytes.ReplaceAll(res, []byte("\n"), []byte(pad(depth+3)))
				}
				out.Write(res)
			}
			out.WriteString(pad(depth+2) + "}")
			entries[i] = nil // written: let it go
		}
		out.WriteString(pad(depth+1) + "],")
		tail = tail[1:]
	}
	if indent {
		tail = bytes.ReplaceAll(tail, []byte("\n"), []byte(pad(depth)))
	}
	_, err = out.Write(tail)
	return err
}
