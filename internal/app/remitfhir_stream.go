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
	prpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/payment_reconciliation_go_proto"
	"google.golang.org/protobuf/proto"

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
// set's Bundle is written when its SE is read, and the outer id (a UUIDv5
// over the inner ids) is hashed as they pass and written after them.
//
// A set is never held whole: its claims go to a remit.ClaimSpool as they
// are read (memory up to spoolMemory, then an unlinked, encrypted
// temporary file), while fhirmap.RemitSet keeps running sums and the
// set's reversals. At SE (when the PLBs, which may name any claim of the
// set, are known) the spool is replayed: once to tie PLBs to claims (only
// when a PLB has a reference), once for the PaymentReconciliation's
// details (each marshalled by google/fhir into the place of a placeholder
// in the marshalled PaymentReconciliation), once for the ClaimResponses,
// each marshalled and written as it is made. Memory holds about one claim
// and its resource, whatever the size of the set. On a read error nothing
// more is written: the output is cut short (the caller reports the error;
// see Started).
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
	sets := &fhirSets{opts: opts, indent: indent, bw: bw, spool: remit.NewClaimSpool(spoolMemory), guard: newHeapGuard()}
	defer sets.spool.Close()
	sets.startSet = func(id string) {
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
	}
	sets.endSet = func() {
		nl(2)
		bw.WriteByte('}')
	}
	err := remit.StreamWarnings(r, ro, sets, &sets.warnings)
	// The reader's warnings, then the mapping's, each code's first
	// remit.MaxWarningsPerCode listed (the codes differ), the cut ones
	// counted last.
	sets.warnings.Merge(&sets.mapped)
	st.Warnings, st.Started = sets.warnings.List(), out.sent
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

// spoolMemory is how much of a set's claims (encoded) stays in memory
// before the spool moves to its temporary file: sets of up to ~2,500
// claims never touch the disk.
var spoolMemory = 1 << 20

// fhirSets is the remit.Stream handler of WriteRemitBundle: one
// transaction set at a time, claims spooled, the set's Bundle written at
// its SE.
type fhirSets struct {
	opts     fhirmap.RemitOptions
	indent   bool
	bw       *bufio.Writer
	spool    *remit.ClaimSpool
	set      *fhirmap.RemitSet
	startSet func(id string)
	endSet   func()
	guard    *heapGuard
	warnings remit.Warnings // the reader's (remit.StreamWarnings)
	mapped   remit.Warnings // the mapping's, of every set (fhirmap.RemitOptions.Warnings)
}

func (f *fhirSets) Begin(tx *remit.Transaction) error {
	opts := f.opts
	opts.Warnings = &f.mapped
	f.set = fhirmap.NewRemitSet(tx, opts)
	return f.spool.Reset()
}

func (f *fhirSets) Claim(tx *remit.Transaction, c *remit.Claim, next *remit.Claim) error {
	f.set.Claim(f.spool.Len(), c)
	return f.spool.Append(c)
}

func (f *fhirSets) End(tx *remit.Transaction) error {
	set := f.set
	defer set.Close()
	if err := set.Finish(tx, f.spool.Each); err != nil {
		return err
	}
	f.startSet(set.BundleID())
	bs, err := fhir.NewBundleStream(f.bw, set.Shell(), f.indent, 3)
	if err != nil {
		return err
	}
	pr := set.Reconciliation()
	adj := set.AdjustmentDetails()
	if err := bs.EntryFunc("urn:uuid:"+set.ReconciliationID(), func(w io.Writer) error {
		if f.spool.Len()+len(adj) == 0 {
			data, err := fhir.MarshalResourceOwn(pr, f.indent)
			if err != nil {
				return err
			}
			_, err = w.Write(data)
			return err
		}
		pr.Detail = []*prpb.PaymentReconciliation_Details{{}} // the placeholder
		return fhir.WriteWithArray(w, pr, "detail", f.indent, func(emit func(proto.Message) error) error {
			if err := f.spool.Each(func(i int, c *remit.Claim) error { f.guard.tick(); return emit(set.ClaimDetail(i, c)) }); err != nil {
				return err
			}
			for _, d := range adj {
				if err := emit(d); err != nil {
					return err
				}
			}
			return nil
		})
	}); err != nil {
		return err
	}
	if err := f.spool.Each(func(i int, c *remit.Claim) error {
		f.guard.tick()
		cr := set.ClaimResponse(i, c)
		return bs.Entry("urn:uuid:"+cr.GetId().GetValue(), fhirmap.ContainedClaimResponse(cr))
	}); err != nil {
		return err
	}
	for _, o := range set.Organizations() {
		if err := bs.Entry("urn:uuid:"+o.GetId().GetValue(), fhirmap.ContainedOrganization(o)); err != nil {
			return err
		}
	}
	if err := set.Err(); err != nil {
		return err
	}
	if err := bs.Close(); err != nil {
		return err
	}
	f.endSet()
	f.set = nil
	return nil
}
