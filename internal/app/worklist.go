package app

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/casebridge/casebridge/internal/codes"
	"github.com/casebridge/casebridge/internal/money"
	"github.com/casebridge/casebridge/internal/profile"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/mapping/remit"
)

// EventCorrection is the timeline kind of a replacement or void stored for
// a claim (corrections.go). The other kinds the worklist reads are declared
// with their writers: EventAcknowledgment (acknowledgments.go) and
// EventAppeal (appeal.go).
const EventCorrection = "correction"

// Worklist categories beside the denial categories of internal/codes.
const (
	// CategoryFrontEndRejection: the claim's latest acknowledgment (999,
	// TA1, 277CA) rejected it and no replacement followed.
	CategoryFrontEndRejection = "front_end_rejection"
	// CategoryReversed: the payer reversed the claim (CLP02 22) and no
	// correction followed.
	CategoryReversed = "reversed"
)

// PendedOpenAfter is how long a pended claim waits before it is a worklist
// item ("pended too long"): 30 days from the 835 that pended it, the prompt
// payment window most state laws give payers for a clean electronic claim.
const PendedOpenAfter = 30 * 24 * time.Hour

// WorklistQuery is GET /v1/worklist's query.
type WorklistQuery struct {
	Category string // "" for all
	Payer    string // payer id; "" for all
	Limit    int    // 0 for DefaultListLimit
	Cursor   string
}

// ParseWorklistQuery reads category, payer, limit and cursor as given (""
// = not given). A bad value is an *OptionError naming the parameter.
func ParseWorklistQuery(category, payer, limit, cursor string) (WorklistQuery, error) {
	q := WorklistQuery{Category: category, Payer: payer, Cursor: cursor}
	if category != "" && !worklistCategory(category) {
		return q, &OptionError{Option: "category", Msg: "must be a denial category (documentation, frequency, …), pended, reversed or front_end_rejection"}
	}
	if len(payer) > 80 {
		return q, &OptionError{Option: "payer", Msg: "must be a payer id of at most 80 characters"}
	}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxListLimit {
			return q, &OptionError{Option: "limit", Msg: fmt.Sprintf("must be a whole number from 1 to %d", MaxListLimit)}
		}
		q.Limit = n
	}
	if cursor != "" {
		if _, err := decodeWorklistCursor(cursor); err != nil {
			return q, &OptionError{Option: "cursor", Msg: "is not a cursor this server gave"}
		}
	}
	return q, nil
}

func worklistCategory(c string) bool {
	if c == CategoryFrontEndRejection || c == CategoryReversed {
		return true
	}
	return codes.Category(c).IsDenial()
}

// Worklist is GET /v1/worklist: the open items, ordered by deadline
// (earliest first), then open amount (largest first), then claim id and
// finding; NextCursor is null on the last page.
type Worklist struct {
	Items      []WorklistItem `json:"items"`
	NextCursor *string        `json:"next_cursor"`
}

// WorklistItem is one open finding of a claim.
type WorklistItem struct {
	ClaimID          string           `json:"claim_id"`
	RecordID         string           `json:"record_id"`
	Status           ClaimStatus      `json:"status"`
	Payer            WorklistPayer    `json:"payer"`
	PayerClaimNumber string           `json:"payer_claim_number"` // CLP07, "" before any 835
	ServiceDate      string           `json:"service_date"`       // the finding's line's date, else the claim's first
	OpenAmount       money.Amount     `json:"open_amount"`
	Category         string           `json:"category"`
	Codes            []WorklistCode   `json:"codes"`
	NextStep         string           `json:"next_step"`
	Finding          *int             `json:"finding"` // index in the remittance event's findings; null when the item is not one
	Source           WorklistSource   `json:"source"`
	Deadlines        WorklistDeadline `json:"deadlines"`
}

// WorklistPayer is the claim's payer (record payer.id, 2010BB NM109).
type WorklistPayer struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// WorklistCode is a code (CARC with its group, RARC, or an acknowledgment's
// error code) with its text.
type WorklistCode struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

// WorklistSource names the event the item comes from.
type WorklistSource struct {
	Kind string `json:"kind"` // remittance | acknowledgment
	// RemittanceID or AcknowledgmentID, and Date: the 835's payment date
	// (BPR16) or the acknowledgment event's date.
	RemittanceID     string `json:"remittance_id,omitempty"`
	AcknowledgmentID string `json:"acknowledgment_id,omitempty"`
	Date             string `json:"date"`
}

// WorklistDeadline are the item's deadlines (YYYY-MM-DD). Appeal is the
// 835's date + the payer's appeal_days (null when no 835 decided the item);
// TimelyFiling is the service date + the payer's filing_days. Next is the
// earlier of the two, the one the list is ordered by, and NextKind says
// which; DaysLeft counts from today (negative when passed).
type WorklistDeadline struct {
	Appeal       *string `json:"appeal"`
	TimelyFiling string  `json:"timely_filing"`
	Next         string  `json:"next"`
	NextKind     string  `json:"next_kind"` // appeal | timely_filing
	DaysLeft     int     `json:"days_left"`
	AppealDays   int     `json:"appeal_days"`
	FilingDays   int     `json:"filing_days"`
}

// remittanceData is what the worklist and analytics read of a "remittance"
// event (the fields remittanceEvent writes).
type remittanceData struct {
	RemittanceID     string            `json:"remittance_id"`
	Outcome          ClaimStatus       `json:"outcome"`
	PayerClaimNumber string            `json:"payer_claim_number"`
	StatusCode       string            `json:"status_code"`
	Charge           money.Amount      `json:"charge"`
	Paid             money.Amount      `json:"paid"`
	Payer            remit.ReportPayer `json:"payer"`
	PaymentDate      string            `json:"payment_date"`
	Findings         []remit.Finding   `json:"findings"`
}

// ackData is what the worklist reads of an "acknowledgment" event.
type ackData struct {
	AcknowledgmentID string `json:"acknowledgment_id"`
	Type             string `json:"type"`
	Outcome          string `json:"outcome"`
	Errors           []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Fix     string `json:"fix"`
	} `json:"errors"`
}

// claimHistory is one claim with the events the worklist and analytics
// read, decoded.
type claimHistory struct {
	claim      Claim
	rec        *record.Record // defaults applied; nil when the stored record does not decode
	remits     []remittanceData
	remitSeqs  []int64 // the seq of each remits entry
	remitSeq   int64   // seq of the last remittance event
	remitAt    time.Time
	ack        *ackData
	ackSeq     int64
	ackAt      time.Time
	correction int64 // seq of the last correction event (0: none)
	appeals    []Event
	generated  time.Time // first 837d_generated event
}

var openStatuses = []ClaimStatus{StatusSubmitted, StatusPaid, StatusPartiallyPaid, StatusDenied, StatusReversed, StatusPended}

// histories loads the tenant's claims that went out (every status but
// rejected) with their events of the given kinds, oldest claim first.
func (s *Service) histories(ctx context.Context, tenant string, kinds []string) ([]*claimHistory, error) {
	cs, err := s.store.ClaimsWithStatus(ctx, tenant, openStatuses)
	if err != nil {
		return nil, err
	}
	evs, err := s.store.TenantEvents(ctx, tenant, kinds)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*claimHistory, len(cs))
	out := make([]*claimHistory, 0, len(cs))
	for _, c := range cs {
		h := &claimHistory{claim: c}
		if rec, probs, err := record.DecodeBytes(c.Record); err == nil && !probs.HasErrors() {
			h.rec = rec.WithDefaults()
		}
		byID[c.ID] = h
		out = append(out, h)
	}
	for _, e := range evs {
		h := byID[e.ClaimID]
		if h == nil {
			continue
		}
		switch e.Kind {
		case EventRemittance:
			var d remittanceData
			if json.Unmarshal(e.Payload, &d) == nil {
				h.remits = append(h.remits, d)
				h.remitSeqs = append(h.remitSeqs, e.Seq)
				h.remitSeq, h.remitAt = e.Seq, e.At
			}
		case EventAcknowledgment:
			var d ackData
			if json.Unmarshal(e.Payload, &d) == nil {
				h.ack, h.ackSeq, h.ackAt = &d, e.Seq, e.At
			}
		case EventCorrection:
			h.correction = e.Seq
		case EventAppeal:
			h.appeals = append(h.appeals, e)
		case EventGenerated:
			if h.generated.IsZero() {
				h.generated = e.At
			}
		}
	}
	return out, nil
}

// Worklist is GET /v1/worklist (and casebridge worklist): one item per open
// finding of the tenant's claims, with deadlines from the profile's payer
// terms (profile "" is the default one). A claim is open when
//
//   - its latest acknowledgment (999, TA1, 277CA) rejected it, no 835 came
//     after and no correction was filed since: one front_end_rejection item;
//   - its latest 835 denied or partly denied it (status denied or
//     partially_paid): one item per finding in a denial category;
//   - its latest 835 reversed it (status reversed): one reversed item;
//   - its latest 835 pended it at least PendedOpenAfter ago: one pended item
//     per pended finding (or one for the claim);
//
// and no correction (replacement or void) was filed after that event.
func (s *Service) Worklist(ctx context.Context, tenant, profileName string, q WorklistQuery) (*Worklist, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	prof, err := s.profile(ctx, tenant, profileName)
	if err != nil {
		return nil, err
	}
	var after *worklistKey
	if q.Cursor != "" {
		k, err := decodeWorklistCursor(q.Cursor)
		if err != nil {
			return nil, fmt.Errorf("app: worklist: %w", ErrBadCursor)
		}
		after = &k
	}
	limit := q.Limit
	if limit == 0 {
		limit = DefaultListLimit
	}
	hs, err := s.histories(ctx, tenant, []string{EventRemittance, EventAcknowledgment, EventCorrection})
	if err != nil {
		return nil, err
	}
	today := s.now().UTC()
	var items []WorklistItem
	for _, h := range hs {
		for _, it := range openItems(h, prof, today) {
			if (q.Category == "" || it.Category == q.Category) && (q.Payer == "" || it.Payer.ID == q.Payer) {
				items = append(items, it)
			}
		}
	}
	slices.SortFunc(items, func(a, b WorklistItem) int { return keyOf(a).compare(keyOf(b)) })
	if after != nil {
		i, _ := slices.BinarySearchFunc(items, *after, func(it WorklistItem, k worklistKey) int { return keyOf(it).compare(k) })
		for i < len(items) && keyOf(items[i]).compare(*after) <= 0 {
			i++
		}
		items = items[i:]
	}
	w := &Worklist{Items: items}
	if len(items) > limit {
		w.Items = items[:limit]
		c := keyOf(w.Items[limit-1]).encode()
		w.NextCursor = &c
	}
	if w.Items == nil {
		w.Items = []WorklistItem{}
	}
	return w, nil
}

// openItems are the open items of one claim (see Worklist).
func openItems(h *claimHistory, prof *profile.Profile, today time.Time) []WorklistItem {
	if h.rec == nil {
		return nil
	}
	last := max(h.remitSeq, h.ackSeq)
	if last == 0 || h.correction > last {
		return nil
	}
	base := WorklistItem{
		ClaimID: h.claim.ID, RecordID: h.claim.RecordID, Status: h.claim.Status,
		Payer:            WorklistPayer{ID: h.rec.Payer.ID, Name: h.rec.Payer.Name},
		PayerClaimNumber: h.claim.PayerClaimNumber,
		ServiceDate:      firstServiceDate(h.rec),
		Codes:            []WorklistCode{},
	}
	terms := prof.PayerTerms(base.Payer.ID)
	if h.ack != nil && h.ackSeq > h.remitSeq {
		if h.ack.Outcome != AckRejected {
			return nil
		}
		it := base
		it.Category = CategoryFrontEndRejection
		it.OpenAmount = totalCharge(h.rec)
		var steps []string
		for _, e := range h.ack.Errors {
			it.Codes = append(it.Codes, WorklistCode{Code: e.Code, Text: e.Message})
			if e.Fix != "" && !slices.Contains(steps, e.Fix) {
				steps = append(steps, e.Fix)
			}
		}
		if len(steps) == 0 {
			steps = append(steps, "Read the acknowledgment's errors, correct the record and submit the claim again (it never reached adjudication, so it goes again as an original, frequency 1).")
		}
		it.NextStep = strings.Join(steps, " ")
		it.Source = WorklistSource{Kind: EventAcknowledgment, AcknowledgmentID: h.ack.AcknowledgmentID, Date: h.ackAt.UTC().Format(time.DateOnly)}
		it.Deadlines = deadlines(terms, "", it.ServiceDate, today)
		return []WorklistItem{it}
	}
	if len(h.remits) == 0 {
		return nil
	}
	r := h.remits[len(h.remits)-1]
	base.Source = WorklistSource{Kind: EventRemittance, RemittanceID: r.RemittanceID, Date: r.PaymentDate}
	var out []WorklistItem
	add := func(i int, f *remit.Finding, category string, amount money.Amount, step string) {
		it := base
		if f != nil {
			idx := i
			it.Finding = &idx
			if d := lineDate(h.rec, f.LineControlNumber); d != "" {
				it.ServiceDate = d
			}
			for _, c := range f.Codes {
				it.Codes = append(it.Codes, WorklistCode{Code: c, Text: codeText(c)})
			}
		}
		it.Category, it.OpenAmount, it.NextStep = category, amount, step
		it.Deadlines = deadlines(terms, r.PaymentDate, it.ServiceDate, today)
		out = append(out, it)
	}
	switch h.claim.Status {
	case StatusDenied, StatusPartiallyPaid:
		for i := range r.Findings {
			f := &r.Findings[i]
			if f.Category.IsDenial() && f.Category != codes.Pended {
				add(i, f, string(f.Category), f.Amount, f.NextStep)
			}
		}
		if len(out) == 0 && h.claim.Status == StatusDenied {
			add(0, nil, string(codes.Other), r.Charge.Sub(r.Paid),
				"The payer denied the claim without a reason code: call the payer (the 835's PER*BL contact) for the reason before correcting or appealing.")
		}
	case StatusReversed:
		add(0, nil, CategoryReversed, totalCharge(h.rec),
			fmt.Sprintf("The payer reversed its payment (CLP02 22) and sent no correction: ask the payer why, then send a replacement claim (frequency 7) with REF*F8 = %s if the claim needs correcting.", orUnknown(r.PayerClaimNumber)))
	case StatusPended:
		paid, err := time.Parse(time.DateOnly, r.PaymentDate)
		if err != nil || today.Sub(paid) < PendedOpenAfter {
			return nil
		}
		for i := range r.Findings {
			f := &r.Findings[i]
			if f.Category == codes.Pended {
				add(i, f, string(codes.Pended), f.Amount, f.NextStep)
			}
		}
		if len(out) == 0 {
			add(0, nil, string(codes.Pended), r.Charge.Sub(r.Paid),
				"The payer pended the claim more than 30 days ago: send a claim status request (276) or call the payer, and send what it asks for.")
		}
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "the payer's claim number (CLP07)"
	}
	return s
}

// codeText is a finding code's text: "CO-16" is CARC 16, "N850" a RARC.
func codeText(c string) string {
	if _, reason, ok := strings.Cut(c, "-"); ok {
		if i, ok := codes.CARC(reason); ok {
			return i.Text()
		}
		return ""
	}
	if i, ok := codes.RARC(c); ok {
		return i.Text()
	}
	return ""
}

// deadlines computes an item's deadlines from the payer's terms.
func deadlines(t profile.Terms, remitDate, serviceDate string, today time.Time) WorklistDeadline {
	d := WorklistDeadline{AppealDays: t.AppealDays, FilingDays: t.FilingDays}
	if sd, err := time.Parse(time.DateOnly, serviceDate); err == nil {
		d.TimelyFiling = sd.AddDate(0, 0, t.FilingDays).Format(time.DateOnly)
	}
	d.Next, d.NextKind = d.TimelyFiling, "timely_filing"
	if rd, err := time.Parse(time.DateOnly, remitDate); err == nil {
		a := rd.AddDate(0, 0, t.AppealDays).Format(time.DateOnly)
		d.Appeal = &a
		if d.Next == "" || a < d.Next {
			d.Next, d.NextKind = a, "appeal"
		}
	}
	if nd, err := time.Parse(time.DateOnly, d.Next); err == nil {
		day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
		d.DaysLeft = int(nd.Sub(day).Hours() / 24)
	}
	return d
}

func firstServiceDate(rec *record.Record) string {
	first := ""
	for _, sv := range rec.Services {
		if sv.Date != "" && (first == "" || sv.Date < first) {
			first = sv.Date
		}
	}
	return first
}

func lineDate(rec *record.Record, lineID string) string {
	if lineID == "" {
		return ""
	}
	for _, sv := range rec.Services {
		if sv.LineID == lineID {
			return sv.Date
		}
	}
	return ""
}

func totalCharge(rec *record.Record) money.Amount {
	var sum money.Amount
	for _, sv := range rec.Services {
		if sv.Charge != nil {
			sum = sum.Add(*sv.Charge)
		}
	}
	return sum
}

// worklistKey is an item's place in the order, and the cursor's content.
type worklistKey struct {
	Deadline string       `json:"d"`
	Amount   money.Amount `json:"a"`
	ClaimID  string       `json:"c"`
	Index    int          `json:"i"`
	Category string       `json:"k"`
}

func keyOf(it WorklistItem) worklistKey {
	i := -1
	if it.Finding != nil {
		i = *it.Finding
	}
	return worklistKey{Deadline: it.Deadlines.Next, Amount: it.OpenAmount, ClaimID: it.ClaimID, Index: i, Category: it.Category}
}

// compare orders by deadline, then amount (largest first), claim id,
// finding index and category.
func (k worklistKey) compare(o worklistKey) int {
	return cmp.Or(
		cmp.Compare(k.Deadline, o.Deadline),
		o.Amount.Cmp(k.Amount),
		cmp.Compare(k.ClaimID, o.ClaimID),
		cmp.Compare(k.Index, o.Index),
		cmp.Compare(k.Category, o.Category),
	)
}

func (k worklistKey) encode() string {
	b, _ := json.Marshal(k)
	return "w1." + base64.RawURLEncoding.EncodeToString(b)
}

// decodeWorklistCursor reads a cursor encode wrote.
func decodeWorklistCursor(c string) (worklistKey, error) {
	var k worklistKey
	rest, ok := strings.CutPrefix(c, "w1.")
	if !ok || len(c) > 1024 {
		return k, ErrBadCursor
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return k, ErrBadCursor
	}
	if err := json.Unmarshal(b, &k); err != nil || k.ClaimID == "" || k.Index < -1 {
		return k, ErrBadCursor
	}
	return k, nil
}
