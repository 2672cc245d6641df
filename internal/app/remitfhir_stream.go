package app

import (
	"bufio"
	"crypto/sha1"
	"io"
	"time"

	"github.com/google/uuid"

	cpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/codes_go_proto"
	dpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/datatypes_go_proto"
	bcrpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"

	"github.com/casebridge/casebridge/adapters/fhir"
	"github.com/casebridge/casebridge/mapping/fhirmap"
	"github.com/casebridge/casebridge/mapping/remit"
)

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
		if err := fhir.WriteBundle(bw, b, indent, 3); err != nil {
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
	tail, err := fhir.MarshalOwn(&bcrpb.Bundle{
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
