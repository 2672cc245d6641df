package remit

import (
	"encoding/json"
	"hash/maphash"
	"io"
	"slices"

	"github.com/casebridge/casebridge/internal/codes"
	"github.com/casebridge/casebridge/internal/money"
)

// Report is the findings report of issue 3: one entry per transaction set,
// the warnings of the whole file and a summary. It is the JSON contract
// integrations code against; see doc.go for the field rules.
type Report struct {
	Remittances []Remittance `json:"remittances"`
	Warnings    []Warning    `json:"warnings"`
	Summary     Summary      `json:"summary"`
}

// Remittance is one ST/SE transaction set.
type Remittance struct {
	ControlNumber       string                     `json:"control_number"`
	Payer               ReportPayer                `json:"payer"`
	Payee               ReportPayee                `json:"payee"`
	Payment             ReportPayment              `json:"payment"`
	Claims              []ClaimReport              `json:"claims"`
	ProviderAdjustments []ProviderAdjustmentReport `json:"provider_adjustments"`
	Balanced            bool                       `json:"balanced"`
}

// ReportPayer names the payer.
type ReportPayer struct {
	Name string `json:"name"`
	ID   string `json:"id"`
}

// ReportPayee names the payee of the set (its first N1*PE).
type ReportPayee struct {
	Name        string `json:"name"`
	IDQualifier string `json:"id_qualifier"`
	ID          string `json:"id"`
}

// ReportPayment is BPR02, BPR04, BPR16 and TRN02.
type ReportPayment struct {
	Amount      money.Amount `json:"amount"`
	Method      string       `json:"method"`
	Date        string       `json:"date"`
	TraceNumber string       `json:"trace_number"`
}

// ClaimReport is one claim with its lines and findings.
type ClaimReport struct {
	PatientControlNumber    string             `json:"patient_control_number"`
	PayerClaimControlNumber string             `json:"payer_claim_control_number"`
	StatusCode              string             `json:"status_code"`
	Status                  string             `json:"status"`
	StatusNote              string             `json:"status_note,omitempty"`
	PaymentOutcome          string             `json:"payment_outcome"`
	Charge                  money.Amount       `json:"charge"`
	Paid                    money.Amount       `json:"paid"`
	PatientResponsibility   money.Amount       `json:"patient_responsibility"`
	Adjustments             []AdjustmentReport `json:"adjustments"`
	Remarks                 []RemarkReport     `json:"remarks"`
	Lines                   []LineReport       `json:"lines"`
	Findings                []Finding          `json:"findings"`
}

// AdjustmentReport is one CAS triplet with its category.
type AdjustmentReport struct {
	Group       string         `json:"group"`
	Reason      string         `json:"reason"`
	Amount      money.Amount   `json:"amount"`
	Quantity    json.Number    `json:"quantity,omitempty"`
	Category    codes.Category `json:"category"`
	Description string         `json:"description"`
	Retired
	// plainDesc: Description is a code table's text known to need no
	// JSON escaping (the writers copy it without looking at it).
	plainDesc bool
}

// RemarkReport is one remark code; category is omitted when the remark
// decides none.
type RemarkReport struct {
	Code        string         `json:"code"`
	Category    codes.Category `json:"category,omitempty"`
	Description string         `json:"description"`
	Retired
}

// Retired marks a code X12 had deactivated before the remittance's date
// (DTM*405, else BPR16): it is still read and categorised. Both fields are
// left out for an active code.
type Retired struct {
	Deactivated bool   `json:"deactivated,omitempty"`
	StopDate    string `json:"stop_date,omitempty"` // the code's stop date, YYYY-MM-DD
}

// retired checks info's stop date against the remittance date.
func retired(info codes.Info, date string) Retired {
	if info.DeactivatedBefore(date) {
		return Retired{Deactivated: true, StopDate: info.Stop}
	}
	return Retired{}
}

// LineReport is one service line.
type LineReport struct {
	LineControlNumber  string             `json:"line_control_number"`
	Procedure          string             `json:"procedure"`
	SubmittedProcedure string             `json:"submitted_procedure,omitempty"`
	Charge             money.Amount       `json:"charge"`
	Paid               money.Amount       `json:"paid"`
	Allowed            *money.Amount      `json:"allowed,omitempty"`
	Units              json.Number        `json:"units"`
	ServiceDateFrom    string             `json:"service_date_from"`
	ServiceDateTo      string             `json:"service_date_to"`
	Adjustments        []AdjustmentReport `json:"adjustments"`
	Remarks            []RemarkReport     `json:"remarks"`
}

// Finding is one claim or line problem in plain words.
type Finding struct {
	Category          codes.Category `json:"category"`
	Amount            money.Amount   `json:"amount"`
	LineControlNumber string         `json:"line_control_number,omitempty"`
	Codes             []string       `json:"codes"`
	Explanation       string         `json:"explanation"`
	NextStep          string         `json:"next_step"`
}

// ProviderAdjustmentReport is one PLB pair.
type ProviderAdjustmentReport struct {
	Reason      string       `json:"reason"`
	Reference   string       `json:"reference"`
	Amount      money.Amount `json:"amount"`
	Description string       `json:"description"`
	Retired
}

// Summary totals the report.
type Summary struct {
	Claims           int                     `json:"claims"`
	ByStatus         map[string]int          `json:"by_status"`
	DeniedAmount     money.Amount            `json:"denied_amount"`
	ReversedAmount   money.Amount            `json:"reversed_amount"`
	PendedAmount     money.Amount            `json:"pended_amount"`
	ForwardedAmount  money.Amount            `json:"forwarded_amount"`
	DeniedByCategory map[string]money.Amount `json:"denied_by_category"`
}

// Claim statuses of the report.
const (
	StatusPaid             = "paid"
	StatusDenied           = "denied"
	StatusReversed         = "reversed"
	StatusForwarded        = "forwarded"
	StatusPredetermination = "predetermination"
	StatusPended           = "pended"
)

// Payment outcomes of the report.
const (
	OutcomeFull    = "full"
	OutcomePartial = "partial"
	OutcomeNone    = "none"
)

// Status maps CLP02 to the report status: 4 denied, 22 reversed,
// 1/2/3/19/20/21 paid (also at zero pay), 23 forwarded, 25
// predetermination, anything else pended.
func Status(clp02 string) string {
	switch clp02 {
	case "1", "2", "3", "19", "20", "21":
		return StatusPaid
	case "4":
		return StatusDenied
	case "22":
		return StatusReversed
	case "23":
		return StatusForwarded
	case "25":
		return StatusPredetermination
	}
	return StatusPended
}

// statusNotes say what a paid status adds: the payer paid its part and
// passed the claim on (crossover). CLP02 19-21 count like 1-3.
var statusNotes = map[string]string{
	"19": "Processed as primary and forwarded to another payer",
	"20": "Processed as secondary and forwarded to another payer",
	"21": "Processed as tertiary and forwarded to another payer",
}

// StatusNote is the note for CLP02 19-21, naming the crossover payer
// (NM1*TT) when the 835 gives it; "" for the other statuses.
func StatusNote(c *Claim) string {
	note, ok := statusNotes[c.StatusCode]
	if !ok {
		return ""
	}
	if n := c.Name("TT"); n != nil && n.Last != "" {
		note += " (" + n.Last + ")"
	}
	return note + ": that payer may pay what is left; wait for its remittance before billing the patient."
}

// PaymentOutcome compares what was paid with the charge: none when nothing
// (or less than nothing) was paid, full when the charge was paid in full
// (or more), partial in between. A reversal is judged on its negated
// amounts, so it reads as the payment it takes back.
func PaymentOutcome(c *Claim) string {
	paid, charge := c.Paid, c.Charge
	if c.Reversal() {
		paid, charge = paid.Neg(), charge.Neg()
	}
	switch {
	case paid.Sign() <= 0:
		return OutcomeNone
	case paid.Cmp(charge) >= 0:
		return OutcomeFull
	}
	return OutcomePartial
}

// BuildReport reads a whole 835 and returns its findings report. It returns
// no report, only the *x12.Error, when the input cannot be read (see Read).
// Memory holds the whole report: WriteFindings with a JSONWriter or
// NDJSONWriter writes the same report as it is made instead.
func BuildReport(r io.Reader, opts Options) (*Report, error) {
	c := &reportCollector{rep: &Report{Remittances: []Remittance{}}}
	if err := Findings(r, opts, c); err != nil {
		return nil, err
	}
	return c.rep, nil
}

// reportCollector is the Sink behind BuildReport.
type reportCollector struct{ rep *Report }

func (c *reportCollector) BeginRemittance(rem *Remittance) error {
	rem.Claims = []ClaimReport{}
	return nil
}

func (c *reportCollector) Claim(rem *Remittance, cr *ClaimReport) error {
	rem.Claims = append(rem.Claims, *cr)
	return nil
}

func (c *reportCollector) EndRemittance(rem *Remittance) error {
	c.rep.Remittances = append(c.rep.Remittances, *rem)
	return nil
}

func (c *reportCollector) End(warnings []Warning, s Summary) error {
	c.rep.Warnings, c.rep.Summary = warnings, s
	return nil
}

// Sink receives a findings report piece by piece, in the order of its
// JSON: each remittance's header, its claims one by one, the rest of the
// remittance, and at the end the warnings and the summary.
type Sink interface {
	// BeginRemittance gets the header (control_number, payer, payee,
	// payment); Claims and ProviderAdjustments are nil.
	BeginRemittance(rem *Remittance) error
	// Claim gets one claim of rem; neither is to be kept after the call,
	// nor any string or slice of c: their storage is reused for the next
	// claim (copy what must outlive the call).
	Claim(rem *Remittance, c *ClaimReport) error
	// EndRemittance gets rem with ProviderAdjustments and Balanced; Claims
	// holds what the sink put there.
	EndRemittance(rem *Remittance) error
	// End gets the warnings of the whole file and the summary.
	End(warnings []Warning, s Summary) error
}

// Findings reads an 835 with Stream and hands the findings report to sink
// as it is made: memory stays at about two claims, the summary's running
// totals and the warnings. On a read error sink.End is not called and the
// positioned *x12.Error is returned; what the sink got before stays valid.
func Findings(r io.Reader, opts Options, sink Sink) error {
	_, collecting := sink.(*reportCollector)
	h := &findingsHandler{sink: sink, b: newSummaryBuilder(), rb: reportBuilder{reuse: !collecting, codes: &codeCache{}}}
	defer h.b.counted.close()
	warnings, err := Stream(r, opts, h)
	if err != nil {
		return err
	}
	if h.b.counted.err != nil {
		return h.b.counted.err
	}
	return sink.End(warnings, h.b.summary())
}

type findingsHandler struct {
	sink Sink
	b    *summaryBuilder
	rem  Remittance
	date string
	cr   ClaimReport
	rb   reportBuilder
}

func (h *findingsHandler) Begin(tx *Transaction) error {
	h.rem = remittanceHeader(tx)
	h.date = remittanceDate(tx)
	return h.sink.BeginRemittance(&h.rem)
}

func (h *findingsHandler) Claim(tx *Transaction, c *Claim, next *Claim) error {
	h.rb.claimReport(c, next, h.date, &h.cr)
	h.b.add(c, &h.cr)
	return h.sink.Claim(&h.rem, &h.cr)
}

func (h *findingsHandler) End(tx *Transaction) error {
	h.rem.ProviderAdjustments = make([]ProviderAdjustmentReport, 0, len(tx.ProviderAdjustments))
	for _, a := range tx.ProviderAdjustments {
		info, _ := codes.PLB(a.Reason)
		h.rem.ProviderAdjustments = append(h.rem.ProviderAdjustments, ProviderAdjustmentReport{
			Reason: a.Reason, Reference: a.Reference, Amount: a.Amount, Description: plbDescription(a.Reason),
			Retired: retired(info, h.date),
		})
	}
	h.rem.Balanced = tx.Balanced
	return h.sink.EndRemittance(&h.rem)
}

// remittanceHeader is what a remittance says before its claims.
func remittanceHeader(tx *Transaction) Remittance {
	return Remittance{
		ControlNumber: tx.ControlNumber,
		Payer:         ReportPayer{Name: tx.Payer.Name, ID: payerID(tx)},
		Payee:         ReportPayee{Name: tx.Payee.Name, IDQualifier: tx.Payee.IDQualifier, ID: tx.Payee.ID},
		Payment: ReportPayment{
			Amount:      tx.Payment.Amount,
			Method:      tx.Payment.Method,
			Date:        tx.Payment.Date,
			TraceNumber: tx.Payment.TraceNumber,
		},
	}
}

// payerID is N1*PR N104, else the payer's REF*2U, else TRN03 (the payer
// identifier every 835 carries).
func payerID(tx *Transaction) string {
	if tx.Payer.ID != "" {
		return tx.Payer.ID
	}
	if v := tx.Payer.Ref("2U"); v != "" {
		return v
	}
	return tx.Payment.TraceOriginator
}

// remittanceDate is the date the codes of a set are judged by: the
// production date (DTM*405), else the payment date (BPR16).
func remittanceDate(tx *Transaction) string {
	if tx.ProductionDate != "" {
		return tx.ProductionDate
	}
	return tx.Payment.Date
}

// claimReport fills cr (see reportBuilder for where its slices come from).
func (b *reportBuilder) claimReport(c *Claim, next *Claim, date string, cr *ClaimReport) {
	b.reset()
	*cr = ClaimReport{
		PatientControlNumber:    c.PatientControlNumber,
		PayerClaimControlNumber: c.PayerClaimControlNo,
		StatusCode:              c.StatusCode,
		Status:                  Status(c.StatusCode),
		StatusNote:              StatusNote(c),
		PaymentOutcome:          PaymentOutcome(c),
		Charge:                  c.Charge,
		Paid:                    c.Paid,
		PatientResponsibility:   c.PatientResponsibility,
		Remarks:                 b.remarkReports(c.Remarks, date),
		Lines:                   take(b.reuse, &b.lines, len(c.Lines)),
	}
	cls := b.classify(c)
	cr.Adjustments = b.adjustmentReports(c.Adjustments, cls.claim, date)
	for i := range c.Lines {
		l := &c.Lines[i]
		lr := LineReport{
			LineControlNumber: l.ControlNumber,
			Procedure:         l.Procedure.String(),
			Charge:            l.Charge,
			Paid:              l.Paid,
			Allowed:           l.Allowed,
			Units:             json.Number("1"),
			ServiceDateFrom:   l.ServiceFrom,
			ServiceDateTo:     l.ServiceTo,
			Adjustments:       b.adjustmentReports(l.Adjustments, cls.lines[i], date),
			Remarks:           b.remarkReports(l.Remarks, date),
		}
		if l.Units != "" {
			lr.Units = json.Number(l.Units)
		}
		if l.SubmittedProcedure != nil {
			lr.SubmittedProcedure = l.SubmittedProcedure.String()
		}
		// A line without its own dates takes the claim's statement period.
		if lr.ServiceDateFrom == "" && lr.ServiceDateTo == "" {
			lr.ServiceDateFrom, lr.ServiceDateTo = c.Date("232"), c.Date("233")
			if lr.ServiceDateTo == "" {
				lr.ServiceDateTo = lr.ServiceDateFrom
			}
		}
		cr.Lines = append(cr.Lines, lr)
	}
	cr.Findings = b.findings(c, next, cls, date)
}

func (b *reportBuilder) adjustmentReports(as []Adjustment, cats []codes.Category, date string) []AdjustmentReport {
	out := take(b.reuse, &b.adjs, len(as))
	for i, a := range as {
		var info *codes.Info
		plain := false
		if s := b.codes.carcSlot(a.Reason); s != nil {
			info, plain = &s.info, s.plain
		} else {
			info, _ = b.codes.carc(a.Reason)
		}
		desc := info.Text()
		if desc == "" {
			desc, plain = carcDescription(a.Reason), false
		}
		out = append(out, AdjustmentReport{
			plainDesc:   plain,
			Retired:     retired(*info, date),
			Group:       a.Group,
			Reason:      a.Reason,
			Amount:      a.Amount,
			Quantity:    json.Number(a.Quantity),
			Category:    cats[i],
			Description: desc,
		})
	}
	return out
}

func (b *reportBuilder) remarkReports(rs []Remark, date string) []RemarkReport {
	out := take(b.reuse, &b.rems, len(rs))
	for _, r := range rs {
		var rr RemarkReport
		if r.Qualifier == "HE" {
			info, ok := b.codes.rarc(r.Code)
			rr = RemarkReport{Code: r.Code, Description: info.Text(), Retired: retired(*info, date)}
			if ok {
				rr.Category = info.Category
			}
			if rr.Description == "" {
				rr.Description = remarkDescription(r)
			}
		} else {
			rr = RemarkReport{Code: r.Code, Category: remarkCategory(r), Description: remarkDescription(r)}
		}
		out = append(out, rr)
	}
	return out
}

// summaryBuilder accumulates the summary claim by claim. It remembers what
// each claim added (by CLP01 and CLP07) so that a later reversal of the
// claim in the same report (same CLP01, and CLP07 or REF*F8 naming the
// original) takes it out again: the corrected claim that follows counts
// instead, and nothing is counted twice. Only claims that added something
// are remembered, compactly (countedTable): about 20 bytes per denied,
// pended or forwarded claim in memory up to countedSpillAt of them, the
// rest in sorted runs in a temporary file (spill.go), so memory stays
// bounded whatever the size of the file.
type summaryBuilder struct {
	s        Summary
	byStatus [len(statusOrder)]int // folded into s.ByStatus by summary
	counted  countedTable
	denied   []categoryAmount // scratch for add
}

// claimTotals is what one claim adds to the summary.
type claimTotals struct {
	denied            []categoryAmount
	pended, forwarded money.Amount
}

type categoryAmount struct {
	cat codes.Category
	amt money.Amount
}

func newSummaryBuilder() *summaryBuilder {
	return &summaryBuilder{
		s: Summary{ByStatus: map[string]int{}, DeniedByCategory: map[string]money.Amount{}},
	}
}

func (b *summaryBuilder) add(c *Claim, cr *ClaimReport) {
	b.s.Claims++
	b.countStatus(cr.Status)
	if cr.Status == StatusReversed {
		b.s.ReversedAmount = b.s.ReversedAmount.Add(c.Paid)
		// The original is the same CLP01 with this CLP07, or the one
		// REF*F8 names when the reversal got its own control number.
		if t, ok := b.counted.take(c.PatientControlNumber, c.PayerClaimControlNo); ok {
			b.apply(t, money.Amount.Sub)
		} else if t, ok := b.counted.take(c.PatientControlNumber, c.Ref("F8")); ok {
			b.apply(t, money.Amount.Sub)
		}
		return
	}
	t := claimTotals{denied: b.denied[:0]}
	for _, f := range cr.Findings {
		switch {
		case !f.Category.IsDenial():
		case cr.Status == StatusForwarded:
			t.forwarded = t.forwarded.Add(f.Amount)
		case f.Category == codes.Pended:
			t.pended = t.pended.Add(f.Amount)
		default:
			i := slices.IndexFunc(t.denied, func(d categoryAmount) bool { return d.cat == f.Category })
			if i < 0 {
				t.denied = append(t.denied, categoryAmount{cat: f.Category})
				i = len(t.denied) - 1
			}
			t.denied[i].amt = t.denied[i].amt.Add(f.Amount)
		}
	}
	b.denied = t.denied
	b.apply(t, money.Amount.Add)
	if len(t.denied) > 0 || !t.pended.IsZero() || !t.forwarded.IsZero() {
		b.counted.put(c.PatientControlNumber, c.PayerClaimControlNo, t)
	}
}

// countedTable remembers claimTotals by (CLP01, CLP07) in little memory,
// for the reversal rule: a later claim with status 22 and the same CLP01
// and CLP07 (or REF*F8) takes the totals out of the summary again. Any
// later claim of the report may be that reversal, so every claim that
// added something is remembered (and only those); what a reversal needs of
// one is its key and what it added. A record is 16 bytes: a 64-bit hash of
// both numbers (maphash; two keys agree by chance with a probability of
// about n/2^64 per lookup, some 10^-14 for a million counted claims) and
// the totals packed into 64 bits: a live flag, one category and one amount
// (coefficient of up to 52 bits and up to 7 decimal places, so "99.500"
// keeps its places), which is what nearly every denied, pended or forwarded
// claim adds. Totals that do not fit (several categories, denied and
// pended, ...) are kept whole in a map. Records sit in blocks that never
// move; an open-addressing table of 32-bit record numbers (linear probing,
// at most 3/4 full) finds them: about 21-26 bytes a remembered claim,
// for at most countedSpillAt claims: beyond that the records move to a
// temporary file (spill.go).
type countedTable struct {
	slots  []uint32       // record number + 1; 0 is empty
	used   int            // slots in use (live or taken records)
	blocks [][]countedRec // countedBlock records each
	n      int            // records written
	big    map[uint64]claimTotals
	seed   maphash.Seed
	seeded bool
	hash   maphash.Hash
	denied [1]categoryAmount // take's result for a packed record

	spillAt int           // records kept in memory before a spill; 0 is countedSpillAt
	spill   *countedSpill // the runs on disk (spill.go), nil until the first spill
	noSpill bool          // no temporary file could be made: keep everything in memory
	err     error         // an I/O error of the temporary file (errCountedSpill)
}

type countedRec struct{ key, val uint64 }

const (
	countedBlock = 4096
	packLive     = 1 << 63
	packKindBit  = 61 // 2 bits: 0 denied (one category), 1 pended, 2 forwarded, 3 in big
	packCatBit   = 56 // 5 bits: index in codes.Categories
	packPlaceBit = 53 // 3 bits: decimal places
	packCoefBits = 53 // signed coefficient
)

func (ct *countedTable) key(pcn, icn string) uint64 {
	if !ct.seeded {
		ct.seed, ct.seeded = maphash.MakeSeed(), true
	}
	ct.hash.SetSeed(ct.seed)
	ct.hash.WriteString(pcn)
	ct.hash.WriteByte(0)
	ct.hash.WriteString(icn)
	return ct.hash.Sum64()
}

func (ct *countedTable) rec(v uint32) *countedRec {
	v--
	return &ct.blocks[v/countedBlock][v%countedBlock]
}

// find returns the slot holding key, or the empty slot where it would go.
func (ct *countedTable) find(k uint64) int {
	mask := len(ct.slots) - 1
	i := int(k^k>>29) & mask
	for {
		v := ct.slots[i]
		if v == 0 || ct.rec(v).key == k {
			return i
		}
		i = (i + 1) & mask
	}
}

func (ct *countedTable) grow() {
	old := ct.slots
	ct.slots = make([]uint32, max(1024, 2*len(old)))
	ct.used = 0
	for _, v := range old {
		if v == 0 || ct.rec(v).val&packLive == 0 {
			continue // taken records are left behind
		}
		ct.slots[ct.find(ct.rec(v).key)] = v
		ct.used++
	}
}

// packAmount packs a small amount into the low bits, or reports that it
// does not fit.
func packAmount(a money.Amount) (uint64, bool) {
	c, e, ok := a.Parts()
	if !ok || e > 0 || e < -7 || c >= 1<<(packCoefBits-1) || c < -(1<<(packCoefBits-1)) {
		return 0, false
	}
	return uint64(-e)<<packPlaceBit | uint64(c)&(1<<packCoefBits-1), true
}

func unpackAmount(v uint64) money.Amount {
	c := int64(v<<(64-packCoefBits)) >> (64 - packCoefBits) // sign-extend
	return money.FromParts(c, -int32(v>>packPlaceBit&7))
}

// pack returns t in 64 bits (with the live flag), or false when it does not
// fit one category and one amount.
func pack(t claimTotals) (uint64, bool) {
	var kind uint64
	var cat int
	var amt money.Amount
	switch {
	case len(t.denied) == 1 && t.pended == money.Zero && t.forwarded == money.Zero:
		kind, amt = 0, t.denied[0].amt
		cat = slices.Index(codes.Categories, t.denied[0].cat)
		if cat < 0 || cat >= 32 {
			return 0, false
		}
	case len(t.denied) == 0 && t.forwarded == money.Zero:
		kind, amt = 1, t.pended
	case len(t.denied) == 0 && t.pended == money.Zero:
		kind, amt = 2, t.forwarded
	default:
		return 0, false
	}
	a, ok := packAmount(amt)
	if !ok {
		return 0, false
	}
	return packLive | kind<<packKindBit | uint64(cat)<<packCatBit | a, true
}

// put stores t under (pcn, icn), replacing what was there.
func (ct *countedTable) put(pcn, icn string, t claimTotals) {
	limit := ct.spillAt
	if limit <= 0 {
		limit = countedSpillAt
	}
	if ct.n >= limit && !ct.noSpill && ct.err == nil {
		ct.noSpill = !ct.spillOut()
	}
	if 4*(ct.used+1) > 3*len(ct.slots) {
		ct.grow()
	}
	k := ct.key(pcn, icn)
	val, ok := pack(t)
	if !ok {
		if ct.big == nil {
			ct.big = map[uint64]claimTotals{}
		}
		t.denied = slices.Clone(t.denied)
		ct.big[k] = t
		val = packLive | 3<<packKindBit
	}
	i := ct.find(k)
	if v := ct.slots[i]; v != 0 {
		r := ct.rec(v)
		if r.val&packLive != 0 && r.val>>packKindBit&3 == 3 && ok {
			delete(ct.big, k)
		}
		r.val = val
		return
	}
	if ct.n/countedBlock == len(ct.blocks) { // blocks are reused after a spill
		ct.blocks = append(ct.blocks, make([]countedRec, countedBlock))
	}
	ct.blocks[ct.n/countedBlock][ct.n%countedBlock] = countedRec{key: k, val: val}
	ct.n++
	ct.used++
	ct.slots[i] = uint32(ct.n)
}

// take returns and forgets the totals stored under (pcn, icn). The
// returned denied list is valid until the next take.
func (ct *countedTable) take(pcn, icn string) (claimTotals, bool) {
	if len(ct.slots) == 0 && ct.spill == nil {
		return claimTotals{}, false
	}
	k := ct.key(pcn, icn)
	var val uint64
	found, spilled := false, false
	if len(ct.slots) > 0 {
		if v := ct.slots[ct.find(k)]; v != 0 {
			if r := ct.rec(v); r.val&packLive != 0 {
				val, found = r.val, true
				r.val = 0 // taken: a second reversal finds nothing
			}
		}
	}
	if ct.spill != nil { // older records under k, replaced or not yet taken
		if v, ok := ct.takeSpilled(k, found); ok {
			val, found, spilled = v, true, true
		}
	}
	if !found {
		return claimTotals{}, false
	}
	if spilled && val>>packKindBit&3 == 3 {
		return ct.readTotals(int64(val & (1<<packKindBit - 1)))
	}
	var t claimTotals
	switch val >> packKindBit & 3 {
	case 0:
		ct.denied[0] = categoryAmount{cat: codes.Categories[val>>packCatBit&31], amt: unpackAmount(val)}
		t.denied = ct.denied[:]
	case 1:
		t.pended = unpackAmount(val)
	case 2:
		t.forwarded = unpackAmount(val)
	case 3:
		t = ct.big[k]
		delete(ct.big, k)
	}
	return t, true
}

// apply adds (or, with Sub, takes out) a claim's totals.
func (b *summaryBuilder) apply(t claimTotals, op func(money.Amount, money.Amount) money.Amount) {
	for _, d := range t.denied {
		b.s.DeniedAmount = op(b.s.DeniedAmount, d.amt)
		v := op(b.s.DeniedByCategory[string(d.cat)], d.amt)
		if v.IsZero() {
			delete(b.s.DeniedByCategory, string(d.cat))
		} else {
			b.s.DeniedByCategory[string(d.cat)] = v
		}
	}
	b.s.PendedAmount = op(b.s.PendedAmount, t.pended)
	b.s.ForwardedAmount = op(b.s.ForwardedAmount, t.forwarded)
}

// statusOrder are the statuses counted in an array (a map update per
// claim hashed the status); any other goes to the map directly.
var statusOrder = [...]string{StatusPaid, StatusDenied, StatusReversed, StatusForwarded, StatusPredetermination, StatusPended}

func (b *summaryBuilder) countStatus(st string) {
	for i, k := range statusOrder {
		if k == st {
			b.byStatus[i]++
			return
		}
	}
	b.s.ByStatus[st]++
}

func (b *summaryBuilder) summary() Summary {
	for i, n := range b.byStatus {
		if n > 0 {
			b.s.ByStatus[statusOrder[i]] += n
			b.byStatus[i] = 0
		}
	}
	return b.s
}
