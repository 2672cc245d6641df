package remit

import (
	"slices"
	"strconv"
	"strings"

	"github.com/casebridge/casebridge/internal/codes"
	"github.com/casebridge/casebridge/internal/money"
)

// classification holds the category of every adjustment of a claim, and
// the remark that decided it when the CARC takes its category from a RARC.
type classification struct {
	claim     []codes.Category
	claimFrom []string
	lines     [][]codes.Category
	linesFrom [][]string
}

// Categories returns the category of every CAS triplet of c: the
// claim-level ones, then each line's, by the rules of classify. The FHIR
// ClaimResponse uses it so both outputs always agree.
func Categories(c *Claim) (claim []codes.Category, lines [][]codes.Category) {
	cls := classify(c)
	return cls.claim, cls.lines
}

// classify applies the category rules: each CAS triplet takes its CARC's
// category, unless a remark refines it (codes.Refines: a generic CARC such
// as 16, 96, A1 or an unknown code takes any remark's category, 119 a
// frequency or documentation remark, ...). The first refining remark on the
// same line wins, else the first on the claim. Claim-level adjustments look
// only at the claim's remarks.
func classify(c *Claim) classification {
	var b reportBuilder
	return b.classify(c)
}

func (b *reportBuilder) classify(c *Claim) classification {
	var cls classification
	cls.claim, cls.claimFrom = b.categorise(c.Adjustments, nil, c.Remarks)
	if len(c.Lines) > 0 {
		cls.lines = take(b.reuse, &b.catsL, len(c.Lines))
		cls.linesFrom = take(b.reuse, &b.fromL, len(c.Lines))
	}
	for i := range c.Lines {
		cats, from := b.categorise(c.Lines[i].Adjustments, c.Lines[i].Remarks, c.Remarks)
		cls.lines = append(cls.lines, cats)
		cls.linesFrom = append(cls.linesFrom, from)
	}
	return cls
}

func (b *reportBuilder) categorise(as []Adjustment, lineRemarks, claimRemarks []Remark) ([]codes.Category, []string) {
	cats := take(b.reuse, &b.cats, len(as))[:len(as)]
	from := take(b.reuse, &b.froms, len(as))[:len(as)]
	for i, a := range as {
		own := b.codes.carcCategory(a.Reason)
		cats[i], from[i] = own, ""
		if code, cat := b.codes.refining(own, lineRemarks); cat != "" {
			cats[i], from[i] = cat, code
		} else if code, cat := b.codes.refining(own, claimRemarks); cat != "" {
			cats[i], from[i] = cat, code
		}
	}
	return cats, from
}

// refining returns the first remark whose category refines own.
func (cc *codeCache) refining(own codes.Category, rs []Remark) (string, codes.Category) {
	for _, r := range rs {
		if cat := cc.remarkCategory(r); codes.Refines(own, cat) {
			return r.Code, cat
		}
	}
	return "", ""
}

// firstCategorised returns the first RARC with a category.
func firstCategorised(rs []Remark) (string, codes.Category) {
	for _, r := range rs {
		if cat := remarkCategory(r); cat != "" {
			return r.Code, cat
		}
	}
	return "", ""
}

func remarkCategory(r Remark) codes.Category {
	if r.Qualifier != "HE" {
		return ""
	}
	if i, ok := codes.RARC(r.Code); ok {
		return i.Category
	}
	return ""
}

func carcDescription(code string) string {
	if i, _ := codes.CARC(code); i.Text() != "" {
		return i.Text()
	}
	return "Adjustment reason not in casebridge's table; look it up in the current X12 CARC list."
}

func remarkDescription(r Remark) string {
	if r.Qualifier != "HE" {
		return "NCPDP reject or payment code (" + r.Qualifier + "); look it up in the NCPDP code list."
	}
	if i, _ := codes.RARC(r.Code); i.Text() != "" {
		return i.Text()
	}
	return "Remark code not in casebridge's table; look it up in the current X12 RARC list."
}

func plbDescription(code string) string {
	if i, _ := codes.PLB(code); i.Text() != "" {
		return i.Text()
	}
	return "Provider adjustment reason not in casebridge's table; look it up in the X12 PLB reason list."
}

// scope is the claim level or one line of a claim.
type scope struct {
	index   int   // the line's index (its label is "Line index+1 (D9997, control 0002)"); -1 at claim level ("Claim")
	line    *Line // nil at claim level
	adjs    []Adjustment
	cats    []codes.Category
	from    []string
	remarks []Remark
	zeroPay bool
	predet  bool   // the claim is a predetermination: amounts are estimates
	date    string // the remittance date, for deactivated codes
	icn     string // CLP07, the payer's claim control number
}

// findings turns a claim into findings: one per category per scope (the
// claim level and each line). Denial categories always make a finding;
// contractual, patient_responsibility and informational adjustments only
// where nothing was paid, to say why. A claim whose status says more than
// its adjustments (denied, forwarded, pended, or paid nothing without any
// reason) gets a claim-level finding from its status. A reversal gets one
// informational finding and nothing else.
func (b *reportBuilder) findings(c *Claim, next *Claim, cls classification, date string) []Finding {
	if c.Reversal() {
		out := take(b.reuse, &b.finds, 1)
		return append(out, reversalFinding(c, next))
	}
	start := 0
	if b.reuse {
		start = len(b.finds)
	} else {
		b.finds = nil
	}
	predet := Status(c.StatusCode) == StatusPredetermination
	b.scopes = append(b.scopes[:0], scope{
		index: -1, adjs: c.Adjustments, cats: cls.claim, from: cls.claimFrom, remarks: c.Remarks,
		// A predetermination never pays at claim level (its lines carry the
		// estimate), so a zero CLP04 there says nothing.
		zeroPay: c.Paid.IsZero() && !c.Charge.IsZero() && !predet, predet: predet, date: date, icn: c.PayerClaimControlNo,
	})
	for i := range c.Lines {
		l := &c.Lines[i]
		b.scopes = append(b.scopes, scope{
			index: i, line: l, adjs: l.Adjustments, cats: cls.lines[i], from: cls.linesFrom[i],
			remarks: l.Remarks, zeroPay: l.Paid.IsZero() && !l.Charge.IsZero(), predet: predet, date: date, icn: c.PayerClaimControlNo,
		})
	}
	for i := range b.scopes {
		b.scopeFindings(&b.scopes[i], c.Remarks)
	}
	out := b.finds[start:len(b.finds):len(b.finds)]
	if !b.reuse {
		b.finds = nil
	}
	if out == nil {
		out = []Finding{}
	}
	for _, f := range out {
		if f.Category.IsDenial() {
			return out
		}
	}
	if f, ok := statusFinding(c, len(out) > 0, date); ok {
		if b.reuse {
			b.finds = append(b.finds, f)
			out = b.finds[start:len(b.finds):len(b.finds)]
		} else {
			out = append(out, f)
		}
	}
	return out
}

// appendLabel appends the scope's name: "Claim", or "Line 2 (D9997,
// control 0002)".
func appendLabel(dst []byte, s *scope) []byte {
	if s.line == nil {
		return append(dst, "Claim"...)
	}
	dst = append(dst, "Line "...)
	dst = strconv.AppendInt(dst, int64(s.index+1), 10)
	l := s.line
	p := l.Procedure.String()
	if p == "" && l.ControlNumber == "" {
		return dst
	}
	dst = append(dst, " ("...)
	dst = append(dst, p...)
	if l.ControlNumber != "" {
		if p != "" {
			dst = append(dst, ", "...)
		}
		dst = append(dst, "control "...)
		dst = append(dst, l.ControlNumber...)
	}
	return append(dst, ')')
}

// scopeFindings appends the scope's findings to b.finds.
func (b *reportBuilder) scopeFindings(s *scope, claimRemarks []Remark) {
	// Categories in order of first appearance.
	order := b.order[:0]
	for _, cat := range s.cats {
		if !s.zeroPay && !cat.IsDenial() {
			continue
		}
		if !slices.Contains(order, cat) {
			order = append(order, cat)
		}
	}
	b.order = order
	for _, cat := range order {
		group := b.group[:0]
		amount := money.Zero
		list := b.list[:0]
		for i, a := range s.adjs {
			if s.cats[i] != cat {
				continue
			}
			group = append(group, a)
			amount = amount.Add(a.Amount)
			list = b.appendUniqueCode(list, a.Group, a.Reason)
		}
		remarks := b.remarks[:0]
		for _, r := range s.remarks {
			rc := b.codes.remarkCategory(r)
			if rc == cat || !slices.Contains(order, rc) {
				remarks = append(remarks, r)
			}
		}
		for i := range s.adjs {
			if s.cats[i] == cat && s.from[i] != "" {
				for _, r := range claimRemarks {
					if r.Code == s.from[i] {
						remarks = appendRemark(remarks, r)
					}
				}
			}
		}
		if s.line != nil {
			// Claim remarks of the same category speak for the line too.
			for _, r := range claimRemarks {
				if b.codes.remarkCategory(r) == cat {
					remarks = appendRemark(remarks, r)
				}
			}
		}
		for _, r := range remarks {
			list = appendUnique(list, r.Code)
		}
		b.group, b.remarks, b.list = group, remarks, list
		codeList := append(take(b.reuse, &b.strs, len(list)), list...)
		b.stepRem = append(append(b.stepRem[:0], remarks...), claimRemarks...)
		b.buf = b.appendExplain(b.buf[:0], s, cat, amount, group, remarks)
		expl := b.string(b.buf)
		b.buf = b.appendNextStep(b.buf[:0], step{cat: cat, group: group, remarks: b.stepRem, icn: s.icn, predet: s.predet})
		f := Finding{
			Category:    cat,
			Amount:      amount,
			Codes:       codeList,
			Explanation: expl,
			NextStep:    b.string(b.buf),
		}
		if s.line != nil {
			f.LineControlNumber = s.line.ControlNumber
		}
		b.finds = append(b.finds, f)
	}
}

// appendUniqueCode appends "group-reason" (Adjustment.Code) to list unless
// it is there; a new code's text goes into the text arena.
func (b *reportBuilder) appendUniqueCode(list []string, group, reason string) []string {
	for _, x := range list {
		if len(x) == len(group)+1+len(reason) && x[:len(group)] == group && x[len(group)] == '-' && x[len(group)+1:] == reason {
			return list
		}
	}
	b.buf2 = append(append(append(b.buf2[:0], group...), '-'), reason...)
	return append(list, b.string(b.buf2))
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func appendRemark(rs []Remark, r Remark) []Remark {
	for _, x := range rs {
		if x.Code == r.Code {
			return rs
		}
	}
	return append(rs, r)
}

// statusFinding covers a claim whose adjustments name no denial: a denied,
// forwarded or pended status, or a paid status with nothing paid and no
// finding at all.
func statusFinding(c *Claim, haveFindings bool, date string) (Finding, bool) {
	amount := c.Charge.Sub(c.Paid)
	var cat codes.Category
	var what string
	switch Status(c.StatusCode) {
	case StatusDenied:
		cat = codes.Other
		what = "the payer denied the whole claim (status 4) without an adjustment reason that names the problem"
		if code, rc := firstCategorisedClaim(c); rc != "" {
			cat = rc
			what = "the payer denied the whole claim (status 4); remark " + code + " gives the reason"
		}
	case StatusForwarded:
		cat = codes.WrongPayer
		what = "the payer says this is not its claim (status 23) and forwarded it to another payer"
	case StatusPended:
		cat = codes.Pended
		what = "the payer has not finished processing the claim (status " + c.StatusCode + ")"
	case StatusPaid:
		if haveFindings || !c.Paid.IsZero() || c.Charge.IsZero() {
			return Finding{}, false
		}
		cat = codes.Other
		what = "the payer processed the claim but paid nothing and sent no adjustment that explains it"
	default:
		return Finding{}, false
	}
	list := []string{}
	var remarks []Remark
	for _, r := range c.Remarks {
		list = appendUnique(list, r.Code)
		remarks = append(remarks, r)
	}
	for i := range c.Lines {
		for _, r := range c.Lines[i].Remarks {
			list = appendUnique(list, r.Code)
			remarks = appendRemark(remarks, r)
		}
	}
	var b strings.Builder
	b.WriteString("Claim: " + amount.String() + " not paid because " + what + ".")
	writeRemarks(&b, remarks, date)
	return Finding{Category: cat, Amount: amount, Codes: list, Explanation: b.String(), NextStep: nextStep(step{cat: cat, remarks: remarks, icn: c.PayerClaimControlNo})}, true
}

func firstCategorisedClaim(c *Claim) (string, codes.Category) {
	if code, cat := firstCategorised(c.Remarks); cat != "" {
		return code, cat
	}
	for i := range c.Lines {
		if code, cat := firstCategorised(c.Lines[i].Remarks); cat != "" {
			return code, cat
		}
	}
	return "", ""
}

func reversalFinding(c *Claim, next *Claim) Finding {
	var b strings.Builder
	b.WriteString("Claim: the payer reversed this claim (status 22) and takes back its earlier payment of ")
	b.WriteString(c.Paid.Neg().String())
	b.WriteString(".")
	step := "Post the reversal against the original payment. No corrected claim follows in this remittance: ask the payer whether one will come, and whether it wants a replacement claim, a new claim or a refund."
	if next != nil && !next.Reversal() && next.PatientControlNumber == c.PatientControlNumber {
		b.WriteString(" The corrected claim follows in this remittance (status " + next.StatusCode + ", paid " + next.Paid.String() + ").")
		step = "Post the reversal against the original payment, then post the corrected claim that follows and work its findings."
	}
	return Finding{
		Category:    codes.Informational,
		Amount:      c.Paid,
		Codes:       []string{},
		Explanation: b.String(),
		NextStep:    step,
	}
}

// reasonPhrase says in plain words why an amount of a category was not paid.
var reasonPhrase = map[codes.Category]string{
	codes.Documentation:          "the payer says information or documentation it needs is missing or does not support the service",
	codes.Attachment:             "the payer did not receive a usable attachment for it",
	codes.Frequency:              "it goes beyond how often the plan allows the service",
	codes.BenefitMax:             "the patient's benefit maximum has been reached",
	codes.CodeMismatch:           "the procedure code does not fit the modifier, diagnosis, patient or date of service",
	codes.PriorAuthorization:     "a required authorization is missing or does not match the service",
	codes.Eligibility:            "the patient's coverage did not apply to this service or date",
	codes.NotCovered:             "the plan does not cover the service",
	codes.Bundling:               "the payer counts it as part of another service",
	codes.TimelyFiling:           "the claim reached the payer after its filing deadline",
	codes.Duplicate:              "the payer already received or paid this claim or service",
	codes.CoordinationOfBenefits: "another payer has to process it first, or that payer's information is missing or wrong",
	codes.WrongPayer:             "this payer is not responsible for the service",
	codes.ProviderEligibility:    "the provider is not eligible, enrolled or contracted to be paid for it",
	codes.MedicalNecessity:       "the payer does not consider it medically necessary",
	codes.AlternateBenefit:       "the payer paid a less costly alternative instead of the billed procedure",
	codes.Pended:                 "the payer is holding it for further review",
	codes.Other:                  "of a reason casebridge does not place in a category",
}

func (b *reportBuilder) appendExplain(dst []byte, s *scope, cat codes.Category, amount money.Amount, group []Adjustment, remarks []Remark) []byte {
	if s.predet {
		dst = append(dst, "Predetermination estimate. "...)
	}
	dst = appendLabel(dst, s)
	if s.zeroPay && !cat.IsDenial() {
		if s.predet {
			dst = append(dst, " would pay nothing"...)
		} else {
			dst = append(dst, " pays nothing"...)
		}
	}
	dst = append(dst, ": "...)
	dst = amount.AppendReport(dst)
	switch cat {
	case codes.Contractual:
		if allGroup(group, "PR") {
			dst = append(dst, " left to the patient: it is above the payer's fee schedule or maximum allowable, and the plan makes the patient responsible for it (group PR)."...)
		} else {
			dst = append(dst, " written off under the payer's fee schedule or contract."...)
		}
	case codes.PatientResponsibility:
		dst = append(dst, " left to the patient as deductible, coinsurance or copay."...)
	case codes.Informational:
		dst = append(dst, " adjusted for information only."...)
	default:
		dst = append(dst, " not paid because "...)
		dst = append(dst, reasonPhrase[cat]...)
		dst = append(dst, '.')
		dst = append(dst, owes(group)...)
	}
	for _, a := range group {
		info, _ := b.codes.carc(a.Reason)
		dst = append(dst, ' ')
		dst = append(dst, a.Group...)
		dst = append(dst, '-')
		dst = append(dst, a.Reason...)
		dst = append(dst, ": "...)
		if t := info.Text(); t != "" {
			dst = append(dst, t...)
		} else {
			dst = append(dst, carcDescription(a.Reason)...)
		}
		dst = appendRetiredNote(dst, info, s.date)
	}
	dst = b.codes.appendRemarkTexts(dst, remarks, s.date)
	if s.line != nil && s.line.SubmittedProcedure != nil {
		dst = append(dst, " The payer processed the line as "...)
		dst = append(dst, s.line.Procedure.String()...)
		dst = append(dst, " instead of the billed "...)
		dst = append(dst, s.line.SubmittedProcedure.String()...)
		dst = append(dst, '.')
	}
	return dst
}

// appendRemarkTexts appends " Remark CODE: description" for each remark.
func (cc *codeCache) appendRemarkTexts(dst []byte, remarks []Remark, date string) []byte {
	for _, r := range remarks {
		dst = append(dst, " Remark "...)
		dst = append(dst, r.Code...)
		dst = append(dst, ": "...)
		if r.Qualifier == "HE" {
			info, _ := cc.rarc(r.Code)
			if t := info.Text(); t != "" {
				dst = append(dst, t...)
			} else {
				dst = append(dst, remarkDescription(r)...)
			}
			dst = appendRetiredNote(dst, info, date)
		} else {
			dst = append(dst, remarkDescription(r)...)
		}
	}
	return dst
}

func appendRetiredNote(dst []byte, info *codes.Info, date string) []byte {
	if !info.DeactivatedBefore(date) {
		return dst
	}
	dst = append(dst, " (X12 deactivated this code on "...)
	dst = append(dst, info.Stop...)
	return append(dst, "; read as sent.)"...)
}

func writeRemarks(b *strings.Builder, remarks []Remark, date string) {
	for _, r := range remarks {
		b.WriteString(" Remark " + r.Code + ": " + remarkDescription(r))
		if r.Qualifier == "HE" {
			info, _ := codes.RARC(r.Code)
			b.WriteString(retiredNote(info, date))
		}
	}
}

// retiredNote tells that X12 had deactivated a code before the remittance.
func retiredNote(info codes.Info, date string) string {
	if !info.DeactivatedBefore(date) {
		return ""
	}
	return " (X12 deactivated this code on " + info.Stop + "; read as sent.)"
}

// owes says who carries a denied amount, from the adjustment groups.
func owes(group []Adjustment) string {
	g := ""
	for _, a := range group {
		if g == "" {
			g = a.Group
		} else if g != a.Group {
			return ""
		}
	}
	switch g {
	case "PR":
		return " The patient owes this amount (group PR)."
	case "CO":
		return " Under group CO the contract bars billing the patient for it."
	case "PI":
		return " The payer made this reduction on its own (group PI); do not bill the patient for it."
	}
	return ""
}

// allGroup reports whether there are adjustments and all are in group g.
func allGroup(as []Adjustment, g string) bool {
	for _, a := range as {
		if a.Group != g {
			return false
		}
	}
	return len(as) > 0
}
