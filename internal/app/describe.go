package app

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/snip"
	"github.com/casebridge/casebridge/mapping/ack"
)

// Describe is `casebridge describe`: the loop tree of an X12 file (837D,
// 835, 999, 277CA; any set internal/snip has a rule table for) for people
// reading a sample. Each segment is indented by its loop, each loop
// occurrence opens with its id and name, each element is printed with its
// reference designator, name and value and, for a coded element, the
// code's meaning. Names, positions and meanings come from the rule tables
// of internal/snip (rules/*.txt); STC status composites of a 277CA take
// their meanings from the claim status code lists of mapping/ack.
//
// The output holds the file's values: it is for samples, not for logs
// (masking is a separate step). Errors: an *x12.Error (positioned) when
// the file cannot be read; what was described up to it has been written.
func Describe(r io.Reader, w io.Writer) error {
	t, err := snip.Rules()
	if err != nil {
		return fmt.Errorf("describe: rule tables: %w", err)
	}
	bw := bufio.NewWriter(w)
	d := describer{t: t, w: bw}
	rd := x12.NewReader(r, x12.ReaderOptions{})
	for {
		s, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var xe *x12.Error
			if errors.As(err, &xe) && xe.Code == x12.CodeSegmentIDInvalid {
				fmt.Fprintf(bw, "%s?? segment %d: not a segment id\n", d.indent(), xe.Segment)
				continue
			}
			_ = bw.Flush()
			return err
		}
		d.segment(s)
	}
	return bw.Flush()
}

type frame struct {
	loop *snip.LoopDef
	pos  int // index in loop.Entries of the last entry matched
}

type describer struct {
	t     *snip.Tables
	w     *bufio.Writer
	gs08  string
	set   *snip.TransactionDef
	stack []frame
	base  int // indent of the open envelope: 0 ISA, 1 GS, 2 ST
}

func (d *describer) indent() string {
	return strings.Repeat("  ", d.base+max(len(d.stack)-1, 0))
}

func (d *describer) segment(s *x12.Segment) {
	switch s.ID {
	case "ISA", "IEA":
		d.base, d.stack, d.set = 0, nil, nil
		d.print(s, d.t.Envelope[s.ID], "")
		if s.ID == "ISA" {
			d.base = 1
		}
		return
	case "TA1":
		d.print(s, d.t.Envelope[s.ID], "")
		return
	case "GS", "GE":
		d.base, d.stack, d.set = 1, nil, nil
		d.print(s, d.t.Envelope[s.ID], "")
		if s.ID == "GS" {
			d.gs08, d.base = s.Element(8), 2
		} else {
			d.base = 1
		}
		return
	case "ST":
		impl := s.Element(3)
		if impl == "" {
			impl = d.gs08
		}
		d.set, _ = d.t.Set(s.Element(1), impl)
		d.base, d.stack = 2, nil
		if d.set == nil {
			d.print(s, nil, "no rule table for this transaction set: segments are listed without names")
			return
		}
		d.stack = []frame{{loop: d.set.Root}}
		fmt.Fprintf(d.w, "%s%s %s (%s)\n", d.indent(), d.set.ID, d.set.Name, d.set.Implementation)
		d.print(s, d.set.Root.Trigger(), "")
		return
	}
	if d.set == nil {
		d.print(s, nil, "")
		return
	}
	def, opened := d.place(s)
	note := ""
	if def == nil {
		note = "not expected here by " + d.set.Implementation
	}
	if opened != nil {
		fmt.Fprintf(d.w, "%sloop %s %s\n", strings.Repeat("  ", d.base+len(d.stack)-2), opened.ID, opened.Name)
	}
	d.print(s, def, note)
	if s.ID == "SE" {
		d.stack, d.set = nil, nil
	}
}

// place finds where s belongs: a segment of the current loop at or after
// the last matched position, a child loop's trigger, or the same searches
// in the enclosing loops (closing the inner ones). It returns the segment's
// definition and the loop it opened (nil when none). A segment that fits
// nowhere is left where it is (nil, nil).
func (d *describer) place(s *x12.Segment) (*snip.SegmentDef, *snip.LoopDef) {
	for depth := len(d.stack) - 1; depth >= 0; depth-- {
		f := &d.stack[depth]
		for i := f.pos; i < len(f.loop.Entries); i++ {
			e := f.loop.Entries[i]
			switch {
			case e.Seg != nil && i > 0 && segMatches(e.Seg, s):
				d.stack = d.stack[:depth+1]
				d.stack[depth].pos = i
				return e.Seg, nil
			case e.Loop != nil && segMatches(e.Loop.Trigger(), s):
				d.stack = d.stack[:depth+1]
				d.stack[depth].pos = i
				d.stack = append(d.stack, frame{loop: e.Loop})
				return e.Loop.Trigger(), e.Loop
			}
		}
	}
	return nil, nil
}

// segMatches: the id, and the qualifier element's code when the position
// has one.
func segMatches(def *snip.SegmentDef, s *x12.Segment) bool {
	if def == nil || def.ID != s.ID {
		return false
	}
	if def.QualElem == 0 || len(def.Quals) == 0 {
		return true
	}
	v := s.Component(def.QualElem, 1)
	for _, q := range def.Quals {
		if v == q {
			return true
		}
	}
	return false
}

// print writes a segment line and one line per non-empty element.
func (d *describer) print(s *x12.Segment, def *snip.SegmentDef, note string) {
	in := d.indent()
	if s.ID == "ISA" || s.ID == "IEA" || s.ID == "GS" || s.ID == "GE" || s.ID == "TA1" || s.ID == "ST" {
		// envelope segments sit at the envelope's own depth
		in = strings.Repeat("  ", map[string]int{"ISA": 0, "IEA": 0, "GS": 1, "GE": 1, "TA1": 1, "ST": 2}[s.ID])
	}
	name := ""
	if def != nil {
		name = " " + def.Name
	}
	line := fmt.Sprintf("%s%s%s", in, s.ID, name)
	if note != "" {
		line += " (" + note + ")"
	}
	fmt.Fprintf(d.w, "%s  [segment %d]\n", line, s.Ordinal)
	for i := 1; i <= s.Len(); i++ {
		v := strings.TrimRight(s.Element(i), " ") // ISA's fixed-width padding
		if v == "" {
			continue
		}
		var el *snip.ElementDef
		if def != nil {
			el = def.Element(i)
		}
		ref := fmt.Sprintf("%s%02d", s.ID, i)
		if el != nil && el.Composite() && s.ID != "ISA" {
			for j, c := range s.Components(i) {
				if c == "" {
					continue
				}
				var cd *snip.ElementDef
				for k := range el.Components {
					if el.Components[k].Pos == j+1 {
						cd = &el.Components[k]
					}
				}
				d.element(in, fmt.Sprintf("%s-%d", ref, j+1), cd, c, s.ID, j+1)
			}
			continue
		}
		d.element(in, ref, el, v, s.ID, 0)
	}
}

func (d *describer) element(in, ref string, el *snip.ElementDef, v, seg string, comp int) {
	line := in + "  " + ref
	if el != nil {
		line += " " + el.Name
	}
	line += ": " + v
	if m := d.meaning(el, v, seg, comp); m != "" {
		line += " (" + m + ")"
	}
	fmt.Fprintln(d.w, line)
}

// meaning of a coded value: the rule tables' code meanings by data element
// reference; for the STC claim status composite (005010X214, X212), the
// category, status and entity code lists (mapping/ack/codes.go).
func (d *describer) meaning(el *snip.ElementDef, v, seg string, comp int) string {
	if seg == "STC" && comp > 0 {
		switch comp {
		case 1:
			return ack.CategoryText[v]
		case 2:
			return ack.StatusText[v]
		case 3:
			if m := ack.EntityText[v]; m != "" {
				return m
			}
		}
	}
	if el == nil || (el.Type != "ID" && len(el.Codes) == 0) {
		return ""
	}
	if d.set != nil && d.set.ID == "277" && el.Ref == "735" {
		// the 277CA's hierarchy (005010X214 2000A-2000D), not the 837's
		return hl277[v]
	}
	return d.t.Meaning(el.Ref, v)
}

// hl277 is HL03 of a 277CA (005010X214 loops 2000A-2000D).
var hl277 = map[string]string{"20": "Information Source", "21": "Information Receiver",
	"19": "Provider of Service", "PT": "Patient"}
