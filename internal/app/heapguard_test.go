package app

import (
	"math"
	"runtime/debug"
	"runtime/metrics"
	"testing"
)

func forcedGCs(t *testing.T) uint64 {
	t.Helper()
	s := []metrics.Sample{{Name: "/gc/cycles/forced:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestHeapGuard: a heap past the memory limit is collected on the
// guardEvery-th tick and not before; with no limit, or within it,
// nothing is forced.
func TestHeapGuard(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(old)
	keep := make([]byte, 8<<20) // live: the heap's objects stay over the limit below
	cases := []struct {
		name   string
		limit  int64
		forced uint64
	}{
		{"no limit", math.MaxInt64, 0},
		{"within the limit", 1 << 40, 0},
		{"past the limit", 4 << 20, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			debug.SetMemoryLimit(tc.limit)
			g := newHeapGuard()
			before := forcedGCs(t)
			for i := 0; i < guardEvery-1; i++ {
				g.tick()
			}
			if n := forcedGCs(t) - before; n != 0 {
				t.Fatalf("%d forced collections before the %dth tick", n, guardEvery)
			}
			g.tick()
			if n := forcedGCs(t) - before; n != tc.forced {
				t.Errorf("%d forced collections, want %d", n, tc.forced)
			}
		})
	}
	debug.SetMemoryLimit(old)
	_ = keep[len(keep)-1]
}
