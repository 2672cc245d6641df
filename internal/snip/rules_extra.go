package snip

import (
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/casebridge/casebridge/adapters/x12"
)

// sumState is unused: balances live on the loop occurrences.
type sumState struct{}

func (v *validator) newSums() []*sumState { return nil }

// balAcc accumulates one balance rule in one loop occurrence.
type balAcc struct {
	total, sum *big.Rat
	seg        x12.Segment // where the total is (no elements)
	segIn      int
	loop       string
	bad        bool // a value that is not a number: SNIP 1 reported it
}

// segmentRules records what the SNIP 3 and 4 rules need from s and runs
// the SNIP 5 code-set checks on it.
func (v *validator) segmentRules(li *loopInst, s *x12.Segment) {
	st := v.set
	def := st.def
	for _, r := range def.Situationals {
		if r.When.Seg == s.ID {
			if li.vals == nil {
				li.vals = map[string]string{}
				li.valAt = map[string]posn{}
			}
			k := r.When.String()
			li.vals[k] = strings.Clone(r.When.value(s))
			li.valAt[k] = posn{seg: x12.Segment{ID: s.ID, Ordinal: s.Ordinal, Offset: s.Offset}, in: st.segIn}
		}
		if r.Need.ID == s.ID && r.Need.QualElem > 0 && r.Loop == li.def.ID {
			if li.segs == nil {
				li.segs = map[string]bool{}
			}
			li.segs[s.ID+"*"+s.Element(r.Need.QualElem)] = true
		}
	}
	if v.opts.Selected(Balancing) {
		for i, r := range def.Balances {
			if r.Total.Seg == s.ID && r.Loop == li.def.ID {
				if li.bal == nil {
					li.bal = map[int]*balAcc{}
				}
				a := &balAcc{sum: new(big.Rat), seg: x12.Segment{ID: s.ID, Ordinal: s.Ordinal, Offset: s.Offset}, segIn: st.segIn, loop: li.def.ID}
				var ok bool
				if a.total, ok = new(big.Rat).SetString(r.Total.value(s)); !ok {
					a.bad = true
				}
				li.bal[i] = a
			}
			if r.Part.Seg == s.ID && r.PartLoop == li.def.ID {
				for d := len(st.stack) - 1; d >= 0; d-- {
					if anc := st.stack[d]; anc.def.ID == r.Loop {
						if a := anc.bal[i]; a != nil && !a.bad {
							if x, ok := new(big.Rat).SetString(r.Part.value(s)); ok {
								a.sum.Add(a.sum, x)
							} else {
								a.bad = true
							}
						}
						break
					}
				}
			}
		}
	}
	for _, r := range def.ElementRules {
		if r.If.Seg != s.ID || (r.Loop != "*" && r.Loop != li.def.ID) || !v.opts.Selected(r.Type) {
			continue
		}
		cv := r.If.value(s)
		if cv == "" {
			continue
		}
		if r.Values != nil && slices.Contains(r.Values, cv) == r.Not {
			continue
		}
		for _, n := range r.Need {
			if n.value(s) != "" {
				continue
			}
			code, why := CodeConditionalMissing, "when "+r.If.String()+" is present"
			if r.Values != nil {
				code = CodeSituationalElement
				if r.Not {
					why = "when " + r.If.String() + " is not " + strings.Join(r.Values, " or ")
				} else {
					why = "when " + r.If.String() + " is " + strings.Join(r.Values, " or ")
				}
			}
			if r.Type == Situational {
				code = CodeSituationalElement
			}
			is := v.at(s, r.Type, code, n.Elem, n.Com, fmt.Sprintf("%s is required %s (%s)", n, why, r.Source))
			if ed := segDefElement(li, s, n); ed != nil {
				is.ElementRef = ed.Ref
			}
			v.add(is)
		}
	}
	if v.opts.Selected(CodeSets) {
		for _, c := range def.CodeChecks {
			if c.At.Seg != s.ID || (c.Loop != "*" && c.Loop != li.def.ID) {
				continue
			}
			if c.If != nil {
				cv := c.If.value(s)
				if !(len(c.Values) == 0 && cv == "") && !slices.Contains(c.Values, cv) {
					continue
				}
			}
			val := c.At.value(s)
			if val == "" {
				continue
			}
			if msg := runCheck(c.Check, val); msg != "" {
				is := v.at(s, CodeSets, CodeCodeSet, c.At.Elem, c.At.Com, c.At.String()+" "+msg)
				setAcks(&is)
				is.IK4 = c.IK4
				if ed := segDefElement(li, s, c.At); ed != nil {
					is.ElementRef = ed.Ref
				}
				v.add(is)
			}
		}
	}
}

type posn struct {
	seg x12.Segment
	in  int
}

// segDefElement finds the table element of ref in the loop's definition.
func segDefElement(li *loopInst, s *x12.Segment, r Ref) *ElementDef {
	for _, e := range li.def.Entries {
		if e.Seg != nil && matches(e.Seg, s) {
			ed := e.Seg.Element(r.Elem)
			if ed != nil && r.Com > 0 {
				return compDef(ed, r.Com)
			}
			return ed
		}
	}
	return nil
}

// closeRules checks the SNIP 3 balances and SNIP 4 situational rules of a
// loop occurrence that ends.
func (v *validator) closeRules(li *loopInst) {
	st := v.set
	def := st.def
	for i, r := range def.Balances {
		a := li.bal[i]
		if r.Loop != li.def.ID || a == nil || a.bad || a.total.Cmp(a.sum) == 0 {
			continue
		}
		is := v.at(&a.seg, Balancing, CodeUnbalanced, r.Total.Elem, r.Total.Com,
			fmt.Sprintf("%s does not equal the sum of %s over the %s loops (%s)", r.Total, r.Part, r.PartLoop, r.Source))
		is.SegmentInSet, is.Loop = a.segIn, a.loop
		if ed := segDefElement(li, &a.seg, r.Total); ed != nil {
			is.ElementRef = ed.Ref
		}
		v.add(is)
	}
	if !v.opts.Selected(Situational) {
		return
	}
	for _, r := range def.Situationals {
		if r.Loop != li.def.ID {
			continue
		}
		k := r.When.String()
		val, at, found := "", posn{}, false
		for d := len(st.stack) - 1; d >= 0 && !found; d-- {
			if x, ok := st.stack[d].vals[k]; ok {
				val, at, found = x, st.stack[d].valAt[k], true
			}
		}
		if !found || !slices.Contains(r.Values, val) {
			continue
		}
		need := segLabel(&r.Need)
		present := li.segs[r.Need.ID] && (r.Need.QualElem == 0 || anyQual(li.segs, r.Need))
		if present != r.Absent {
			continue
		}
		code, verb := CodeSituationalMissing, "is required"
		if r.Absent {
			code, verb = CodeSituationalExcluded, "must not be used"
		}
		is := v.at(&at.seg, Situational, code, 0, 0,
			fmt.Sprintf("%s %s in loop %s when %s is %s (%s)", need, verb, li.def.ID, k, strings.Join(r.Values, " or "), r.Source))
		is.SegmentID, is.SegmentInSet, is.Loop = r.Need.ID, at.in, li.def.ID
		v.add(is)
	}
}

func anyQual(segs map[string]bool, need SegmentDef) bool {
	for _, q := range need.Quals {
		if segs[need.ID+"*"+q] {
			return true
		}
	}
	return false
}

// The external code-set checks (SNIP 5).
var checks = map[string]func(string) string{
	// NPI: 10 digits, the last a Luhn check digit computed over "80840" and
	// the first nine (CMS, "Requirements for Health Care Provider Identifier
	// check digit", NPI final rule 45 CFR 162.406; ISO 7812 prefix 80840).
	"NPI": func(v string) string {
		if len(v) != 10 || !allDigits(v) {
			return "is not a 10-digit NPI"
		}
		if !luhn("80840" + v) {
			return "fails the NPI check digit (Luhn with prefix 80840)"
		}
		return ""
	},
	// US states, DC, territories and military post codes (USPS Publication
	// 28, appendix B) and Canadian provinces (Canada Post): N402.
	"STATE": func(v string) string {
		if !slices.Contains(states, v) {
			return "is not a US state, territory or Canadian province code"
		}
		return ""
	},
	// ZIP: 5 or 9 digits (USPS ZIP+4 without the hyphen; X224A2 N403), or a
	// Canadian postal code A9A9A9.
	"ZIP": func(v string) string {
		if (len(v) == 5 || len(v) == 9) && allDigits(v) {
			return ""
		}
		if len(v) == 6 && isLetter(v[0]) && isDigit(v[1]) && isLetter(v[2]) && isDigit(v[3]) && isLetter(v[4]) && isDigit(v[5]) {
			return ""
		}
		return "is not a 5- or 9-digit ZIP code"
	},
	// ZIP9: the billing provider's ZIP must carry all 9 digits (X224A2
	// 2010AA N403; spec §3.3).
	"ZIP9": func(v string) string {
		if len(v) == 9 && allDigits(v) {
			return ""
		}
		return "must be a 9-digit ZIP+4 code for the billing provider"
	},
	// NUCC Health Care Provider Taxonomy: 10 characters, 9 letters or
	// digits then X (nucc.org, code set structure).
	"TAXONOMY": func(v string) string {
		if len(v) != 10 || v[9] != 'X' {
			return "is not a 10-character provider taxonomy code ending in X"
		}
		for i := 0; i < 9; i++ {
			if !isDigit(v[i]) && !(v[i] >= 'A' && v[i] <= 'Z') {
				return "is not a 10-character provider taxonomy code ending in X"
			}
		}
		return ""
	},
	// CDT procedure codes: D and four digits (ADA CDT; spec §7).
	"CDT": func(v string) string {
		if len(v) == 5 && v[0] == 'D' && allDigits(v[1:]) {
			return ""
		}
		return "is not a CDT code (D and four digits)"
	},
	// ICD-10-CM without the decimal point: a letter, a digit, then 1 to 5
	// letters or digits (CMS ICD-10-CM tabular list; X224A2 HI01-2).
	"ICD10CM": func(v string) string {
		if len(v) < 3 || len(v) > 7 || !isLetter(v[0]) || !isDigit(v[1]) {
			return "is not an ICD-10-CM code shape (letter, digit, then 1-5 letters or digits, no decimal point)"
		}
		for i := 2; i < len(v); i++ {
			if !isDigit(v[i]) && !(v[i] >= 'A' && v[i] <= 'Z') {
				return "is not an ICD-10-CM code shape (letter, digit, then 1-5 letters or digits, no decimal point)"
			}
		}
		return ""
	},
	// EIN: 9 digits, no hyphen (X224A2 2010AA REF*EI; spec §3.3).
	"EIN": func(v string) string {
		if len(v) == 9 && allDigits(v) {
			return ""
		}
		return "is not a 9-digit employer identification number"
	},
}

func knownCheck(name string) bool { _, ok := checks[name]; return ok }

func runCheck(name, v string) string { return checks[name](v) }

var states = strings.Fields(`AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO
MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI UM FM MH PW
AA AE AP AB BC MB NB NL NS NT NU ON PE QC SK YT`)

func luhn(s string) bool {
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' }
