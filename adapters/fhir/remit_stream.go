package fhir

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/json"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"

	cpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/codes_go_proto"
	dpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/datatypes_go_proto"
	bcrpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"

	"github.com/casebridge/casebridge/mapping/fhirmap"
	"github.com/casebridge/casebridge/mapping/remit"
)

// marshalOwn is Marshal for a resource nobody else holds: no defensive
// clone first.
func marshalOwn(r *bcrpb.Bundle, indent bool) ([]byte, error) {
	if err := codec(); err != nil {
		return nil, err
	}
	m := compact
	if indent {
		m = pretty
	}
	return m.MarshalResource(r)
}

// RemitStream is the output of WriteRemitBundle so far.
type RemitStream struct {
	Warnings []remit.Warning
	Sets     int
	Started  bool // bytes went out to the writer (the first 64 KiB are buffered)
}

// WriteRemitBundle writes what RemitToBundle returns, byte for byte, as the
// 835 is read: the outer collection Bundle's "entry" array comes first in
// google/fhir's JSON (keys in alphabetical order), so each transaction
// set's Bundle is marshalled and written when its SE is read, and the
// outer id (a UUIDv5 over the inner ids) is hashed as they pass and
// written after them. Memory holds one transaction set's Bundle, not the
// file. On a read error nothing more is written: the output is cut short
// (the caller reports the error; see Started).
func WriteRemitBundle(w io.Writer, r io.Reader, ro remit.Options, opts fhirmap.RemitOptions, indent bool) (RemitStream, error) {
	out := &sentWriter{w: w}
	bw := bufio.NewWriterSize(out, 64<<10)
	var st RemitStream
	h := sha1.New()
	ns := uuid.NameSpaceURL
	h.Write(ns[:])
	h.Write([]byte(fhirmap.Base + "835/"))
	nl := func(depth int) {
		if indent {
			bw.WriteByte('\n')
			for i := 0; i < depth; i++ {
				bw.WriteString("  ")
			}
		}
	}
	sep := ": "
	if !indent {
		sep = ":"
	}
	warnings, err := remitSets(r, ro, opts, func(b *bcrpb.Bundle) error {
		id := b.GetId().GetValue()
		if st.Sets == 0 {
			bw.WriteByte('{')
			nl(1)
			bw.WriteString(`"entry"` + sep + "[")
		} else {
			bw.WriteByte(',')
			h.Write([]byte("/"))
		}
		h.Write([]byte(id))
		st.Sets++
		nl(2)
		bw.WriteByte('{')
		nl(3)
		bw.WriteString(`"fullUrl"` + sep + `"urn:uuid:` + id + `",`)
		nl(3)
		bw.WriteString(`"resource"` + sep)
		if err := writeBundle(bw, b, indent, 3); err != nil {
			return err
		}
		nl(2)
		bw.WriteByte('}')
		return nil
	})
	st.Warnings, st.Started = warnings, out.sent
	if err != nil {
		st.Started = out.sent
		if out.sent {
			_ = bw.Flush()
		}
		return st, err
	}
	var sum [sha1.Size]byte
	u := uuid.UUID(h.Sum(sum[:0])[:16])
	u[6] = (u[6] & 0x0f) | 0x50 // version 5
	u[8] = (u[8] & 0x3f) | 0x80 // RFC 4122 variant
	id := u.String()
	if st.Sets == 0 {
		// no set read: the outer id is over no inner id
		id = uuid.NewSHA1(uuid.NameSpaceURL, []byte(fhirmap.Base+"835/")).String()
	}
	tail, err := marshalOwn(&bcrpb.Bundle{
		Id:         &dpb.Id{Value: id},
		Identifier: &dpb.Identifier{System: &dpb.Uri{Value: fhirmap.SystemURI}, Value: &dpb.String{Value: "urn:uuid:" + id}},
		Type:       &bcrpb.Bundle_TypeCode{Value: cpb.BundleTypeCode_COLLECTION},
		Timestamp:  &dpb.Instant{ValueUs: opts.At.UTC().Truncate(time.Second).UnixMicro(), Precision: dpb.Instant_SECOND, Timezone: "Z"},
	}, indent)
	if err != nil {
		return st, err
	}
	if st.Sets > 0 {
		nl(1)
		bw.WriteString("],")
		tail = tail[1:] // its "{": the entry array opened the object
	}
	bw.Write(tail)
	err = bw.Flush()
	st.Started = out.sent
	return st, err
}

type sentWriter struct {
	w    io.Writer
	sent bool
}

func (s *sentWriter) Write(p []byte) (int, error) {
	s.sent = s.sent || len(p) > 0
	return s.w.Write(p)
}

// writeBundle writes a collection Bundle to out as google/fhir marshals
// it, but one entry resource at a time (its marshaller builds a tree of
// maps of the whole message first: gigabytes for a set of 100,000
// claims), each entry's proto dropped once written. depth is the nesting
// level the Bundle is written at (indented output only).
func writeBundle(out *bufio.Writer, b *bcrpb.Bundle, indent bool, depth int) error {
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
			data, err := marshalOwn(b, indent)
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
	tail, err := marshalOwn(b, indent)
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
