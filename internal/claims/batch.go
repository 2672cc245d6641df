package claims

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/casebridge/casebridge/internal/profile"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/mapping/claim837"
)

// MaxClaimsPerSet is the most claims Batch puts in one transaction set: the
// 837 guide recommends at most 5,000 CLM loops per ST–SE.
const MaxClaimsPerSet = 5000

// BatchOptions are the choices of one batch.
type BatchOptions struct {
	// Options are the envelope choices. The control number (given or
	// allocated once, only when some record is valid) is ISA13 and GS06;
	// the transaction sets are numbered 0001, 0002, … in ST02.
	Options
	// ClaimsPerSet bounds the claims of one transaction set; 0 means
	// MaxClaimsPerSet.
	ClaimsPerSet int
}

// Accepted is a record of the batch written to the interchange.
type Accepted struct {
	Line        int             `json:"line"`        // 1-based line of the input
	RecordID    string          `json:"record_id"`   // CLM01
	Transaction string          `json:"transaction"` // ST02 of its transaction set
	Warnings    record.Problems `json:"warnings"`
}

// Refused is a record of the batch left out, with every problem found.
type Refused struct {
	Line     int             `json:"line"`
	RecordID string          `json:"record_id"` // "" when the line has none
	Problems record.Problems `json:"problems"`
}

// BatchControlNumbers are the control numbers of a batch interchange.
type BatchControlNumbers struct {
	Interchange  string   `json:"interchange"`
	Group        string   `json:"group"`
	Transactions []string `json:"transactions"`
}

// BatchResult is what Batch did. ControlNumbers is nil when no record was
// valid and nothing was written.
type BatchResult struct {
	Accepted       []Accepted           `json:"accepted"`
	Refused        []Refused            `json:"refused"`
	ControlNumbers *BatchControlNumbers `json:"control_numbers"`
}

// ErrBatchInput wraps a failure to read the batch input.
var ErrBatchInput = errors.New("claims: the batch input could not be read")

// Batch reads case records as NDJSON (one JSON object per line; blank
// lines are skipped) from in, size bytes long, scrubs each one, and writes
// the valid ones to out as one interchange: one ISA/GS, transaction sets
// of at most ClaimsPerSet claims, in each set one billing-provider loop
// (2000A) per billing provider with that provider's claims under it, one
// subscriber loop (2000B) per claim. Records that share a submitter and
// receiver (1000A/1000B) share sets. A record with problems is refused with
// its line number and every problem; it never holds back the others. A
// record id used by an earlier valid line is refused too (CLM01 must tell
// the claims of an interchange apart).
//
// Batch reads in twice: once to check every line and group the valid ones,
// once to write them. It keeps only each valid line's offset, id, warnings
// and group, so memory does not grow with the records' size. Nothing is
// written when no record is valid. The error is for the input or output
// failing, an envelope option that cannot be honoured or the control
// number (ErrControlNumber), never for record content.
func Batch(in io.ReaderAt, size int64, out io.Writer, prof *profile.Profile, opts BatchOptions) (*BatchResult, error) {
	perSet := opts.ClaimsPerSet
	if perSet <= 0 {
		perSet = MaxClaimsPerSet
	}
	res := &BatchResult{Accepted: []Accepted{}, Refused: []Refused{}}
	plan, err := scanBatch(in, size, prof, opts.At, res)
	if err != nil {
		return nil, err
	}
	if len(res.Accepted) == 0 {
		return res, nil
	}
	sets := plan.layout(perSet)
	if opts.ControlNumber == 0 && opts.Allocate != nil {
		n, err := opts.Allocate()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrControlNumber, err)
		}
		opts.ControlNumber = n
	}
	cn := claim837.ControlNumbersFor(opts.ControlNumber)
	res.ControlNumbers = &BatchControlNumbers{Interchange: cn.Interchange, Group: cn.Group}
	for i, set := range sets {
		st := transactionControl(i + 1)
		res.ControlNumbers.Transactions = append(res.ControlNumbers.Transactions, st)
		for _, run := range set {
			for _, k := range run {
				res.Accepted[k].Transaction = st
			}
		}
	}
	if err := writeBatch(in, out, prof, opts.Options, plan, sets, res); err != nil {
		return nil, err
	}
	return res, nil
}

// transactionControl is ST02 of the n-th set: 0001, 0002, …
func transactionControl(n int) string {
	s := strconv.Itoa(n)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}

// batchLine is where a valid record is in the input.
type batchLine struct {
	off   int64
	n     int
	group int // index in batchPlan.groups
}

// providerKey is what a billing-provider loop (2000A/2010AA) holds.
type providerKey struct {
	name, first, last, npi, taxID, taxIDType, taxonomy string
	address                                            record.Address
	hasAddress                                         bool
}

func providerOf(r *record.Record) providerKey {
	bp := r.BillingProvider
	k := providerKey{name: bp.Name, first: bp.FirstName, last: bp.LastName, npi: bp.NPI,
		taxID: bp.TaxID, taxIDType: bp.TaxIDType, taxonomy: bp.Taxonomy}
	if k.taxIDType == record.TaxIDEIN {
		k.taxIDType = "" // the default: both write REF*EI
	}
	if bp.Address != nil {
		k.address, k.hasAddress = *bp.Address, true
	}
	return k
}

// groupKey is what must be equal for claims to share a 2000A loop in one
// set: the set's 1000A/1000B and the billing provider.
type groupKey struct {
	submitter profile.Submitter
	receiver  profile.Receiver
	provider  providerKey
}

// cloneKey copies the strings of k, which share the record's line.
func cloneKey(k groupKey) groupKey {
	c := strings.Clone
	s, r, p := &k.submitter, &k.receiver, &k.provider
	s.Name, s.ID, s.ContactName, s.Phone, s.Email = c(s.Name), c(s.ID), c(s.ContactName), c(s.Phone), c(s.Email)
	r.Name, r.ID = c(r.Name), c(r.ID)
	p.name, p.first, p.last, p.npi, p.taxID, p.taxIDType, p.taxonomy = c(p.name), c(p.first), c(p.last), c(p.npi), c(p.taxID), c(p.taxIDType), c(p.taxonomy)
	a := &p.address
	a.Line1, a.Line2, a.City, a.State, a.PostalCode = c(a.Line1), c(a.Line2), c(a.City), c(a.State), c(a.PostalCode)
	return k
}

// batchPlan is what the first pass keeps: the valid lines in input order
// (index = index in BatchResult.Accepted) and their groups in order of
// first appearance.
type batchPlan struct {
	lines  []batchLine
	groups []groupKey
	index  map[groupKey]int
}

// layout cuts the valid records into transaction sets: records of one
// submitter/receiver in sets of at most perSet claims, inside a set one run
// per billing provider. A set is a list of runs; a run is a list of
// indexes into the accepted records, all of one group.
func (p *batchPlan) layout(perSet int) [][][]int {
	members := make([][]int, len(p.groups))
	for k, l := range p.lines {
		members[l.group] = append(members[l.group], k)
	}
	// groups of one submitter/receiver, in order of first appearance
	type parties struct {
		submitter profile.Submitter
		receiver  profile.Receiver
	}
	var partyOrder []parties
	byParties := map[parties][]int{}
	for g, key := range p.groups {
		pk := parties{key.submitter, key.receiver}
		if _, ok := byParties[pk]; !ok {
			partyOrder = append(partyOrder, pk)
		}
		byParties[pk] = append(byParties[pk], g)
	}
	var sets [][][]int
	for _, pk := range partyOrder {
		var set [][]int
		count := 0
		for _, g := range byParties[pk] {
			var run []int
			for _, k := range members[g] {
				if count == perSet {
					if len(run) > 0 {
						set = append(set, run)
					}
					sets = append(sets, set)
					set, run, count = nil, nil, 0
				}
				run = append(run, k)
				count++
			}
			if len(run) > 0 {
				set = append(set, run)
			}
		}
		if len(set) > 0 {
			sets = append(sets, set)
		}
	}
	return sets
}

// scanBatch is the first pass: every line decoded and scrubbed, results in
// res, the valid lines grouped in the plan.
func scanBatch(in io.ReaderAt, size int64, prof *profile.Profile, today time.Time, res *BatchResult) (*batchPlan, error) {
	plan := &batchPlan{index: map[groupKey]int{}}
	seen := map[string]int{} // record id → line of the valid record that has it
	lr := newLineReader(io.NewSectionReader(in, 0, size), record.MaxRecordBytes)
	for {
		data, off, tooLong, err := lr.next()
		if errors.Is(err, io.EOF) {
			return plan, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBatchInput, err)
		}
		line := lr.line
		if tooLong {
			res.Refused = append(res.Refused, Refused{Line: line, Problems: record.Problems{{Severity: record.SeverityError, Code: "RECORD_TOO_LARGE", Pointer: "",
				Message: fmt.Sprintf("The line is longer than %d bytes; a record must fit in it.", record.MaxRecordBytes)}}})
			continue
		}
		if len(bytes.TrimSpace(data)) == 0 {
			continue
		}
		rec, probs, err := record.DecodeBytes(data)
		var se *record.SyntaxError
		switch {
		case errors.As(err, &se):
			res.Refused = append(res.Refused, Refused{Line: line, Problems: record.Problems{{Severity: record.SeverityError, Code: "JSON_SYNTAX", Pointer: "", Message: se.Error()}}})
			continue
		case probs.HasErrors():
			res.Refused = append(res.Refused, Refused{Line: line, RecordID: recordIDOf(data), Problems: probs})
			continue
		}
		// the record's strings share one copy of its line: keep none of them
		id := strings.Clone(rec.RecordID)
		probs = Check(rec, prof, today)
		if first, dup := seen[id]; dup {
			probs = append(record.Problems{{Severity: record.SeverityError, Code: "RECORD_ID_DUPLICATE", Pointer: "/record_id",
				Message: fmt.Sprintf("The record id (CLM01) is the one of the record on line %d; every claim of a batch needs its own.", first)}}, probs...)
		}
		if probs.HasErrors() {
			res.Refused = append(res.Refused, Refused{Line: line, RecordID: id, Problems: probs})
			continue
		}
		seen[id] = line
		sub, rcv := claim837.Parties(rec, prof)
		key := groupKey{submitter: sub, receiver: rcv, provider: providerOf(rec)}
		g, ok := plan.index[key]
		if !ok {
			key = cloneKey(key)
			g = len(plan.groups)
			plan.groups = append(plan.groups, key)
			plan.index[key] = g
		}
		plan.lines = append(plan.lines, batchLine{off: off, n: len(data), group: g})
		res.Accepted = append(res.Accepted, Accepted{Line: line, RecordID: id, Warnings: probs.Warnings()})
	}
}

// writeBatch is the second pass: the valid lines read again, decoded and
// written set by set.
func writeBatch(in io.ReaderAt, out io.Writer, prof *profile.Profile, opts Options, plan *batchPlan, sets [][][]int, res *BatchResult) error {
	bw := bufio.NewWriterSize(out, 64<<10)
	ic, err := claim837.NewInterchange(bw, prof, claim837.Options{
		ControlNumber:       opts.ControlNumber,
		At:                  opts.At,
		NewlineAfterSegment: opts.NewlineAfterSegment,
		Usage:               opts.Usage,
	})
	if err != nil {
		return err
	}
	var buf []byte
	load := func(k int) (*record.Record, error) {
		l := plan.lines[k]
		buf = slices.Grow(buf[:0], l.n)[:l.n]
		if _, err := in.ReadAt(buf, l.off); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: %v", ErrBatchInput, err)
		}
		rec, probs, err := record.DecodeBytes(buf)
		if err != nil || probs.HasErrors() {
			return nil, fmt.Errorf("%w: line %d changed while the batch was read", ErrBatchInput, res.Accepted[k].Line)
		}
		return rec, nil
	}
	for i, set := range sets {
		st := res.ControlNumbers.Transactions[i]
		for j, run := range set {
			for n, k := range run {
				rec, err := load(k)
				if err != nil {
					return err
				}
				if j == 0 && n == 0 {
					ic.BeginSet(st, res.ControlNumbers.Interchange+"-"+st, rec)
				}
				if n == 0 {
					ic.Provider(rec)
				}
				if err := ic.Claim(rec); err != nil {
					return err
				}
			}
		}
		if err := ic.EndSet(); err != nil {
			return err
		}
	}
	if err := ic.Close(); err != nil {
		return err
	}
	return bw.Flush()
}

// lineReader reads lines with their offsets, holding at most limit bytes
// of one line (a longer line is reported and skipped).
type lineReader struct {
	br    *bufio.Reader
	off   int64
	line  int
	limit int
	buf   []byte
}

func newLineReader(r io.Reader, limit int) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10), limit: limit}
}

// next returns the next line without its line break, and its offset.
func (lr *lineReader) next() (data []byte, off int64, tooLong bool, err error) {
	off = lr.off
	lr.buf = lr.buf[:0]
	for {
		chunk, err := lr.br.ReadSlice('\n')
		lr.off += int64(len(chunk))
		if !tooLong {
			if len(lr.buf)+len(chunk) > lr.limit+2 { // + CR LF
				tooLong, lr.buf = true, lr.buf[:0]
			} else {
				lr.buf = append(lr.buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			if lr.off == off {
				return nil, off, false, io.EOF
			}
			break
		}
		if err != nil {
			return nil, off, false, err
		}
		break
	}
	lr.line++
	data = bytes.TrimSuffix(lr.buf, []byte("\n"))
	data = bytes.TrimSuffix(data, []byte("\r"))
	return data, off, tooLong, nil
}
