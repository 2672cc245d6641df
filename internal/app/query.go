package app

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/casebridge/casebridge/mapping/claim837"
)

// ClaimSummary is a claim as listed (GET /v1/claims items) and the head of
// GET /v1/claims/{id}.
type ClaimSummary struct {
	ID               string                   `json:"id"`
	RecordID         string                   `json:"record_id"`
	Status           ClaimStatus              `json:"status"`
	ControlNumbers   *claim837.ControlNumbers `json:"control_numbers"`    // null when rejected
	PayerClaimNumber string                   `json:"payer_claim_number"` // CLP07 of its last remittance, "" before
	CreatedAt        time.Time                `json:"created_at"`
	UpdatedAt        time.Time                `json:"updated_at"`
}

// ClaimDetail is GET /v1/claims/{id}: the summary, the record as stored
// and the scrub report ({record_id, valid, error_count, warning_count,
// problems}).
type ClaimDetail struct {
	ClaimSummary
	Record      json.RawMessage `json:"record"`
	ScrubReport json.RawMessage `json:"scrub_report"`
}

// ClaimList is GET /v1/claims: newest first; NextCursor is null on the last
// page.
type ClaimList struct {
	Items      []ClaimSummary `json:"items"`
	NextCursor *string        `json:"next_cursor"`
}

// ClaimQuery is GET /v1/claims's query: status, record_id, limit (0 for
// DefaultListLimit, at most MaxListLimit) and cursor.
type ClaimQuery struct {
	Status   ClaimStatus
	RecordID string
	Limit    int
	Cursor   string
}

func summary(c Claim) ClaimSummary {
	s := ClaimSummary{ID: c.ID, RecordID: c.RecordID, Status: c.Status, PayerClaimNumber: c.PayerClaimNumber,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	if c.Control != nil {
		cn := claim837.ControlNumbersFor(int(c.Control.Interchange))
		s.ControlNumbers = &cn
	}
	return s
}

// GetClaim is GET /v1/claims/{id}.
func (s *Service) GetClaim(ctx context.Context, tenant, id string) (*ClaimDetail, error) {
	c, err := s.claim(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	return &ClaimDetail{ClaimSummary: summary(c), Record: c.Record, ScrubReport: c.ScrubReport}, nil
}

func (s *Service) claim(ctx context.Context, tenant, id string) (Claim, error) {
	if err := checkTenant(tenant); err != nil {
		return Claim{}, err
	}
	if !storableID(id) {
		return Claim{}, fmt.Errorf("app: claim: %w", ErrNotFound)
	}
	return s.store.GetClaim(ctx, tenant, id)
}

// ClaimX12 is GET /v1/claims/{id}/837d: the stored 837D bytes
// (application/edi-x12). ErrNotFound for a rejected claim, which has none.
func (s *Service) ClaimX12(ctx context.Context, tenant, id string) ([]byte, error) {
	c, err := s.claim(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	if c.X12 == nil {
		return nil, fmt.Errorf("app: claim has no 837D: %w", ErrNotFound)
	}
	return c.X12, nil
}

// ClaimFHIR is GET /v1/claims/{id}/fhir: the stored FHIR R4 Claim Bundle
// (application/fhir+json). ErrNotFound for a rejected claim: like the 837D,
// the Bundle is written only for a clean record.
func (s *Service) ClaimFHIR(ctx context.Context, tenant, id string) ([]byte, error) {
	c, err := s.claim(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	if c.FHIRBundle == nil {
		return nil, fmt.Errorf("app: claim has no FHIR bundle: %w", ErrNotFound)
	}
	return c.FHIRBundle, nil
}

// ListClaims is GET /v1/claims. ErrInvalid for a limit outside
// 0..MaxListLimit or an unknown status; ErrBadCursor for a cursor this
// service did not issue (both 400).
func (s *Service) ListClaims(ctx context.Context, tenant string, q ClaimQuery) (*ClaimList, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	if q.Limit < 0 || q.Limit > MaxListLimit {
		return nil, fmt.Errorf("app: limit must be 1..%d: %w", MaxListLimit, ErrInvalid)
	}
	if q.Status != "" && !q.Status.Valid() {
		return nil, fmt.Errorf("app: unknown status: %w", ErrInvalid)
	}
	if q.Cursor != "" {
		if _, id, err := DecodeCursor(q.Cursor); err != nil || !storableID(id) {
			return nil, fmt.Errorf("app: %w", ErrBadCursor)
		}
	}
	if q.RecordID != "" && !storableID(q.RecordID) {
		// no claim has such a record id (and the database would refuse it)
		return &ClaimList{Items: []ClaimSummary{}}, nil
	}
	page, err := s.store.ListClaims(ctx, tenant, ClaimFilter{Status: q.Status, RecordID: q.RecordID, Limit: q.Limit, Cursor: q.Cursor})
	if err != nil {
		return nil, err
	}
	out := &ClaimList{Items: make([]ClaimSummary, 0, len(page.Claims))}
	for _, c := range page.Claims {
		out.Items = append(out.Items, summary(c))
	}
	if page.Next != "" {
		next := page.Next
		out.NextCursor = &next
	}
	return out, nil
}
