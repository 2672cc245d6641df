package remit

import (
	"strings"

	"github.com/casebridge/casebridge/internal/codes"
)

// codeCache remembers the CARC and RARC lookups of one report: a claim
// file repeats a few dozen codes thousands of times, and a direct-mapped
// slot compared by string is cheaper than hashing into the code tables'
// maps for every triplet and remark, several times each (category,
// description, deactivation). A slot holds the last code that hashed
// there; a miss asks internal/codes and takes the slot. The tables do not
// change during a report (codes.LoadDir is called at start-up).
type codeCache struct {
	carcs, rarcs [cacheSlots]codeSlot
}

const cacheSlots = 64

type codeSlot struct {
	code  string // "" for an empty slot (no code is empty)
	info  codes.Info
	ok    bool
	plain bool // info.Text() needs no JSON escaping (see plainJSON)
}

// slot spreads the codes' shapes ("45", "197", "B13", "N850", "M127")
// over the slots.
func slot(code string) int {
	n := len(code)
	h := uint(n)*0x9e + uint(code[0])*0x3b + uint(code[n-1])*0x11 + uint(code[n/2])*0x5
	return int(h^h>>6) & (cacheSlots - 1)
}

// lookup returns the slot's info (no copy of it: it is valid until the
// next lookup in tab).
func lookup(tab *[cacheSlots]codeSlot, code string, find func(string) (codes.Info, bool)) (*codes.Info, bool) {
	if code == "" {
		info, ok := find(code)
		return &info, ok
	}
	s := &tab[slot(code)]
	if s.code == code {
		return &s.info, s.ok
	}
	info, ok := find(code)
	// The code is element text; a copy keeps the slot from pinning the
	// block of text it came from.
	*s = codeSlot{code: strings.Clone(code), info: info, ok: ok, plain: plainJSON(info.Text())}
	return &s.info, ok
}

// carcSlot is carc with the whole slot (nil without a cache, or for "").
func (c *codeCache) carcSlot(code string) *codeSlot {
	if c == nil || code == "" {
		return nil
	}
	s := &c.carcs[slot(code)]
	if s.code != code {
		lookup(&c.carcs, code, codes.CARC)
	}
	return s
}

// carc is codes.CARC through the cache (direct when c is nil). The info
// is valid until the next carc call.
func (c *codeCache) carc(code string) (*codes.Info, bool) {
	if c == nil {
		info, ok := codes.CARC(code)
		return &info, ok
	}
	return lookup(&c.carcs, code, codes.CARC)
}

// rarc is codes.RARC through the cache (direct when c is nil). The info
// is valid until the next rarc call.
func (c *codeCache) rarc(code string) (*codes.Info, bool) {
	if c == nil {
		info, ok := codes.RARC(code)
		return &info, ok
	}
	return lookup(&c.rarcs, code, codes.RARC)
}

// carcCategory is codes.CARCCategory through the cache.
func (c *codeCache) carcCategory(code string) codes.Category {
	if i, ok := c.carc(code); ok && i.Category != "" {
		return i.Category
	}
	return codes.Other
}

// remarkCategory is remarkCategory through the cache.
func (c *codeCache) remarkCategory(r Remark) codes.Category {
	if r.Qualifier != "HE" {
		return ""
	}
	if i, ok := c.rarc(r.Code); ok {
		return i.Category
	}
	return ""
}
