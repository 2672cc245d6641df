package fhirmap

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestReversalsSpilled: the last reversal of every CLP07, and the absence
// of the others, read back the same with the records in memory and
// spilled in runs of 7 (keys repeated within and across runs).
func TestReversalsSpilled(t *testing.T) {
	for _, inMemory := range []int{7, 1 << 16} {
		old := reversalsInMemory
		reversalsInMemory = inMemory
		r := rand.New(rand.NewPCG(8, 1))
		var rv reversals
		want := map[string]int{}
		for i := 0; i < 3000; i++ {
			icn := fmt.Sprintf("ICN%d", r.IntN(900))
			rv.add(icn, i)
			want[icn] = i
		}
		rv.finish()
		reversalsInMemory = old
		if inMemory == 7 && rv.runs.Runs() == 0 {
			t.Fatal("nothing spilled")
		}
		for k := 0; k < 1000; k++ {
			icn := fmt.Sprintf("ICN%d", k)
			got, ok := rv.last(icn)
			w, wok := want[icn]
			if ok != wok || got != w {
				t.Fatalf("in memory %d: %s: got %d %v, want %d %v", inMemory, icn, got, ok, w, wok)
			}
		}
		if rv.err != nil {
			t.Fatal(rv.err)
		}
		rv.close()
	}
}

// BenchmarkReversals adds 100,000 reversals of 50,000 CLP07s, then looks
// up 100,000 CLP07s (half of them never reversed), kept in memory and
// spilled in runs of 4,096.
func BenchmarkReversals(b *testing.B) {
	icns := make([]string, 100000)
	for i := range icns {
		icns[i] = fmt.Sprintf("ICN%d", i)
	}
	for _, inMemory := range []int{1 << 16, 4096} {
		b.Run(fmt.Sprint("inMemory=", inMemory), func(b *testing.B) {
			old := reversalsInMemory
			reversalsInMemory = inMemory
			defer func() { reversalsInMemory = old }()
			found := 0
			for b.Loop() {
				var rv reversals
				r := rand.New(rand.NewPCG(8, 1))
				for i := 0; i < 100000; i++ {
					rv.add(icns[r.IntN(50000)], i)
				}
				rv.finish()
				for _, icn := range icns {
					if _, ok := rv.last(icn); ok {
						found++
					}
				}
				rv.close()
			}
			if found == 0 {
				b.Fatal("nothing found")
			}
		})
	}
}
