package app

import (
	"context"
	"encoding/json"
	"time"
)

// AppealStore is the part of the storage port that keeps appeal packets
// (migration 0004, table appeals). Store embeds it.
type AppealStore interface {
	// CreateAppeal stores an appeal of one of the tenant's claims
	// (ErrNotFound otherwise) and numbers it: N is 1 + the claim's highest
	// appeal number, assigned in the same statement, so two concurrent
	// appeals of a claim never share a number. CreatedAt is filled in when
	// zero. ErrConflict when the tenant's non-empty IdempotencyKey is
	// already stored.
	CreateAppeal(ctx context.Context, a Appeal) (Appeal, error)
	// GetAppeal returns the claim's appeal number n (1-based).
	GetAppeal(ctx context.Context, tenant, claimID string, n int) (Appeal, error)
	// ListAppeals returns the claim's appeals, n ascending, without their
	// HTML and PDF (nil).
	ListAppeals(ctx context.Context, tenant, claimID string) ([]Appeal, error)
	// AppealByIdempotencyKey returns the tenant's appeal created under this
	// Idempotency-Key, ErrNotFound when none was.
	AppealByIdempotencyKey(ctx context.Context, tenant, key string) (Appeal, error)
}

// Appeal is one stored appeal packet of a claim.
type Appeal struct {
	Tenant  string
	ClaimID string
	N       int    // 1-based per claim, assigned by CreateAppeal
	Finding string // which finding of the claim's latest remittance it appeals (its index)
	Body    json.RawMessage
	HTML    []byte // the letter; PHI: never logged
	PDF     []byte
	// IdempotencyKey: as Claim.IdempotencyKey.
	IdempotencyKey string
	CreatedAt      time.Time
}
