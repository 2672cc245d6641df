package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/casebridge/casebridge/internal/claims"
	"github.com/casebridge/casebridge/internal/profile"
	"github.com/casebridge/casebridge/internal/record"
)

// History checks: what the scrubber can only tell with the tenant's other
// claims at hand. They run for every stored claim (POST /v1/claims, record or
// FHIR, and corrections), after the scrubber and before a control number is
// drawn:
//
//   - DUPLICATE_SERVICE (error): the same patient (member id + birth date)
//     has D9997 on the same date in another stored claim that went out (not
//     rejected, not voided, not superseded by a replacement, not the claim
//     this one replaces, and with another record id: a claim stored again
//     under the same record id, CLM01, is the same claim sent again, which
//     the 837D's own CLM01 lets the payer tell). Payers deny the second as a duplicate
//     (CARC 18, "exact duplicate claim/service", X12 CARC list), so it is
//     stopped here. The message names the other claim ids.
//   - FREQUENCY_LIMIT (warning): with the payer's d9997_frequency
//     (trading-partner profile payers[]), more D9997 services for the patient
//     and payer in the calendar year, quarter or month of the service date
//     than the limit (payers deny the excess with CARC 119 / RARC N640,
//     "exceeds frequency limits"). The message names the prior claim ids.
//
// The reads are not in the claim's transaction: two submissions racing for
// the same patient and date may both pass (the payer still catches them).

// Problem codes of the history checks.
const (
	CodeDuplicateService = "DUPLICATE_SERVICE"
	CodeFrequencyLimit   = "FREQUENCY_LIMIT"
)

// PatientKey is the key a claim's patient is found by: the SHA-256 (hex) of
// the subscriber's member id (trimmed, upper case) and the patient's birth
// date (the dependent's when there is one, else the subscriber's), so the
// index holds no PHI. "" when the record has no member id.
func PatientKey(rec *record.Record) string {
	member := strings.ToUpper(strings.TrimSpace(rec.Subscriber.MemberID))
	if member == "" {
		return ""
	}
	birth := rec.Subscriber.BirthDate
	if rec.Patient != nil {
		birth = rec.Patient.BirthDate
	}
	sum := sha256.Sum256([]byte(member + "\x00" + birth))
	return hex.EncodeToString(sum[:])
}

// linkClaim stores a new claim's links, and for a correction the
// "correction" event on the claim it replaces (in the claim's transaction).
func (s *Service) linkClaim(ctx context.Context, tx Store, tenant string, c Claim, rec *record.Record, replaces string) error {
	if c.Status == StatusRejected {
		// a replacement the scrubber refused replaces nothing: the original
		// stays open (its "stored" event still names it)
		replaces = ""
	}
	if err := tx.SetClaimLinks(ctx, tenant, ClaimLinks{ClaimID: c.ID, PatientKey: PatientKey(rec), Replaces: replaces}); err != nil {
		return err
	}
	if replaces == "" {
		return nil
	}
	freq := rec.Frequency
	if freq == "" {
		freq = record.FrequencyOriginal
	}
	_, err := tx.AppendEvent(ctx, tenant, Event{ClaimID: replaces, Kind: EventCorrection, At: c.CreatedAt,
		Payload: mustJSON(correctionEvent{ClaimID: c.ID, Frequency: freq, Status: c.Status})})
	return err
}

// correctionEvent is the payload of a "correction" event on the original.
type correctionEvent struct {
	ClaimID   string      `json:"claim_id"`  // the replacement's id
	Frequency string      `json:"frequency"` // replacement | void
	Status    ClaimStatus `json:"status"`    // the replacement's status (submitted, or rejected by the scrubber)
}

// priorService is one D9997 line of another claim of the patient.
type priorService struct {
	claimID  string
	recordID string
	payerID  string
	date     string
}

// historyCheck reads the patient's other claims and returns the
// claims.Options.History function of one submission (nil when there is
// nothing to check against). Its error is the store's.
func (s *Service) historyCheck(ctx context.Context, tenant string, prof *profile.Profile, rec *record.Record, replaces string) (func(*record.Record) record.Problems, error) {
	prior, err := s.priorServices(ctx, tenant, PatientKey(rec), replaces)
	if err != nil || len(prior) == 0 {
		return nil, err
	}
	return func(rec *record.Record) record.Problems {
		return historyProblems(rec, prior, prof.PayerTerms(rec.Payer.ID))
	}, nil
}

// priorServices lists the D9997 lines of the patient's other live claims.
func (s *Service) priorServices(ctx context.Context, tenant, key, replaces string) ([]priorService, error) {
	if key == "" {
		return nil, nil
	}
	links, err := s.store.ListClaimLinks(ctx, tenant, ClaimLinkFilter{PatientKey: key})
	if err != nil {
		return nil, err
	}
	skip := map[string]bool{}
	if replaces != "" {
		skip[replaces] = true
	}
	for _, l := range links {
		if l.Replaces != "" {
			skip[l.Replaces] = true // superseded (or voided) by a later claim
		}
	}
	var out []priorService
	for _, l := range links {
		if skip[l.ClaimID] {
			continue
		}
		c, err := s.store.GetClaim(ctx, tenant, l.ClaimID)
		if err != nil {
			return nil, err
		}
		if c.Status == StatusRejected {
			continue
		}
		rec, probs, err := record.DecodeBytes(c.Record)
		if err != nil || probs.HasErrors() {
			continue
		}
		rec = rec.WithDefaults()
		if rec.Frequency == record.FrequencyVoid {
			continue
		}
		for _, sv := range rec.Services {
			if sv.Code == "D9997" {
				out = append(out, priorService{claimID: c.ID, recordID: c.RecordID, payerID: rec.Payer.ID, date: sv.Date})
			}
		}
	}
	return out, nil
}

// historyProblems checks rec's D9997 lines against the prior ones.
func historyProblems(rec *record.Record, all []priorService, terms profile.Terms) record.Problems {
	var prior []priorService
	for _, p := range all {
		// a claim with the same record id (CLM01) is this claim sent
		// again, not another claim of the patient
		if p.recordID != rec.RecordID {
			prior = append(prior, p)
		}
	}
	var ps record.Problems
	fr := terms.D9997Frequency
	var own []string // this claim's D9997 dates so far
	for i, sv := range rec.Services {
		if sv.Code != "D9997" || sv.Date == "" {
			continue
		}
		ptr := record.Pointer("services", i, "date")
		var dups []string
		for _, p := range prior {
			if p.date == sv.Date && !slices.Contains(dups, p.claimID) {
				dups = append(dups, p.claimID)
			}
		}
		if len(dups) > 0 {
			ps = append(ps, record.Problem{Severity: record.SeverityError, Code: CodeDuplicateService, Pointer: ptr,
				Message: fmt.Sprintf("D9997 on this date is already billed for the same patient (member id and birth date) in claim %s; correct that claim (replacement) instead of billing the service again.", strings.Join(dups, ", "))})
			continue
		}
		own = append(own, sv.Date)
		if fr == nil {
			continue
		}
		period, ok := periodOf(sv.Date, fr.Per)
		if !ok {
			continue
		}
		var ids []string
		n := 0
		for _, p := range prior {
			if q, ok := periodOf(p.date, fr.Per); ok && q == period && p.payerID == rec.Payer.ID {
				n++
				if !slices.Contains(ids, p.claimID) {
					ids = append(ids, p.claimID)
				}
			}
		}
		for _, d := range own {
			if q, ok := periodOf(d, fr.Per); ok && q == period {
				n++
			}
		}
		if n > fr.Count && len(ids) > 0 {
			ps = append(ps, record.Problem{Severity: record.SeverityWarning, Code: CodeFrequencyLimit, Pointer: ptr,
				Message: fmt.Sprintf("This is D9997 service %d for the patient with this payer in the %s (%s), over the payer's limit of %d per %s (trading-partner profile); prior claims: %s. Expect a frequency denial (CARC 119, RARC N640) unless the payer grants an exception.",
					n, fr.Per, period, fr.Count, fr.Per, strings.Join(ids, ", "))})
		}
	}
	return ps
}

// periodOf names the calendar period of a date: "2026", "2026-Q4",
// "2026-11".
func periodOf(date, per string) (string, bool) {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return "", false
	}
	switch per {
	case profile.PerYear:
		return fmt.Sprintf("%d", d.Year()), true
	case profile.PerQuarter:
		return fmt.Sprintf("%d-Q%d", d.Year(), (int(d.Month())-1)/3+1), true
	case profile.PerMonth:
		return d.Format("2006-01"), true
	}
	return "", false
}

// CheckRecordHistory is CheckRecord with the history checks against the
// tenant's stored claims (casebridge check --data DIR): the scrubber's
// report plus DUPLICATE_SERVICE and FREQUENCY_LIMIT, errors first. Nothing
// is stored. The error is a *record.SyntaxError when data is not one JSON
// object, or the store's.
func (s *Service) CheckRecordHistory(ctx context.Context, tenant string, data []byte, prof *profile.Profile, today time.Time) (*Report, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	rep, err := CheckRecord(data, prof, today)
	if err != nil {
		return nil, err
	}
	rec, probs, err := record.DecodeBytes(data)
	if err != nil || probs.HasErrors() {
		return rep, nil // shape problems: the report says so already
	}
	hist, err := s.historyCheck(ctx, tenant, prof, rec, "")
	if err != nil || hist == nil {
		return rep, err
	}
	more := hist(rec.WithDefaults())
	if len(more) == 0 {
		return rep, nil
	}
	ps := append(rep.Problems.Errors(), more.Errors()...)
	ps = append(ps, rep.Problems.Warnings()...)
	ps = append(ps, more.Warnings()...)
	return claims.NewReport(rep.RecordID, ps), nil
}
