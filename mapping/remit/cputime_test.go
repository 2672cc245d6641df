package remit_test

import (
	"syscall"
	"testing"
)

// cpuClock measures the process's CPU time (user + system, every thread:
// the GC workers included) around a benchmark loop. On the shared
// development machine the wall clock of ns/op measures the machine's load
// as much as the code (a process gets a fraction of a core); CPU seconds
// do not, so the benchmarks also report cpu-MB/s, the throughput per
// second of one core actually used. Run them with -cpu 1.
type cpuClock struct{ start float64 }

func cpuSeconds(b *testing.B) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

func startCPU(b *testing.B) cpuClock { return cpuClock{start: cpuSeconds(b)} }

// report adds cpu-MB/s for size bytes per iteration; call it after the loop.
func (c cpuClock) report(b *testing.B, size int) {
	if d := cpuSeconds(b) - c.start; d > 0 && b.N > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/d/1e6, "cpu-MB/s")
	}
}
