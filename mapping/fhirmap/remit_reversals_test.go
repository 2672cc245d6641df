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
