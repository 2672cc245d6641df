package x12_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/adapters/x12"
)

// segmentsBoth writes elems once with WriteSegment and once with the
// BeginSegment calls (composites for elements of several components, some
// simple elements as bytes).
func segmentsBoth(t *testing.T, opts x12.WriteOptions, id string, elems []x12.Element) (viaWrite, viaBegin []byte, errWrite, errBegin error) {
	t.Helper()
	a, b, ea, eb := segmentsVia(t, opts, id, elems, false)
	// the appending writer writes the same bytes and fails the same way
	_, c, _, ec := segmentsVia(t, opts, id, elems, true)
	if !bytes.Equal(b, c) || (eb == nil) != (ec == nil) || eb != nil && eb.Error() != ec.Error() {
		t.Fatalf("%q: io.Writer %q (%v), appending %q (%v)", elems, b, eb, c, ec)
	}
	return a, b, ea, eb
}

func segmentsVia(t *testing.T, opts x12.WriteOptions, id string, elems []x12.Element, appending bool) (viaWrite, viaBegin []byte, errWrite, errBegin error) {
	t.Helper()
	open := func(buf *bytes.Buffer) *x12.Writer {
		w := x12.NewWriter(buf, opts)
		w.BeginInterchange(testISA)
		w.BeginGroup(testGS)
		w.BeginTransaction("837", "0001", "")
		return w
	}
	var a, b bytes.Buffer
	wa := open(&a)
	errWrite = wa.WriteSegment(id, elems...)
	wb := open(&b)
	if appending {
		wb = x12.NewAppendWriter([]byte("kept:"), opts)
		wb.BeginInterchange(testISA)
		wb.BeginGroup(testGS)
		wb.BeginTransaction("837", "0001", "")
	}
	wb.BeginSegment(id)
	for _, el := range elems {
		switch {
		case len(el) == 1 && len(el[0])%2 == 0:
			wb.SimpleBytes([]byte(el[0]))
		case len(el) == 1:
			wb.Simple(el[0])
		default:
			wb.Composite(el...)
		}
	}
	errBegin = wb.EndSegment()
	if appending {
		out := wb.Bytes()
		if !bytes.HasPrefix(out, []byte("kept:")) {
			t.Fatalf("the appending writer lost what dst held: %q", out)
		}
		return a.Bytes(), out[len("kept:"):], errWrite, errBegin
	}
	return a.Bytes(), b.Bytes(), errWrite, errBegin
}

func TestBeginSegmentWritesWhatWriteSegmentWrites(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 837))
	values := []string{"", "", "A", "bc", "D9997", "12.5", "X*Y", "a:b", "~", "line\n"}
	for _, upper := range []bool{false, true} {
		for n := 0; n < 2000; n++ {
			elems := make([]x12.Element, rng.IntN(8))
			for i := range elems {
				comps := 1
				if rng.IntN(4) == 0 {
					comps = 2 + rng.IntN(3)
				}
				for j := 0; j < comps; j++ {
					elems[i] = append(elems[i], values[rng.IntN(len(values))])
				}
			}
			a, b, ea, eb := segmentsBoth(t, x12.WriteOptions{UpperCase: upper}, "NM1", elems)
			if !bytes.Equal(a, b) || (ea == nil) != (eb == nil) {
				t.Fatalf("%q: WriteSegment %q (%v), BeginSegment %q (%v)", elems, a, ea, b, eb)
			}
			if ea != nil && ea.Error() != eb.Error() {
				t.Fatalf("%q: errors differ: %v / %v", elems, ea, eb)
			}
		}
	}
}

func TestUpperElement(t *testing.T) {
	var buf bytes.Buffer
	w := x12.NewWriter(&buf, x12.WriteOptions{})
	w.BeginInterchange(testISA)
	w.BeginGroup(testGS)
	w.BeginTransaction("837", "0001", "")
	w.BeginSegment("NM1")
	w.Simple("85")
	w.Upper("Sunrise Dental")
	w.Simple("")
	w.Simple("xx")
	w.Upper("")
	if err := w.EndSegment(); err != nil {
		t.Fatal(err)
	}
	if got := buf.String()[bytes.LastIndex(buf.Bytes()[:buf.Len()-1], []byte("~"))+1:]; got != "NM1*85*SUNRISE DENTAL**xx~" {
		t.Errorf("got %q", got)
	}
}

func TestBeginSegmentMisuse(t *testing.T) {
	for name, f := range map[string]func(w *x12.Writer) error{
		"element outside a segment": func(w *x12.Writer) error { w.Simple("A"); return w.Err() },
		"end without begin":         func(w *x12.Writer) error { return w.EndSegment() },
		"nested begin":              func(w *x12.Writer) error { w.BeginSegment("NM1"); return w.BeginSegment("N3") },
		"SE inside a segment":       func(w *x12.Writer) error { w.BeginSegment("NM1"); return w.EndTransaction() },
		"WriteSegment inside":       func(w *x12.Writer) error { w.BeginSegment("NM1"); return w.WriteSegment("N3", x12.E("A")) },
		"envelope id":               func(w *x12.Writer) error { return w.BeginSegment("SE") },
		"bad id":                    func(w *x12.Writer) error { return w.BeginSegment("nm1") },
	} {
		var buf bytes.Buffer
		w := x12.NewWriter(&buf, x12.WriteOptions{})
		w.BeginInterchange(testISA)
		w.BeginGroup(testGS)
		w.BeginTransaction("837", "0001", "")
		n := buf.Len()
		err := f(w)
		var xe *x12.Error
		if !errors.As(err, &xe) {
			t.Errorf("%s: got %v", name, err)
		}
		if buf.Len() != n {
			t.Errorf("%s: wrote %q", name, buf.Bytes()[n:])
		}
	}
}

func BenchmarkBeginSegment(b *testing.B) {
	var buf bytes.Buffer
	w := x12.NewWriter(&buf, x12.WriteOptions{})
	w.BeginInterchange(testISA)
	w.BeginGroup(testGS)
	w.BeginTransaction("837", "0001", "")
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		w.BeginSegment("NM1")
		w.Simple("85")
		w.Simple("2")
		w.Upper("Sunrise Family Dental")
		w.Simple("")
		w.Simple("")
		w.Simple("")
		w.Simple("")
		w.Simple("XX")
		w.Simple("1234567893")
		w.Composite("AD", "D9997")
		if err := w.EndSegment(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestControlNumbersUsedOnce: a group or set control number may not repeat
// in its envelope, whether it is the first, second or a later one.
func TestControlNumbersUsedOnce(t *testing.T) {
	open := func() *x12.Writer {
		w := x12.NewWriter(&bytes.Buffer{}, x12.WriteOptions{})
		w.BeginInterchange(testISA)
		return w
	}
	for _, sts := range [][]string{{"0001", "0001"}, {"0001", "0002", "0002"}, {"0001", "0002", "0003", "0001"}} {
		w := open()
		w.BeginGroup(testGS)
		var err error
		for _, st := range sts {
			if err = w.BeginTransaction("837", st, ""); err == nil {
				err = w.EndTransaction()
			}
		}
		if err == nil || !strings.Contains(err.Error(), "already used") {
			t.Errorf("ST02 %v: %v", sts, err)
		}
	}
	for _, gss := range [][]int{{7, 7}, {7, 8, 8}, {7, 8, 9, 7}} {
		w := open()
		var err error
		for _, gs := range gss {
			h := testGS
			h.ControlNumber = gs
			if err = w.BeginGroup(h); err == nil {
				err = w.EndGroup()
			}
		}
		if err == nil || !strings.Contains(err.Error(), "already used") {
			t.Errorf("GS06 %v: %v", gss, err)
		}
	}
	w := open()
	for _, gs := range []int{1, 2, 3} {
		h := testGS
		h.ControlNumber = gs
		w.BeginGroup(h)
		for _, st := range []string{"0001", "0002", "0003"} {
			w.BeginTransaction("837", st, "")
			w.EndTransaction()
		}
		w.EndGroup()
	}
	if err := w.EndInterchange(); err != nil {
		t.Errorf("distinct numbers: %v", err)
	}
}
