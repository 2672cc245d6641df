package fhirmap

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"hash/fnv"
	"os"
	"slices"
	"sort"
)

// reversals records, for the CLP07s of a set's reversals (CLP02 22), the
// index of the last claim that reversed each, so that a claim can be
// marked cancelled when a later claim of its set reverses it. A record is
// a 64-bit FNV-1a hash of CLP07 and the claim index (12 bytes). At most
// reversalsInMemory records stay in memory; then they are sorted, reduced
// to the last of each key and appended as one run to an unlinked
// temporary file (hashes and indexes only: no PHI), with every
// reversalIndexStride-th key kept in memory, so a lookup is one read of at
// most reversalIndexStride records per run. Runs are in claim order, so
// the newest run that has the key has its last reversal. When no
// temporary file can be made, the records stay in memory.
type reversals struct {
	mem  []reversal
	f    *os.File
	size int64
	runs []reversalRun
	buf  []byte
	err  error
}

type reversal struct {
	key   uint64 // FNV-1a of CLP07
	claim int32
}

type reversalRun struct {
	off   int64
	n     int
	index []uint64 // key of records 0, stride, 2*stride, ...
}

// reversalsInMemory is a variable for tests.
var reversalsInMemory = 1 << 16

const (
	reversalIndexStride = 256
	reversalRecBytes    = 12
)

var errReversals = errors.New("fhirmap: reading the reversals' temporary file")

func icnKey(icn string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(icn))
	return h.Sum64()
}

func (r *reversals) add(icn string, claim int) {
	r.mem = append(r.mem, reversal{key: icnKey(icn), claim: int32(claim)})
	if len(r.mem) >= reversalsInMemory {
		r.spill()
	}
}

// lastOfEach sorts the records by key and keeps the last of each key.
func lastOfEach(rs []reversal) []reversal {
	slices.SortStableFunc(rs, func(a, b reversal) int { return cmp.Compare(a.key, b.key) })
	last := rs[:0]
	for j, x := range rs {
		if j+1 < len(rs) && rs[j+1].key == x.key {
			continue // a later reversal of the same key follows
		}
		last = append(last, x)
	}
	return last
}

func (r *reversals) spill() {
	if r.f == nil {
		f, err := os.CreateTemp("", "casebridge-reversals-*")
		if err != nil {
			return // stays in memory
		}
		_ = os.Remove(f.Name())
		r.f = f
	}
	recs := lastOfEach(r.mem)
	run := reversalRun{off: r.size, n: len(recs)}
	w := bufio.NewWriterSize(&offsetWriter{f: r.f, off: r.size}, 64<<10)
	var tmp [reversalRecBytes]byte
	for i, x := range recs {
		if i%reversalIndexStride == 0 {
			run.index = append(run.index, x.key)
		}
		binary.LittleEndian.PutUint64(tmp[:8], x.key)
		binary.LittleEndian.PutUint32(tmp[8:], uint32(x.claim))
		w.Write(tmp[:])
	}
	if err := w.Flush(); err != nil && r.err == nil {
		r.err = errors.Join(errReversals, err)
	}
	r.size += int64(len(recs)) * reversalRecBytes
	r.runs = append(r.runs, run)
	r.mem = r.mem[:0]
}

type offsetWriter struct {
	f   *os.File
	off int64
}

func (w *offsetWriter) Write(p []byte) (int, error) {
	n, err := w.f.WriteAt(p, w.off)
	w.off += int64(n)
	return n, err
}

// finish makes the in-memory records searchable (after the last add).
func (r *reversals) finish() { r.mem = lastOfEach(r.mem) }

// last returns the index of the last reversal of icn, if any.
func (r *reversals) last(icn string) (int, bool) {
	k := icnKey(icn)
	if j, ok := slices.BinarySearchFunc(r.mem, k, func(x reversal, k uint64) int { return cmp.Compare(x.key, k) }); ok {
		return int(r.mem[j].claim), true
	}
	for ri := len(r.runs) - 1; ri >= 0 && r.err == nil; ri-- {
		run := &r.runs[ri]
		s := sort.Search(len(run.index), func(i int) bool { return run.index[i] > k }) - 1
		if s < 0 {
			continue
		}
		first := s * reversalIndexStride
		n := min(reversalIndexStride, run.n-first)
		r.buf = slices.Grow(r.buf[:0], n*reversalRecBytes)[:n*reversalRecBytes]
		if _, err := r.f.ReadAt(r.buf, run.off+int64(first)*reversalRecBytes); err != nil {
			r.err = errors.Join(errReversals, err)
			break
		}
		i := sort.Search(n, func(i int) bool { return binary.LittleEndian.Uint64(r.buf[i*reversalRecBytes:]) >= k })
		if i < n && binary.LittleEndian.Uint64(r.buf[i*reversalRecBytes:]) == k {
			return int(binary.LittleEndian.Uint32(r.buf[i*reversalRecBytes+8:])), true
		}
	}
	return 0, false
}

func (r *reversals) close() {
	if r.f != nil {
		_ = r.f.Close()
		r.f = nil
	}
	r.mem, r.runs = nil, nil
}
