// Package cpuclock is a benchmark helper: it measures the process's CPU time
// (user + system, every thread: the GC workers included) around a benchmark
// loop. On the shared development machine the wall clock of ns/op measures
// the machine's load as much as the code (a process gets a fraction of a
// core); CPU seconds do not, so the benchmarks also report cpu-MB/s, the
// throughput per second of one core actually used. Run them with -cpu 1.
package cpuclock

import (
	"syscall"
	"testing"
)

// Clock is a benchmark's CPU time at its start.
type Clock struct{ start float64 }

func seconds(b *testing.B) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

// Start reads the CPU clock; call it before the loop.
func Start(b *testing.B) Clock { return Clock{start: seconds(b)} }

// Report adds cpu-MB/s for size bytes per iteration; call it after the loop.
func (c Clock) Report(b *testing.B, size int) {
	if d := seconds(b) - c.start; d > 0 && b.N > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/d/1e6, "cpu-MB/s")
	}
}
