package x12_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/casebridge/casebridge/adapters/x12"
)

var (
	testDate = time.Date(2024, 3, 5, 14, 7, 33, 0, time.UTC)
	testISA  = x12.InterchangeHeader{
		SenderQualifier: "ZZ", SenderID: "SENDER",
		ReceiverQualifier: "ZZ", ReceiverID: "RECEIVER",
		Date: testDate, ControlNumber: 42, Usage: 'T',
	}
	testGS = x12.GroupHeader{
		FunctionalID: "HC", SenderCode: "SENDER", ReceiverCode: "RECEIVER",
		Date: testDate, ControlNumber: 7, Version: "005010X224A2",
	}
	E = x12.E
	C = x12.C
)

// writeSmall writes a one-claim-shaped interchange and returns its bytes.
func writeSmall(t *testing.T, opts x12.WriteOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	writeSmallTo(t, x12.NewWriter(&buf, opts))
	return buf.Bytes()
}

func writeSmallTo(t *testing.T, w *x12.Writer) {
	t.Helper()
	w.BeginInterchange(testISA)
	w.BeginGroup(testGS)
	w.BeginTransaction("837", "0001", "005010X224A2")
	w.WriteSegment("BHT", E("0019"), E("00"), E("B1"), E("20240305"), E("1407"), E("CH"))
	w.WriteSegment("NM1", E("41"), E("2"), E("CASEBRIDGE"), E(""), nil, C(), C("", ""), E("46"), E("X1"), E(""), C("", ""))
	w.WriteSegment("SV3", C("AD", "D9997"), E("120"), E(""), E(""), E(""), E("1"), E(""), E(""))
	w.WriteSegment("TOO", E("JP"), E("12"), C("M", "O", "", ""))
	w.WriteSegment("HI", C("ABK", "", "K081"))
	w.EndTransaction()
	w.EndGroup()
	if err := w.EndInterchange(); err != nil {
		t.Fatal(err)
	}
}

// TestAppendWriterWritesWhatWriterWrites: NewAppendWriter gives the bytes
// of NewWriter on a buffer, whatever capacity dst starts with, and after an
// error Bytes holds only the segments completed before it.
func TestAppendWriterWritesWhatWriterWrites(t *testing.T) {
	for _, opts := range []x12.WriteOptions{{}, {NewlineAfterSegment: true}, {UpperCase: true}} {
		want := writeSmall(t, opts)
		for _, dst := range [][]byte{nil, make([]byte, 0, 16), make([]byte, 0, 4096)} {
			w := x12.NewAppendWriter(dst, opts)
			writeSmallTo(t, w)
			if got := w.Bytes(); string(got) != string(want) {
				t.Fatalf("%+v: got\n%s\nwant\n%s", opts, got, want)
			}
		}
	}
	w := x12.NewAppendWriter(nil, x12.WriteOptions{})
	w.BeginInterchange(testISA)
	w.BeginGroup(testGS)
	w.BeginTransaction("837", "0001", "")
	before := string(w.Bytes())
	w.BeginSegment("NM1")
	w.Simple("41")
	w.Simple("A*B")
	err := w.EndSegment()
	var xe *x12.Error
	if !errors.As(err, &xe) || xe.Code != x12.CodeDelimiterInData || xe.SegmentID != "NM1" || xe.Segment != 4 || xe.Element != 2 {
		t.Fatalf("got %v", err)
	}
	if string(w.Bytes()) != before || w.EndInterchange() != err {
		t.Fatalf("after the error: %q, %v", w.Bytes(), w.Err())
	}
	if x12.NewWriter(io.Discard, x12.WriteOptions{}).Bytes() != nil {
		t.Fatal("Bytes of a writer on an io.Writer")
	}
}

func TestWriterGolden(t *testing.T) {
	got := writeSmall(t, x12.WriteOptions{NewlineAfterSegment: true})
	want := "" +
		"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240305*1407*^*00501*000000042*0*T*:~\n" +
		"GS*HC*SENDER*RECEIVER*20240305*1407*7*X*005010X224A2~\n" +
		"ST*837*0001*005010X224A2~\n" +
		"BHT*0019*00*B1*20240305*1407*CH~\n" +
		"NM1*41*2*CASEBRIDGE*****46*X1~\n" +
		"SV3*AD:D9997*120****1~\n" +
		"TOO*JP*12*M:O~\n" +
		"HI*ABK::K081~\n" +
		"SE*7*0001~\n" +
		"GE*1*7~\n" +
		"IEA*1*000000042~\n"
	if string(got) != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestWriterGoldenOtherDelimiters(t *testing.T) {
	d := x12.Delimiters{Element: '|', Component: '>', Repetition: 0, Segment: '!'}
	got := string(writeSmall(t, x12.WriteOptions{Delimiters: d}))
	want := "ISA|00|          |00|          |ZZ|SENDER         |ZZ|RECEIVER       |240305|1407|U|00501|000000042|0|T|>!" +
		"GS|HC|SENDER|RECEIVER|20240305|1407|7|X|005010X224A2!" +
		"ST|837|0001|005010X224A2!" +
		"BHT|0019|00|B1|20240305|1407|CH!" +
		"NM1|41|2|CASEBRIDGE|||||46|X1!" +
		"SV3|AD>D9997|120||||1!" +
		"TOO|JP|12|M>O!" +
		"HI|ABK>>K081!" +
		"SE|7|0001!" +
		"GE|1|7!" +
		"IEA|1|000000042!"
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestISAIsExactly106Bytes(t *testing.T) {
	headers := []x12.InterchangeHeader{
		testISA,
		{AuthQualifier: "03", AuthInfo: "ABCDEFGHIJ", SecurityQualifier: "01", SecurityInfo: "PW",
			SenderQualifier: "30", SenderID: "123456789012345", ReceiverQualifier: "ZZ", ReceiverID: "R",
			Date: time.Date(2031, 12, 31, 23, 59, 0, 0, time.UTC), ControlNumber: 999999999, AckRequested: true, Usage: 'P'},
	}
	delims := []x12.Delimiters{{}, x12.DefaultDelimiters, {Element: '*', Component: '>', Segment: '\n'}, {Element: 0x1D, Component: 0x1F, Repetition: 0x1E, Segment: 0x1C}}
	for _, h := range headers {
		for _, d := range delims {
			var buf bytes.Buffer
			w := x12.NewWriter(&buf, x12.WriteOptions{Delimiters: d})
			if err := w.BeginInterchange(h); err != nil {
				t.Fatal(err)
			}
			if buf.Len() != 106 {
				t.Fatalf("ISA has %d bytes: %q", buf.Len(), buf.String())
			}
			r := x12.NewReader(&buf, x12.ReaderOptions{})
			s, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			want := d
			if want == (x12.Delimiters{}) {
				want = x12.DefaultDelimiters
			}
			if s.Delims != want {
				t.Fatalf("read back delimiters %+v, want %+v", s.Delims, want)
			}
		}
	}
}

func TestWriterDateIsUTC(t *testing.T) {
	var buf bytes.Buffer
	h := testISA
	h.Date = time.Date(2024, 3, 5, 21, 30, 0, 0, time.FixedZone("EST", -5*3600)) // 2024-03-06 02:30 UTC
	g := testGS
	g.Date = h.Date
	w := x12.NewWriter(&buf, x12.WriteOptions{})
	w.BeginInterchange(h)
	if err := w.BeginGroup(g); err != nil {
		t.Fatal(err)
	}
	if s := buf.String(); !strings.Contains(s, "*240306*0230*") || !strings.Contains(s, "*20240306*0230*") {
		t.Fatalf("dates not in UTC: %s", s)
	}
}

func TestWriterRefusesDelimiterInData(t *testing.T) {
	secret := "SMITH"
	tests := []struct {
		name      string
		elems     []x12.Element
		element   int
		component int
	}{
		{"element separator", []x12.Element{E("QC"), E(secret + "*X")}, 2, 1},
		{"component separator", []x12.Element{E("QC"), E("1"), E(secret + ":")}, 3, 1},
		{"repetition separator", []x12.Element{E(secret + "^")}, 1, 1},
		{"segment terminator", []x12.Element{E("QC"), C("A", secret+"~")}, 2, 2},
		{"CR", []x12.Element{C("A", "B", "\r"+secret)}, 1, 3},
		{"LF", []x12.Element{E(""), E(secret + "\n")}, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := x12.NewWriter(&buf, x12.WriteOptions{})
			w.BeginInterchange(testISA)
			w.BeginGroup(testGS)
			w.BeginTransaction("837", "0001", "")
			before := buf.Len()
			err := w.WriteSegment("NM1", tt.elems...)
			var xe *x12.Error
			if !errors.As(err, &xe) {
				t.Fatalf("want *x12.Error, got %v", err)
			}
			if xe.Code != x12.CodeDelimiterInData || xe.Segment != 4 || xe.SegmentID != "NM1" || xe.Element != tt.element || xe.Component != tt.component || xe.Offset != int64(before) {
				t.Fatalf("got %+v", xe)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("error text leaks the value: %v", err)
			}
			if buf.Len() != before {
				t.Fatalf("refused segment was (partly) written")
			}
			// Sticky.
			if w.EndTransaction() != err || w.Err() != err {
				t.Fatalf("error is not sticky")
			}
			if buf.Len() != before {
				t.Fatalf("wrote after an error")
			}
		})
	}
}

func TestWriterRefusesDelimiterInHeaders(t *testing.T) {
	h := testISA
	h.SenderID = "A*B"
	err := x12.NewWriter(&bytes.Buffer{}, x12.WriteOptions{}).BeginInterchange(h)
	var xe *x12.Error
	if !errors.As(err, &xe) || xe.Code != x12.CodeDelimiterInData || xe.Element != 6 || xe.SegmentID != "ISA" {
		t.Fatalf("got %v", err)
	}
	w := x12.NewWriter(&bytes.Buffer{}, x12.WriteOptions{})
	w.BeginInterchange(testISA)
	g := testGS
	g.Version = "005010~"
	if err := w.BeginGroup(g); !errors.As(err, &xe) || xe.Code != x12.CodeDelimiterInData || xe.Element != 8 {
		t.Fatalf("got %v", err)
	}
	w = x12.NewWriter(&bytes.Buffer{}, x12.WriteOptions{})
	w.BeginInterchange(testISA)
	w.BeginGroup(testGS)
	if err := w.BeginTransaction("837", "00:1", ""); !errors.As(err, &xe) || xe.Code != x12.CodeDelimiterInData || xe.Element != 2 {
		t.Fatalf("got %v", err)
	}
}

type call func(w *x12.Writer) error

var (
	isa   call = func(w *x12.Writer) error { return w.BeginInterchange(testISA) }
	gs    call = func(w *x12.Writer) error { return w.BeginGroup(testGS) }
	st    call = func(w *x12.Writer) error { return w.BeginTransaction("837", "0001", "") }
	seg   call = func(w *x12.Writer) error { return w.WriteSegment("BHT", E("0019")) }
	ta1   call = func(w *x12.Writer) error { return w.WriteSegment("TA1", E("000000001")) }
	se    call = func(w *x12.Writer) error { return w.EndTransaction() }
	ge    call = func(w *x12.Writer) error { return w.EndGroup() }
	iea   call = func(w *x12.Writer) error { return w.EndInterchange() }
	rawSE call = func(w *x12.Writer) error { return w.WriteSegment("SE", E("2"), E("0001")) }
)

func TestWriterEnvelopeOrder(t *testing.T) {
	tests := []struct {
		name    string
		calls   []call
		code    x12.Code // expected error on the last call; "" = success
		segment int
		id      string
	}{
		{"full", []call{isa, gs, st, seg, se, ge, iea}, "", 0, ""},
		{"TA1 only interchange", []call{isa, ta1, iea}, "", 0, ""},
		{"two interchanges", []call{isa, gs, st, se, ge, iea, isa, iea}, "", 0, ""},
		{"GS before ISA", []call{gs}, x12.CodeEnvelopeOrder, 1, "GS"},
		{"ST before GS", []call{isa, st}, x12.CodeEnvelopeOrder, 2, "ST"},
		{"segment before ST", []call{isa, gs, seg}, x12.CodeEnvelopeOrder, 3, "BHT"},
		{"segment after SE", []call{isa, gs, st, se, seg}, x12.CodeEnvelopeOrder, 5, "BHT"},
		{"TA1 inside group", []call{isa, gs, ta1}, x12.CodeEnvelopeOrder, 3, "TA1"},
		{"SE without ST", []call{isa, gs, se}, x12.CodeEnvelopeOrder, 3, "SE"},
		{"GE with open ST", []call{isa, gs, st, ge}, x12.CodeEnvelopeOrder, 4, "GE"},
		{"IEA with open GS", []call{isa, gs, iea}, x12.CodeEnvelopeOrder, 3, "IEA"},
		{"IEA without ISA", []call{iea}, x12.CodeEnvelopeOrder, 1, "IEA"},
		{"nested ISA", []call{isa, isa}, x12.CodeEnvelopeOrder, 2, "ISA"},
		{"nested ST", []call{isa, gs, st, st}, x12.CodeEnvelopeOrder, 4, "ST"},
		{"envelope segment via WriteSegment", []call{isa, gs, st, rawSE}, x12.CodeEnvelopeOrder, 4, "SE"},
		{"duplicate ST02 in group", []call{isa, gs, st, se, st}, x12.CodeValueInvalid, 5, "ST"},
		{"duplicate GS06 in interchange", []call{isa, gs, ge, gs}, x12.CodeValueInvalid, 4, "GS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := x12.NewWriter(&bytes.Buffer{}, x12.WriteOptions{})
			var err error
			for i, c := range tt.calls {
				err = c(w)
				if err != nil && i < len(tt.calls)-1 {
					t.Fatalf("call %d: %v", i, err)
				}
			}
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var xe *x12.Error
			if !errors.As(err, &xe) || xe.Code != tt.code || xe.Segment != tt.segment || xe.SegmentID != tt.id {
				t.Fatalf("got %+v (%v)", xe, err)
			}
		})
	}
}

func TestWriterValueInvalid(t *testing.T) {
	mod := func(f func(h *x12.InterchangeHeader)) x12.InterchangeHeader {
		h := testISA
		f(&h)
		return h
	}
	tests := []struct {
		name    string
		h       x12.InterchangeHeader
		code    x12.Code
		element int
	}{
		{"sender ID too long", mod(func(h *x12.InterchangeHeader) { h.SenderID = "1234567890123456" }), x12.CodeValueInvalid, 6},
		{"receiver ID missing", mod(func(h *x12.InterchangeHeader) { h.ReceiverID = "" }), x12.CodeValueInvalid, 8},
		{"qualifier one char", mod(func(h *x12.InterchangeHeader) { h.SenderQualifier = "Z" }), x12.CodeValueInvalid, 5},
		{"control number zero", mod(func(h *x12.InterchangeHeader) { h.ControlNumber = 0 }), x12.CodeValueInvalid, 13},
		{"control number too big", mod(func(h *x12.InterchangeHeader) { h.ControlNumber = 1000000000 }), x12.CodeValueInvalid, 13},
		{"usage missing", mod(func(h *x12.InterchangeHeader) { h.Usage = 0 }), x12.CodeValueInvalid, 15},
		{"date missing", mod(func(h *x12.InterchangeHeader) { h.Date = time.Time{} }), x12.CodeValueInvalid, 9},
		{"version wrong width", mod(func(h *x12.InterchangeHeader) { h.Version = "5010" }), x12.CodeValueInvalid, 12},
		{"auth info too long", mod(func(h *x12.InterchangeHeader) { h.AuthInfo = "12345678901" }), x12.CodeValueInvalid, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := x12.NewWriter(&buf, x12.WriteOptions{}).BeginInterchange(tt.h)
			var xe *x12.Error
			if !errors.As(err, &xe) || xe.Code != tt.code || xe.Element != tt.element || xe.SegmentID != "ISA" {
				t.Fatalf("got %+v (%v)", xe, err)
			}
			if buf.Len() != 0 {
				t.Fatalf("wrote %q", buf.String())
			}
		})
	}
}

func TestWriterInvalidDelimiters(t *testing.T) {
	for _, d := range []x12.Delimiters{
		{Element: '*', Component: '*', Segment: '~'},
		{Element: 'A', Component: ':', Segment: '~'},
		{Element: '*', Component: ':', Segment: ' '},
		{Element: '*', Component: ':', Repetition: '~', Segment: '~'},
		{Component: '>'},
	} {
		err := x12.NewWriter(&bytes.Buffer{}, x12.WriteOptions{Delimiters: d}).BeginInterchange(testISA)
		var xe *x12.Error
		if !errors.As(err, &xe) || xe.Code != x12.CodeISAInvalid {
			t.Fatalf("%+v: got %v", d, err)
		}
	}
}

func TestWriterSegmentIDInvalid(t *testing.T) {
	for _, id := range []string{"", "N", "nm1", "ABCD", "N*1"} {
		w := x12.NewWriter(&bytes.Buffer{}, x12.WriteOptions{})
		w.BeginInterchange(testISA)
		w.BeginGroup(testGS)
		w.BeginTransaction("837", "0001", "")
		err := w.WriteSegment(id, E("1"))
		var xe *x12.Error
		if !errors.As(err, &xe) || xe.Code != x12.CodeSegmentIDInvalid || xe.Segment != 4 {
			t.Fatalf("%q: got %v", id, err)
		}
	}
}

type failWriter struct{ n int }

var errDisk = errors.New("disk full")

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errDisk
	}
	f.n--
	return len(p), nil
}

func TestWriterWriteError(t *testing.T) {
	w := x12.NewWriter(&failWriter{n: 2}, x12.WriteOptions{})
	w.BeginInterchange(testISA)
	w.BeginGroup(testGS)
	err := w.BeginTransaction("837", "0001", "")
	var xe *x12.Error
	if !errors.As(err, &xe) || xe.Code != x12.CodeWriteError || xe.Segment != 3 || !errors.Is(err, errDisk) {
		t.Fatalf("got %v", err)
	}
	if w.EndInterchange() != err {
		t.Fatalf("not sticky")
	}
}

func TestWriterUpperCase(t *testing.T) {
	var buf bytes.Buffer
	w := x12.NewWriter(&buf, x12.WriteOptions{UpperCase: true})
	h := testISA
	h.SenderID, h.SecurityInfo, h.Usage = "sender", "pw", 't'
	w.BeginInterchange(h)
	w.BeginGroup(testGS)
	w.BeginTransaction("837", "0001", "")
	if err := w.WriteSegment("NM1", E("qc"), C("ad", "d9997")); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	if !strings.Contains(s, "*SENDER         *") || !strings.Contains(s, "*pw        *") || !strings.Contains(s, "NM1*QC*AD:D9997~") || !strings.Contains(s, "*T*:~") {
		t.Fatalf("got %s", s)
	}
	// Without the option, text is written as given.
	buf.Reset()
	w = x12.NewWriter(&buf, x12.WriteOptions{})
	w.BeginInterchange(testISA)
	w.BeginGroup(testGS)
	w.BeginTransaction("837", "0001", "")
	w.WriteSegment("NM1", E("Doe"))
	if !strings.Contains(buf.String(), "NM1*Doe~") {
		t.Fatalf("got %s", buf.String())
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	for _, d := range []x12.Delimiters{x12.DefaultDelimiters, {Element: '|', Component: '>', Segment: '\n'}, {Element: '*', Component: '|', Repetition: '^', Segment: '~'}} {
		var buf bytes.Buffer
		w := x12.NewWriter(&buf, x12.WriteOptions{Delimiters: d, NewlineAfterSegment: d.Segment != '\n'})
		w.BeginInterchange(testISA)
		for g := 1; g <= 2; g++ {
			gh := testGS
			gh.ControlNumber = g
			w.BeginGroup(gh)
			for s := 1; s <= 3; s++ {
				w.BeginTransaction("835", "000"+string(rune('0'+s)), "")
				w.WriteSegment("BPR", E("I"), E("150.5"), E("C"))
				w.WriteSegment("CLP", E("PCN-1"), E("1"), E("200"), E("150.5"))
				w.WriteSegment("SVC", C("AD", "D9997"), E("200"), E("150.5"))
				w.WriteSegment("CAS", E("CO"), E("45"), E("49.5"), E(""), E("PR"))
				w.EndTransaction()
			}
			w.EndGroup()
		}
		if err := w.EndInterchange(); err != nil {
			t.Fatal(err)
		}
		segs, err := x12.ReadAll(bytes.NewReader(buf.Bytes()), x12.ReaderOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(segs) != 1+2*(1+3*6+1)+1 {
			t.Fatalf("got %d segments", len(segs))
		}
		c := x12.NewEnvelopeChecker()
		for _, s := range segs {
			if s.Delims != d {
				t.Fatalf("delims %+v, want %+v", s.Delims, d)
			}
			if errs := c.Add(s); len(errs) > 0 {
				t.Fatalf("envelope issue on own output: %v", errs[0])
			}
		}
		if errs := c.Finish(); len(errs) > 0 {
			t.Fatalf("envelope issue on own output: %v", errs[0])
		}
		svc := segs[5]
		if svc.ID != "SVC" || svc.Component(1, 2) != "D9997" || svc.Element(3) != "150.5" {
			t.Fatalf("SVC = %q", svc.Elements)
		}
		cas := segs[6]
		if cas.Len() != 5 || cas.Element(4) != "" || cas.Element(5) != "PR" {
			t.Fatalf("CAS = %q", cas.Elements)
		}
		// Re-encode every segment raw: identical bytes (modulo newlines).
		var out []byte
		for _, s := range segs {
			if out, err = x12.AppendSegment(out, s); err != nil {
				t.Fatal(err)
			}
		}
		want := buf.String()
		if d.Segment != '\n' {
			want = strings.ReplaceAll(want, "\n", "")
		}
		if string(out) != want {
			t.Fatalf("AppendSegment output differs:\n%s\nwant:\n%s", out, want)
		}
	}
}

func TestAppendSegmentRefuses(t *testing.T) {
	d := x12.DefaultDelimiters
	tests := []struct {
		seg     x12.Segment
		code    x12.Code
		element int
	}{
		{x12.Segment{ID: "NM1", Elements: []string{"NM1", "A*B"}, Delims: d}, x12.CodeDelimiterInData, 1},
		{x12.Segment{ID: "NM1", Elements: []string{"NM1", "A", "B~"}, Delims: d}, x12.CodeDelimiterInData, 2},
		{x12.Segment{ID: "NM1", Elements: []string{"NM1", "A\n"}, Delims: d}, x12.CodeDelimiterInData, 1},
		{x12.Segment{ID: "nm1", Elements: []string{"nm1"}, Delims: d}, x12.CodeSegmentIDInvalid, 0},
		{x12.Segment{ID: "NM1", Elements: []string{"NM1"}}, x12.CodeISAInvalid, 0},
		{x12.Segment{ID: "ISA", Elements: []string{"ISA", "00"}, Delims: d}, x12.CodeISAInvalid, 0},
	}
	for i, tt := range tests {
		out, err := x12.AppendSegment([]byte("X"), &tt.seg)
		var xe *x12.Error
		if !errors.As(err, &xe) || xe.Code != tt.code || xe.Element != tt.element {
			t.Fatalf("case %d: got %v", i, err)
		}
		if string(out) != "X" {
			t.Fatalf("case %d: dst changed to %q", i, out)
		}
	}
}
