package app

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Idempotency is what the HTTP middleware calls for a request carrying an
// Idempotency-Key:
//
//	b, err := idem.Begin(ctx, tenant, key, method, routeTemplate, body)
//	switch b.Outcome {
//	case IdemReplay:   write b.Response (status, headers, body) as stored
//	case IdemInFlight: 409
//	case IdemMismatch: 422
//	case IdemNew:      run the handler, then Finish(ctx, tenant, key, b.Token, response)
//	                   for a response to replay (2xx and 4xx), or Release for a 5xx
//	}
//
// Keys are per tenant, kept at least 24 h (Purge removes older ones).
type Idempotency struct {
	store     Store
	now       func() time.Time
	lease     time.Duration
	retention time.Duration
}

// MaxIdempotencyKey is the longest key accepted.
const MaxIdempotencyKey = 255

// checkKey accepts 1..255 visible ASCII characters.
func checkKey(key string) error {
	if key == "" || len(key) > MaxIdempotencyKey {
		return fmt.Errorf("app: Idempotency-Key must be 1-%d characters: %w", MaxIdempotencyKey, ErrInvalid)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return fmt.Errorf("app: Idempotency-Key must be visible ASCII: %w", ErrInvalid)
		}
	}
	return nil
}

// Begin claims key for this request; the fingerprint is the method, the
// route template (not the path: ids in it do not matter) and the body.
// ErrInvalid for an unusable tenant or key (400).
func (i *Idempotency) Begin(ctx context.Context, tenant, key, method, routeTemplate string, body []byte) (IdempotencyBegin, error) {
	if err := checkTenant(tenant); err != nil {
		return IdempotencyBegin{}, err
	}
	if err := checkKey(key); err != nil {
		return IdempotencyBegin{}, err
	}
	// idempotency rows do not reference tenants, so no EnsureTenant here
	return i.store.BeginIdempotency(ctx, tenant, IdempotencyRequest{
		Key: key, Fingerprint: Fingerprint(method, routeTemplate, body), Now: i.now(), Lease: i.lease,
	})
}

// Finish stores the response for replays, byte for byte: status, the
// headers given (the caller picks them: Content-Type, Location,
// Casebridge-* …) and the body. ErrLeaseLost when another request took the
// key over (the lease ran out); the response is still sent, just not kept.
func (i *Idempotency) Finish(ctx context.Context, tenant, key, token string, status int, header http.Header, body []byte) error {
	return i.store.FinishIdempotency(ctx, tenant, key, token, StoredResponse{Status: status, Header: header.Clone(), Body: body}, i.now())
}

// Release forgets the key (the request failed with a 5xx), so a retry runs
// again.
func (i *Idempotency) Release(ctx context.Context, tenant, key, token string) error {
	return i.store.ReleaseIdempotency(ctx, tenant, key, token)
}

// Purge deletes keys older than the retention (at least 24 h) and returns
// how many. Call it now and then (e.g. hourly from serve).
func (i *Idempotency) Purge(ctx context.Context) (int64, error) {
	return i.store.PurgeIdempotency(ctx, i.now().Add(-i.retention))
}
