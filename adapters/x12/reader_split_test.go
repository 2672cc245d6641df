package x12

import (
	"bytes"
	"strings"
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

// TestSplitViewAgrees compares splitView with a plain split on random
// segments of separators, line breaks and letters, of every length.
func TestSplitViewAgrees(t *testing.T) {
	alphabet := []byte("AB*:\n\r~ 1\x00\x80*")
	seed := uint64(1)
	next := func() uint64 { seed = seed*6364136223846793005 + 1442695040888963407; return seed >> 33 }
	for n := 0; n < 20000; n++ {
		b := make([]byte, next()%40)
		for i := range b {
			b[i] = alphabet[next()%uint64(len(alphabet))]
		}
		got, ok := splitView(nil, b, '*')
		hasNL := bytes.IndexByte(b, '\n') >= 0 || bytes.IndexByte(b, '\r') >= 0
		if ok == hasNL {
			t.Fatalf("%q: ok %v", b, ok)
		}
		if !ok {
			continue
		}
		want := strings.Split(string(b), "*")
		if strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
			t.Fatalf("%q: %q, want %q", b, got, want)
		}
	}
}
