package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/casebridge/casebridge/internal/codes"
	"github.com/casebridge/casebridge/internal/money"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/mapping/remit"
)

// RemittanceResult is the body of POST /v1/remittances (201): the stored
// remittance's id, how many CLP claims it held, how many matched a stored
// claim, the patient control numbers (CLP01) of the others, in file order
// (they are stored too, never dropped), and the findings summary.
type RemittanceResult struct {
	ID        string          `json:"id"`
	Claims    int             `json:"claims"`
	Matched   int             `json:"matched"`
	Unmatched []string        `json:"unmatched"`
	Summary   json.RawMessage `json:"summary"`
}

// Location is the remittance's URL path.
func (r *RemittanceResult) Location() string { return RemittancePath(r.ID) }

// RemittancePath is the URL path of a stored remittance.
func RemittancePath(id string) string { return "/v1/remittances/" + id }

// RemittanceDetail is GET /v1/remittances/{id}: the result above, when it
// was stored, and each CLP with the claim it matched (claim_id null when
// none) and its outcome, in file order.
type RemittanceDetail struct {
	RemittanceResult
	CreatedAt time.Time        `json:"created_at"`
	Links     []RemittanceItem `json:"links"`
}

// RemittanceItem is one CLP of a stored remittance.
type RemittanceItem struct {
	PatientControlNumber string  `json:"patient_control_number"` // CLP01
	ClaimID              *string `json:"claim_id"`
	Outcome              string  `json:"outcome"` // the claim status it led to (a ClaimStatus)
}

// remitClaim is one CLP as the service needs it.
type remitClaim struct {
	report  *remit.ClaimReport
	payer   remit.ReportPayer
	payment remit.ReportPayment
}

// read835 is the one place that reads an 835 (mapping/remit): the claims in
// file order, the findings report as JSON and its summary. An unreadable
// file is a *DecodeError (422) wrapping the *x12.Error.
// TODO(remit streaming): switch to remit.Stream/remit.Findings with a Sink
// here; nothing else in this package touches mapping/remit's reader.
func read835(raw []byte) (claims []remitClaim, findings, summary json.RawMessage, err error) {
	rep, err := remit.BuildReport(bytes.NewReader(raw), remit.Options{})
	if err != nil {
		return nil, nil, nil, &DecodeError{Status: 422, Err: err}
	}
	for i := range rep.Remittances {
		rem := &rep.Remittances[i]
		for j := range rem.Claims {
			claims = append(claims, remitClaim{report: &rem.Claims[j], payer: rem.Payer, payment: rem.Payment})
		}
	}
	if findings, err = json.Marshal(rep); err != nil {
		return nil, nil, nil, fmt.Errorf("app: findings: %w", err)
	}
	if summary, err = json.Marshal(rep.Summary); err != nil {
		return nil, nil, nil, fmt.Errorf("app: findings summary: %w", err)
	}
	return claims, findings, summary, nil
}

// SubmitRemittance is POST /v1/remittances: reads the 835, stores it with
// its findings report, and reconciles every CLP against the tenant's stored
// claims, all in one transaction:
//
//   - a CLP matches the claim whose record_id is CLP01 (of several, the one
//     whose payer claim number is CLP07, else the newest; rejected claims
//     never went out and are skipped), else the claim whose payer claim
//     number is CLP07; otherwise it is kept unmatched and listed;
//   - a matched claim gets CLP07 as its payer claim number, the status the
//     CLP leads to (ClaimOutcome) and a "remittance" timeline event with
//     the outcome, the amounts, the findings and its lines, each matched to
//     the claim's service line by REF*6R = line_id;
//   - CLPs are applied in file order, so a reversal (CLP02 22) followed by
//     its correction leaves the correction's outcome, in one 835 or across
//     two.
//
// Errors: *DecodeError (422, wrapping the *x12.Error with its position) for
// a file that is not a readable 835; nothing is stored then.
//
// With opts' IdempotencyKey, the key is stored with the remittance, and a
// remittance already stored under it is answered again (idemreplay.go).
func (s *Service) SubmitRemittance(ctx context.Context, tenant string, x12 []byte, opts ...RemittanceOptions) (*RemittanceResult, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	var key string
	for _, o := range opts {
		key = o.IdempotencyKey
	}
	clps, findings, summary, err := read835(x12)
	if err != nil {
		return nil, err
	}
	if err := s.ensureTenant(ctx, tenant); err != nil {
		return nil, err
	}
	if old, ok, err := remittanceByKey(ctx, s.store, tenant, key, x12); err != nil || ok {
		return old, err
	}
	now := s.now()
	rem := Remittance{ID: NewID(), Tenant: tenant, Raw: x12, Findings: findings, CreatedAt: now, IdempotencyKey: key}
	res := &RemittanceResult{ID: rem.ID, Claims: len(clps), Unmatched: []string{}, Summary: summary}
	err = s.store.WithTx(ctx, func(tx Store) error {
		res.Matched, res.Unmatched = 0, []string{}
		rem.Links = make([]RemittanceLink, 0, len(clps))
		for _, rc := range clps {
			cr := rc.report
			outcome := ClaimOutcome(cr)
			clp01, clp07 := storedText(cr.PatientControlNumber), cr.PayerClaimControlNumber
			if !storableID(clp07) {
				clp07 = ""
			}
			link := RemittanceLink{CLP01: clp01, Outcome: string(outcome)}
			c, ok, err := matchClaim(ctx, tx, tenant, cr.PatientControlNumber, clp07)
			if err != nil {
				return err
			}
			if !ok {
				res.Unmatched = append(res.Unmatched, clp01)
				rem.Links = append(rem.Links, link)
				continue
			}
			res.Matched++
			link.ClaimID = c.ID
			rem.Links = append(rem.Links, link)
			u := ClaimUpdate{Status: &outcome, At: now}
			if clp07 != "" {
				u.PayerClaimNumber = &clp07
			}
			if _, err := tx.UpdateClaim(ctx, tenant, c.ID, u); err != nil {
				return err
			}
			ev := remittanceEvent{
				RemittanceID: rem.ID, Outcome: outcome, PreviousStatus: c.Status,
				PatientControlNumber: cr.PatientControlNumber, PayerClaimNumber: cr.PayerClaimControlNumber,
				StatusCode: cr.StatusCode, PayerStatus: cr.Status, PaymentOutcome: cr.PaymentOutcome,
				Charge: cr.Charge, Paid: cr.Paid, PatientResponsibility: cr.PatientResponsibility,
				Payer: rc.payer, PaymentDate: rc.payment.Date, TraceNumber: rc.payment.TraceNumber,
				Findings: cr.Findings, Lines: matchLines(c, cr.Lines),
			}
			if ev.Findings == nil {
				ev.Findings = []remit.Finding{}
			}
			if _, err := tx.AppendEvent(ctx, tenant, Event{ClaimID: c.ID, Kind: EventRemittance, At: now, Payload: mustJSON(ev)}); err != nil {
				return err
			}
		}
		rem.Counts = RemittanceCounts{Claims: len(clps), Matched: res.Matched, Unmatched: len(clps) - res.Matched}
		_, err := tx.CreateRemittance(ctx, rem)
		return err
	})
	if errors.Is(err, ErrConflict) && key != "" {
		// another request with the key stored its remittance meanwhile
		if old, ok, err := remittanceByKey(ctx, s.store, tenant, key, x12); err != nil || ok {
			return old, err
		}
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// matchClaim finds the stored claim a CLP is about (see SubmitRemittance).
// Reads run in the transaction, so a claim updated by an earlier CLP of the
// same file is seen as updated.
func matchClaim(ctx context.Context, tx Store, tenant, clp01, clp07 string) (Claim, bool, error) {
	if storableID(clp01) {
		cands, err := tx.FindClaims(ctx, tenant, ClaimMatch{RecordID: clp01})
		if err != nil {
			return Claim{}, false, err
		}
		if c, ok := pick(cands, clp07); ok {
			return c, true, nil
		}
	}
	if clp07 != "" {
		cands, err := tx.FindClaims(ctx, tenant, ClaimMatch{PayerClaimNumber: clp07})
		if err != nil {
			return Claim{}, false, err
		}
		if c, ok := pick(cands, clp07); ok {
			return c, true, nil
		}
	}
	return Claim{}, false, nil
}

// storedText makes an 835 value safe to store as text: valid UTF-8, no NUL,
// at most MaxStoredID bytes (a longer CLP01 matches nothing anyway).
func storedText(s string) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
	for len(s) > MaxStoredID {
		_, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
	}
	return s
}

// pick chooses among candidates (newest first): the one already carrying
// this payer claim number, else the newest; never a rejected claim.
func pick(cands []Claim, clp07 string) (Claim, bool) {
	var newest *Claim
	for i := range cands {
		c := &cands[i]
		if c.Status == StatusRejected {
			continue
		}
		if clp07 != "" && c.PayerClaimNumber == clp07 {
			return *c, true
		}
		if newest == nil {
			newest = c
		}
	}
	if newest == nil {
		return Claim{}, false
	}
	return *newest, true
}

// ClaimOutcome is the status an 835 claim (CLP) gives the stored claim:
//
//   - CLP02 22 (reversal): reversed;
//   - CLP02 4: denied;
//   - CLP02 1, 2, 3, 19, 20, 21 (processed): judged on the amounts and the
//     findings. Something paid (CLP04 > 0): paid, or partially_paid when a
//     part of it was denied or pended (a finding in a denial category, e.g.
//     one line denied as over the frequency limit); contractual
//     write-offs and patient responsibility do not make a payment partial.
//     Nothing paid: denied when a finding is a denial, pended when one is
//     pended, else paid (adjudicated, nothing owed by the payer: e.g. all
//     applied to the deductible);
//   - anything else (pended statuses, 23 forwarded to another payer, 25
//     predetermination): pended, nothing final yet.
func ClaimOutcome(cr *remit.ClaimReport) ClaimStatus {
	switch remit.Status(cr.StatusCode) {
	case remit.StatusReversed:
		return StatusReversed
	case remit.StatusDenied:
		return StatusDenied
	case remit.StatusPaid:
	default:
		return StatusPended
	}
	var denied, pended bool
	for _, f := range cr.Findings {
		switch {
		case f.Category == codes.Pended:
			pended = true
		case f.Category.IsDenial():
			denied = true
		}
	}
	switch {
	case cr.Paid.Sign() > 0 && (denied || pended):
		return StatusPartiallyPaid
	case cr.Paid.Sign() > 0:
		return StatusPaid
	case denied:
		return StatusDenied
	case pended:
		return StatusPended
	}
	return StatusPaid
}

// remittanceEvent is the payload of a "remittance" timeline event. It
// carries codes, amounts and our own wording, never names or member ids.
type remittanceEvent struct {
	RemittanceID          string              `json:"remittance_id"`
	Outcome               ClaimStatus         `json:"outcome"`         // the claim's status after it
	PreviousStatus        ClaimStatus         `json:"previous_status"` // before it
	PatientControlNumber  string              `json:"patient_control_number"`
	PayerClaimNumber      string              `json:"payer_claim_number"`
	StatusCode            string              `json:"status_code"`     // CLP02
	PayerStatus           string              `json:"payer_status"`    // the findings report's status
	PaymentOutcome        string              `json:"payment_outcome"` // full | partial | none
	Charge                money.Amount        `json:"charge"`
	Paid                  money.Amount        `json:"paid"`
	PatientResponsibility money.Amount        `json:"patient_responsibility"`
	Payer                 remit.ReportPayer   `json:"payer"`
	PaymentDate           string              `json:"payment_date"`
	TraceNumber           string              `json:"trace_number"`
	Findings              []remit.Finding     `json:"findings"`
	Lines                 []remittanceLineRef `json:"lines"`
}

// remittanceLineRef is one SVC of a remittance and the claim's service line
// it matched by REF*6R = line_id (service_index is zero-based, as in the
// record's pointers; null when no line of the claim has that id).
type remittanceLineRef struct {
	LineControlNumber string       `json:"line_control_number"`
	ServiceIndex      *int         `json:"service_index"`
	Procedure         string       `json:"procedure"`
	Charge            money.Amount `json:"charge"`
	Paid              money.Amount `json:"paid"`
}

// matchLines matches the 835 lines to the stored record's service lines by
// line id (defaults applied: <record_id>-<n>).
func matchLines(c Claim, lines []remit.LineReport) []remittanceLineRef {
	ids := map[string]int{}
	if rec, probs, err := record.DecodeBytes(c.Record); err == nil && !probs.HasErrors() {
		for i, sv := range rec.WithDefaults().Services {
			ids[sv.LineID] = i
		}
	}
	out := make([]remittanceLineRef, 0, len(lines))
	for _, l := range lines {
		ref := remittanceLineRef{LineControlNumber: l.LineControlNumber, Procedure: l.Procedure, Charge: l.Charge, Paid: l.Paid}
		if i, ok := ids[l.LineControlNumber]; ok && l.LineControlNumber != "" {
			ref.ServiceIndex = &i
		}
		out = append(out, ref)
	}
	return out
}

// GetRemittance is GET /v1/remittances/{id}.
func (s *Service) GetRemittance(ctx context.Context, tenant, id string) (*RemittanceDetail, error) {
	r, err := s.remittance(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	var rep struct {
		Summary json.RawMessage `json:"summary"`
	}
	if err := json.Unmarshal(r.Findings, &rep); err != nil {
		return nil, fmt.Errorf("app: stored findings: %w", err)
	}
	d := &RemittanceDetail{
		RemittanceResult: RemittanceResult{ID: r.ID, Claims: r.Counts.Claims, Matched: r.Counts.Matched, Unmatched: []string{}, Summary: rep.Summary},
		CreatedAt:        r.CreatedAt,
		Links:            make([]RemittanceItem, 0, len(r.Links)),
	}
	for _, l := range r.Links {
		it := RemittanceItem{PatientControlNumber: l.CLP01, Outcome: l.Outcome}
		if l.ClaimID != "" {
			id := l.ClaimID
			it.ClaimID = &id
		} else {
			d.Unmatched = append(d.Unmatched, l.CLP01)
		}
		d.Links = append(d.Links, it)
	}
	return d, nil
}

// RemittanceFindings is GET /v1/remittances/{id}/findings: the findings
// report as stored (the JSON of POST /v1/remittances/findings).
func (s *Service) RemittanceFindings(ctx context.Context, tenant, id string) (json.RawMessage, error) {
	r, err := s.remittance(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	return r.Findings, nil
}

// RemittanceX12 is GET /v1/remittances/{id}/835: the 835 as received.
func (s *Service) RemittanceX12(ctx context.Context, tenant, id string) ([]byte, error) {
	r, err := s.remittance(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	return r.Raw, nil
}

func (s *Service) remittance(ctx context.Context, tenant, id string) (Remittance, error) {
	if err := checkTenant(tenant); err != nil {
		return Remittance{}, err
	}
	if !storableID(id) {
		return Remittance{}, fmt.Errorf("app: remittance: %w", ErrNotFound)
	}
	return s.store.GetRemittance(ctx, tenant, id)
}
