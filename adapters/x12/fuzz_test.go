package x12

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// FuzzReader checks that no input makes the reader, the segment accessors or
// the envelope checker panic, and that any input that reads without error
// survives a round trip: re-encoding the segments with their own delimiters
// (AppendSegment) and reading again gives equal segments.
func FuzzReader(f *testing.F) {
	files, _ := filepath.Glob("../../testdata/x12/*.x12")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(doc("GS*HP*A:B^C", "ST*835*0001", "NM1*QC*1**X:Y::", "SE*3*0001", "GE*1*1", "IEA*1*000000001")))
	f.Add([]byte(testISA('|', '>', 'U', '\n') + "GS|HP\r\nGE|0|1\n" + testISA('*', ':', '^', '~') + "IEA*1*1~"))
	f.Add([]byte("\xEF\xBB\xBF  " + testISA(0x1D, 0x1F, 0x1E, 0x1C) + "GS\x1DHP\x1C"))
	f.Add([]byte(doc("GS*HP") + "ST*8"))
	f.Add([]byte(doc("GS*HP*A", "  ST*835*0001", "\tSE*2*0001", " \r\n GE*1*1", "IEA*1*1") + " \t"))

	// NextView over wrapped lines (the scratch buffer) and a long segment.
	f.Add([]byte(doc("GS*HP*A", "ST*835*0001", "CLP*A\r\n*1*1\n00*80", "NM1*QC*1*"+strings.Repeat("X", 400), "SE*4*0001", "GE*1*1", "IEA*1*1")))
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := ReaderOptions{MaxSegmentLength: 512}
		segs, err := ReadAll(bytes.NewReader(data), opts)
		c := NewEnvelopeChecker()
		for _, s := range segs {
			exercise(s)
			for _, e := range c.Add(s) {
				_ = e.Error()
			}
		}
		c.Finish()
		checkViews(t, data, opts, segs, err)
		if err != nil {
			var xe *Error
			if !errors.As(err, &xe) {
				t.Fatalf("error is not *Error: %v", err)
			}
			_ = xe.Error()
			return
		}
		var out []byte
		for _, s := range segs {
			if out, err = AppendSegment(out, s); err != nil {
				t.Fatalf("re-encoding segment %d: %v", s.Ordinal, err)
			}
		}
		again, err := ReadAll(bytes.NewReader(out), opts)
		if err != nil {
			t.Fatalf("re-reading: %v\n%q", err, out)
		}
		if len(again) != len(segs) {
			t.Fatalf("%d segments, re-read %d", len(segs), len(again))
		}
		for i := range segs {
			a, b := segs[i], again[i]
			if a.ID != b.ID || a.Ordinal != b.Ordinal || a.Delims != b.Delims || !slices.Equal(a.Elements, b.Elements) {
				t.Fatalf("segment %d differs:\n%+v\n%+v", i+1, a, b)
			}
		}
	})
}

// exercise calls every accessor with in- and out-of-range positions.
func exercise(s *Segment) {
	for i := -1; i <= s.Len()+1; i++ {
		_ = s.Element(i)
		_ = s.Components(i)
		_ = s.Repeats(i)
		for j := -1; j <= 3; j++ {
			_ = s.Component(i, j)
		}
	}
	_ = s.Errorf(CodeEnvelopeUnexpected, 1, 1, "x").Error()
}

// FuzzWriter checks the writer's last guard: a value is either refused with
// DELIMITER_IN_DATA (and then really holds a delimiter, CR or LF) or written
// so that reading it back gives the same value.
func FuzzWriter(f *testing.F) {
	f.Add("SMITH", "AD", "D9997")
	f.Add("A*B", "", "x")
	f.Add("", "", "")
	f.Add("ok", "a\nb", "")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		var buf bytes.Buffer
		w := NewWriter(&buf, WriteOptions{NewlineAfterSegment: true})
		date := time.Date(2024, 3, 5, 14, 7, 0, 0, time.UTC)
		if err := w.BeginInterchange(InterchangeHeader{SenderQualifier: "ZZ", SenderID: "S", ReceiverQualifier: "ZZ", ReceiverID: "R", Date: date, ControlNumber: 1, Usage: 'T'}); err != nil {
			t.Fatal(err)
		}
		w.BeginGroup(GroupHeader{FunctionalID: "HC", SenderCode: "SS", ReceiverCode: "RR", Date: date, ControlNumber: 1, Version: "005010X224A2"})
		w.BeginTransaction("837", "0001", "")
		err := w.WriteSegment("NM1", E(a), C(b, c))
		d := DefaultDelimiters
		bad := func(s string) bool { return d.Contains(s) || strings.ContainsAny(s, "\r\n") }
		if err != nil {
			var xe *Error
			if !errors.As(err, &xe) || xe.Code != CodeDelimiterInData {
				t.Fatalf("unexpected error %v", err)
			}
			if !bad(a) && !bad(b) && !bad(c) {
				t.Fatalf("refused clean values: %v", err)
			}
			// values of a few characters ("*", ":") can coincide with the
			// message's own text; longer ones must not appear
			for _, v := range []string{a, b, c} {
				if bad(v) && len(v) >= 4 && strings.Contains(err.Error(), v) {
					t.Fatalf("error text holds a value: %v", err)
				}
			}
			return
		}
		if bad(a) || bad(b) || bad(c) {
			t.Fatalf("wrote a value holding a delimiter")
		}
		w.EndTransaction()
		w.EndGroup()
		if err := w.EndInterchange(); err != nil {
			t.Fatal(err)
		}
		segs, err := ReadAll(&buf, ReaderOptions{})
		if err != nil {
			t.Fatal(err)
		}
		s := segs[3]
		if s.ID != "NM1" || s.Element(1) != a || s.Component(2, 1) != b || s.Component(2, 2) != c {
			t.Fatalf("read back %q", s.Elements)
		}
	})
}

// checkViews reads data again with NextView (copying each view with Clone)
// and wants the same segments and the same final error as Next gave.
func checkViews(t *testing.T, data []byte, opts ReaderOptions, segs []*Segment, err error) {
	t.Helper()
	// Plain views; views into a text arena (SetTextArena) over input that
	// arrives a byte or half a read at a time (the fast path's window runs
	// dry mid-segment); and a Next reader in step for Indented and Offset.
	readers := []*Reader{
		NewReader(bytes.NewReader(data), opts),
		NewReader(iotest.OneByteReader(bytes.NewReader(data)), opts),
		NewReader(iotest.HalfReader(bytes.NewReader(data)), opts),
	}
	for _, r := range readers[1:] {
		r.SetTextArena(func(id string, n int) []byte { return make([]byte, n, n+8) })
	}
	ref := NewReader(bytes.NewReader(data), opts)
	for k, r := range readers {
		for i := 0; ; i++ {
			v, verr := r.NextView()
			if verr != nil {
				if (verr == io.EOF) != (err == nil) || (err != nil && verr.Error() != err.Error()) || i != len(segs) {
					t.Fatalf("reader %d: NextView ends with %v after %d segments; Next with %v after %d", k, verr, i, err, len(segs))
				}
				break
			}
			if i >= len(segs) {
				t.Fatalf("reader %d: NextView reads more segments than Next", k)
			}
			c := v.Clone()
			if c.ID != segs[i].ID || !slices.Equal(c.Elements, segs[i].Elements) || c.Ordinal != segs[i].Ordinal || c.Offset != segs[i].Offset || c.Delims != segs[i].Delims {
				t.Fatalf("reader %d: segment %d: NextView %+v, Next %+v", k, i, c, segs[i])
			}
			if k == 0 {
				if _, rerr := ref.Next(); rerr != nil {
					t.Fatalf("reference reader: %v", rerr)
				}
			} else {
				continue
			}
			if r.Indented() != ref.Indented() || r.Offset() != ref.Offset() {
				t.Fatalf("segment %d: NextView Indented %d Offset %d, Next %d %d", i, r.Indented(), r.Offset(), ref.Indented(), ref.Offset())
			}
		}
	}
}
