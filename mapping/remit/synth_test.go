package remit_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/casebridge/casebridge/mapping/remit"
)

// synth writes a valid, balanced 835 with sets transaction sets of claims
// claims each (one D9997 line per claim), and correct envelope counts, so
// reading it yields no warning.
func synth(w io.Writer, sets, claims int) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	fmt.Fprint(bw, "ISA*00*          *00*          *ZZ*DENTALPLAN     *ZZ*SMILECARE      *261120*1200*^*00501*000000900*0*T*:~\n")
	fmt.Fprint(bw, "GS*HP*DENTALPLAN*SMILECARE*20261120*1200*900*X*005010X221A1~\n")
	for s := 1; s <= sets; s++ {
		fmt.Fprintf(bw, "ST*835*%04d~\nBPR*I*%d*C*ACH*CCP*01*011000015*DA*123456789*1999999999**01*021000021*DA*987654321*20261120~\n", s%10000, 80*claims)
		fmt.Fprintf(bw, "TRN*1*T%d*1999999999~\nN1*PR*EXAMPLE DENTAL PLAN*XV*DP0001~\nN1*PE*SMILE CARE DENTAL*XX*1234567893~\nLX*1~\n", s)
		for c := 1; c <= claims; c++ {
			fmt.Fprintf(bw, "CLP*S%dC%d*1*120*80*20*12*ICN%d-%d*11*1~\nNM1*QC*1*DOE*JANE****MI*M%d~\n", s, c, s, c, c)
			fmt.Fprint(bw, "SVC*AD:D9997*120*80**1~\nDTM*472*20261015~\nCAS*CO*45*20~\nCAS*PR*3*20~\nREF*6R*1~\nAMT*B6*100~\nLQ*HE*N130~\n")
		}
		fmt.Fprintf(bw, "SE*%d*%04d~\n", 7+9*claims, s%10000)
	}
	fmt.Fprintf(bw, "GE*%d*900~\nIEA*1*000000900~\n", sets)
	return bw.Flush()
}

// TestMemoryStaysFlat streams 3000 sets from a generator (the input never
// sits in memory) and checks the live heap after set 100 and after set 3000
// are about the same: Read keeps one set, not the file.
func TestMemoryStaysFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("streams ~20 MB")
	}
	const sets, claims = 3000, 10
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(synth(pw, sets, claims)) }()
	var early, late uint64
	n := 0
	ws, err := remit.Read(pr, remit.Options{}, func(tx *remit.Transaction) error {
		n++
		if len(tx.Claims) != claims || !tx.Balanced {
			return fmt.Errorf("set %d: %d claims, balanced %v", n, len(tx.Claims), tx.Balanced)
		}
		switch n {
		case 100:
			early = liveHeap()
		case sets:
			late = liveHeap()
		}
		return nil
	})
	if err != nil || len(ws) != 0 || n != sets {
		t.Fatalf("err %v, %d warnings, %d sets", err, len(ws), n)
	}
	t.Logf("live heap after set 100: %d KB, after set %d: %d KB", early>>10, sets, late>>10)
	if late > early+512<<10 {
		t.Fatalf("heap grew from %d KB to %d KB while streaming", early>>10, late>>10)
	}
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func TestSynthIsClean(t *testing.T) {
	var buf bytes.Buffer
	if err := synth(&buf, 3, 4); err != nil {
		t.Fatal(err)
	}
	rep, err := remit.BuildReport(&buf, remit.Options{})
	if err != nil || len(rep.Warnings) != 0 || rep.Summary.Claims != 12 || len(rep.Remittances) != 3 {
		t.Fatalf("err %v, report %+v", err, rep)
	}
}

// BenchmarkRead streams synthetic files of growing size (up to about 20 MB).
// B/set and allocs/set stay the same from 100 to 10000 sets, and
// live-heap-growth-KB (live heap after the last set minus after set 50,
// both after a GC) stays near zero: memory per set is flat.
func BenchmarkRead(b *testing.B) {
	for _, sets := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("sets=%d", sets), func(b *testing.B) {
			var buf bytes.Buffer
			if err := synth(&buf, sets, 10); err != nil {
				b.Fatal(err)
			}
			data := buf.Bytes()
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			var growth float64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				n := 0
				var early uint64
				_, err := remit.Read(bytes.NewReader(data), remit.Options{}, func(*remit.Transaction) error {
					n++
					if i == 0 && n == 50 {
						b.StopTimer()
						early = liveHeap()
						b.StartTimer()
					}
					if i == 0 && n == sets {
						b.StopTimer()
						growth = (float64(liveHeap()) - float64(early)) / 1024
						b.StartTimer()
					}
					return nil
				})
				if err != nil || n != sets {
					b.Fatal(err, n)
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			total := float64(b.N * sets)
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/total, "B/set")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/total, "allocs/set")
			b.ReportMetric(growth, "live-heap-growth-KB")
		})
	}
}

// BenchmarkBuildReport measures the whole report path; the report itself
// grows with the file, one set at a time.
func BenchmarkBuildReport(b *testing.B) {
	var buf bytes.Buffer
	if err := synth(&buf, 1000, 10); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := remit.BuildReport(bytes.NewReader(data), remit.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
