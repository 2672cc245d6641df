package remit

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"os"
	"slices"
	"sort"
)

// SortedRuns keeps fixed-size records, a uint64 key and a value of 4 or 8
// bytes, in bounded memory: records are appended in memory until
// memoryRecords of them are there; then they are sorted by key, reduced
// to the last appended of each key, and written as one run to a temporary
// file that is unlinked as soon as it is created (createUnlinkedTemp:
// nothing is left behind, even after a kill). Memory keeps, per run, its
// offset, its length and every runIndexStride-th key (a sparse index: 8
// bytes per 256 records), so a lookup in a run is one read of at most
// runIndexStride records and a binary search in them. Runs are in append
// order, so the newest run that has a key has its last record. When no
// temporary file can be created the records stay in memory (memory grows,
// results do not change).
//
// The file is not encrypted: it is meant for keys that are hashes and for
// values that are numbers (a claim's index, packed amounts), never for
// PHI in the clear; ClaimSpool encrypts what it writes.
//
// A SortedRuns is not safe for concurrent use. Its first I/O error (Err)
// stops lookups in the runs: a caller must report it.
type SortedRuns struct {
	valBytes   int // 4 or 8
	memRecords int // records kept in memory by Append before a run is written
	pattern    string

	mem    []runRecord // appended, not yet in a run
	sorted bool        // mem is sorted and holds the last record of each key
	f      *os.File
	w      *bufio.Writer // appends at the end of f (ReadAt/WriteAt do not move f's offset)
	size   int64         // bytes in f, including what w holds
	runs   []sortedRun
	buf    []byte // read scratch
	noFile bool   // no temporary file could be created: everything stays in memory
	err    error
}

type runRecord struct{ key, val uint64 }

type sortedRun struct {
	off   int64    // first record
	n     int      // records
	index []uint64 // key of records 0, runIndexStride, 2*runIndexStride, ...
}

const runIndexStride = 256

// NewSortedRuns returns an empty SortedRuns whose values have valueBytes
// bytes (4 or 8; Append keeps the low valueBytes of a value) and that
// keeps up to memoryRecords records in memory. pattern names the
// temporary file as os.CreateTemp does.
func NewSortedRuns(pattern string, valueBytes, memoryRecords int) *SortedRuns {
	if valueBytes != 4 && valueBytes != 8 {
		panic("remit: SortedRuns values are 4 or 8 bytes")
	}
	return &SortedRuns{valBytes: valueBytes, memRecords: max(memoryRecords, 1), pattern: pattern}
}

// createUnlinkedTemp creates a temporary file (os.CreateTemp("", pattern))
// and removes its name at once: the open file stays readable and writable
// (POSIX), and it is gone when it is closed or the process ends, however
// it ends.
func createUnlinkedTemp(pattern string) (*os.File, error) {
	f, err := os.CreateTemp("", pattern)
	if err != nil {
		return nil, err
	}
	_ = os.Remove(f.Name())
	return f, nil
}

// recBytes is the size of a record in the file: the key, then the value,
// little-endian.
func (s *SortedRuns) recBytes() int { return 8 + s.valBytes }

func (s *SortedRuns) mask(v uint64) uint64 {
	if s.valBytes == 4 {
		return uint64(uint32(v))
	}
	return v
}

// Append adds a record. A later record of the same key replaces it.
func (s *SortedRuns) Append(key, val uint64) {
	s.mem = append(s.mem, runRecord{key: key, val: s.mask(val)})
	s.sorted = false
	if len(s.mem) >= s.memRecords && !s.noFile && s.err == nil {
		s.spill()
	}
}

// spill writes the in-memory records as a run, or leaves them in memory
// when no temporary file can be created.
func (s *SortedRuns) spill() {
	if !s.open() {
		return
	}
	recs := lastOfEach(s.mem)
	_ = s.writeRun(len(recs), func(i int) (uint64, uint64) { return recs[i].key, recs[i].val })
	s.mem, s.sorted = s.mem[:0], false
}

// lastOfEach sorts rs by key and keeps the last of each key.
func lastOfEach(rs []runRecord) []runRecord {
	slices.SortStableFunc(rs, func(a, b runRecord) int { return cmp.Compare(a.key, b.key) })
	last := rs[:0]
	for j, x := range rs {
		if j+1 < len(rs) && rs[j+1].key == x.key {
			continue // a later record of the same key follows
		}
		last = append(last, x)
	}
	return last
}

// Finish makes the in-memory records searchable. Last calls it when
// records were appended since; calling it after the last Append saves
// the first lookup the work.
func (s *SortedRuns) Finish() {
	if !s.sorted {
		s.mem, s.sorted = lastOfEach(s.mem), true
	}
}

// Last returns the value of the last record appended under key, if any.
// Once Err is set the runs are no longer searched.
func (s *SortedRuns) Last(key uint64) (uint64, bool) {
	s.Finish()
	if j, ok := slices.BinarySearchFunc(s.mem, key, func(x runRecord, k uint64) int { return cmp.Compare(x.key, k) }); ok {
		return s.mem[j].val, true
	}
	for ri := len(s.runs) - 1; ri >= 0 && s.err == nil; ri-- {
		if i, ok := s.find(ri, key); ok {
			return s.value(i), true
		}
	}
	return 0, false
}

// Runs is the number of runs written to the temporary file.
func (s *SortedRuns) Runs() int { return len(s.runs) }

// Err is the first I/O error of the temporary file.
func (s *SortedRuns) Err() error { return s.err }

// Close releases the temporary file and the records.
func (s *SortedRuns) Close() error {
	var err error
	if s.f != nil {
		err = s.f.Close()
		s.f, s.w = nil, nil
	}
	s.mem, s.runs, s.buf, s.size = nil, nil, nil, 0
	return err
}

// open creates the temporary file if there is none yet, and reports
// whether there is one. After a failure it does not try again.
func (s *SortedRuns) open() bool {
	if s.f == nil && !s.noFile {
		f, err := createUnlinkedTemp(s.pattern)
		if err != nil {
			s.noFile = true
			return false
		}
		s.f, s.w = f, bufio.NewWriterSize(f, 64<<10)
	}
	return s.f != nil
}

func (s *SortedRuns) write(p []byte) {
	_, _ = s.w.Write(p) // a failed write shows at Flush
	s.size += int64(len(p))
}

// appendBlob writes b, length first, to the temporary file (open must
// have succeeded) and returns its offset for blob. It is read back only
// after the next writeRun, which flushes it.
func (s *SortedRuns) appendBlob(b []byte) int64 {
	off := s.size
	var head [binary.MaxVarintLen64]byte
	s.write(head[:binary.PutUvarint(head[:], uint64(len(b)))])
	s.write(b)
	return off
}

var errBadBlob = errors.New("malformed blob length")

// blob reads what appendBlob wrote at off. The slice is valid until the
// next read.
func (s *SortedRuns) blob(off int64) ([]byte, error) {
	var head [binary.MaxVarintLen64]byte
	n, err := s.f.ReadAt(head[:], off)
	if n == 0 && err != nil {
		return nil, s.fail(err)
	}
	l, hn := binary.Uvarint(head[:n])
	if hn <= 0 {
		return nil, s.fail(errBadBlob)
	}
	s.buf = slices.Grow(s.buf[:0], int(l))[:l]
	if _, err := s.f.ReadAt(s.buf, off+int64(hn)); err != nil {
		return nil, s.fail(err)
	}
	return s.buf, nil
}

func (s *SortedRuns) fail(err error) error {
	if s.err == nil {
		s.err = err
	}
	return err
}

// writeRun appends n records, record i being rec(i), as a run (open must
// have succeeded). The keys must be ascending and distinct.
func (s *SortedRuns) writeRun(n int, rec func(i int) (key, val uint64)) error {
	run := sortedRun{off: s.size, n: n, index: make([]uint64, 0, (n+runIndexStride-1)/runIndexStride)}
	var tmp [16]byte
	for i := 0; i < n; i++ {
		k, v := rec(i)
		if i%runIndexStride == 0 {
			run.index = append(run.index, k)
		}
		binary.LittleEndian.PutUint64(tmp[:8], k)
		binary.LittleEndian.PutUint64(tmp[8:], v)
		s.write(tmp[:s.recBytes()])
	}
	s.runs = append(s.runs, run)
	if err := s.w.Flush(); err != nil {
		return s.fail(err)
	}
	return nil
}

// find looks key up in run ri. On success the stretch of the run that
// holds it is in s.buf and i is the record's place there.
func (s *SortedRuns) find(ri int, key uint64) (i int, ok bool) {
	run := &s.runs[ri]
	// The last index key <= key starts the only stretch key can be in.
	st := sort.Search(len(run.index), func(i int) bool { return run.index[i] > key }) - 1
	if st < 0 {
		return 0, false
	}
	first := st * runIndexStride
	n, rb := min(runIndexStride, run.n-first), s.recBytes()
	buf := slices.Grow(s.buf[:0], n*rb)[:n*rb]
	s.buf = buf
	if _, err := s.f.ReadAt(buf, run.off+int64(first*rb)); err != nil {
		s.fail(err)
		return 0, false
	}
	i = sort.Search(n, func(i int) bool { return binary.LittleEndian.Uint64(buf[i*rb:]) >= key })
	if i == n || binary.LittleEndian.Uint64(buf[i*rb:]) != key {
		return 0, false
	}
	return first + i, true
}

// value is the value of record i of the run find last read.
func (s *SortedRuns) value(i int) uint64 {
	b := s.buf[i%runIndexStride*s.recBytes()+8:]
	if s.valBytes == 4 {
		return uint64(binary.LittleEndian.Uint32(b))
	}
	return binary.LittleEndian.Uint64(b)
}

// update calls fn with the value of key's record in every run, newest run
// first (the in-memory records are not looked at); when fn returns true
// the record's value becomes v in the file. It stops at the first I/O
// error and returns it.
func (s *SortedRuns) update(key uint64, fn func(val uint64) (v uint64, write bool)) error {
	for ri := len(s.runs) - 1; ri >= 0 && s.err == nil; ri-- {
		i, ok := s.find(ri, key)
		if !ok {
			continue
		}
		v, write := fn(s.value(i))
		if !write {
			continue
		}
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], v)
		off := s.runs[ri].off + int64(i*s.recBytes()) + 8
		if _, err := s.f.WriteAt(b[:s.valBytes], off); err != nil {
			return s.fail(err)
		}
	}
	return s.err
}
