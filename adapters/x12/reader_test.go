package x12

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// testISA returns a valid 106-byte ISA with the given delimiters.
func testISA(e, c, rep, t byte) string {
	f := []string{"ISA", "00", "          ", "00", "          ", "ZZ", "SENDER         ", "ZZ", "RECEIVER       ",
		"210101", "1200", string(rep), "00501", "000000001", "0", "T", string(c)}
	return strings.Join(f, string(e)) + string(t)
}

// doc joins an ISA with the default delimiters and further segments.
func doc(segs ...string) string {
	return testISA('*', ':', '^', '~') + strings.Join(segs, "~") + "~"
}

func TestTestISAIs106Bytes(t *testing.T) {
	if n := len(testISA('*', ':', '^', '~')); n != isaLen {
		t.Fatalf("test ISA has %d bytes", n)
	}
}

func TestDelimiterDetection(t *testing.T) {
	tests := []struct {
		name          string
		e, c, rep, tm byte
		after         string // bytes between the ISA and the next segment
		want          Delimiters
	}{
		{"default", '*', ':', '^', '~', "", Delimiters{'*', ':', '^', '~'}},
		{"gt component", '*', '>', '^', '~', "", Delimiters{'*', '>', '^', '~'}},
		{"pipe component", '*', '|', '^', '~', "\r\n", Delimiters{'*', '|', '^', '~'}},
		{"ISA11 U (4010)", '*', '>', 'U', '~', "\n", Delimiters{'*', '>', 0, '~'}},
		{"ISA11 digit", '*', ':', '0', '~', "", Delimiters{'*', ':', 0, '~'}},
		{"ISA11 space", '*', ':', ' ', '~', "", Delimiters{'*', ':', 0, '~'}},
		{"ISA11 equals component", '*', ':', ':', '~', "", Delimiters{'*', ':', 0, '~'}},
		{"LF terminator", '*', ':', '^', '\n', "", Delimiters{'*', ':', '^', '\n'}},
		{"CR terminator then LF", '*', ':', '^', '\r', "\n", Delimiters{'*', ':', '^', '\r'}},
		{"control characters", 0x1D, 0x1F, 0x1E, 0x1C, "", Delimiters{0x1D, 0x1F, 0x1E, 0x1C}},
		{"pipe element, bang terminator", '|', '>', '^', '!', "", Delimiters{'|', '>', '^', '!'}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gs := "GS" + string(tt.e) + "HP" + string(tt.e) + "A" + string(tt.c) + "B" + string(tt.tm)
			r := NewReader(strings.NewReader(testISA(tt.e, tt.c, tt.rep, tt.tm)+tt.after+gs), ReaderOptions{})
			isa, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			if isa.Delims != tt.want || r.Delimiters() != tt.want {
				t.Fatalf("delims = %+v / %+v, want %+v", isa.Delims, r.Delimiters(), tt.want)
			}
			if isa.Len() != 16 || isa.Element(16) != string(tt.c) || isa.Element(11) != string(tt.rep) {
				t.Fatalf("ISA elements = %q", isa.Elements)
			}
			s, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			if s.ID != "GS" || s.Component(2, 2) != "B" || s.Ordinal != 2 || s.Offset != int64(isaLen+len(tt.after)) {
				t.Fatalf("GS = %+v", s)
			}
			if _, err := r.Next(); err != io.EOF {
				t.Fatalf("want io.EOF, got %v", err)
			}
		})
	}
}

func TestReaderErrors(t *testing.T) {
	isa := testISA('*', ':', '^', '~')
	misaligned := strings.Replace(isa, "SENDER         ", "SENDER          ", 1)[:isaLen-1] + "~"
	lfInISA := strings.Replace(isa, "*          *00", "*    \n     *00", 1)
	bom := "\xEF\xBB\xBF"
	tests := []struct {
		name    string
		in      string
		max     int
		code    Code
		segment int
		id      string
		element int
		offset  int64
	}{
		{"empty input", "", 0, CodeISAMissing, 1, "", 0, 0},
		{"whitespace only", " \r\n\t", 0, CodeISAMissing, 1, "", 0, 4},
		{"starts with GS", "GS*HP*A~", 0, CodeISAMissing, 1, "", 0, 0},
		{"BOM and whitespace then junk", bom + "  \nXYZ", 0, CodeISAMissing, 1, "", 0, 6},
		{"ISA followed by upper letter", "ISAB*00~", 0, CodeISAMissing, 1, "", 0, 0},
		{"short ISA", isa[:50], 0, CodeISAInvalid, 1, "ISA", 0, 0},
		{"short ISA at EOF", "ISA", 0, CodeISAInvalid, 1, "ISA", 0, 0},
		{"misaligned ISA06", misaligned, 0, CodeISAInvalid, 1, "ISA", 6, 0},
		{"line break in ISA02", lfInISA, 0, CodeISAInvalid, 1, "ISA", 2, 0},
		{"element separator letter", "ISAa" + isa[4:], 0, CodeISAInvalid, 1, "ISA", 0, 0},
		{"component equals element", testISA('*', '*', '^', '~'), 0, CodeISAInvalid, 1, "ISA", 16, 0},
		{"component is a digit", testISA('*', '1', '^', '~'), 0, CodeISAInvalid, 1, "ISA", 16, 0},
		{"component is LF", testISA('*', '\n', '^', '~'), 0, CodeISAInvalid, 1, "ISA", 16, 0},
		{"terminator equals component", testISA('*', ':', '^', ':'), 0, CodeISAInvalid, 1, "ISA", 0, 0},
		{"terminator is space", testISA('*', ':', '^', ' '), 0, CodeISAInvalid, 1, "ISA", 0, 0},
		{"terminator is letter", testISA('*', ':', '^', 'X'), 0, CodeISAInvalid, 1, "ISA", 0, 0},
		{"ISA11 equals terminator", testISA('*', ':', '~', '~'), 0, CodeISAInvalid, 1, "ISA", 11, 0},
		{"terminator inside ISA", strings.Replace(isa, "SENDER ", "SENDE~ ", 1), 0, CodeISAInvalid, 1, "ISA", 6, 0},
		{"second ISA invalid", doc("GS*HP*A", "IEA*1*1") + isa[:40], 0, CodeISAInvalid, 4, "ISA", 0, 106 + 8 + 8},
		{"ISA split by line break", doc("GS*HP*A", "I\nSA*00"), 0, CodeISAInvalid, 3, "ISA", 0, 106 + 8},
		{"segment too long", doc("GS*HP*A", "NM1*0123456789012345678901234567890"), 20, CodeSegmentTooLong, 3, "NM1", 0, 106 + 8},
		{"segment too long, no terminator", isa + "NM1*" + strings.Repeat("A", 200<<10), 100 << 10, CodeSegmentTooLong, 2, "NM1", 0, 106},
		{"lower-case ID", doc("GS*HP*A", "nm1*X"), 0, CodeSegmentIDInvalid, 3, "", 0, 106 + 8},
		{"empty segment", doc("GS*HP*A", ""), 0, CodeSegmentIDInvalid, 3, "", 0, 106 + 8},
		{"four-letter ID", doc("ABCD*1"), 0, CodeSegmentIDInvalid, 2, "", 0, 106},
		{"one-letter ID", doc("A*1"), 0, CodeSegmentIDInvalid, 2, "", 0, 106},
		{"truncated", isa + "GS*HP*A~ST*835", 0, CodeTruncated, 3, "ST", 0, 106 + 8},
		{"truncated after CRLF", isa + "\r\nGS*HP", 0, CodeTruncated, 2, "GS", 0, 108},
		{"truncated ISA only terminator missing", isa[:isaLen-1], 0, CodeISAInvalid, 1, "ISA", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadAll(strings.NewReader(tt.in), ReaderOptions{MaxSegmentLength: tt.max})
			var xe *Error
			if !errors.As(err, &xe) {
				t.Fatalf("want *Error, got %v", err)
			}
			if xe.Code != tt.code || xe.Segment != tt.segment || xe.SegmentID != tt.id || xe.Element != tt.element || xe.Offset != tt.offset {
				t.Fatalf("got code=%s segment=%d id=%q element=%d offset=%d (%v)\nwant code=%s segment=%d id=%q element=%d offset=%d",
					xe.Code, xe.Segment, xe.SegmentID, xe.Element, xe.Offset, xe,
					tt.code, tt.segment, tt.id, tt.element, tt.offset)
			}
		})
	}
}

func TestReaderErrorIsFinal(t *testing.T) {
	r := NewReader(strings.NewReader(doc("GS*HP")+"ST*8"), ReaderOptions{})
	for i := 0; i < 2; i++ {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	}
	_, err1 := r.Next()
	_, err2 := r.Next()
	if err1 == nil || err1 != err2 {
		t.Fatalf("errors not sticky: %v / %v", err1, err2)
	}
}

func TestSegmentIDInvalidIsRecoverable(t *testing.T) {
	r := NewReader(strings.NewReader(doc("GS*HP", "bad*1", "GE*0*1")), ReaderOptions{})
	var ids []string
	var codes []Code
	for {
		s, err := r.Next()
		if err == io.EOF {
			break
		}
		var xe *Error
		if errors.As(err, &xe) {
			codes = append(codes, xe.Code)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID+"@"+itoa(s.Ordinal))
	}
	if got := strings.Join(ids, " "); got != "ISA@1 GS@2 GE@4" {
		t.Fatalf("segments = %s", got)
	}
	if len(codes) != 1 || codes[0] != CodeSegmentIDInvalid {
		t.Fatalf("codes = %v", codes)
	}
}

func itoa(n int) string {
	return string(appendPadded(nil, n, 1))
}

type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestReadError(t *testing.T) {
	cause := errors.New("disk on fire")
	for _, in := range []string{"", "ISA*00", doc("GS*HP"), doc("GS*HP") + "ST*835"} {
		_, err := ReadAll(&failingReader{data: []byte(in), err: cause}, ReaderOptions{})
		var xe *Error
		if !errors.As(err, &xe) || xe.Code != CodeReadError || !errors.Is(err, cause) {
			t.Fatalf("input %q: got %v", in, err)
		}
	}
}

func TestErrorTextHasNoValues(t *testing.T) {
	const secret = "SMITHJOHN"
	inputs := []string{
		secret + "*1~",
		doc("GS*HP", "nm1*"+secret),
		doc("GS*HP", "NM1*"+secret+"*"+strings.Repeat("X", 100)),
		doc("GS*HP") + "NM1*" + secret,
		doc("GS*HP") + secret + "*1",
		testISA('*', ':', '^', '~')[:50] + secret,
	}
	for _, in := range inputs {
		_, err := ReadAll(strings.NewReader(in), ReaderOptions{MaxSegmentLength: 60})
		if err == nil {
			t.Fatalf("no error for %q", in)
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "nm1") {
			t.Fatalf("error text leaks data: %v", err)
		}
	}
}

func TestLineBreaksAndWhitespace(t *testing.T) {
	want := "ISA|GS:HP:A|ST:835:0001|NM1:QC:1:SMITH|SE:3:0001|GE:1:1|IEA:1:000000001"
	lf := testISA('*', ':', '^', '\n')
	tests := []struct{ name, in string }{
		{"plain", doc("GS*HP*A", "ST*835*0001", "NM1*QC*1*SMITH", "SE*3*0001", "GE*1*1", "IEA*1*000000001")},
		{"CRLF after terminators", strings.ReplaceAll(doc("GS*HP*A", "ST*835*0001", "NM1*QC*1*SMITH", "SE*3*0001", "GE*1*1", "IEA*1*000000001"), "~", "~\r\n")},
		{"several line breaks, BOM, leading and trailing whitespace", "\xEF\xBB\xBF \r\n" + strings.ReplaceAll(doc("GS*HP*A", "ST*835*0001", "NM1*QC*1*SMITH", "SE*3*0001", "GE*1*1", "IEA*1*000000001"), "~", "~\n\n\r\n") + "  \t\n"},
		{"wrapped lines", doc("GS*HP*A", "ST*835*0001", "NM1*QC*1*SMI\r\nTH", "SE*3*0001", "GE*1*1", "IEA*1*0000\n00001")},
		{"LF terminator", lf + "GS*HP*A\nST*835*0001\nNM1*QC*1*SMITH\nSE*3*0001\nGE*1*1\nIEA*1*000000001\n"},
		{"LF terminator with CR and blank lines", lf + "GS*HP*A\r\n\r\nST*835*0001\r\nNM1*QC*1*SMITH\r\nSE*3*0001\r\n\nGE*1*1\r\nIEA*1*000000001\r\n"},
		{"LF terminator with whitespace-only lines", lf + "GS*HP*A\n  \nST*835*0001\n\t\nNM1*QC*1*SMITH\nSE*3*0001\nGE*1*1\nIEA*1*000000001\n \n"},
		{"indented with spaces and tabs", doc("GS*HP*A", "  ST*835*0001", "\tNM1*QC*1*SMITH", " \r\n SE*3*0001", "GE*1*1", "IEA*1*000000001")},
		{"LF terminator, indented", lf + "GS*HP*A\n  ST*835*0001\n\t\tNM1*QC*1*SMITH\nSE*3*0001\nGE*1*1\nIEA*1*000000001\n"},
		{"LF terminator without final LF", lf + "GS*HP*A\nST*835*0001\nNM1*QC*1*SMITH\nSE*3*0001\nGE*1*1\nIEA*1*000000001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			segs, err := ReadAll(strings.NewReader(tt.in), ReaderOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var parts []string
			for i, s := range segs {
				if s.Ordinal != i+1 {
					t.Fatalf("segment %d has ordinal %d", i+1, s.Ordinal)
				}
				if s.ID == "ISA" {
					parts = append(parts, "ISA")
					continue
				}
				parts = append(parts, strings.Join(s.Elements, ":"))
			}
			if got := strings.Join(parts, "|"); got != want {
				t.Fatalf("got  %s\nwant %s", got, want)
			}
		})
	}
}

// TestIndented: spaces or tabs before a segment ID are remembered (the
// first such segment), line breaks alone are not.
func TestIndented(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     int
	}{
		{"CRLF only", strings.ReplaceAll(doc("GS*HP*A", "ST*835*0001", "SE*2*0001", "GE*1*1", "IEA*1*000000001"), "~", "~\r\n"), 0},
		{"BOM and leading blanks", "\xEF\xBB\xBF \t\n" + doc("GS*HP*A", "GE*0*1", "IEA*1*000000001"), 0},
		{"trailing blanks", doc("GS*HP*A", "GE*0*1", "IEA*1*000000001") + "  \n", 0},
		{"indented ST and SE", doc("GS*HP*A", "\r\n  ST*835*0001", "\tSE*2*0001", "GE*1*1", "IEA*1*000000001"), 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tc.in), ReaderOptions{})
			for {
				_, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if r.Indented() != tc.want {
				t.Errorf("Indented() = %d, want %d", r.Indented(), tc.want)
			}
		})
	}
}

func TestOffsets(t *testing.T) {
	in := "\xEF\xBB\xBF\n" + testISA('*', ':', '^', '~') + "\r\nGS*HP~\r\nGE*0*1~"
	r := NewReader(strings.NewReader(in), ReaderOptions{})
	var offs []int64
	for {
		s, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		offs = append(offs, s.Offset)
		if in[s.Offset:s.Offset+int64(len(s.ID))] != s.ID {
			t.Fatalf("offset %d does not point at %s", s.Offset, s.ID)
		}
	}
	want := []int64{4, 4 + 106 + 2, 4 + 106 + 2 + 6 + 2}
	if len(offs) != 3 || offs[0] != want[0] || offs[1] != want[1] || offs[2] != want[2] {
		t.Fatalf("offsets %v, want %v", offs, want)
	}
	if r.Offset() != int64(len(in)) {
		t.Fatalf("Offset() = %d, want %d", r.Offset(), len(in))
	}
}

func TestConcatenatedInterchanges(t *testing.T) {
	first := doc("GS*HP*A:B", "GE*0*1", "IEA*1*000000001")
	second := testISA('|', '>', 'U', '\n') + "GS|HP|A>B\nGE|0|1\nIEA|1|000000001\n"
	segs, err := ReadAll(strings.NewReader(first+"\r\n"+second), ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) != 8 {
		t.Fatalf("got %d segments", len(segs))
	}
	if segs[1].Component(2, 2) != "B" || segs[1].Delims != DefaultDelimiters {
		t.Fatalf("first GS: %+v", segs[1])
	}
	want := Delimiters{Element: '|', Component: '>', Segment: '\n'}
	if segs[4].Ordinal != 5 || segs[4].ID != "ISA" || segs[5].Delims != want || segs[5].Component(2, 2) != "B" {
		t.Fatalf("second interchange: %+v / %+v", segs[4], segs[5])
	}
}

func TestSegmentAccessors(t *testing.T) {
	segs, err := ReadAll(strings.NewReader(doc("SV3*AD:D2150:::*100**1^2^^3*:*")), ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := segs[1]
	checks := []struct{ got, want string }{
		{s.ID, "SV3"},
		{s.Element(0), "SV3"},
		{s.Element(1), "AD:D2150:::"},
		{s.Element(3), ""},
		{s.Element(6), ""},
		{s.Element(99), ""},
		{s.Element(-1), ""},
		{s.Component(1, 1), "AD"},
		{s.Component(1, 2), "D2150"},
		{s.Component(1, 3), ""},
		{s.Component(1, 6), ""},
		{s.Component(1, 0), ""},
		{s.Component(2, 1), "100"},
		{s.Component(2, 2), ""},
		{s.Component(3, 1), ""},
		{s.Component(9, 1), ""},
		{s.Component(5, 2), ""},
		{strings.Join(s.Repeats(4), ","), "1,2,,3"},
		{strings.Join(s.Components(1), ","), "AD,D2150,,,"},
	}
	for i, c := range checks {
		if c.got != c.want {
			t.Errorf("check %d: got %q want %q", i, c.got, c.want)
		}
	}
	if s.Len() != 6 {
		t.Errorf("Len = %d", s.Len())
	}
	if s.Components(3) != nil || s.Components(99) != nil || s.Repeats(3) != nil {
		t.Errorf("absent element must give nil")
	}
	noRep := &Segment{ID: "X1", Elements: []string{"X1", "A^B"}, Delims: Delimiters{'*', ':', 0, '~'}}
	if r := noRep.Repeats(1); len(r) != 1 || r[0] != "A^B" {
		t.Errorf("Repeats without separator = %q", r)
	}
	if (&Segment{}).Len() != 0 {
		t.Errorf("empty segment Len != 0")
	}
	e := s.Errorf(CodeDelimiterInData, 1, 2, "bad %s", "thing")
	if e.Segment != 2 || e.SegmentID != "SV3" || e.Element != 1 || e.Component != 2 || e.Offset != 106 || e.Msg != "bad thing" {
		t.Errorf("Errorf = %+v", e)
	}
	if !strings.Contains(e.Error(), "element SV301-2") {
		t.Errorf("Error() = %s", e.Error())
	}
}

func TestReaderDoesNotBufferWholeInput(t *testing.T) {
	// A 4 MB body behind a reader that counts reads: after the first
	// segment only a bounded prefix may have been consumed.
	body := doc("GS*HP") + strings.Repeat("NM1*QC*1*SMITH~", 300000)
	cr := &countingReader{r: strings.NewReader(body)}
	r := NewReader(cr, ReaderOptions{})
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if cr.n > 128<<10 {
		t.Fatalf("consumed %d bytes for one segment", cr.n)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestStripCRLFInPlace(t *testing.T) {
	b := []byte("A\r\nB\nC\r")
	got := stripCRLF(b[:0], b)
	if !bytes.Equal(got, []byte("ABC")) {
		t.Fatalf("got %q", got)
	}
}

// TestTextArena: with SetTextArena the views' strings live in the
// caller's storage, so every segment kept (its Elements slice copied, not
// its text) still reads as Next read it after the reader has refilled its
// buffer many times over, and alloc is asked for exactly the segment's
// length under its ID.
func TestTextArena(t *testing.T) {
	segs := []string{"GS*HP*A*B*20240305*1200*1*X*005010X221A1", "ST*835*0001"}
	for i := 0; i < 5000; i++ {
		segs = append(segs, "CLP*PCN"+strconv.Itoa(i)+"*1*300*150**12*ICN", "CAS*CO*45*130", "SVC*AD:D9997*150*75", "DTM*472*20240301")
	}
	segs = append(segs, "SE*20002*0001", "GE*1*1", "IEA*1*000000001")
	data := []byte(strings.ReplaceAll(doc(segs...), "~", "~\r\n"))
	want, err := ReadAll(bytes.NewReader(data), ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := NewReader(iotest.HalfReader(bytes.NewReader(data)), ReaderOptions{})
	var asked []string
	r.SetTextArena(func(id string, n int) []byte {
		asked = append(asked, id+":"+strconv.Itoa(n))
		return make([]byte, n)
	})
	var kept [][]string
	for {
		s, err := r.NextView()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, slices.Clone(s.Elements))
	}
	if len(kept) != len(want) {
		t.Fatalf("%d segments, Next read %d", len(kept), len(want))
	}
	for i := range want {
		if !slices.Equal(kept[i], want[i].Elements) {
			t.Fatalf("segment %d kept %q, Next read %q", i+1, kept[i], want[i].Elements)
		}
	}
	if len(asked) != len(want)-1 { // the ISA is read apart and always owned
		t.Fatalf("alloc asked %d times for %d segments after the ISA", len(asked), len(want)-1)
	}
	if asked[1] != "ST:11" {
		t.Errorf("alloc for ST*835*0001 asked %q, want ST:11", asked[1])
	}
}
