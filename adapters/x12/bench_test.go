package x12_test

import (
	"bytes"
	"github.com/casebridge/casebridge/internal/cpuclock"
	"io"
	"strconv"
	"testing"

	"github.com/casebridge/casebridge/adapters/x12"
)

// synthetic835 writes an 835 of at least size bytes: one interchange, one
// group, transaction sets of 100 claims with two service lines each.
func synthetic835(tb testing.TB, size int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	buf.Grow(size + 64<<10)
	w := x12.NewWriter(&buf, x12.WriteOptions{NewlineAfterSegment: true})
	h := testISA
	w.BeginInterchange(h)
	g := testGS
	g.FunctionalID, g.Version = "HP", "005010X221A1"
	w.BeginGroup(g)
	for set := 1; buf.Len() < size; set++ {
		w.BeginTransaction("835", strconv.Itoa(1000+set), "")
		w.WriteSegment("BPR", E("I"), E("15000"), E("C"), E("ACH"), E("CCP"), E("01"), E("999999999"), E("DA"), E("123456"), E("1512345678"), E(""), E("01"), E("999988880"), E("DA"), E("98765"), E("20240305"))
		w.WriteSegment("TRN", E("1"), E("12345"), E("1512345678"))
		w.WriteSegment("DTM", E("405"), E("20240305"))
		w.WriteSegment("N1", E("PR"), E("DENTAL PAYER"))
		w.WriteSegment("N3", E("1 PAYER WAY"))
		w.WriteSegment("N4", E("KANSAS CITY"), E("MO"), E("64108"))
		w.WriteSegment("N1", E("PE"), E("DENTAL ASSOCIATES"), E("XX"), E("1234567893"))
		for claim := 0; claim < 100; claim++ {
			w.WriteSegment("LX", E("1"))
			w.WriteSegment("CLP", E("PCN"+strconv.Itoa(claim)), E("1"), E("300"), E("150"), E("20"), E("12"), E("ICN123456789"), E("11"))
			w.WriteSegment("CAS", E("CO"), E("45"), E("130"))
			w.WriteSegment("NM1", E("QC"), E("1"), E("DOE"), E("JANE"), E(""), E(""), E(""), E("MI"), E("M12345678"))
			w.WriteSegment("NM1", E("82"), E("1"), E("KILDARE"), E("BEN"), E(""), E(""), E(""), E("XX"), E("6789012345"))
			w.WriteSegment("DTM", E("232"), E("20240301"))
			for line := 0; line < 2; line++ {
				w.WriteSegment("SVC", C("AD", "D9997"), E("150"), E("75"))
				w.WriteSegment("DTM", E("472"), E("20240301"))
				w.WriteSegment("CAS", E("CO"), E("45"), E("65"), E(""), E("PR"), E("3"), E("10"))
				w.WriteSegment("REF", E("6R"), E("LINE"+strconv.Itoa(line)))
				w.WriteSegment("AMT", E("B6"), E("85"))
				w.WriteSegment("LQ", E("HE"), E("N850"))
			}
		}
		w.WriteSegment("PLB", E("1234567893"), E("20241231"), C("WO", "REF123"), E("-10"))
		w.EndTransaction()
	}
	w.EndGroup()
	if err := w.EndInterchange(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func BenchmarkReader835(b *testing.B) {
	data := synthetic835(b, 10<<20)
	var segs int
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	clock := cpuclock.Start(b)
	for b.Loop() {
		r := x12.NewReader(bytes.NewReader(data), x12.ReaderOptions{})
		segs = 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			segs++
		}
	}
	b.ReportMetric(float64(segs), "segments/op")
	clock.Report(b, len(data))
}

func BenchmarkReaderEnvelope835(b *testing.B) {
	data := synthetic835(b, 10<<20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r := x12.NewReader(bytes.NewReader(data), x12.ReaderOptions{})
		c := x12.NewEnvelopeChecker()
		for {
			s, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if errs := c.Add(s); len(errs) > 0 {
				b.Fatal(errs[0])
			}
		}
		if errs := c.Finish(); len(errs) > 0 {
			b.Fatal(errs[0])
		}
	}
}

func BenchmarkWriter835(b *testing.B) {
	size := len(synthetic835(b, 10<<20))
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		synthetic835(b, 10<<20)
	}
}

func TestSynthetic835IsClean(t *testing.T) {
	data := synthetic835(t, 1<<20)
	segs, _, issues := checkStream(t, bytes.NewReader(data))
	if len(issues) > 0 || segs < 1000 {
		t.Fatalf("%d segments, issues %+v", segs, issues)
	}
}

// BenchmarkReaderView835 is BenchmarkReader835 with NextView: no
// allocation per segment.
func BenchmarkReaderView835(b *testing.B) {
	data := synthetic835(b, 10<<20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	clock := cpuclock.Start(b)
	for b.Loop() {
		r := x12.NewReader(bytes.NewReader(data), x12.ReaderOptions{})
		for {
			_, err := r.NextView()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	clock.Report(b, len(data))
}

// BenchmarkIndexByteSplitter is the floor the reader is compared with: a
// bytes.IndexByte segment splitter that checks nothing.
func BenchmarkIndexByteSplitter(b *testing.B) {
	data := synthetic835(b, 10<<20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	clock := cpuclock.Start(b)
	for b.Loop() {
		n := 0
		for rest := data; len(rest) > 0; n++ {
			i := bytes.IndexByte(rest, '~')
			if i < 0 {
				break
			}
			rest = rest[i+1:]
		}
		if n == 0 {
			b.Fatal("no segments")
		}
	}
	clock.Report(b, len(data))
}
