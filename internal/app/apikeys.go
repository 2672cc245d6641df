package app

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// MaxKeyLabel bounds an API key's label (characters).
const MaxKeyLabel = 100

// KeyView is an API key as listed: never the key nor its hash.
type KeyView struct {
	ID        string     `json:"id"`
	Label     string     `json:"label"`
	Prefix    string     `json:"prefix"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at"` // null while the key works
}

// View is the listing form of k.
func (k APIKey) View() KeyView {
	return KeyView{ID: k.ID, Label: k.Label, Prefix: k.Prefix, CreatedAt: k.CreatedAt, RevokedAt: k.RevokedAt}
}

// CreateKey makes a key for the tenant (created if new) and returns it in
// plain text, once: 256 random bits, "cb_" + base64url. Only its SHA-256 is
// stored. The first key ever created ends local mode.
func (s *Service) CreateKey(ctx context.Context, tenant, label string) (string, APIKey, error) {
	if err := checkTenant(tenant); err != nil {
		return "", APIKey{}, err
	}
	if !utf8.ValidString(label) || utf8.RuneCountInString(label) > MaxKeyLabel || strings.ContainsFunc(label, isControl) {
		return "", APIKey{}, fmt.Errorf("app: label must be at most %d printable characters: %w", MaxKeyLabel, ErrInvalid)
	}
	if err := s.ensureTenant(ctx, tenant); err != nil {
		return "", APIKey{}, err
	}
	key, rec, err := NewAPIKey(tenant, label, s.now())
	if err != nil {
		return "", APIKey{}, err
	}
	rec, err = s.store.CreateAPIKey(ctx, rec)
	if err != nil {
		return "", APIKey{}, err
	}
	s.keysExist.Store(true)
	rec.Hash = nil
	return key, rec, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// ListKeys returns the tenant's keys, revoked ones too, oldest first.
func (s *Service) ListKeys(ctx context.Context, tenant string) ([]APIKey, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	ks, err := s.store.ListAPIKeys(ctx, tenant)
	if err != nil {
		return nil, err
	}
	for i := range ks {
		ks[i].Hash = nil
	}
	if ks == nil {
		ks = []APIKey{}
	}
	return ks, nil
}

// RevokeKey revokes one of the tenant's keys (ErrNotFound for another
// tenant's); revoking twice keeps the first time.
func (s *Service) RevokeKey(ctx context.Context, tenant, id string) error {
	if err := checkTenant(tenant); err != nil {
		return err
	}
	if !storableID(id) {
		return fmt.Errorf("app: key: %w", ErrNotFound)
	}
	err := s.store.RevokeAPIKey(ctx, tenant, id, s.now())
	s.auth.drop() // a key revoked here stops at once (see DefaultAuthRecheck)
	return err
}

// Authenticate returns the tenant of a bearer key (the Authorization
// header's value after "Bearer "). ErrUnauthenticated for an empty, unknown
// or revoked key. In local mode (see LocalMode) the handler does not call
// it and uses LocalTenant. A key found is trusted for Options.AuthRecheck
// (see DefaultAuthRecheck: a revocation by another process takes effect
// within that bound, one through this Service at once).
func (s *Service) Authenticate(ctx context.Context, bearer string) (string, error) {
	if bearer == "" || len(bearer) > 200 || !strings.HasPrefix(bearer, APIKeyPrefix) {
		return "", ErrUnauthenticated
	}
	hash := sha256.Sum256([]byte(bearer))
	ttl := s.opts.AuthRecheck
	began := s.now()
	tenant, ok, gen := s.auth.tenant(hash, began, ttl)
	if ok {
		return tenant, nil
	}
	k, err := s.store.TenantByKeyHash(ctx, hash[:])
	if errors.Is(err, ErrNotFound) {
		return "", ErrUnauthenticated
	}
	if err != nil {
		return "", err
	}
	if ttl > 0 {
		s.auth.put(hash, k.Tenant, began, gen)
	}
	return k.Tenant, nil
}

// LocalMode tells whether the gateway runs unauthenticated, every request
// in tenant LocalTenant: true until the first API key is created (by any
// process on the database). Revoking every key does not bring it back, so
// the gateway locks rather than opens. Once false it is remembered; a true
// is trusted for Options.AuthRecheck (see DefaultAuthRecheck: a key created
// by another process ends local mode within that bound, one created through
// this Service at once).
func (s *Service) LocalMode(ctx context.Context) (bool, error) {
	if s.keysExist.Load() {
		return false, nil
	}
	ttl := s.opts.AuthRecheck
	if ttl > 0 && s.auth.localFresh(s.now(), ttl) {
		return true, nil
	}
	any, began, err := s.anyKey.ask(ctx, s.store, s.now)
	if err != nil {
		return false, err
	}
	if any {
		s.keysExist.Store(true)
	} else if ttl > 0 {
		s.auth.noKeys(began)
	}
	return !any, nil
}

// keyCheck shares the store's "is there any API key?" query among the
// requests that ask at the same time, without ever answering one of them
// from a query that began before it asked: askers join the next query, which
// starts only once the running one is done. Under load that is one query
// per query's duration instead of one per request; alone, a request waits
// for its own query as before.
type keyCheck struct {
	mu      sync.Mutex
	running bool
	next    *keyAnswer // the query the next askers share; nil until one asks
}

type keyAnswer struct {
	done  chan struct{}
	began time.Time // when the query began (its answer is at least this fresh)
	any   bool
	err   error
}

func (k *keyCheck) ask(ctx context.Context, st Store, now func() time.Time) (bool, time.Time, error) {
	k.mu.Lock()
	a := k.next
	if a == nil {
		a = &keyAnswer{done: make(chan struct{})}
		k.next = a
	}
	if !k.running {
		k.running = true
		// the query outlives a caller that goes away: others share it
		go k.run(context.WithoutCancel(ctx), st, now)
	}
	k.mu.Unlock()
	select {
	case <-a.done:
		return a.any, a.began, a.err
	case <-ctx.Done():
		return false, time.Time{}, ctx.Err()
	}
}

// run answers the waiting askers, one query for each group, until none wait.
func (k *keyCheck) run(ctx context.Context, st Store, now func() time.Time) {
	for {
		k.mu.Lock()
		a := k.next
		k.next = nil
		if a == nil {
			k.running = false
			k.mu.Unlock()
			return
		}
		k.mu.Unlock()
		a.began = now()
		a.any, a.err = st.AnyAPIKey(ctx)
		close(a.done)
	}
}

// ResolveTenant is what the auth middleware calls with the bearer key of a
// request ("" when it sent none): in local mode a request without a key is
// LocalTenant; otherwise the key must authenticate (ErrUnauthenticated, 401).
// A request that sends a key is always checked, also in local mode, so a
// misconfigured client learns of it.
func (s *Service) ResolveTenant(ctx context.Context, bearer string) (string, error) {
	if bearer == "" {
		local, err := s.LocalMode(ctx)
		if err != nil {
			return "", err
		}
		if local {
			return LocalTenant, nil
		}
		return "", ErrUnauthenticated
	}
	return s.Authenticate(ctx, bearer)
}
