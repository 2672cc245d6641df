package x12

import (
	"bytes"
	"testing"
	"unsafe"
)

var splitSegs = [][]byte{
	[]byte("CLP*PCN123*1*300*150*20*12*ICN123456789*11"),
	[]byte("CAS*CO*45*65**PR*3*10"),
	[]byte("SVC*AD:D9997*150*75"),
	[]byte("DTM*472*20240301"),
	[]byte("NM1*QC*1*DOE*JANE****MI*M12345678"),
	[]byte("REF*6R*LINE1"),
}

func BenchmarkSplitOld(b *testing.B) {
	elems := make([]string, 32)
	for b.Loop() {
		for _, c := range splitSegs {
			if bytes.IndexByte(c, '\n') >= 0 || bytes.IndexByte(c, '\r') >= 0 {
				b.Fatal()
			}
			n := bytes.Count(c, []byte{'*'})
			splitInto(elems[:n+1], unsafe.String(unsafe.SliceData(c), len(c)), '*')
		}
	}
}

func BenchmarkSplitView(b *testing.B) {
	elems := make([]string, 0, 32)
	for b.Loop() {
		for _, c := range splitSegs {
			elems, _ = splitView(elems[:0], c, '*')
		}
	}
}
