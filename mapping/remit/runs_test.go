package remit

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestSortedRuns against a map of the last value appended under each key:
// every key appended and keys that never were (between two appended keys,
// below and above all of them) are looked up, in memory only, across
// several runs (records at run borders and at the sparse index's borders,
// runIndexStride apart), with keys repeated within and across runs, and
// with no temporary directory (everything stays in memory).
func TestSortedRuns(t *testing.T) {
	type tc struct {
		name      string
		valBytes  int
		inMemory  int
		keys      func(r *rand.Rand, i int) uint64 // key of the i-th record
		n         int
		noTempDir bool
		runs      int // runs written
	}
	even := func(r *rand.Rand, i int) uint64 { return 2 * uint64(r.IntN(1<<20)+1) } // odd keys stay missing
	for _, c := range []tc{
		{name: "memory only", valBytes: 4, inMemory: 1 << 16, keys: even, n: 3000},
		{name: "one record a run", valBytes: 8, inMemory: 1, keys: even, n: 40, runs: 40},
		// 2*runIndexStride+1 distinct keys a run: the index has 3 keys,
		// the last stretch one record.
		{name: "runs past index borders", valBytes: 8, inMemory: 2*runIndexStride + 1, n: 5 * (2*runIndexStride + 1), runs: 5,
			keys: func(_ *rand.Rand, i int) uint64 {
				return uint64(i%(2*runIndexStride+1))*4 + 2 + uint64(i/(2*runIndexStride+1))
			}},
		{name: "keys repeated within and across runs", valBytes: 4, inMemory: 300, n: 6000, runs: 20,
			keys: func(r *rand.Rand, _ int) uint64 { return 2 * uint64(r.IntN(700)+1) }},
		{name: "extreme keys", valBytes: 8, inMemory: 3, n: 10, runs: 3,
			keys: func(_ *rand.Rand, i int) uint64 { return []uint64{0, math.MaxUint64}[i%2] }},
		{name: "no temporary directory", valBytes: 4, inMemory: 300, keys: even, n: 3000, noTempDir: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.noTempDir {
				t.Setenv("TMPDIR", "/nonexistent/casebridge-test")
			}
			r := rand.New(rand.NewPCG(8, uint64(c.n)))
			s := NewSortedRuns("casebridge-test-*", c.valBytes, c.inMemory)
			defer s.Close()
			want := map[uint64]uint64{}
			val := func(i int) uint64 { return uint64(i) | uint64(i)<<40 } // high bits dropped by 4-byte values
			for i := 0; i < c.n; i++ {
				k := c.keys(r, i)
				s.Append(k, val(i))
				want[k] = s.mask(val(i))
				if i == c.n/2 { // a lookup between appends
					if v, ok := s.Last(k); !ok || v != want[k] {
						t.Fatalf("record %d: %d %v, want %d", i, v, ok, want[k])
					}
				}
			}
			s.Finish()
			if s.Runs() != c.runs {
				t.Fatalf("%d runs, want %d", s.Runs(), c.runs)
			}
			for k, w := range want {
				if v, ok := s.Last(k); !ok || v != w {
					t.Fatalf("key %d: %d %v, want %d", k, v, ok, w)
				}
				if _, ok := want[k+1]; !ok && k+1 != 0 {
					if v, ok := s.Last(k + 1); ok {
						t.Fatalf("missing key %d found: %d", k+1, v)
					}
				}
			}
			if _, ok := want[0]; !ok {
				if _, ok := s.Last(0); ok {
					t.Fatal("missing key 0 found")
				}
			}
			if _, ok := s.Last(math.MaxUint64 - 1); ok {
				t.Fatal("missing key MaxUint64-1 found")
			}
			if s.Err() != nil {
				t.Fatal(s.Err())
			}
		})
	}
}

// TestSortedRunsUpdate: update (the reversal rule's take) sees the record
// of a key in every run, newest first, and what it writes is read back;
// blobs written between runs read back whole.
func TestSortedRunsUpdate(t *testing.T) {
	s := NewSortedRuns("casebridge-test-*", 8, 0)
	defer s.Close()
	if !s.open() {
		t.Skip("no temporary file")
	}
	var offs []int64
	for run := 0; run < 3; run++ {
		offs = append(offs, s.appendBlob(bytes.Repeat([]byte{byte(run)}, 300*run)))
		n := 3 * runIndexStride
		if err := s.writeRun(n, func(i int) (uint64, uint64) { return uint64(i * (run + 1)), uint64(100*run + 1) }); err != nil {
			t.Fatal(err)
		}
	}
	for run, off := range offs {
		if b, err := s.blob(off); err != nil || !bytes.Equal(b, bytes.Repeat([]byte{byte(run)}, 300*run)) {
			t.Fatalf("blob %d: %d bytes, %v", run, len(b), err)
		}
	}
	seen := func(k uint64, write bool) string {
		var got []uint64
		if err := s.update(k, func(v uint64) (uint64, bool) { got = append(got, v); return v + 1000, write }); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(got)
	}
	for _, c := range []struct {
		key   uint64
		write bool
		want  string
	}{
		{6, false, "[201 101 1]"},      // in every run
		{6, true, "[201 101 1]"},       // not written before
		{6, false, "[1201 1101 1001]"}, // written
		{5, true, "[1]"},               // in the first run only
		{256, true, "[101 1]"},         // at an index border of the first run (not a multiple of 3)
		{765, true, "[201 1]"},         // the last of the third run's first stretch
		{767, true, "[1]"},             // the last record of the first run
		{2 * 767, true, "[101]"},       // the last record of the second run
		{3 * 767, true, "[201]"},       // the last record of the third run
		{3*767 + 1, true, "[]"},        // past every run
		{256, false, "[1101 1001]"},    // written once only
		{1, false, "[1]"},              // untouched
	} {
		if got := seen(c.key, c.write); got != c.want {
			t.Errorf("key %d: saw %s, want %s", c.key, got, c.want)
		}
	}
}

// TestSortedRunsIOError: once the temporary file fails, lookups in the
// runs stop with the error kept (Err), and nothing panics.
func TestSortedRunsIOError(t *testing.T) {
	s := NewSortedRuns("casebridge-test-*", 4, 10)
	for i := 0; i < 25; i++ {
		s.Append(uint64(i), uint64(i))
	}
	if s.Runs() != 2 {
		t.Skipf("%d runs: no temporary file", s.Runs())
	}
	s.f.Close() // under it
	if v, ok := s.Last(24); !ok || v != 24 {
		t.Fatalf("in memory: %d %v", v, ok)
	}
	if _, ok := s.Last(3); ok || s.Err() == nil {
		t.Fatalf("read a closed file: %v, err %v", ok, s.Err())
	}
	if err := s.update(3, func(v uint64) (uint64, bool) { return 0, true }); err == nil {
		t.Fatal("update of a closed file: no error")
	}
	if _, err := s.blob(0); err == nil {
		t.Fatal("blob of a closed file: no error")
	}
}
