package remit

import (
	"encoding/binary"
	"errors"
	"slices"
	"sort"

	"github.com/casebridge/casebridge/internal/codes"
	"github.com/casebridge/casebridge/internal/money"
)

// The reversal rule (doc.go, Summary) lets a claim be reversed anywhere
// later in the same report, so every claim that added to the summary must
// be remembered until the end of the file. To keep memory bounded whatever
// the file's size, countedTable holds at most countedSpillAt records in
// memory; when it is full its live records are sorted by key and written
// as one run of a SortedRuns (runs.go: an unlinked temporary file, a
// sparse index of every 256th key in memory, about 0.03 bytes a claim
// where the table took 20), with the totals that do not pack into 64 bits
// written before the run as blobs, and the table starts empty again. A
// take looks in memory and then in every run, newest first: the newest
// live record under the key is the claim's totals (put replaces), and any
// older one found is marked taken too, as put's replacement would have
// left it in memory. The file holds the keys (maphash of CLP01 and CLP07
// under a seed that only this process holds) and the totals (categories
// and amounts): no PHI, so it is not encrypted. It is created only when
// the table first fills (countedSpillAt records: some 65,000 denied,
// pended or forwarded claims, ~150 MB of 835) and is closed at the end of
// the report. When no temporary file can be created the records stay in
// memory as before (the report is right, memory grows by ~20 bytes a
// remembered claim).
// countedSpillAt is a variable for tests (SetCountedSpillAt).
var countedSpillAt = 1 << 16

// countedSpill is the table's runs; buf is scratch for the blobs.
type countedSpill struct {
	*SortedRuns
	buf []byte
}

// errCountedSpill wraps an I/O error of the temporary file once records
// are in it: the summary can no longer be trusted, so the report fails.
var errCountedSpill = errors.New("remit: reading the reversal rule's temporary file")

// spillOut moves the live in-memory records to a new run. It returns false
// (and moves nothing) when no temporary file can be created.
func (ct *countedTable) spillOut() bool {
	if ct.spill == nil {
		runs := NewSortedRuns("casebridge-counted-*", 8, 0)
		if !runs.open() {
			return false
		}
		ct.spill = &countedSpill{SortedRuns: runs}
	}
	sp := ct.spill
	// Compact the live records to the front, then sort them by key.
	m := 0
	for i := 0; i < ct.n; i++ {
		r := &ct.blocks[i/countedBlock][i%countedBlock]
		if r.val&packLive == 0 {
			continue
		}
		*ct.recAt(m) = *r
		m++
	}
	sort.Sort(countedSorter{ct, m})
	// Blobs of the totals kept whole, then the run's records.
	for i := 0; i < m; i++ {
		r := ct.recAt(i)
		if r.val>>packKindBit&3 != 3 {
			continue
		}
		sp.buf = appendTotals(sp.buf[:0], ct.big[r.key])
		r.val = packLive | 3<<packKindBit | uint64(sp.appendBlob(sp.buf))
	}
	err := sp.writeRun(m, func(i int) (uint64, uint64) {
		r := ct.recAt(i)
		return r.key, r.val
	})
	if err != nil && ct.err == nil {
		ct.err = errors.Join(errCountedSpill, err)
	}
	clear(ct.slots)
	ct.used, ct.n, ct.big = 0, 0, nil
	return true
}

// recAt is record i (0-based) of the in-memory blocks.
func (ct *countedTable) recAt(i int) *countedRec {
	return &ct.blocks[i/countedBlock][i%countedBlock]
}

type countedSorter struct {
	ct *countedTable
	n  int
}

func (s countedSorter) Len() int           { return s.n }
func (s countedSorter) Less(i, j int) bool { return s.ct.recAt(i).key < s.ct.recAt(j).key }
func (s countedSorter) Swap(i, j int) {
	a, b := s.ct.recAt(i), s.ct.recAt(j)
	*a, *b = *b, *a
}

// takeSpilled looks k up in every run, newest first, marks each live
// record found taken, and returns the newest one's value. found says
// whether a newer value (in memory) was already taken: then every live
// record of the runs is an older, replaced one.
func (ct *countedTable) takeSpilled(k uint64, found bool) (uint64, bool) {
	sp := ct.spill
	if sp == nil || ct.err != nil {
		return 0, false
	}
	var val uint64
	ok := false
	err := sp.update(k, func(v uint64) (uint64, bool) {
		if v&packLive == 0 {
			return 0, false
		}
		if !found && !ok {
			val, ok = v, true
		}
		return 0, true // taken
	})
	if err != nil {
		ct.err = errors.Join(errCountedSpill, err)
		return 0, false
	}
	return val, ok
}

// readTotals reads the blob a spilled kind-3 record points to.
func (ct *countedTable) readTotals(off int64) (claimTotals, bool) {
	b, err := ct.spill.blob(off)
	if err != nil {
		ct.err = errors.Join(errCountedSpill, err)
		return claimTotals{}, false
	}
	t, ok := parseTotals(b)
	if !ok {
		ct.err = errCountedSpill
	}
	return t, ok
}

// close releases the temporary file.
func (ct *countedTable) close() {
	if ct.spill != nil {
		_ = ct.spill.Close()
		ct.spill = nil
	}
}

// appendTotals encodes t: the number of denied categories, each as its
// index in codes.Categories and its amount, then pended and forwarded.
// An amount is its exact decimal text with the places it has (Parse keeps
// them), length first.
func appendTotals(b []byte, t claimTotals) []byte {
	b = binary.AppendUvarint(b, uint64(len(t.denied)))
	for _, d := range t.denied {
		i := slices.Index(codes.Categories, d.cat)
		b = binary.AppendUvarint(b, uint64(i+1)) // 0: not in the list, its text follows
		if i < 0 {
			b = appendText(b, string(d.cat))
		}
		b = appendAmount(b, d.amt)
	}
	b = appendAmount(b, t.pended)
	return appendAmount(b, t.forwarded)
}

func appendText(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendAmount(b []byte, a money.Amount) []byte {
	d := a.Decimal()
	places := int32(0)
	if e := d.Exponent(); e < 0 {
		places = -e
	}
	return appendText(b, d.StringFixed(places))
}

func parseTotals(b []byte) (claimTotals, bool) {
	var t claimTotals
	uv := func() (uint64, bool) {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, false
		}
		b = b[n:]
		return v, true
	}
	text := func() (string, bool) {
		l, ok := uv()
		if !ok || l > uint64(len(b)) {
			return "", false
		}
		s := string(b[:l])
		b = b[l:]
		return s, true
	}
	amount := func() (money.Amount, bool) {
		s, ok := text()
		if !ok {
			return money.Zero, false
		}
		a, err := money.Parse(s)
		return a, err == nil
	}
	n, ok := uv()
	if !ok || n > uint64(len(b)) {
		return t, false
	}
	for range n {
		ci, ok := uv()
		if !ok || ci > uint64(len(codes.Categories)) {
			return t, false
		}
		var cat codes.Category
		if ci == 0 {
			s, ok := text()
			if !ok {
				return t, false
			}
			cat = codes.Category(s)
		} else {
			cat = codes.Categories[ci-1]
		}
		a, ok := amount()
		if !ok {
			return t, false
		}
		t.denied = append(t.denied, categoryAmount{cat: cat, amt: a})
	}
	if t.pended, ok = amount(); !ok {
		return t, false
	}
	t.forwarded, ok = amount()
	return t, ok && len(b) == 0
}
