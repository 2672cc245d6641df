package app

import "context"

// HistoryStore is the part of the storage port the worklist, corrections,
// analytics and the scrubber's history checks read and write: each claim's
// links (the patient it is for, as a key, and the claim it replaces) and the
// tenant's claims and events across claims.
type HistoryStore interface {
	// SetClaimLinks stores (or replaces) the links of one of the tenant's
	// claims (ErrNotFound when the claim is not the tenant's).
	SetClaimLinks(ctx context.Context, tenant string, l ClaimLinks) error
	// ListClaimLinks returns the tenant's links matching f (every field set in
	// f must match), ordered by claim id.
	ListClaimLinks(ctx context.Context, tenant string, f ClaimLinkFilter) ([]ClaimLinks, error)
	// ClaimsWithStatus returns the tenant's claims whose status is one of
	// statuses, oldest first (created_at, then id).
	ClaimsWithStatus(ctx context.Context, tenant string, statuses []ClaimStatus) ([]Claim, error)
	// TenantEvents returns the tenant's events of these kinds, across claims,
	// in the order they were appended.
	TenantEvents(ctx context.Context, tenant string, kinds []string) ([]Event, error)
}

// ClaimLinks are a claim's links.
type ClaimLinks struct {
	ClaimID string
	// PatientKey identifies the patient without holding PHI: the SHA-256
	// (hex) of the member id and the patient's birth date (PatientKey).
	PatientKey string
	// Replaces is the id of the claim this one replaces or voids ("" for an
	// original).
	Replaces string
}

// ClaimLinkFilter selects links; empty fields match anything (at least one
// must be set).
type ClaimLinkFilter struct {
	PatientKey string
	Replaces   string
}
