package app

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// heapGuard holds a streaming loop to the runtime's memory limit when the
// collector falls behind. The FHIR mapping makes ~150 KB of garbage a
// claim (google/fhir's marshal); under a tight limit (casebridge 835
// --format fhir) a collection stretched by a busy machine — its worker
// descheduled while the mapping goes on allocating on another core — lets
// the heap overshoot the limit by tens of MB, all of it marked live for
// that cycle (CI saw a 32 MB one-set 835 peak at 80 MiB, against 60 MiB on
// a quiet machine). Every guardEvery calls, tick compares the heap's
// objects with the limit and, when they pass it, collects synchronously:
// the loop waits for the collector instead of racing it. With no limit
// set (the gateway), or within it, tick costs one counter increment, or
// one runtime/metrics read every guardEvery calls.
type heapGuard struct {
	n      int
	sample []metrics.Sample
}

// guardEvery: ~2.4 MB of the FHIR mapping's garbage between checks.
const guardEvery = 16

func newHeapGuard() *heapGuard {
	return &heapGuard{sample: []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}}
}

// tick is called once per resource written.
func (g *heapGuard) tick() {
	if g.n++; g.n%guardEvery != 0 {
		return
	}
	limit := debug.SetMemoryLimit(-1) // -1 reads it
	if limit == math.MaxInt64 {
		return
	}
	metrics.Read(g.sample)
	if v := g.sample[0].Value; v.Kind() == metrics.KindUint64 && v.Uint64() > uint64(limit) {
		runtime.GC()
	}
}
