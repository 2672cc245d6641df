package snip

import (
	"fmt"
	"strings"

	"github.com/casebridge/casebridge/adapters/x12"
)

// elements checks the elements of s against def: count (SNIP 1), type,
// length and character set (SNIP 1), usage and code values (SNIP 2).
func (v *validator) elements(s *x12.Segment, def *SegmentDef, loop string) {
	if len(def.Elements) == 0 {
		return
	}
	maxPos := def.MaxPos()
	for i := 1; i < len(s.Elements); i++ {
		val := s.Elements[i]
		ed := def.Element(i)
		if ed == nil {
			if val == "" {
				continue
			}
			if i > maxPos {
				v.add(v.at(s, Syntax, CodeTooManyElements, i, 0, fmt.Sprintf("%s has %d elements; the segment defines %d", s.ID, len(s.Elements)-1, maxPos)))
				break
			}
			v.add(v.at(s, HIPAASyntax, CodeElementNotUsed, i, 0, fmt.Sprintf("%s%02d is not used in this implementation", s.ID, i)))
			continue
		}
		v.element(s, def, ed, i, 0, val)
	}
	for i := len(s.Elements); i <= maxPos; i++ {
		if ed := def.Element(i); ed != nil && ed.Usage == UsageRequired {
			v.add(v.at(s, HIPAASyntax, CodeElementRequiredMissing, i, 0, fmt.Sprintf("%s%02d (%s) is required", s.ID, i, ed.Name)))
		}
	}
}

// element checks one element (comp 0) or component (comp > 0).
func (v *validator) element(s *x12.Segment, def *SegmentDef, ed *ElementDef, pos, comp int, val string) {
	d := s.Delims
	isEnv := s.ID == "ISA"
	if val == "" {
		if ed.Usage == UsageRequired {
			v.addEl(s, ed, HIPAASyntax, CodeElementRequiredMissing, pos, comp, fmt.Sprintf("%s (%s) is required", elemName(s.ID, pos, comp), ed.Name))
		}
		return
	}
	if ed.Usage == UsageNotUsed {
		v.addEl(s, ed, HIPAASyntax, CodeElementNotUsed, pos, comp, elemName(s.ID, pos, comp)+" is not used in this implementation")
		return
	}
	if comp == 0 && !isEnv && d.Repetition != 0 && strings.IndexByte(val, d.Repetition) >= 0 {
		v.addEl(s, ed, Syntax, CodeTooManyRepetitions, pos, 0, elemName(s.ID, pos, 0)+" holds the repetition separator but does not repeat")
		return
	}
	if ed.Composite() {
		maxc := 0
		for _, c := range ed.Components {
			maxc = max(maxc, c.Pos)
		}
		ncomp := 0
		for rest, j := val, 0; ; j++ {
			cv, tail, more := strings.Cut(rest, string(d.Component))
			rest = tail
			ncomp = j + 1
			if cd := compDef(ed, j+1); cd != nil {
				v.element(s, def, cd, pos, j+1, cv)
			} else if cv != "" {
				v.addEl(s, ed, Syntax, CodeTooManyComponents, pos, j+1, fmt.Sprintf("%s has %d components; the composite defines %d", elemName(s.ID, pos, 0), strings.Count(val, string(d.Component))+1, maxc))
				break
			}
			if !more {
				break
			}
		}
		for j := ncomp + 1; j <= maxc; j++ {
			if cd := compDef(ed, j); cd != nil && cd.Usage == UsageRequired {
				v.addEl(s, cd, HIPAASyntax, CodeElementRequiredMissing, pos, j, fmt.Sprintf("%s (%s) is required", elemName(s.ID, pos, j), cd.Name))
			}
		}
		return
	}
	if !isEnv && comp == 0 && d.Component != 0 && strings.IndexByte(val, d.Component) >= 0 {
		v.addEl(s, ed, Syntax, CodeInvalidCharacter, pos, 0, elemName(s.ID, pos, 0)+" holds the component separator but is not a composite (a delimiter inside data)")
		return
	}
	if code, msg := checkType(ed, val, s, pos); code != "" {
		v.addEl(s, ed, Syntax, code, pos, comp, elemName(s.ID, pos, comp)+" "+msg)
		return
	}
	n := valueLen(ed.Type, val)
	if n < ed.Min {
		v.addEl(s, ed, Syntax, CodeElementTooShort, pos, comp, fmt.Sprintf("%s is %d characters; the minimum is %d", elemName(s.ID, pos, comp), n, ed.Min))
		return
	}
	if n > ed.Max {
		v.addEl(s, ed, Syntax, CodeElementTooLong, pos, comp, fmt.Sprintf("%s is %d characters; the maximum is %d", elemName(s.ID, pos, comp), n, ed.Max))
		return
	}
	if !v.noCodes && !ed.Allows(val) {
		v.addEl(s, ed, HIPAASyntax, CodeCodeValueInvalid, pos, comp, fmt.Sprintf("%s (%s) is not one of the codes this implementation allows", elemName(s.ID, pos, comp), ed.Name))
	}
}

func (v *validator) addEl(s *x12.Segment, ed *ElementDef, typ Type, code string, pos, comp int, msg string) {
	is := v.at(s, typ, code, pos, comp, msg)
	if len(ed.Ref) > 0 && ed.Ref[0] >= '0' && ed.Ref[0] <= '9' {
		is.ElementRef = ed.Ref
	}
	v.add(is)
}

func compDef(ed *ElementDef, j int) *ElementDef {
	for i := range ed.Components {
		if ed.Components[i].Pos == j {
			return &ed.Components[i]
		}
	}
	return nil
}

func elemName(id string, pos, comp int) string {
	if comp > 0 {
		return fmt.Sprintf("%s%02d-%d", id, pos, comp)
	}
	return fmt.Sprintf("%s%02d", id, pos)
}

// valueLen is the length X12 counts: numbers without sign and decimal point.
func valueLen(typ, val string) int {
	if typ == "R" || typ[0] == 'N' {
		n := 0
		for i := 0; i < len(val); i++ {
			if val[i] >= '0' && val[i] <= '9' {
				n++
			}
		}
		return n
	}
	return len(val)
}

// checkType checks val against its data element type (X12.6 application
// control structure, types AN ID R Nn DT TM; /work/shared/spec/x12.md §1).
func checkType(ed *ElementDef, val string, s *x12.Segment, pos int) (code, msg string) {
	switch t := ed.Type; {
	case t == "AN" || t == "ID":
		for i := 0; i < len(val); i++ {
			if c := val[i]; c < 0x20 || c > 0x7E {
				return CodeInvalidCharacter, "holds a character outside the X12 character set"
			}
		}
	case t == "R":
		if !isDecimal(val) {
			return CodeInvalidCharacter, "is not a decimal number"
		}
	case t[0] == 'N':
		if !isInteger(val) {
			return CodeInvalidCharacter, "is not an integer"
		}
	case t == "DT":
		if !validDate(val) {
			return CodeInvalidDate, "is not a valid date (" + map[bool]string{true: "CCYYMMDD", false: "YYMMDD"}[len(val) == 8] + ")"
		}
	case t == "TM":
		if !validTime(val) {
			return CodeInvalidTime, "is not a valid time (HHMM[SS[d..]])"
		}
	case t == "DQ":
		// The qualifier is the element before: DTP02, DTM05.
		switch s.Element(pos - 1) {
		case "D8":
			if len(val) != 8 || !validDate(val) {
				return CodeInvalidDate, "is not a valid CCYYMMDD date (qualifier D8)"
			}
		case "RD8":
			a, b, ok := strings.Cut(val, "-")
			if !ok || len(a) != 8 || len(b) != 8 || !validDate(a) || !validDate(b) || b < a {
				return CodeInvalidDate, "is not a valid CCYYMMDD-CCYYMMDD range (qualifier RD8)"
			}
		}
	}
	return "", ""
}

func isInteger(v string) bool {
	if strings.HasPrefix(v, "-") {
		v = v[1:]
	}
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

func isDecimal(v string) bool {
	if strings.HasPrefix(v, "-") {
		v = v[1:]
	}
	digits, dots := 0, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			dots++
		default:
			return false
		}
	}
	return digits > 0 && dots <= 1
}

func validDate(v string) bool {
	if (len(v) != 8 && len(v) != 6) || !isInteger(v) || v[0] == '-' {
		return false
	}
	if len(v) == 6 {
		v = "20" + v
	}
	y := atoi(v[:4])
	m, d := atoi(v[4:6]), atoi(v[6:8])
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m]
	if m == 2 && (y%4 == 0 && (y%100 != 0 || y%400 == 0)) {
		days = 29
	}
	return d <= days
}

func validTime(v string) bool {
	if len(v) < 4 || len(v) > 8 || len(v) == 5 || !isInteger(v) || v[0] == '-' {
		return false
	}
	if atoi(v[:2]) > 23 || atoi(v[2:4]) > 59 {
		return false
	}
	return len(v) < 6 || atoi(v[4:6]) <= 59
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
