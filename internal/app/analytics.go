package app

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/casebridge/casebridge/internal/codes"
	"github.com/casebridge/casebridge/internal/money"
	"github.com/casebridge/casebridge/mapping/remit"
)

// AnalyticsQuery is GET /v1/analytics's query: from and to (YYYY-MM-DD,
// inclusive, on the service date of each line), payer (payer id) and code
// (CDT code).
type AnalyticsQuery struct {
	From, To, Payer, Code string
}

var reCDT = regexp.MustCompile(`^D[0-9]{4}$`)

// ParseAnalyticsQuery checks the query parameters as given ("" = not given);
// a bad one is an *OptionError naming it.
func ParseAnalyticsQuery(from, to, payer, code string) (AnalyticsQuery, error) {
	q := AnalyticsQuery{From: from, To: to, Payer: payer, Code: code}
	for _, d := range []struct{ name, v string }{{"from", from}, {"to", to}} {
		if d.v == "" {
			continue
		}
		if t, err := time.Parse(time.DateOnly, d.v); err != nil || t.Format(time.DateOnly) != d.v {
			return q, &OptionError{Option: d.name, Msg: "must be a date YYYY-MM-DD"}
		}
	}
	if from != "" && to != "" && to < from {
		return q, &OptionError{Option: "to", Msg: "must not be before from"}
	}
	if len(payer) > 80 {
		return q, &OptionError{Option: "payer", Msg: "must be a payer id of at most 80 characters"}
	}
	if code != "" && !reCDT.MatchString(code) {
		return q, &OptionError{Option: "code", Msg: "must be a CDT code such as D9997"}
	}
	return q, nil
}

// Analytics is GET /v1/analytics and casebridge report.
//
// What is counted: every claim of the tenant that went out and has at least
// one 835 (a "remittance" event); its latest remittance event stands (a
// reversal followed by a correction counts as the correction; a claim paid
// after an appeal counts as paid). Per service line of the stored record,
// grouped by the record's payer id and the line's CDT code:
//
//   - billed: the line's charge (the record's);
//   - paid: SVC03 of the 835 line matched by REF*6R = line_id (a claim
//     adjudicated without SVC lines: CLP04 on the claim's first line);
//   - allowed: charge minus the CAS adjustments in group CO (contractual
//     obligations: the amount the payer's contract does not allow, X12
//     Claim Adjustment Group Codes; 005010X221A1 §1.10.2.4) of the matched
//     line, plus claim-level CO adjustments on the claim's first line. PR
//     (patient responsibility) and OA/PI amounts stay in allowed;
//   - denied: the findings in a denial category (pended excluded) of the
//     latest 835, on their line (claim-level ones on the first line); by
//     category and by the finding's first CARC (group-reason, "CO-16");
//   - claims, denied_claims: distinct claims with a line in the row, and
//     those with a denied amount there; denial_rate = denied_claims/claims;
//   - paid_ratio = paid/billed (4 decimals; null when nothing is billed);
//   - median_days_to_payment: for the row's claims whose lines there were
//     paid, the days from the claim's 837D (its 837d_generated event) to the
//     payment date (BPR16) of the first 835 that paid the claim;
//   - appeals_filed: the "appeal" events of the row's claims; appeals_won:
//     those followed by a "remittance" event that paid more than the last
//     one before the appeal.
//
// Payers: each payer's D9997 lines (whatever the code filter), billed and
// paid per quarter of the latest 835's payment date; flags below_threshold
// (the overall D9997 paid/billed ratio below the profile's
// analytics.paid_ratio_threshold, default 0.5) and falling (the latest
// quarter's ratio below the quarter before it).
type Analytics struct {
	From      *string          `json:"from"`
	To        *string          `json:"to"`
	Payer     *string          `json:"payer"`
	Code      *string          `json:"code"`
	Threshold float64          `json:"threshold"`
	Rows      []AnalyticsRow   `json:"rows"`
	Payers    []AnalyticsPayer `json:"payers"`
}

// AnalyticsRow is one payer and CDT code.
type AnalyticsRow struct {
	Payer               WorklistPayer           `json:"payer"`
	Code                string                  `json:"code"`
	Claims              int                     `json:"claims"`
	Lines               int                     `json:"lines"`
	Billed              money.Amount            `json:"billed"`
	Allowed             money.Amount            `json:"allowed"`
	Paid                money.Amount            `json:"paid"`
	PaidRatio           *float64                `json:"paid_ratio"`
	DeniedClaims        int                     `json:"denied_claims"`
	DenialRate          *float64                `json:"denial_rate"`
	DeniedAmount        money.Amount            `json:"denied_amount"`
	DeniedByCategory    map[string]money.Amount `json:"denied_by_category"`
	DeniedByCARC        map[string]money.Amount `json:"denied_by_carc"`
	MedianDaysToPayment *float64                `json:"median_days_to_payment"`
	AppealsFiled        int                     `json:"appeals_filed"`
	AppealsWon          int                     `json:"appeals_won"`

	claims, denied map[string]bool
	days           map[string]float64 // claim id → days to payment
}

// AnalyticsPayer is one payer's D9997 trend.
type AnalyticsPayer struct {
	Payer     WorklistPayer      `json:"payer"`
	Billed    money.Amount       `json:"d9997_billed"`
	Paid      money.Amount       `json:"d9997_paid"`
	PaidRatio *float64           `json:"d9997_paid_ratio"`
	Threshold float64            `json:"threshold"`
	Quarters  []AnalyticsQuarter `json:"quarters"`
	Flags     []string           `json:"flags"`
	byQuarter map[string]*AnalyticsQuarter
}

// AnalyticsQuarter is one quarter of a payer's D9997 figures.
type AnalyticsQuarter struct {
	Quarter   string       `json:"quarter"` // 2026-Q3
	Billed    money.Amount `json:"billed"`
	Paid      money.Amount `json:"paid"`
	PaidRatio *float64     `json:"paid_ratio"`
}

// Payer flags.
const (
	FlagBelowThreshold = "below_threshold"
	FlagFalling        = "falling"
)

// remitCLP finds the 835 claim (CLP) a claim's remittance event is about in
// the stored findings reports: the n-th CLP of remittance rid linked to the
// claim. Reports are read once per remittance.
type remitCLPs struct {
	s      *Service
	tenant string
	cache  map[string]map[string][]*remit.ClaimReport // remittance id → claim id → its CLPs in file order
}

func (r *remitCLPs) clp(ctx context.Context, rid, claimID string, n int) (*remit.ClaimReport, error) {
	m, ok := r.cache[rid]
	if !ok {
		rem, err := r.s.store.GetRemittance(ctx, r.tenant, rid)
		if err != nil {
			return nil, err
		}
		var rep remit.Report
		if err := json.Unmarshal(rem.Findings, &rep); err != nil {
			return nil, fmt.Errorf("app: stored findings: %w", err)
		}
		var flat []*remit.ClaimReport
		for i := range rep.Remittances {
			for j := range rep.Remittances[i].Claims {
				flat = append(flat, &rep.Remittances[i].Claims[j])
			}
		}
		m = map[string][]*remit.ClaimReport{}
		for i, l := range rem.Links {
			if l.ClaimID != "" && i < len(flat) {
				m[l.ClaimID] = append(m[l.ClaimID], flat[i])
			}
		}
		r.cache[rid] = m
	}
	if cs := m[claimID]; n < len(cs) {
		return cs[n], nil
	}
	return nil, nil
}

// Analytics computes the figures (see the type).
func (s *Service) Analytics(ctx context.Context, tenant, profileName string, q AnalyticsQuery) (*Analytics, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	prof, err := s.profile(ctx, tenant, profileName)
	if err != nil {
		return nil, err
	}
	hs, err := s.histories(ctx, tenant, []string{EventRemittance, EventAppeal, EventGenerated})
	if err != nil {
		return nil, err
	}
	out := &Analytics{Threshold: prof.PaidRatioThreshold(), Rows: []AnalyticsRow{}, Payers: []AnalyticsPayer{}}
	for _, p := range []struct {
		v   string
		dst **string
	}{{q.From, &out.From}, {q.To, &out.To}, {q.Payer, &out.Payer}, {q.Code, &out.Code}} {
		if p.v != "" {
			v := p.v
			*p.dst = &v
		}
	}
	clps := &remitCLPs{s: s, tenant: tenant, cache: map[string]map[string][]*remit.ClaimReport{}}
	rows := map[[2]string]*AnalyticsRow{}
	payers := map[string]*AnalyticsPayer{}
	for _, h := range hs {
		if h.rec == nil || len(h.remits) == 0 || (q.Payer != "" && h.rec.Payer.ID != q.Payer) {
			continue
		}
		last := h.remits[len(h.remits)-1]
		// which CLP of its remittance the latest event is (a claim may have
		// a reversal and its correction in one file)
		n := 0
		for _, r := range h.remits[:len(h.remits)-1] {
			if r.RemittanceID == last.RemittanceID {
				n++
			}
		}
		cr, err := clps.clp(ctx, last.RemittanceID, h.claim.ID, n)
		if err != nil {
			return nil, err
		}
		if cr == nil {
			continue
		}
		fig := lineFigures(h, cr)
		days, paidOnce := daysToPayment(h)
		won := appealsWon(h)
		quarter := quarterOf(last.PaymentDate)
		payer := WorklistPayer{ID: h.rec.Payer.ID, Name: h.rec.Payer.Name}
		inRow := map[*AnalyticsRow]bool{}
		for i, sv := range h.rec.Services {
			if (q.From != "" && sv.Date < q.From) || (q.To != "" && sv.Date > q.To) {
				continue
			}
			f := fig[i]
			if sv.Code == "D9997" {
				p := payers[payer.ID]
				if p == nil {
					p = &AnalyticsPayer{Payer: payer, Threshold: out.Threshold, Flags: []string{}, byQuarter: map[string]*AnalyticsQuarter{}}
					payers[payer.ID] = p
				}
				p.Billed, p.Paid = p.Billed.Add(f.billed), p.Paid.Add(f.paid)
				qq := p.byQuarter[quarter]
				if qq == nil {
					qq = &AnalyticsQuarter{Quarter: quarter}
					p.byQuarter[quarter] = qq
				}
				qq.Billed, qq.Paid = qq.Billed.Add(f.billed), qq.Paid.Add(f.paid)
			}
			if q.Code != "" && sv.Code != q.Code {
				continue
			}
			key := [2]string{payer.ID, sv.Code}
			r := rows[key]
			if r == nil {
				r = &AnalyticsRow{Payer: payer, Code: sv.Code, DeniedByCategory: map[string]money.Amount{}, DeniedByCARC: map[string]money.Amount{},
					claims: map[string]bool{}, denied: map[string]bool{}, days: map[string]float64{}}
				rows[key] = r
			}
			r.Lines++
			r.Billed, r.Allowed, r.Paid = r.Billed.Add(f.billed), r.Allowed.Add(f.allowed), r.Paid.Add(f.paid)
			r.claims[h.claim.ID] = true
			for _, d := range f.denials {
				r.DeniedAmount = r.DeniedAmount.Add(d.amount)
				r.DeniedByCategory[d.category] = r.DeniedByCategory[d.category].Add(d.amount)
				if d.carc != "" {
					r.DeniedByCARC[d.carc] = r.DeniedByCARC[d.carc].Add(d.amount)
				}
				if d.amount.Sign() > 0 {
					r.denied[h.claim.ID] = true
				}
			}
			if !inRow[r] {
				inRow[r] = true
				r.AppealsFiled += len(h.appeals)
				r.AppealsWon += won
			}
			if f.paid.Sign() > 0 && paidOnce {
				r.days[h.claim.ID] = days
			}
		}
	}
	for _, r := range rows {
		r.Claims, r.DeniedClaims = len(r.claims), len(r.denied)
		r.PaidRatio = ratio(r.Paid, r.Billed)
		if r.Claims > 0 {
			v := round4(float64(r.DeniedClaims) / float64(r.Claims))
			r.DenialRate = &v
		}
		days := make([]float64, 0, len(r.days))
		for _, d := range r.days {
			days = append(days, d)
		}
		r.MedianDaysToPayment = median(days)
		out.Rows = append(out.Rows, *r)
	}
	slices.SortFunc(out.Rows, func(a, b AnalyticsRow) int {
		return cmp.Or(cmp.Compare(a.Payer.ID, b.Payer.ID), cmp.Compare(a.Code, b.Code))
	})
	for _, p := range payers {
		p.PaidRatio = ratio(p.Paid, p.Billed)
		for _, qq := range p.byQuarter {
			qq.PaidRatio = ratio(qq.Paid, qq.Billed)
			p.Quarters = append(p.Quarters, *qq)
		}
		slices.SortFunc(p.Quarters, func(a, b AnalyticsQuarter) int { return cmp.Compare(a.Quarter, b.Quarter) })
		if p.PaidRatio != nil && *p.PaidRatio < out.Threshold {
			p.Flags = append(p.Flags, FlagBelowThreshold)
		}
		if n := len(p.Quarters); n >= 2 {
			a, b := p.Quarters[n-2].PaidRatio, p.Quarters[n-1].PaidRatio
			if a != nil && b != nil && *b < *a {
				p.Flags = append(p.Flags, FlagFalling)
			}
		}
		out.Payers = append(out.Payers, *p)
	}
	slices.SortFunc(out.Payers, func(a, b AnalyticsPayer) int { return cmp.Compare(a.Payer.ID, b.Payer.ID) })
	return out, nil
}

// lineFigure is one service line's figures from the claim's latest 835.
type lineFigure struct {
	billed, allowed, paid money.Amount
	denials               []lineDenial
}

type lineDenial struct {
	category, carc string
	amount         money.Amount
}

// lineFigures computes each record line's figures (see Analytics).
func lineFigures(h *claimHistory, cr *remit.ClaimReport) []lineFigure {
	svcs := h.rec.Services
	fig := make([]lineFigure, len(svcs))
	index := map[string]int{}
	for i, sv := range svcs {
		if sv.Charge != nil {
			fig[i].billed = *sv.Charge
		}
		fig[i].allowed = fig[i].billed
		index[sv.LineID] = i
	}
	if len(svcs) == 0 {
		return fig
	}
	matched := false
	for _, l := range cr.Lines {
		i, ok := index[l.LineControlNumber]
		if !ok || l.LineControlNumber == "" {
			continue
		}
		matched = true
		fig[i].paid = fig[i].paid.Add(l.Paid)
		fig[i].allowed = fig[i].allowed.Sub(coSum(l.Adjustments))
	}
	if !matched {
		fig[0].paid = cr.Paid
	}
	fig[0].allowed = fig[0].allowed.Sub(coSum(cr.Adjustments))
	for _, f := range cr.Findings {
		if !f.Category.IsDenial() || f.Category == codes.Pended {
			continue
		}
		i, ok := index[f.LineControlNumber]
		if !ok || f.LineControlNumber == "" {
			i = 0
		}
		d := lineDenial{category: string(f.Category), amount: f.Amount}
		for _, c := range f.Codes {
			if strings.Contains(c, "-") {
				d.carc = c
				break
			}
		}
		fig[i].denials = append(fig[i].denials, d)
	}
	return fig
}

func coSum(adjs []remit.AdjustmentReport) money.Amount {
	var sum money.Amount
	for _, a := range adjs {
		if a.Group == "CO" {
			sum = sum.Add(a.Amount)
		}
	}
	return sum
}

// daysToPayment is the days from the claim's 837D to the payment date of
// the first 835 that paid it; false when none paid.
func daysToPayment(h *claimHistory) (float64, bool) {
	sent := h.generated
	if sent.IsZero() {
		sent = h.claim.CreatedAt
	}
	sentDay := time.Date(sent.Year(), sent.Month(), sent.Day(), 0, 0, 0, 0, time.UTC)
	for _, r := range h.remits {
		if r.Paid.Sign() <= 0 {
			continue
		}
		pd, err := time.Parse(time.DateOnly, r.PaymentDate)
		if err != nil {
			return 0, false
		}
		return pd.Sub(sentDay).Hours() / 24, true
	}
	return 0, false
}

// appealsWon counts the claim's appeals followed by a remittance that paid
// more than the last one before the appeal.
func appealsWon(h *claimHistory) int {
	won := 0
	for _, a := range h.appeals {
		before := money.Amount{}
		for i, r := range h.remits {
			if h.remitSeqs[i] < a.Seq {
				before = r.Paid
			}
		}
		for i, r := range h.remits {
			if h.remitSeqs[i] > a.Seq && r.Paid.Cmp(before) > 0 {
				won++
				break
			}
		}
	}
	return won
}

// quarterOf names the calendar quarter of a date ("2026-Q3"; "unknown").
func quarterOf(date string) string {
	if q, ok := periodOf(date, "quarter"); ok {
		return q
	}
	return "unknown"
}

func ratio(a, b money.Amount) *float64 {
	if b.Sign() == 0 {
		return nil
	}
	f, _ := a.Decimal().DivRound(b.Decimal(), 4).Float64()
	return &f
}

func round4(f float64) float64 {
	return float64(int64(f*10000+0.5)) / 10000
}

func median(d []float64) *float64 {
	if len(d) == 0 {
		return nil
	}
	s := slices.Clone(d)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return &m
}
