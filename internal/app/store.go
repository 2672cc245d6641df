// Package app is casebridge's application layer: the use cases that
// adapters/http and cmd/casebridge call. This file is its storage port, the
// Store interface, and the types it speaks; adapters/store implements it
// (SQLite, the default, and PostgreSQL) and adapters/store/storetest is the
// suite both implementations pass.
//
// Every method that reads or writes a tenant's data takes the tenant and
// filters by it: an object of another tenant is ErrNotFound, never an
// authorization error, so ids cannot be probed across tenants. The only
// cross-tenant methods are the ones that must be: TenantByKeyHash (finding the
// tenant is what a key is for), AnyAPIKey, PurgeIdempotency and Ping.
//
// The application layer owns randomness and policy: it generates API keys
// (NewAPIKey) and hashes them (HashAPIKey), chooses idempotency leases, and
// builds request fingerprints (Fingerprint). The store owns atomicity:
// control numbers, idempotency state changes and multi-row writes are
// race-free across goroutines and across processes sharing one database.
package app

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// Errors a Store returns; wrap-compatible (test with errors.Is).
var (
	// ErrNotFound: no such object for this tenant (it may exist for another).
	ErrNotFound = errors.New("not found")
	// ErrConflict: an object with this id (or key hash) already exists.
	ErrConflict = errors.New("already exists")
	// ErrInvalid: the call's arguments are unusable (empty tenant, bad status, limit, …).
	ErrInvalid = errors.New("invalid argument")
	// ErrBadCursor: a list cursor that this store did not issue.
	ErrBadCursor = errors.New("bad cursor")
	// ErrControlNumbersExhausted: the sender's counter reached MaxControlNumber.
	// Numbers are never wrapped silently; an operator must act (new sender id).
	ErrControlNumbersExhausted = errors.New("control numbers exhausted")
	// ErrLeaseLost: FinishIdempotency or ReleaseIdempotency with a token that no
	// longer holds the key (the lease expired and another request took it over).
	ErrLeaseLost = errors.New("idempotency lease lost")
)

// MaxControlNumber is the largest ISA13 (nine digits).
const MaxControlNumber = 999999999

// MaxListLimit is the largest page ListClaims returns; DefaultListLimit is
// used when the filter's Limit is 0.
const (
	MaxListLimit     = 500
	DefaultListLimit = 50
)

// Store is the storage port. Implementations: adapters/store.
type Store interface {
	HistoryStore // store_history.go: claim links, cross-claim reads

	// Ping checks that the database answers and accepts a write (for /readyz).
	Ping(ctx context.Context) error
	// Close releases the handle. Methods called afterwards fail.
	Close() error

	// WithTx runs fn with a Store whose every call is in one transaction,
	// committed when fn returns nil and rolled back otherwise. Inside fn use
	// only the Store passed to fn (on SQLite the outer one would wait for the
	// transaction's write lock). Nested WithTx joins the outer transaction.
	// A transaction holds locks (on SQLite the whole database's write lock):
	// keep fn short and free of network calls.
	WithTx(ctx context.Context, fn func(Store) error) error

	// EnsureTenant creates the tenant if it does not exist and returns the
	// stored one (an existing tenant keeps its name and creation time).
	EnsureTenant(ctx context.Context, t Tenant) (Tenant, error)
	GetTenant(ctx context.Context, id string) (Tenant, error)

	// CreateAPIKey stores a key's hash for an existing tenant (ErrNotFound
	// otherwise). ID and CreatedAt are filled in when zero. ErrConflict when the
	// id or the hash is already stored.
	CreateAPIKey(ctx context.Context, k APIKey) (APIKey, error)
	// ListAPIKeys returns the tenant's keys (revoked ones too), oldest first.
	ListAPIKeys(ctx context.Context, tenant string) ([]APIKey, error)
	// RevokeAPIKey marks the key revoked at the given time; revoking twice keeps
	// the first time.
	RevokeAPIKey(ctx context.Context, tenant, id string, at time.Time) error
	// TenantByKeyHash returns the unrevoked key with this hash (its Tenant field
	// is the caller's tenant), ErrNotFound otherwise. The lookup is by an
	// indexed equality on SHA-256(key): no secret is compared in Go, and timing
	// reveals at most whether some key has a hash with a given prefix, which
	// for 128-bit random keys is useless to an attacker; so no constant-time
	// comparison is needed.
	TenantByKeyHash(ctx context.Context, hash []byte) (APIKey, error)
	// AnyAPIKey tells whether any key was ever created, revoked or not: the
	// gateway runs in local (unauthenticated) mode only while none was.
	// Revoking every key therefore locks the gateway rather than opening it.
	AnyAPIKey(ctx context.Context) (bool, error)

	// CreateClaim stores a new claim. ID (a sortable UUIDv7), CreatedAt and
	// UpdatedAt are filled in when zero. The tenant must exist (ErrNotFound).
	// ErrConflict when the id, or the tenant's non-empty IdempotencyKey, is
	// already stored.
	CreateClaim(ctx context.Context, c Claim) (Claim, error)
	GetClaim(ctx context.Context, tenant, id string) (Claim, error)
	// UpdateClaim sets the fields that are non-nil in u, and UpdatedAt.
	UpdateClaim(ctx context.Context, tenant, id string, u ClaimUpdate) (Claim, error)
	// ListClaims returns the tenant's claims newest first (created_at, then id,
	// both descending), at most f.Limit of them, and a cursor for the next page
	// ("" on the last page). Keyset pagination: a page never repeats or skips a
	// claim that existed when the first page was read, whatever is inserted
	// meanwhile.
	ListClaims(ctx context.Context, tenant string, f ClaimFilter) (ClaimPage, error)
	// FindClaims returns the tenant's claims with this record id (CLP01) or,
	// when m.PayerClaimNumber is set, this payer claim number (CLP07), newest
	// first, at most 100: the candidates an 835 claim is matched against.
	FindClaims(ctx context.Context, tenant string, m ClaimMatch) ([]Claim, error)
	// ClaimByIdempotencyKey returns the tenant's claim created under this
	// Idempotency-Key (Claim.IdempotencyKey), ErrNotFound when none was.
	ClaimByIdempotencyKey(ctx context.Context, tenant, key string) (Claim, error)

	// AppendEvent adds an event to a claim's timeline (ErrNotFound when the claim
	// is not the tenant's). Seq and At are filled in.
	AppendEvent(ctx context.Context, tenant string, e Event) (Event, error)
	// ListEvents returns a claim's timeline in the order it was appended.
	ListEvents(ctx context.Context, tenant, claimID string) ([]Event, error)

	// CreateRemittance stores an 835, its findings and its per-claim links
	// (matched ones must name the tenant's claims: ErrNotFound otherwise) in one
	// transaction. ID and CreatedAt are filled in when zero. ErrConflict when
	// the id, or the tenant's non-empty IdempotencyKey, is already stored.
	CreateRemittance(ctx context.Context, r Remittance) (Remittance, error)
	// GetRemittance returns the remittance with its links, in stored order.
	GetRemittance(ctx context.Context, tenant, id string) (Remittance, error)
	// ClaimRemittances returns the links that name this claim, oldest first.
	ClaimRemittances(ctx context.Context, tenant, claimID string) ([]RemittanceLink, error)
	// RemittanceByIdempotencyKey returns the tenant's remittance (with its
	// links) created under this Idempotency-Key, ErrNotFound when none was.
	RemittanceByIdempotencyKey(ctx context.Context, tenant, key string) (Remittance, error)

	// BeginIdempotency claims (tenant, r.Key) for one request; see
	// IdempotencyOutcome for what the caller does with each outcome.
	BeginIdempotency(ctx context.Context, tenant string, r IdempotencyRequest) (IdempotencyBegin, error)
	// FinishIdempotency stores the response for later replays. token is the one
	// BeginIdempotency returned; ErrLeaseLost when another request has taken
	// the key over since.
	FinishIdempotency(ctx context.Context, tenant, key, token string, resp StoredResponse, at time.Time) error
	// ReleaseIdempotency forgets an in-flight key (the request failed in a way
	// that must not be replayed, such as a 5xx), so a retry runs again.
	ReleaseIdempotency(ctx context.Context, tenant, key, token string) error
	// PurgeIdempotency deletes keys of every tenant created before olderThan
	// (the app keeps them at least 24 h) and returns how many.
	PurgeIdempotency(ctx context.Context, olderThan time.Time) (int64, error)

	// NextControlNumber returns the next interchange control number for the
	// tenant and ISA06 sender: 1, 2, … MaxControlNumber, then
	// ErrControlNumbersExhausted. A number is handed out once, across restarts,
	// crashes and processes sharing the database (a number whose interchange
	// was never sent is simply skipped).
	NextControlNumber(ctx context.Context, tenant, sender string) (int64, error)
	// ReserveControlNumbers allocates n consecutive numbers at once (1 ≤ n ≤
	// MaxControlNumber); none of them is ever handed out again.
	ReserveControlNumbers(ctx context.Context, tenant, sender string, n int64) (ControlRange, error)

	AppealStore         // appeal packets (appealstore.go)
	AcknowledgmentStore // ackstore.go
}

// Tenant is one customer (a practice or a group); every object belongs to one.
type Tenant struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// APIKey is a stored key: never the key itself, only its SHA-256 and, for
// people, the first characters (Prefix) and a Label.
type APIKey struct {
	ID        string
	Tenant    string
	Label     string
	Prefix    string
	Hash      []byte // SHA-256 of the key; not returned by ListAPIKeys
	CreatedAt time.Time
	RevokedAt *time.Time // nil while the key works
}

// ClaimStatus is where a claim stands.
type ClaimStatus string

// The claim statuses.
const (
	StatusRejected      ClaimStatus = "rejected" // scrub errors: no 837D was produced
	StatusSubmitted     ClaimStatus = "submitted"
	StatusPaid          ClaimStatus = "paid"
	StatusPartiallyPaid ClaimStatus = "partially_paid"
	StatusDenied        ClaimStatus = "denied"
	StatusReversed      ClaimStatus = "reversed"
	StatusPended        ClaimStatus = "pended"
)

// Valid tells whether s is one of the statuses above.
func (s ClaimStatus) Valid() bool {
	switch s {
	case StatusRejected, StatusSubmitted, StatusPaid, StatusPartiallyPaid, StatusDenied, StatusReversed, StatusPended:
		return true
	}
	return false
}

// ControlNumbers are an 837D's envelope numbers.
type ControlNumbers struct {
	Interchange int64 // ISA13
	Group       int64 // GS06
	Transaction int64 // ST02
}

// Claim is one submission of a record: what went in, what came out, and
// where it stands.
type Claim struct {
	ID               string
	Tenant           string
	RecordID         string // CLM01
	Status           ClaimStatus
	Record           json.RawMessage // the case record as received
	ScrubReport      json.RawMessage
	FHIRBundle       json.RawMessage // may be nil
	X12              []byte          // the 837D; nil when none was produced
	Control          *ControlNumbers // nil when X12 is nil
	PayerClaimNumber string          // CLP07, from reconciliation
	// IdempotencyKey is the Idempotency-Key of the request that created the
	// claim ("" for none), stored with it in one transaction and unique per
	// tenant: a retry after a crash finds the claim instead of storing it twice.
	IdempotencyKey string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// ClaimUpdate names the fields UpdateClaim changes; nil ones are kept.
type ClaimUpdate struct {
	Status           *ClaimStatus
	PayerClaimNumber *string
	At               time.Time // UpdatedAt; now when zero
}

// ClaimFilter selects a page of claims.
type ClaimFilter struct {
	Status   ClaimStatus // "" for all
	RecordID string      // "" for all
	Limit    int         // 0 for DefaultListLimit; at most MaxListLimit
	Cursor   string      // "" for the first page; else a ClaimPage.Next
}

// ClaimPage is one page of ListClaims.
type ClaimPage struct {
	Claims []Claim
	Next   string // opaque; "" when this is the last page
}

// ClaimMatch is what an 835 claim (CLP) is matched on.
type ClaimMatch struct {
	RecordID         string // CLP01
	PayerClaimNumber string // CLP07; used instead of RecordID when set
}

// Event is one entry of a claim's timeline.
type Event struct {
	Seq     int64 // order of appending, filled in by the store
	ClaimID string
	Kind    string // e.g. "created", "submitted", "remittance", "status"
	At      time.Time
	Payload json.RawMessage // may be nil
}

// Remittance is one stored 835 and what it was found to say.
type Remittance struct {
	ID       string
	Tenant   string
	Raw      []byte          // the 835 as received
	Findings json.RawMessage // the findings report
	Counts   RemittanceCounts
	Links    []RemittanceLink
	// IdempotencyKey: as Claim.IdempotencyKey.
	IdempotencyKey string
	CreatedAt      time.Time
}

// RemittanceCounts summarise a remittance.
type RemittanceCounts struct {
	Claims    int // CLP segments
	Matched   int // linked to a stored claim
	Unmatched int
}

// RemittanceLink is one CLP of a remittance and the claim it matched.
type RemittanceLink struct {
	RemittanceID string
	ClaimID      string // "" when no stored claim matched (the CLP01 is kept)
	CLP01        string
	Outcome      string // e.g. paid, denied, reversed, pended
}

// IdempotencyRequest is one request carrying an Idempotency-Key.
type IdempotencyRequest struct {
	Key         string
	Fingerprint string        // Fingerprint(method, route, body)
	Now         time.Time     // the app's clock
	Lease       time.Duration // how long an in-flight claim on the key holds
}

// IdempotencyOutcome is what BeginIdempotency decided.
type IdempotencyOutcome int

// The outcomes.
const (
	// IdemNew: the caller runs the request, then calls FinishIdempotency (or
	// ReleaseIdempotency) with the returned token. Also returned when an
	// earlier in-flight claim's lease has expired (a crash): it is taken over.
	IdemNew IdempotencyOutcome = iota + 1
	// IdemReplay: the key is done; send the stored Response again.
	IdemReplay
	// IdemInFlight: another request holds the key (HTTP 409).
	IdemInFlight
	// IdemMismatch: the key was used with another fingerprint (HTTP 422).
	IdemMismatch
)

func (o IdempotencyOutcome) String() string {
	switch o {
	case IdemNew:
		return "new"
	case IdemReplay:
		return "replay"
	case IdemInFlight:
		return "in-flight"
	case IdemMismatch:
		return "mismatch"
	}
	return "unknown"
}

// IdempotencyBegin is BeginIdempotency's answer.
type IdempotencyBegin struct {
	Outcome  IdempotencyOutcome
	Token    string          // IdemNew: the lease token for Finish/Release
	Response *StoredResponse // IdemReplay: the response to send again
}

// StoredResponse is a response kept for replays.
type StoredResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// ControlRange is a block of control numbers, First..Last inclusive.
type ControlRange struct {
	First, Last int64
}
