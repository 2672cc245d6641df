package fhirmap

import (
	"errors"
	"hash/fnv"

	"github.com/casebridge/casebridge/mapping/remit"
)

// reversals records, for the CLP07s of a set's reversals (CLP02 22), the
// index of the last claim that reversed each, so that a claim can be
// marked cancelled when a later claim of its set reverses it. A record is
// a 64-bit FNV-1a hash of CLP07 and the claim index (12 bytes), kept in a
// remit.SortedRuns: at most reversalsInMemory records stay in memory, then
// they go as sorted runs (the last record of each key) to an unlinked
// temporary file, unencrypted as it holds hashes and indexes only: no
// PHI. Runs are in claim order, so the newest record of a key is its last
// reversal. When no temporary file can be made, the records stay in
// memory. The zero value is empty and ready.
type reversals struct {
	runs *remit.SortedRuns // nil until the first add
	err  error
}

// reversalsInMemory is a variable for tests.
var reversalsInMemory = 1 << 16

var errReversals = errors.New("fhirmap: reading the reversals' temporary file")

func icnKey(icn string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(icn))
	return h.Sum64()
}

func (r *reversals) add(icn string, claim int) {
	if r.runs == nil {
		r.runs = remit.NewSortedRuns("casebridge-reversals-*", 4, reversalsInMemory)
	}
	r.runs.Append(icnKey(icn), uint64(uint32(claim)))
	r.checkErr()
}

// checkErr keeps the runs' first I/O error.
func (r *reversals) checkErr() {
	if err := r.runs.Err(); err != nil && r.err == nil {
		r.err = errors.Join(errReversals, err)
	}
}

// finish makes the in-memory records searchable (after the last add).
func (r *reversals) finish() {
	if r.runs != nil {
		r.runs.Finish()
	}
}

// last returns the index of the last reversal of icn, if any.
func (r *reversals) last(icn string) (int, bool) {
	if r.runs == nil {
		return 0, false
	}
	v, ok := r.runs.Last(icnKey(icn))
	r.checkErr()
	return int(int32(v)), ok
}

func (r *reversals) close() {
	if r.runs != nil {
		_ = r.runs.Close()
		r.runs = nil
	}
}
