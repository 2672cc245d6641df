package app

import (
	"sync"
	"sync/atomic"
	"time"
)

// DefaultAuthRecheck is how long the gateway trusts what it last read of
// the API keys (Options.AuthRecheck).
//
// The trade-off, for the two answers that are not final:
//
//   - "no key exists" (local mode): a key created by another process
//     (`casebridge keys create` on the same data dir, another gateway on the
//     same PostgreSQL database) ends local mode at most AuthRecheck after its
//     creation committed; one created through this Service ends it at once.
//     Local mode only ever listens on loopback (serve refuses anything else),
//     and every request in that window was as open a moment before; asking
//     the store on every request cost about half of a request's CPU
//     (issue 8).
//   - "this key belongs to tenant T": a key revoked by another process (the
//     CLI, another gateway) still authenticates for at most AuthRecheck after
//     the revocation committed; one revoked through this Service stops at
//     once (the whole cache is dropped). Unknown and revoked keys are never
//     cached: each try asks the store, so a new key works at once and a
//     flood of wrong keys cannot fill memory.
//
// "some key exists" is final (keys are never deleted; revoking every key
// locks the gateway) and is kept for the life of the process.
const DefaultAuthRecheck = time.Second

// maxCachedKeys bounds the key cache; past it the cache starts over.
const maxCachedKeys = 4096

// authCache holds the answers above.
type authCache struct {
	noKeysAt atomic.Pointer[time.Time] // when the last "no key" query began

	mu   sync.RWMutex
	keys map[[32]byte]cachedKey // SHA-256 of a key → its tenant
	gen  uint64                 // bumped by drop: lookups begun before it are not stored
}

type cachedKey struct {
	tenant  string
	checked time.Time // when the store lookup that found it began
}

// localFresh tells whether a "no key" answer begun less than ttl before now
// is at hand.
func (a *authCache) localFresh(now time.Time, ttl time.Duration) bool {
	p := a.noKeysAt.Load()
	return p != nil && now.Sub(*p) < ttl
}

// noKeys records a "no key" answer from a query begun at began.
func (a *authCache) noKeys(began time.Time) { a.noKeysAt.Store(&began) }

// tenant returns the cached tenant of a key hash, if looked up less than ttl
// before now, and the generation to hand to put after a store lookup.
func (a *authCache) tenant(hash [32]byte, now time.Time, ttl time.Duration) (string, bool, uint64) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	k, ok := a.keys[hash]
	if ok && now.Sub(k.checked) < ttl {
		return k.tenant, true, a.gen
	}
	return "", false, a.gen
}

// put stores a lookup begun at began unless a drop happened since gen.
func (a *authCache) put(hash [32]byte, tenant string, began time.Time, gen uint64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.gen != gen {
		return
	}
	if a.keys == nil || len(a.keys) >= maxCachedKeys {
		a.keys = make(map[[32]byte]cachedKey)
	}
	a.keys[hash] = cachedKey{tenant: tenant, checked: began}
}

// drop forgets every cached key (a key was revoked here).
func (a *authCache) drop() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.keys = nil
	a.gen++
}
