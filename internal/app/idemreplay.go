package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/casebridge/casebridge/internal/claims"
	"github.com/casebridge/casebridge/mapping/claim837"
	"github.com/casebridge/casebridge/mapping/fhirmap"
)

// The Idempotency-Key is stored on the object a request creates (a claim or a
// remittance), in the transaction that creates it, unique per tenant. The key's
// answer (Idempotency.Finish) is committed afterwards, so a crash between the
// two commits leaves an object whose key is still in flight; once the lease
// runs out a retry with the key takes it over and runs the handler again.
// The handler then finds the object by its key and answers what the first
// request answered, rendered from the stored object, instead of storing it a
// second time (a second claim would be a second 837D, with a new ISA13, for
// one claim). Two requests racing on one key meet at the unique index: the
// loser's transaction is rolled back and it answers with the winner's object.

// ErrIdempotencyKeyReused: the Idempotency-Key already created an object from
// another request (its answer was purged, the object still holds the key).
// HTTP 422, as the middleware's IDEMPOTENCY_KEY_REUSED.
var ErrIdempotencyKeyReused = errors.New("idempotency key already used for another request")

// claimByKey is the tenant's claim created under key, if any. raw is this
// request's record (as submit stores it): a claim stored from another record
// is ErrIdempotencyKeyReused.
func (s *Service) claimByKey(ctx context.Context, st Store, tenant, key string, raw json.RawMessage) (Claim, bool, error) {
	if key == "" {
		return Claim{}, false, nil
	}
	c, err := st.ClaimByIdempotencyKey(ctx, tenant, key)
	if errors.Is(err, ErrNotFound) {
		return Claim{}, false, nil
	}
	if err != nil {
		return Claim{}, false, err
	}
	if raw != nil && !bytes.Equal(c.Record, raw) {
		return Claim{}, false, fmt.Errorf("app: claim %s: %w", c.ID, ErrIdempotencyKeyReused)
	}
	return c, true, nil
}

// storedResult is the answer submit gave when it stored c: the same id,
// status, record id, control numbers and problems (the scrub report's, with
// m's mapping warnings and FHIRPath expressions for a FHIR submission; m is
// the mapping of the same body, so it is the same as the first time).
func storedResult(c Claim, m *fhirmap.Mapped) (*SubmitResult, error) {
	var rep claims.Report
	if err := json.Unmarshal(c.ScrubReport, &rep); err != nil {
		return nil, fmt.Errorf("app: claim %s: scrub report: %w", c.ID, err)
	}
	res := &SubmitResult{ID: c.ID, Status: c.Status, RecordID: c.RecordID, Problems: submitProblems(rep.Problems, m)}
	if c.Control != nil {
		cn := claim837.ControlNumbersFor(int(c.Control.Interchange))
		res.ControlNumbers = &cn
	}
	return res, nil
}

// RemittanceOptions are SubmitRemittance's optional settings.
type RemittanceOptions struct {
	// IdempotencyKey is the request's Idempotency-Key ("" for none), stored
	// with the remittance (see claimByKey).
	IdempotencyKey string
}

// remittanceByKey is the tenant's remittance created under key, if any; one
// stored from another 835 is ErrIdempotencyKeyReused.
func remittanceByKey(ctx context.Context, st Store, tenant, key string, raw []byte) (*RemittanceResult, bool, error) {
	if key == "" {
		return nil, false, nil
	}
	r, err := st.RemittanceByIdempotencyKey(ctx, tenant, key)
	if errors.Is(err, ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if !bytes.Equal(r.Raw, raw) {
		return nil, false, fmt.Errorf("app: remittance %s: %w", r.ID, ErrIdempotencyKeyReused)
	}
	res, err := storedRemittanceResult(r)
	return res, err == nil, err
}

// storedRemittanceResult is the answer SubmitRemittance gave when it stored
// r: the summary is the one in the stored findings report, byte for byte.
func storedRemittanceResult(r Remittance) (*RemittanceResult, error) {
	var f struct {
		Summary json.RawMessage `json:"summary"`
	}
	if err := json.Unmarshal(r.Findings, &f); err != nil {
		return nil, fmt.Errorf("app: remittance %s: findings: %w", r.ID, err)
	}
	res := &RemittanceResult{ID: r.ID, Claims: r.Counts.Claims, Matched: r.Counts.Matched, Unmatched: []string{}, Summary: f.Summary}
	for _, l := range r.Links {
		if l.ClaimID == "" {
			res.Unmatched = append(res.Unmatched, l.CLP01)
		}
	}
	return res, nil
}
