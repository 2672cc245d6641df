package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/casebridge/casebridge/adapters/fhir"
	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/mask"
	"github.com/casebridge/casebridge/mapping/claim837"
	"github.com/casebridge/casebridge/mapping/fhirmap"
)

// The 837D reading and masking use cases (issue 10, items 1 and 6):
//
//	casebridge read FILE [--format json|fhir] [--mask]   Read837D, Claim837Bundle
//	casebridge mask FILE                                  MaskX12, MaskRecordJSON
//	casebridge 835 --mask, 837d --mask                    MaskX12, MaskedReader

// Claim837 is one claim of an 837D as read: {record, source, other_payers,
// not_mapped} (claim837.Claim; its JSON is the wire format of `read`).
type Claim837 = claim837.Claim

// Masker masks PHI consistently under one key (internal/mask).
type Masker = mask.Masker

// MaskStats count what MaskX12 did.
type MaskStats = mask.Stats

// NewMasker is the masker of one run: under key when given (reproducible
// masks across files and runs), else under a fresh random key (the
// default: a known key would let anyone invert short values such as birth
// dates by trying every candidate).
func NewMasker(key string) (*Masker, error) {
	if key != "" {
		return mask.New([]byte(key)), nil
	}
	return mask.Random()
}

// Read837D streams the claims of an 837D (any number of interchanges,
// groups, sets, providers, subscribers and patients) to fn as they are
// read; with m, the input is masked first, so every value fn sees is
// masked. Errors: a positioned *x12.Error (Read837Unreadable tells the
// unreadable input from a claim the mapping refuses), or fn's.
func Read837D(r io.Reader, m *Masker, fn func(*Claim837) error) error {
	if m != nil {
		mr := MaskedReader(r, m)
		defer mr.Close()
		r = mr
	}
	return MaskCause(claim837.ReadClaims(r, fn))
}

// MaskCause is the error of the input itself when err is a reader's
// failure to read a MaskedReader: the masking read the same input first
// and stopped at the defect, with its own segment and element. Other
// errors are returned as they are.
func MaskCause(err error) error {
	var xe *x12.Error
	if errors.As(err, &xe) && xe.Code == x12.CodeReadError {
		var inner *x12.Error
		if errors.As(xe.Err, &inner) {
			return inner
		}
	}
	return err
}

// Read837Invalid reports whether err, from Read837D, is a claim that the
// mapping cannot take, positioned at its segment and element (exit 1).
func Read837Invalid(err error) bool { return claim837.IsMappingError(err) }

// Claim837Bundle is the FHIR R4 Claim Bundle of a claim read from an 837D
// (the same mapping as RecordToBundle, without the scrubber: a claim read
// is shown as it was sent). err is a *fhirmap.MappingError naming the
// record's JSON pointer when the record cannot be a Bundle.
func Claim837Bundle(c *Claim837, at time.Time, indent bool) ([]byte, error) {
	b, err := fhirmap.ToBundle(c.Record, at)
	if err != nil {
		return nil, err
	}
	return fhir.Marshal(b, indent)
}

// MaskX12 writes r's interchanges to w with every PHI position masked
// (mask.Table): same segments, delimiters, amounts, counts and envelope.
func MaskX12(w io.Writer, r io.Reader, m *Masker) (MaskStats, error) {
	return m.X12(w, r)
}

// MaskedReader is r masked, read through a pipe: for the streaming
// readers (`835 --mask`, `read --mask`). A read error of the masking ends
// the stream with that error, so the reader downstream reports it as its
// own. Close it when done.
func MaskedReader(r io.Reader, m *Masker) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		_, err := m.X12(pw, r)
		pw.CloseWithError(err)
	}()
	return pr
}

// MaskRecordJSON is a case record (JSON) masked (mask.Masker.Record), as
// indented JSON. err is a *DecodeError when data is not a record.
func MaskRecordJSON(data []byte, m *Masker) ([]byte, error) {
	rec, err := decodeRecord(data)
	if err != nil {
		return nil, err
	}
	m.Record(rec)
	return json.MarshalIndent(rec, "", "  ")
}

// LooksLikeJSON reports whether data starts (after whitespace and a
// byte-order mark) with '{': a record rather than X12.
func LooksLikeJSON(data []byte) bool {
	d := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\ufeff")), " \t\r\n")
	return len(d) > 0 && d[0] == '{'
}

// MaskBatchResult masks the record ids a batch report names (CLM01, as the
// masked 837D has them), for `837d --batch --mask`.
func MaskBatchResult(res *BatchResult, m *Masker) {
	for i := range res.Accepted {
		res.Accepted[i].RecordID = m.Value(mask.ID, res.Accepted[i].RecordID)
	}
	for i := range res.Refused {
		res.Refused[i].RecordID = m.Value(mask.ID, res.Refused[i].RecordID)
	}
}
