package app

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/casebridge/casebridge/adapters/fhir"
	"github.com/casebridge/casebridge/internal/profile"
	"github.com/casebridge/casebridge/internal/record"
)

// Service is the service of record: the use cases the HTTP routes and the
// CLI commands call. Handlers parse, call one method and render its result;
// every method takes the caller's tenant (from Authenticate, or LocalTenant
// in local mode) and never returns another tenant's object: that is
// ErrNotFound, as for an id that does not exist.
//
// The routes and commands it is made for (handlers render the results as
// JSON as they are; HTTPStatus maps the errors):
//
//	auth middleware                   ResolveTenant (LocalMode, Authenticate)
//	Idempotency-Key middleware        Idempotency().Begin / Finish / Release; Purge now and then
//	POST /v1/claims (record)          SubmitRecord → 201/422 SubmitResult, Location
//	POST /v1/claims (FHIR)            SubmitFHIR   → 201/422 SubmitResult; *DecodeError.FHIR → OperationOutcome
//	GET  /v1/claims                   ParseClaimQuery, ListClaims → ClaimList
//	GET  /v1/claims/{id}              GetClaim → ClaimDetail
//	GET  /v1/claims/{id}/837d         ClaimX12 (application/edi-x12)
//	GET  /v1/claims/{id}/fhir         ClaimFHIR (application/fhir+json)
//	GET  /v1/claims/{id}/timeline     Timeline
//	POST /v1/remittances              SubmitRemittance → 201 RemittanceResult, Location
//	GET  /v1/remittances/{id}         GetRemittance → RemittanceDetail
//	GET  /v1/remittances/{id}/findings RemittanceFindings (the stored report JSON)
//	GET  /v1/remittances/{id}/835     RemittanceX12
//	casebridge keys create|list|revoke CreateKey, ListKeys (APIKey.View), RevokeKey
//	GET  /v1/worklist, casebridge worklist  ParseWorklistQuery, Worklist (worklist.go)
//	POST /v1/claims/{id}/corrections  CorrectClaim → 201/422 SubmitResult; *CorrectionError 422 (corrections.go)
//	GET  /v1/analytics, casebridge report   ParseAnalyticsQuery, Analytics (analytics.go)
//	casebridge check --data DIR       CheckRecordHistory (history.go)
//
// Errors to statuses (HTTPStatus): ErrNotFound 404; ErrInvalid and
// ErrBadCursor 400; *DecodeError its Status; *OptionError 400 (an
// unknown profile, a bad usage); ErrUnauthenticated 401;
// ErrControlNumbersExhausted and anything else 500 (PHI-free messages).
type Service struct {
	store    Store
	profiles ProfileSource
	now      func() time.Time
	opts     Options

	tenants   sync.Map    // tenant id → struct{}: known to exist in the store
	keysExist atomic.Bool // once true, always true (see LocalMode)
	anyKey    keyCheck    // shares LocalMode's store query among concurrent requests
	auth      authCache   // LocalMode's "no key" and Authenticate's key → tenant, for Options.AuthRecheck
	idem      Idempotency // the helper for the HTTP middleware
	blocks    sync.Map    // tenant "\x00" sender → *controlBlock (Options.ControlNumberBlock)
}

// Options are the service's policies; zero values take the defaults.
type Options struct {
	// IdempotencyRetention is how long an idempotency key is remembered;
	// at least (and by default) 24 h.
	IdempotencyRetention time.Duration
	// IdempotencyLease is how long an in-flight request holds its key before
	// another request may take it over (a crashed process); default 5 min,
	// longer than the gateway's write timeout.
	IdempotencyLease time.Duration
	// ControlNumberBlock is how many control numbers the stateless 837D
	// allocator (ControlNumbers) reserves from the store at once and hands
	// out from memory; 0 or 1 draws one number a call (the CLI). The unused
	// rest of a block is lost when the process ends: gaps, never repeats.
	ControlNumberBlock int64
	// AuthRecheck is how long a "no API key exists" (local mode) or a
	// "this key is tenant T" read from the store is trusted before the store
	// is asked again; 0 takes DefaultAuthRecheck (1 s), a negative value
	// asks the store on every request. See DefaultAuthRecheck.
	AuthRecheck time.Duration
}

// Defaults of Options.
const (
	MinIdempotencyRetention = 24 * time.Hour
	DefaultIdempotencyLease = 5 * time.Minute
)

// LocalTenant is the tenant of a gateway in local mode (no API key was ever
// created).
const LocalTenant = "local"

// ProfileSource gives the trading-partner profile for a tenant's request.
// name is the profile the request asked for ("" for the configured default).
// An unknown name is an error the service reports as an *OptionError
// (option "profile"), which the handlers answer 400.
type ProfileSource interface {
	Profile(ctx context.Context, tenant, name string) (*profile.Profile, error)
}

// ProfileFunc adapts a function to ProfileSource.
type ProfileFunc func(ctx context.Context, tenant, name string) (*profile.Profile, error)

// Profile calls f.
func (f ProfileFunc) Profile(ctx context.Context, tenant, name string) (*profile.Profile, error) {
	return f(ctx, tenant, name)
}

// DirProfiles is the gateway's profile source today: profile.LoadNamed
// from dir, names only (never paths), "" meaning defaultName. Every tenant
// shares them.
func DirProfiles(dir, defaultName string) ProfileSource {
	return ProfileFunc(func(_ context.Context, _ string, name string) (*profile.Profile, error) {
		if name == "" {
			name = defaultName
		}
		if name != "" && name != "default" && !reProfileName.MatchString(name) {
			return nil, fmt.Errorf("profile: a name is 1-64 letters, digits, '-' or '_'")
		}
		return profile.LoadNamed(name, dir)
	})
}

var reProfileName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// New builds the service. now is the clock (time.Now in production).
func New(st Store, profiles ProfileSource, now func() time.Time, o Options) *Service {
	if now == nil {
		now = time.Now
	}
	if profiles == nil {
		profiles = DirProfiles("", "")
	}
	if o.IdempotencyRetention < MinIdempotencyRetention {
		o.IdempotencyRetention = MinIdempotencyRetention
	}
	if o.AuthRecheck == 0 {
		o.AuthRecheck = DefaultAuthRecheck
	}
	if o.IdempotencyLease <= 0 {
		o.IdempotencyLease = DefaultIdempotencyLease
	}
	s := &Service{store: st, profiles: profiles, now: now, opts: o}
	s.idem = Idempotency{store: st, now: now, lease: o.IdempotencyLease, retention: o.IdempotencyRetention}
	return s
}

// Idempotency returns the helper the HTTP middleware calls.
func (s *Service) Idempotency() *Idempotency { return &s.idem }

// ErrUnauthenticated: no key, an unknown key or a revoked key (HTTP 401).
var ErrUnauthenticated = errors.New("unauthenticated")

var reTenant = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// checkTenant refuses an unusable tenant id (ErrInvalid).
func checkTenant(tenant string) error {
	if !reTenant.MatchString(tenant) {
		return fmt.Errorf("app: tenant: %w", ErrInvalid)
	}
	return nil
}

// ensureTenant creates the tenant on its first write, outside any
// transaction (so a rolled-back transaction cannot leave it cached).
func (s *Service) ensureTenant(ctx context.Context, tenant string) error {
	if err := checkTenant(tenant); err != nil {
		return err
	}
	if _, ok := s.tenants.Load(tenant); ok {
		return nil
	}
	if _, err := s.store.EnsureTenant(ctx, Tenant{ID: tenant, Name: tenant, CreatedAt: s.now()}); err != nil {
		return err
	}
	s.tenants.Store(tenant, struct{}{})
	return nil
}

// profile loads the profile a request names.
func (s *Service) profile(ctx context.Context, tenant, name string) (*profile.Profile, error) {
	p, err := s.profiles.Profile(ctx, tenant, name)
	if err != nil || p == nil {
		return nil, &OptionError{Option: "profile", Msg: "unknown trading-partner profile (a name of 1-64 letters, digits, '-' or '_')"}
	}
	return p, nil
}

// DecodeError is a body that could not be read as what the route takes: not
// JSON, not one object, the wrong shape, not FHIR, a FHIR Claim that does not
// map to a record, or an 835 that cannot be read. Nothing was stored.
type DecodeError struct {
	// Status is the HTTP answer: 400 not JSON / not FHIR / not a Claim, 413
	// too large, 422 the wrong shape, invalid FHIR or unreadable X12.
	Status int
	// Syntax is set when a record body is not one JSON object (JSON_SYNTAX).
	Syntax *record.SyntaxError
	// Problems are a record's shape problems (UNKNOWN_FIELD, TYPE_MISMATCH,
	// MONEY_INVALID …) with their JSON pointers.
	Problems record.Problems
	// FHIR holds the issues of a FHIR body (FHIRPath expressions), to render
	// as an OperationOutcome as POST /fhir/Claim/$x12 does.
	FHIR *fhir.Outcome
	// Err is the underlying error: *record.SyntaxError, or the *x12.Error of
	// an unreadable 835 (errors.As finds it).
	Err error
}

func (e *DecodeError) Error() string {
	if e.Err != nil {
		return "app: input cannot be read: " + e.Err.Error()
	}
	return fmt.Sprintf("app: input cannot be read (%d)", e.Status)
}

func (e *DecodeError) Unwrap() error { return e.Err }
