package app

import (
	"context"
	"encoding/json"
	"time"
)

// AcknowledgmentStore is the part of the Store that keeps acknowledgments
// (TA1, 999, 277CA) and finds the claims they answer by control number.
type AcknowledgmentStore interface {
	// CreateAcknowledgment stores an acknowledgment as received with the
	// answer it was given. ID and CreatedAt are filled in when zero. The
	// tenant must exist (ErrNotFound). ErrConflict when the id, or the
	// tenant's non-empty IdempotencyKey, is already stored.
	CreateAcknowledgment(ctx context.Context, a Acknowledgment) (Acknowledgment, error)
	// GetAcknowledgment returns the tenant's acknowledgment.
	GetAcknowledgment(ctx context.Context, tenant, id string) (Acknowledgment, error)
	// AcknowledgmentByIdempotencyKey returns the tenant's acknowledgment
	// created under this Idempotency-Key, ErrNotFound when none was.
	AcknowledgmentByIdempotencyKey(ctx context.Context, tenant, key string) (Acknowledgment, error)
	// ClaimsByControlNumber returns the tenant's claims whose 837D carries
	// these envelope numbers (the non-zero fields of m must all match),
	// newest first, at most 100. ErrInvalid when m has no non-zero field.
	ClaimsByControlNumber(ctx context.Context, tenant string, m ControlMatch) ([]Claim, error)
}

// Acknowledgment is one stored TA1, 999 or 277CA.
type Acknowledgment struct {
	ID        string
	Tenant    string
	Type      string          // "TA1", "999", "277CA"
	Raw       []byte          // as received
	Result    json.RawMessage // the answer POST /v1/acknowledgments gave
	Matched   int             // claims matched
	Unmatched int             // answers that matched no claim
	// IdempotencyKey: as Claim.IdempotencyKey.
	IdempotencyKey string
	CreatedAt      time.Time
}

// ControlMatch selects claims by the envelope numbers of their 837D; zero
// fields match anything.
type ControlMatch struct {
	Interchange int64 // ISA13 (a TA1's TA101)
	Group       int64 // GS06 (a 999's AK102)
	Transaction int64 // ST02 (a 999's AK202)
}
