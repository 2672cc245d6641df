package mask

import (
	"bufio"
	"errors"
	"io"
	"strings"

	"github.com/casebridge/casebridge/adapters/x12"
)

// Stats count what X12 did.
type Stats struct {
	Segments int // segments written
	Masked   int // values masked
}

// X12 copies the interchanges of r to w with every Table position masked:
// the same segments in the same order, the same delimiters, a line break
// after each segment when the input had one after its first, the envelope
// (ISA, GS, ST, SE, GE, IEA) as it was. Errors are the X12 reader's
// (*x12.Error, positioned) or w's; output stops at the segment before a
// read error, so callers that must not leave half a file buffer it.
func (m *Masker) X12(w io.Writer, r io.Reader) (Stats, error) {
	var st Stats
	br := bufio.NewReaderSize(r, 64<<10)
	newline := ""
	if head, _ := br.Peek(512); len(head) > 0 {
		newline = lineBreakAfterISA(head)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	rd := x12.NewReader(br, x12.ReaderOptions{})
	var buf []byte
	entity := ""
	for {
		seg, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return st, bw.Flush()
		}
		if err != nil {
			bw.Flush()
			return st, err
		}
		switch seg.ID {
		case "NM1":
			entity = seg.Element(1)
		case "ST", "SE", "HL", "CLM", "SBR", "LX", "CLP", "SVC":
			entity = "" // a new loop: its N3/N4 belong to the NM1 that opens it
		}
		st.Masked += m.segment(seg, entity)
		buf, err = x12.AppendSegment(buf[:0], seg)
		if err != nil {
			bw.Flush()
			return st, err
		}
		buf = append(buf, newline...)
		if _, err := bw.Write(buf); err != nil {
			return st, err
		}
		st.Segments++
	}
}

// lineBreakAfterISA is the CR LF, LF or nothing that follows the first ISA
// (106 bytes from its start, after an optional byte-order mark and
// whitespace).
func lineBreakAfterISA(head []byte) string {
	s := strings.TrimPrefix(string(head), "\ufeff")
	s = strings.TrimLeft(s, " \t\r\n")
	if len(s) < 107 || !strings.HasPrefix(s, "ISA") {
		return ""
	}
	switch {
	case strings.HasPrefix(s[106:], "\r\n"):
		return "\r\n"
	case s[106] == '\n':
		return "\n"
	case s[106] == '\r':
		return "\r"
	}
	return ""
}

// segment masks seg in place and returns how many values it changed.
func (m *Masker) segment(seg *x12.Segment, entity string) int {
	rows := bySegment[seg.ID]
	if len(rows) == 0 {
		return 0
	}
	n := 0
	q := seg.Element(1)
	for _, p := range rows {
		if !selects(p, q) || (p.Persons && !isPerson(entity)) || p.Element >= len(seg.Elements) {
			continue
		}
		v := seg.Elements[p.Element]
		if v == "" {
			continue
		}
		var masked string
		if p.Component > 0 {
			c := seg.Delims.Component
			if c == 0 {
				continue
			}
			parts := strings.Split(v, string(c))
			if p.Component > len(parts) || parts[p.Component-1] == "" {
				continue
			}
			parts[p.Component-1] = m.Value(p.Kind, parts[p.Component-1])
			masked = strings.Join(parts, string(c))
		} else {
			masked = m.Value(p.Kind, v)
		}
		if masked != v {
			seg.Elements[p.Element] = masked
			n++
		}
	}
	return n
}
