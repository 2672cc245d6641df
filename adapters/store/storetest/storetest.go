// Package storetest is the test suite every app.Store implementation passes.
// An implementation's tests call Run with a Backend:
//
//	func TestSQLite(t *testing.T) { storetest.Run(t, newSQLiteBackend) }
//
// The suite uses no wall-clock waits: times it cares about (creation times,
// idempotency leases) are passed in explicitly.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/casebridge/casebridge/internal/app"
)

// A Backend makes a fresh, empty database for one test and returns a function
// that opens a new, independent handle on it (its own connection pool, as a
// second gateway process would have), applying the migrations as a gateway
// does at start. open may be called from several goroutines at once. The
// Backend closes the handles and removes the database when t ends; the suite
// may close handles itself too.
type Backend func(t *testing.T) (open func() (app.Store, error))

// Run runs the suite against b.
func Run(t *testing.T, b Backend) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open func() app.Store, openErr func() (app.Store, error))
	}{
		{"MigrationsIdempotent", testMigrations},
		{"MigrationsConcurrent", testMigrationsConcurrent},
		{"Ping", testPing},
		{"Tenants", testTenants},
		{"APIKeys", testAPIKeys},
		{"Claims", testClaims},
		{"ClaimsPagination", testPagination},
		{"Events", testEvents},
		{"Remittances", testRemittances},
		{"Idempotency", testIdempotency},
		{"IdempotencyConcurrent", testIdempotencyConcurrent},
		{"IdempotencyKeyOnObjects", testIdempotencyKeyOnObjects},
		{"ControlNumbers", testControlNumbers},
		{"ControlNumbersConcurrent", testControlNumbersConcurrent},
		{"WithTx", testWithTx},
		{"Appeals", testAppeals},
		{"AppealsConcurrent", testAppealsConcurrent},
		{"Acknowledgments", testAcknowledgments},
		{"History", testHistory}, // history.go
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					f, ok := r.(mustFail)
					if !ok {
						panic(r)
					}
					t.Fatalf("%s: %v", f.where, f.err)
				}
			}()
			open := b(t)
			tc.fn(t, func() app.Store { return must(open()) }, open)
		})
	}
}

var base = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func ctx() context.Context { return context.Background() }

// mustFail carries a failed must to the recover in Run.
type mustFail struct {
	where string
	err   error
}

// must returns v, or fails the running test (through Run's recover) when err
// is set; it lets a call with two results be checked inline.
func must[T any](v T, err error) T {
	if err != nil {
		_, file, line, _ := runtime.Caller(1)
		panic(mustFail{fmt.Sprintf("%s:%d", filepath.Base(file), line), err})
	}
	return v
}

func wantErr(t *testing.T, err, target error, what string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}

// twoTenants opens a store with tenants "t1" and "t2".
func twoTenants(t *testing.T, open func() app.Store) app.Store {
	t.Helper()
	s := open()
	for _, id := range []string{"t1", "t2"} {
		must(s.EnsureTenant(ctx(), app.Tenant{ID: id, Name: "Tenant " + id, CreatedAt: base}))
	}
	return s
}

func claim(tenant, recordID string, status app.ClaimStatus, at time.Time) app.Claim {
	return app.Claim{
		Tenant:      tenant,
		RecordID:    recordID,
		Status:      status,
		Record:      json.RawMessage(`{"record_id":"` + recordID + `"}`),
		ScrubReport: json.RawMessage(`{"valid":true,"problems":[]}`),
		CreatedAt:   at,
	}
}

func testMigrations(t *testing.T, open func() app.Store, _ func() (app.Store, error)) {
	a := open()
	must(a.EnsureTenant(ctx(), app.Tenant{ID: "t1", Name: "one"}))
	a.Close()
	b := open() // migrations run again on an existing database
	c := open()
	if err := b.Ping(ctx()); err != nil {
		t.Fatal(err)
	}
	got := must(c.GetTenant(ctx(), "t1"))
	if got.Name != "one" {
		t.Fatalf("tenant after reopen: %+v", got)
	}
	if v, ok := b.(interface {
		SchemaVersion(context.Context) (int, error)
	}); ok {
		if n := must(v.SchemaVersion(ctx())); n < 1 {
			t.Fatalf("schema version %d", n)
		}
	}
}

func testMigrationsConcurrent(t *testing.T, _ func() app.Store, open func() (app.Store, error)) {
	const n = 4
	stores := make([]app.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = open()
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("open %d of %d at once: %v", i, n, errs[i])
		}
	}
	must(stores[0].EnsureTenant(ctx(), app.Tenant{ID: "t1"}))
	for _, s := range stores {
		must(s.GetTenant(ctx(), "t1"))
	}
}

func testPing(t *testing.T, open func() app.Store, _ func() (app.Store, error)) {
	s := open()
	if err := s.Ping(ctx()); err != nil {
		t.Fatalf("ping: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx()); err == nil {
		t.Fatal("ping on a closed store succeeded")
	}
}

func testTenants(t *testing.T, open func() app.Store, _ func() (app.Store, error)) {
	s := open()
	got := must(s.EnsureTenant(ctx(), app.Tenant{ID: "t1", Name: "first", CreatedAt: base}))
	if got.ID != "t1" || got.Name != "first" || !got.CreatedAt.Equal(base) {
		t.Fatalf("EnsureTenant: %+v", got)
	}
	again := must(s.EnsureTenant(ctx(), app.Tenant{ID: "t1", Name: "second"}))
	if again != got {
		t.Fatalf("EnsureTenant twice changed the tenant: %+v", again)
	}
	_, err := s.GetTenant(ctx(), "nobody")
	wantErr(t, err, app.ErrNotFound, "GetTenant(unknown)")
	_, err = s.EnsureTenant(ctx(), app.Tenant{})
	wantErr(t, err, app.ErrInvalid, "EnsureTenant(empty)")
}

func testAPIKeys(t *testing.T, open func() app.Store, _ func() (app.Store, error)) {
	s := open()
	if any := must(s.AnyAPIKey(ctx())); any {
		t.Fatal("AnyAPIKey on an empty store")
	}
	for _, id := range []string{"t1", "t2"} {
		must(s.EnsureTenant(ctx(), app.Tenant{ID: id}))
	}
	key, rec, err := app.NewAPIKey("t1", "front desk", base)
	if err != nil {
		t.Fatal(err)
	}
	if len(key) < 3+22 || bytes.Contains([]byte(rec.Prefix), []byte(key[10:])) {
		t.Fatalf("key %q prefix %q", key, rec.Prefix)
	}
	stored := must(s.CreateAPIKey(ctx(), rec))
	if !must(s.AnyAPIKey(ctx())) {
		t.Fatal("AnyAPIKey after create")
	}
	_, err = s.CreateAPIKey(ctx(), rec)
	wantErr(t, err, app.ErrConflict, "CreateAPIKey twice")
	other := rec
	other.ID, other.Tenant = "", "t2"
	_, err = s.CreateAPIKey(ctx(), other)
	wantErr(t, err, app.ErrConflict, "CreateAPIKey with a stored hash")
	other.Tenant = "nobody"
	other.Hash = app.HashAPIKey("another")
	_, err = s.CreateAPIKey(ctx(), other)
	wantErr(t, err, app.ErrNotFound, "CreateAPIKey for an unknown tenant")

	found := must(s.TenantByKeyHash(ctx(), app.HashAPIKey(key)))
	if found.Tenant != "t1" || found.ID != stored.ID || found.Label != "front desk" {
		t.Fatalf("TenantByKeyHash: %+v", found)
	}
	_, err = s.TenantByKeyHash(ctx(), app.HashAPIKey(key+"x"))
	wantErr(t, err, app.ErrNotFound, "TenantByKeyHash(wrong key)")

	list := must(s.ListAPIKeys(ctx(), "t1"))
	if len(list) != 1 || list[0].ID != stored.ID || list[0].Prefix != rec.Prefix || list[0].Hash != nil ||
		!list[0].CreatedAt.Equal(base) || list[0].RevokedAt != nil {
		t.Fatalf("ListAPIKeys: %+v", list)
	}
	if l := must(s.ListAPIKeys(ctx(), "t2")); len(l) != 0 {
		t.Fatalf("tenant t2 sees t1's keys: %+v", l)
	}
	wantErr(t, s.RevokeAPIKey(ctx(), "t2", stored.ID, base), app.ErrNotFound, "RevokeAPIKey by another tenant")
	if _, err := s.TenantByKeyHash(ctx(), app.HashAPIKey(key)); err != nil {
		t.Fatalf("key stopped working after another tenant's revoke: %v", err)
	}
	revokedAt := base.Add(time.Hour)
	if err := s.RevokeAPIKey(ctx(), "t1", stored.ID, revokedAt); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeAPIKey(ctx(), "t1", stored.ID, revokedAt.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, err = s.TenantByKeyHash(ctx(), app.HashAPIKey(key))
	wantErr(t, err, app.ErrNotFound, "TenantByKeyHash(revoked)")
	list = must(s.ListAPIKeys(ctx(), "t1"))
	if len(list) != 1 || list[0].RevokedAt == nil || !list[0].RevokedAt.Equal(revokedAt) {
		t.Fatalf("revoked key listed as %+v", list)
	}
	if !must(s.AnyAPIKey(ctx())) {
		t.Fatal("AnyAPIKey false once every key is revoked: that would open the gateway")
	}
	wantErr(t, s.RevokeAPIKey(ctx(), "t1", "nope", base), app.ErrNotFound, "RevokeAPIKey(unknown)")
}

func testClaims(t *testing.T, open func() app.Store, _ func() (app.Store, error)) {
	s := twoTenants(t, open)
	in := claim("t1", "CM000123", app.StatusSubmitted, base)
	in.FHIRBundle = json.RawMessage(`{"resourceType":"Bundle"}`)
	in.X12 = []byte("ISA*00*...~\nIEA*1*000000007~")
	in.Control = &app.ControlNumbers{Interchange: 7, Group: 7, Transaction: 7}
	c := must(s.CreateClaim(ctx(), in))
	if c.ID == "" || !c.CreatedAt.Equal(base) || !c.UpdatedAt.Equal(base) {
		t.Fatalf("CreateClaim: %+v", c)
	}
	got := must(s.GetClaim(ctx(), "t1", c.ID))
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("GetClaim:\n got %+v\nwant %+v", got, c)
	}
	_, err := s.CreateClaim(ctx(), c)
	wantErr(t, err, app.ErrConflict, "CreateClaim with a stored id")

	rejected := must(s.CreateClaim(ctx(), claim("t1", "CM000124", app.StatusRejected, base.Add(time.Minute))))
	if got := must(s.GetClaim(ctx(), "t1", rejected.ID)); got.X12 != nil || got.Control != nil || got.FHIRBundle != nil {
		t.Fatalf("rejected claim came back with output: %+v", got)
	}
	for _, bad := range []app.Claim{
		claim("t1", "", app.StatusSubmitted, base),
		claim("t1", "R", "sent", base),
		{Tenant: "t1", RecordID: "R", Status: app.StatusRejected},
		func() app.Claim { c := claim("t1", "R", app.StatusSubmitted, base); c.X12 = []byte("ISA"); return c }(),
	} {
		_, err := s.CreateClaim(ctx(), bad)
		wantErr(t, err, app.ErrInvalid, fmt.Sprintf("CreateClaim(%+v)", bad))
	}
	_, err = s.CreateClaim(ctx(), claim("nobody", "R", app.StatusRejected, base))
	wantErr(t, err, app.ErrNotFound, "CreateClaim for an unknown tenant")

	paid, pcn := app.StatusPaid, "PAYER-9"
	upd := must(s.UpdateClaim(ctx(), "t1", c.ID, app.ClaimUpdate{Status: &paid, PayerClaimNumber: &pcn, At: base.Add(time.Hour)}))
	if upd.Status != paid || upd.PayerClaimNumber != pcn || !upd.UpdatedAt.Equal(base.Add(time.Hour)) || !upd.CreatedAt.Equal(base) {
		t.Fatalf("UpdateClaim: %+v", upd)
	}
	bad := app.ClaimStatus("lost")
	_, err = s.UpdateClaim(ctx(), "t1", c.ID, app.ClaimUpdate{Status: &bad})
	wantErr(t, err, app.ErrInvalid, "UpdateClaim(bad status)")

	byRecord := must(s.FindClaims(ctx(), "t1", app.ClaimMatch{RecordID: "CM000123"}))
	byPCN := must(s.FindClaims(ctx(), "t1", app.ClaimMatch{PayerClaimNumber: pcn}))
	if len(byRecord) != 1 || byRecord[0].ID != c.ID || len(byPCN) != 1 || byPCN[0].ID != c.ID {
		t.Fatalf("FindClaims: by record %d, by payer number %d", len(byRecord), len(byPCN))
	}
	page := must(s.ListClaims(ctx(), "t1", app.ClaimFilter{}))
	if len(page.Claims) != 2 || page.Claims[0].ID != rejected.ID || page.Claims[1].ID != c.ID || page.Next != "" {
		t.Fatalf("ListClaims: %d claims, next %q", len(page.Claims), page.Next)
	}
	page = must(s.ListClaims(ctx(), "t1", app.ClaimFilter{Status: app.StatusPaid}))
	if len(page.Claims) != 1 || page.Claims[0].ID != c.ID {
		t.Fatalf("ListClaims(status=paid): %d claims", len(page.Claims))
	}
	page = must(s.ListClaims(ctx(), "t1", app.ClaimFilter{RecordID: "CM000124"}))
	if len(page.Claims) != 1 || page.Claims[0].ID != rejected.ID {
		t.Fatalf("ListClaims(record_id): %d claims", len(page.Claims))
	}
	page = must(s.ListClaims(ctx(), "t1", app.ClaimFilter{RecordID: "CM000124", Status: app.StatusPaid}))
	if len(page.Claims) != 0 {
		t.Fatalf("ListClaims(record_id and status): %d claims", len(page.Claims))
	}
	_, err = s.ListClaims(ctx(), "t1", app.ClaimFilter{Status: "lost"})
	wantErr(t, err, app.ErrInvalid, "ListClaims(bad status)")

	// Tenant isolation: t2 sees none of it.
	_, err = s.GetClaim(ctx(), "t2", c.ID)
	wantErr(t, err, app.ErrNotFound, "GetClaim by another tenant")
	_, err = s.UpdateClaim(ctx(), "t2", c.ID, app.ClaimUpdate{Status: &paid})
	wantErr(t, err, app.ErrNotFound, "UpdateClaim by another tenant")
	if p := must(s.ListClaims(ctx(), "t2", app.ClaimFilter{})); len(p.Claims) != 0 {
		t.Fatalf("t2 lists t1's claims: %d", len(p.Claims))
	}
	if f := must(s.FindClaims(ctx(), "t2", app.ClaimMatch{RecordID: "CM000123"})); len(f) != 0 {
		t.Fatal("t2 finds t1's claim by record id")
	}
	if f := must(s.FindClaims(ctx(), "t2", app.ClaimMatch{PayerClaimNumber: pcn})); len(f) != 0 {
		t.Fatal("t2 finds t1's claim by payer claim number")
	}
	// The same id may exist in both tenants without either seeing the other.
	same := claim("t2", "CM000123", app.StatusRejected, base)
	same.ID = c.ID
	must(s.CreateClaim(ctx(), same))
	if got := must(s.GetClaim(ctx(), "t1", c.ID)); got.Status != paid {
		t.Fatalf("t2's claim with t1's id changed t1's: %+v", got)
	}
}

func testPagination(t *testing.T, open func() app.Store, _ func() (app.Store, error)) {
	s := twoTenants(t, open)
	// 25 claims; pairs share a creation time so the id breaks ties.
	var want []string
	for i := 0; i < 25; i++ {
		c := must(s.CreateClaim(ctx(), claim("t1", fmt.Sprintf("R%02d", i), app.StatusSubmitted, base.Add(time.Duration(i/2)*time.Second))))
		want = append(want, c.ID)
		must(s.CreateClaim(ctx(), claim("t2", fmt.Sprintf("R%02d", i), app.StatusSubmitted, base)))
	}
	all := must(s.ListClaims(ctx(), "t1", app.ClaimFilter{Limit: 100})).Claims
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.CreatedAt.Before(b.CreatedAt) || (a.CreatedAt.Equal(b.CreatedAt) && a.ID < b.ID) {
			t.Fatalf("not newest first at %d", i)
		}
	}
	var got []string
	var older string
	cursor := ""
	pages := 0
	for {
		p := must(s.ListClaims(ctx(), "t1", app.ClaimFilter{Limit: 7, Cursor: cursor}))
		pages++
		if len(p.Claims) > 7 {
			t.Fatalf("page of %d", len(p.Claims))
		}
		for _, c := range p.Claims {
			got = append(got, c.ID)
		}
		if pages == 2 {
			// Inserts between pages: a newer claim sorts before the first page
			// and is not seen; an older one is seen once, on a later page.
			// Neither shifts the pages: nothing is repeated or skipped.
			must(s.CreateClaim(ctx(), claim("t1", "NEWER", app.StatusSubmitted, base.Add(time.Hour))))
			older = must(s.CreateClaim(ctx(), claim("t1", "OLDER", app.StatusSubmitted, base.Add(-time.Hour)))).ID
		}
		if p.Next == "" {
			break
		}
		cursor = p.Next
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
	}
	want = append(want, older)
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("pages gave %d claims (%v), want %d: the 25 listed first and the older one", len(got), got, len(want))
	}
	if pages != 4 {
		t.Fatalf("%d pages of 7 for 26 claims", pages)
	}
	p := must(s.ListClaims(ctx(), "t1", app.ClaimFilter{Limit: 26}))
	if len(p.Claims) != 26 || p.Next == "" {
		t.Fatalf("limit 26 of 27: %d, next %q", len(p.Claims), p.Next)
	}
	p = must(s.ListClaims(ctx(), "t1", app.ClaimFilter{Limit: 27}))
	if len(p.Claims) != 27 || p.Next != "" {
		t.Fatalf("limit 27 of 27: %d, next %q", len(p.Claims), p.Next)
	}
	_, err := s.ListClaims(ctx(), "t1", app.ClaimFilter{Limit: app.MaxListLimit + 1})
	wantErr(t, err, app.ErrInvalid, "limit over the maximum")
	_, err = s.ListClaims(ctx(), "t1", app.ClaimFilter{Limit: -1})
	wantErr(t, err, app.ErrInvalid, "negative limit")
	_, err = s.ListClaims(ctx(), "t1", app.ClaimFilter{Cursor: "not a cursor!"})
	wantErr(t, err, app.ErrBadCursor, "bad cursor")
	if p := must(s.ListClaims(ctx(), "t1", app.ClaimFilter{})); len(p.Claims) != min(app.DefaultListLimit, 27) {
		t.Fatalf("default limit gave %d", len(p.Claims))
	}
	// A t1 cursor used by t2 pages t2's claims only.
	p = must(s.ListClaims(ctx(), "t2", app.ClaimFilter{Limit: 500, Cursor: app.EncodeCursor(base.Add(time.Hour), "~")}))
	for _, c := range p.Claims {
		if c.Tenant != "t2" {
			t.Fatal("t2 sees a t1 claim through a cursor")
		}
	}
}

func testEvents(t *testing.T, open func() app.Store, _ func() (app.Store, error)) {
	s := twoTenants(t, open)
	c := must(s.CreateClaim(ctx(), claim("t1", "R1", app.StatusSubmitted, base)))
	kinds := []string{"created", "submitted", "remittance", "status"}
	for i, k := range kinds {
		e := must(s.AppendEvent(ctx(), "t1", app.Event{ClaimID: c.ID, Kind: k, At: base.Add(time.Duration(i) * time.Second),
			Payload: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))}))
		if e.Seq == 0 {
			t.Fatal("event without seq")
		}
	}
	must(s.AppendEvent(ctx(), "t1", app.Event{ClaimID: c.ID, Kind: "note"}))
	evs := must(s.ListEvents(ctx(), "t1", c.ID))
	if len(evs) != 5 {
		t.Fatalf("%d events", len(evs))
	}
	for i, k := range kinds {
		if evs[i].Kind != k || string(evs[i].Payload) != fmt.Sprintf(`{"n":%d}`, i) || !evs[i].At.Equal(base.Add(time.Duration(i)*time.Second)) {
			t.Fatalf("event %d: %+v", i, evs[i])
		}
		if i > 0 && evs[i].Seq <= evs[i-1].Seq {
			t.Fatal("events out of order")
		}
	}
	if evs[4].Payload != nil || evs[4].At.IsZero() {
		t.Fatalf("event without payload: %+v", evs[4])
	}
	_, err := s.AppendEvent(ctx(), "t2", app.Event{ClaimID: c.ID, Kind: "x"})
	wantErr(t, err, app.ErrNotFound, "AppendEvent by another tenant")
	_, err = s.ListEvents(ctx(), "t2", c.ID)
	wantErr(t, err, app.ErrNotFound, "ListEvents by another tenant")
	_, err = s.AppendEvent(ctx(), "t1", app.Event{ClaimID: c.ID})
	wantErr(t, err, app.ErrInvalid, "AppendEvent without kind")
}

func testRemittances(t *testing.T, open func() app.Store, _ func() (app.Store, error)) {
	s := twoTenants(t, open)
	c1 := must(s.CreateClaim(ctx(), claim("t1", "R1", app.StatusSubmitted, base)))
	c2 := must(s.CreateClaim(ctx(), claim("t1", "R2", app.StatusSubmitted, base)))
	other := must(s.CreateClaim(ctx(), claim("t2", "R3", app.StatusSubmitted, base)))
	in := app.Remittance{
		Tenant:   "t1",
		Raw:      []byte("ISA*00*~ST*835*0001~CLP*R1*1~CLP*R2*4~CLP*ZZ*1~"),
		Findings: json.RawMessage(`{"claims":[]}`),
		Counts:   app.RemittanceCounts{Claims: 3, Matched: 2, Unmatched: 1},
		Links: []app.RemittanceLink{
			{ClaimID: c1.ID, CLP01: "R1", Outcome: "paid"},
			{ClaimID: c2.ID, CLP01: "R2", Outcome: "denied"},
			{CLP01: "ZZ", Outcome: "paid"},
		},
		CreatedAt: base,
	}
	r := must(s.CreateRemittance(ctx(), in))
	got := must(s.GetRemittance(ctx(), "t1", r.ID))
	if !reflect.DeepEqual(got, r) {
		t.Fatalf("GetRemittance:\n got %+v\nwant %+v", got, r)
	}
	links := must(s.ClaimRemittances(ctx(), "t1", c2.ID))
	if len(links) != 1 || links[0].RemittanceID != r.ID || links[0].Outcome != "denied" || links[0].CLP01 != "R2" {
		t.Fatalf("ClaimRemittances: %+v", links)
	}
	_, err := s.GetRemittance(ctx(), "t2", r.ID)
	wantErr(t, err, app.ErrNotFound, "GetRemittance by another tenant")
	_, err = s.ClaimRemittances(ctx(), "t2", c1.ID)
	wantErr(t, err, app.ErrNotFound, "ClaimRemittances by another tenant")

	// A link to another tenant's claim fails the whole remittance.
	bad := in
	bad.ID = ""
	bad.Links = []app.RemittanceLink{{CLP01: "ZZ", Outcome: "paid"}, {ClaimID: other.ID, CLP01: "R3", Outcome: "paid"}}
	_, err = s.CreateRemittance(ctx(), bad)
	wantErr(t, err, app.ErrNotFound, "CreateRemittance linking another tenant's claim")
	bad.ID = "fixed-id"
	_, err = s.CreateRemittance(ctx(), bad)
	wantErr(t, err, app.ErrNotFound, "CreateRemittance linking another tenant's claim")
	_, err = s.GetRemittance(ctx(), "t1", "fixed-id")
	wantErr(t, err, app.ErrNotFound, "the failed remittance was kept")
	if l := must(s.ClaimRemittances(ctx(), "t2", other.ID)); len(l) != 0 {
		t.Fatalf("t2's claim got a link from t1: %+v", l)
	}
	_, err = s.CreateRemittance(ctx(), r)
	wantErr(t, err, app.ErrConflict, "CreateRemittance twice")
}

func testIdempotency(t *testing.T, open func() app.Store, _ func() (app.Store, error)) {
	s := twoTenants(t, open)
	fp := app.Fingerprint("POST", "/v1/claims", []byte(`{"a":1}`))
	fp2 := app.Fingerprint("POST", "/v1/claims", []byte(`{"a":2}`))
	req := app.IdempotencyRequest{Key: "k1", Fingerprint: fp, Now: base, Lease: 2 * time.Minute}
	begin := func(tenant string, r app.IdempotencyRequest, want app.IdempotencyOutcome) app.IdempotencyBegin {
		t.Helper()
		b := must(s.BeginIdempotency(ctx(), tenant, r))
		if b.Outcome != want {
			t.Fatalf("Begin(%s, %s): %v, want %v", tenant, r.Key, b.Outcome, want)
		}
		return b
	}
	first := begin("t1", req, app.IdemNew)
	if first.Token == "" {
		t.Fatal("new without a token")
	}
	begin("t1", req, app.IdemInFlight)
	mismatch := req
	mismatch.Fingerprint = fp2
	begin("t1", mismatch, app.IdemMismatch)
	t2 := begin("t2", req, app.IdemNew) // keys are per tenant
	resp := app.StoredResponse{Status: 201, Header: http.Header{"Content-Type": {"application/json"}, "Location": {"/v1/claims/x"}},
		Body: []byte(`{"id":"x"}`)}
	wantErr(t, s.FinishIdempotency(ctx(), "t1", "k1", "wrong", resp, base), app.ErrLeaseLost, "Finish with a wrong token")
	wantErr(t, s.FinishIdempotency(ctx(), "t1", "k1", t2.Token, resp, base), app.ErrLeaseLost, "Finish with another tenant's token")
	if err := s.FinishIdempotency(ctx(), "t1", "k1", first.Token, resp, base.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	replay := begin("t1", req, app.IdemReplay)
	if !reflect.DeepEqual(*replay.Response, resp) {
		t.Fatalf("replay %+v, want %+v", *replay.Response, resp)
	}
	later := req
	later.Now = base.Add(time.Hour) // a done key replays however late (until purged)
	begin("t1", later, app.IdemReplay)
	begin("t1", mismatch, app.IdemMismatch)
	wantErr(t, s.FinishIdempotency(ctx(), "t1", "k1", first.Token, resp, base), app.ErrLeaseLost, "Finish twice")
	begin("t2", req, app.IdemInFlight)

	// A crash between Begin and Finish: the lease runs out and the key is taken over.
	crash := app.IdempotencyRequest{Key: "k2", Fingerprint: fp, Now: base, Lease: 2 * time.Minute}
	dead := begin("t1", crash, app.IdemNew)
	crash.Now = base.Add(time.Minute)
	begin("t1", crash, app.IdemInFlight)
	crash.Now = base.Add(2 * time.Minute)
	taken := begin("t1", crash, app.IdemNew)
	if taken.Token == dead.Token {
		t.Fatal("takeover kept the token")
	}
	crash.Now = base.Add(3 * time.Minute)
	begin("t1", crash, app.IdemInFlight)
	wantErr(t, s.FinishIdempotency(ctx(), "t1", "k2", dead.Token, resp, base), app.ErrLeaseLost, "Finish after takeover")
	wantErr(t, s.ReleaseIdempotency(ctx(), "t1", "k2", dead.Token), app.ErrLeaseLost, "Release after takeover")
	empty := app.StoredResponse{Status: 204}
	if err := s.FinishIdempotency(ctx(), "t1", "k2", taken.Token, empty, base); err != nil {
		t.Fatal(err)
	}
	r := begin("t1", crash, app.IdemReplay).Response
	if r.Status != 204 || len(r.Body) != 0 || len(r.Header) != 0 {
		t.Fatalf("empty response replayed as %+v", r)
	}

	// Release: a failed request lets a retry run again.
	rel := app.IdempotencyRequest{Key: "k3", Fingerprint: fp, Now: base}
	b := begin("t1", rel, app.IdemNew)
	if err := s.ReleaseIdempotency(ctx(), "t1", "k3", b.Token); err != nil {
		t.Fatal(err)
	}
	begin("t1", rel, app.IdemNew)

	// Purge removes keys created before the cut-off, of every tenant.
	newer := app.IdempotencyRequest{Key: "k4", Fingerprint: fp, Now: base.Add(48 * time.Hour)}
	begin("t1", newer, app.IdemNew)
	n := must(s.PurgeIdempotency(ctx(), base.Add(24*time.Hour)))
	if n != 4 { // t1: k1, k2, k3; t2: k1
		t.Fatalf("purged %d, want 4", n)
	}
	begin("t1", req, app.IdemNew)
	newer.Now = base.Add(48*time.Hour + time.Second)
	begin("t1", newer, app.IdemInFlight)
	_, err := s.BeginIdempotency(ctx(), "t1", app.IdempotencyRequest{Fingerprint: fp})
	wantErr(t, err, app.ErrInvalid, "Begin without key")
}

func testIdempotencyConcurrent(t *testing.T, open func() app.Store, _ func() (app.Store, error)) {
	a := twoTenants(t, open)
	b := open() // a second handle: another process
	const n = 16
	fp := app.Fingerprint("POST", "/v1/claims", nil)
	var wg sync.WaitGroup
	outcomes := make([]app.IdempotencyOutcome, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := a
			if i%2 == 1 {
				s = b
			}
			r, err := s.BeginIdempotency(ctx(), "t1", app.IdempotencyRequest{Key: "race", Fingerprint: fp, Now: base})
			outcomes[i], errs[i] = r.Outcome, err
		}()
	}
	wg.Wait()
	count := map[app.IdempotencyOutcome]int{}
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		count[outcomes[i]]++
	}
	if count[app.IdemNew] != 1 || count[app.IdemInFlight] != n-1 {
		t.Fatalf("outcomes of %d concurrent Begins: %v", n, count)
	}

	// The lease runs out (a crash): N requests at once, exactly one takes over.
	clear(count)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := a
			if i%2 == 1 {
				s = b
			}
			r, err := s.BeginIdempotency(ctx(), "t1", app.IdempotencyRequest{Key: "race", Fingerprint: fp,
				Now: base.Add(time.Hour), Lease: time.Minute})
			outcomes[i], errs[i] = r.Outcome, err
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		count[outcomes[i]]++
	}
	if count[app.IdemNew] != 1 || count[app.IdemInFlight] != n-1 {
		t.Fatalf("outcomes of %d concurrent takeovers: %v", n, count)
	}
}

func testControlNumbers(t *testing.T, open func() app.Store, _ func() (app.Store, error)) {
	s := twoTenants(t, open)
	for want := int64(1); want <= 3; want++ {
		if got := must(s.NextControlNumber(ctx(), "t1", "CASEBRIDGE")); got != want {
			t.Fatalf("NextControlNumber = %d, want %d", got, want)
		}
	}
	// A restart (a new handle, the old one closed) continues the sequence.
	s.Close()
	s = open()
	if got := must(s.NextControlNumber(ctx(), "t1", "CASEBRIDGE")); got != 4 {
		t.Fatalf("after a restart: %d, want 4", got)
	}
	if got := must(s.NextControlNumber(ctx(), "t1", "OTHER")); got != 1 {
		t.Fatalf("another sender starts at %d", got)
	}
	if got := must(s.NextControlNumber(ctx(), "t2", "CASEBRIDGE")); got != 1 {
		t.Fatalf("another tenant starts at %d", got)
	}
	r := must(s.ReserveControlNumbers(ctx(), "t1", "CASEBRIDGE", 10))
	if r.First != 5 || r.Last != 14 {
		t.Fatalf("ReserveControlNumbers(10) = %+v", r)
	}
	if got := must(s.NextControlNumber(ctx(), "t1", "CASEBRIDGE")); got != 15 {
		t.Fatalf("after a block: %d", got)
	}
	r = must(s.ReserveControlNumbers(ctx(), "t1", "NEW", 5))
	if r.First != 1 || r.Last != 5 {
		t.Fatalf("first block of a new sender = %+v", r)
	}
	for _, n := range []int64{0, -1, app.MaxControlNumber + 1} {
		_, err := s.ReserveControlNumbers(ctx(), "t1", "CASEBRIDGE", n)
		wantErr(t, err, app.ErrInvalid, fmt.Sprintf("Reserve(%d)", n))
	}
	// Exhaustion: never wraps.
	r = must(s.ReserveControlNumbers(ctx(), "t1", "FULL", app.MaxControlNumber-2))
	if r.Last != app.MaxControlNumber-2 {
		t.Fatalf("big block %+v", r)
	}
	_, err := s.ReserveControlNumbers(ctx(), "t1", "FULL", 3)
	wantErr(t, err, app.ErrControlNumbersExhausted, "a block past the maximum")
	for want := int64(app.MaxControlNumber - 1); want <= app.MaxControlNumber; want++ {
		if got := must(s.NextControlNumber(ctx(), "t1", "FULL")); got != want {
			t.Fatalf("near the end: %d, want %d", got, want)
		}
	}
	for range 2 {
		_, err := s.NextControlNumber(ctx(), "t1", "FULL")
		wantErr(t, err, app.ErrControlNumbersExhausted, "past the maximum")
	}
	if got := must(s.NextControlNumber(ctx(), "t2", "FULL")); got != 1 {
		t.Fatalf("t2 shares t1's exhausted counter: %d", got)
	}
	_, err = s.NextControlNumber(ctx(), "t1", "")
	wantErr(t, err, app.ErrInvalid, "empty sender")
}

func testControlNumbersConcurrent(t *testing.T, open func() app.Store, _ func() (app.Store, error)) {
	a := twoTenants(t, open)
	b := open()
	const workers, each = 8, 25
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := a
			if w%2 == 1 {
				s = b
			}
			for i := range each {
				var nums []int64
				if i%5 == 4 {
					r, err := s.ReserveControlNumbers(ctx(), "t1", "CASEBRIDGE", 3)
					if err != nil {
						errs <- err
						return
					}
					for n := r.First; n <= r.Last; n++ {
						nums = append(nums, n)
					}
				} else {
					n, err := s.NextControlNumber(ctx(), "t1", "CASEBRIDGE")
					if err != nil {
						errs <- err
						return
					}
					nums = append(nums, n)
				}
				mu.Lock()
				for _, n := range nums {
					seen[n]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	total := int64(workers * (each/5*3 + each - each/5))
	if int64(len(seen)) != total {
		t.Fatalf("%d distinct numbers, want %d", len(seen), total)
	}
	for n := int64(1); n <= total; n++ {
		if seen[n] != 1 {
			t.Fatalf("number %d handed out %d times", n, seen[n])
		}
	}
}

func testWithTx(t *testing.T, open func() app.Store, _ func() (app.Store, error)) {
	s := twoTenants(t, open)
	boom := errors.New("boom")
	var id string
	err := s.WithTx(ctx(), func(tx app.Store) error {
		c, err := tx.CreateClaim(ctx(), claim("t1", "TX", app.StatusSubmitted, base))
		if err != nil {
			return err
		}
		id = c.ID
		if _, err := tx.AppendEvent(ctx(), "t1", app.Event{ClaimID: c.ID, Kind: "created"}); err != nil {
			return err
		}
		return boom
	})
	wantErr(t, err, boom, "WithTx")
	_, err = s.GetClaim(ctx(), "t1", id)
	wantErr(t, err, app.ErrNotFound, "claim of a rolled-back transaction")

	err = s.WithTx(ctx(), func(tx app.Store) error {
		c, err := tx.CreateClaim(ctx(), claim("t1", "TX", app.StatusSubmitted, base))
		if err != nil {
			return err
		}
		id = c.ID
		// Nested WithTx joins; CreateRemittance's own transaction too.
		return tx.WithTx(ctx(), func(tx app.Store) error {
			if _, err := tx.AppendEvent(ctx(), "t1", app.Event{ClaimID: c.ID, Kind: "created"}); err != nil {
				return err
			}
			_, err := tx.CreateRemittance(ctx(), app.Remittance{Tenant: "t1", Raw: []byte("ISA~"),
				Links: []app.RemittanceLink{{ClaimID: c.ID, CLP01: "TX", Outcome: "paid"}}})
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if evs := must(s.ListEvents(ctx(), "t1", id)); len(evs) != 1 {
		t.Fatalf("%d events after commit", len(evs))
	}
	if l := must(s.ClaimRemittances(ctx(), "t1", id)); len(l) != 1 {
		t.Fatalf("%d links after commit", len(l))
	}
}

// testIdempotencyKeyOnObjects: a claim's or remittance's Idempotency-Key is
// stored with it, unique per tenant (ErrConflict, nothing stored), found by
// ClaimByIdempotencyKey / RemittanceByIdempotencyKey, and rolled back with
// the transaction that wrote the object.
func testIdempotencyKeyOnObjects(t *testing.T, open func() app.Store, _ func() (app.Store, error)) {
	s := twoTenants(t, open)
	c := claim("t1", "R1", app.StatusSubmitted, base)
	c.IdempotencyKey = "k-1"
	c = must(s.CreateClaim(ctx(), c))
	if got := must(s.GetClaim(ctx(), "t1", c.ID)); got.IdempotencyKey != "k-1" {
		t.Fatalf("GetClaim: key %q", got.IdempotencyKey)
	}
	got := must(s.ClaimByIdempotencyKey(ctx(), "t1", "k-1"))
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("ClaimByIdempotencyKey:\n got %+v\nwant %+v", got, c)
	}
	again := claim("t1", "R1", app.StatusSubmitted, base)
	again.IdempotencyKey = "k-1"
	_, err := s.CreateClaim(ctx(), again)
	wantErr(t, err, app.ErrConflict, "CreateClaim with a used key")
	if p := must(s.ListClaims(ctx(), "t1", app.ClaimFilter{})); len(p.Claims) != 1 {
		t.Fatalf("claims after the conflict: %d, want 1", len(p.Claims))
	}
	// per tenant; claims without a key never conflict on it
	other := claim("t2", "R1", app.StatusSubmitted, base)
	other.IdempotencyKey = "k-1"
	must(s.CreateClaim(ctx(), other))
	must(s.CreateClaim(ctx(), claim("t1", "R2", app.StatusSubmitted, base)))
	must(s.CreateClaim(ctx(), claim("t1", "R3", app.StatusSubmitted, base)))
	_, err = s.ClaimByIdempotencyKey(ctx(), "t1", "k-2")
	wantErr(t, err, app.ErrNotFound, "ClaimByIdempotencyKey of an unused key")
	_, err = s.ClaimByIdempotencyKey(ctx(), "t1", "")
	wantErr(t, err, app.ErrNotFound, "ClaimByIdempotencyKey of no key")

	// a rolled-back transaction leaves the key free
	rolled := claim("t1", "R4", app.StatusSubmitted, base)
	rolled.IdempotencyKey = "k-rolled"
	boom := errors.New("boom")
	err = s.WithTx(ctx(), func(tx app.Store) error {
		if _, err := tx.CreateClaim(ctx(), rolled); err != nil {
			return err
		}
		return boom
	})
	wantErr(t, err, boom, "WithTx")
	_, err = s.ClaimByIdempotencyKey(ctx(), "t1", "k-rolled")
	wantErr(t, err, app.ErrNotFound, "the rolled-back claim's key")

	r := app.Remittance{Tenant: "t1", Raw: []byte("ISA*00*~"), Findings: json.RawMessage(`{}`),
		Counts: app.RemittanceCounts{Claims: 1, Matched: 1}, IdempotencyKey: "k-1",
		Links: []app.RemittanceLink{{ClaimID: c.ID, CLP01: "R1", Outcome: "paid"}}, CreatedAt: base}
	r = must(s.CreateRemittance(ctx(), r))
	gr := must(s.RemittanceByIdempotencyKey(ctx(), "t1", "k-1"))
	if !reflect.DeepEqual(gr, r) {
		t.Fatalf("RemittanceByIdempotencyKey:\n got %+v\nwant %+v", gr, r)
	}
	if gr := must(s.GetRemittance(ctx(), "t1", r.ID)); gr.IdempotencyKey != "k-1" {
		t.Fatalf("GetRemittance: key %q", gr.IdempotencyKey)
	}
	r2 := r
	r2.ID = ""
	_, err = s.CreateRemittance(ctx(), r2)
	wantErr(t, err, app.ErrConflict, "CreateRemittance with a used key")
	_, err = s.RemittanceByIdempotencyKey(ctx(), "t2", "k-1")
	wantErr(t, err, app.ErrNotFound, "RemittanceByIdempotencyKey by another tenant")
}
