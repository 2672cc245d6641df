package x12

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
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
