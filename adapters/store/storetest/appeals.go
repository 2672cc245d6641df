package storetest

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/casebridge/casebridge/internal/app"
)

func appeal(tenant, claimID, key string) app.Appeal {
	return app.Appeal{Tenant: tenant, ClaimID: claimID, Finding: "0", Body: json.RawMessage(`{"category":"documentation"}`),
		HTML: []byte("<p>letter</p>"), PDF: []byte("%PDF-1.3"), IdempotencyKey: key, CreatedAt: base}
}

// testAppeals: numbering per claim, reads, tenants, idempotency keys.
func testAppeals(t *testing.T, open func() app.Store, _ func() (app.Store, error)) {
	s := twoTenants(t, open)
	defer s.Close()
	c1 := must(s.CreateClaim(ctx(), claim("t1", "R1", app.StatusDenied, base)))
	c2 := must(s.CreateClaim(ctx(), claim("t1", "R2", app.StatusDenied, base)))
	if got := must(s.ListAppeals(ctx(), "t1", c1.ID)); len(got) != 0 {
		t.Fatalf("no appeals yet: %+v", got)
	}
	a1 := must(s.CreateAppeal(ctx(), appeal("t1", c1.ID, "k1")))
	a2 := must(s.CreateAppeal(ctx(), appeal("t1", c1.ID, "")))
	b1 := must(s.CreateAppeal(ctx(), appeal("t1", c2.ID, "")))
	if a1.N != 1 || a2.N != 2 || b1.N != 1 {
		t.Fatalf("numbers: %d %d %d, want 1 2 1", a1.N, a2.N, b1.N)
	}
	got := must(s.GetAppeal(ctx(), "t1", c1.ID, 1))
	if got.ClaimID != c1.ID || got.Finding != "0" || string(got.Body) != `{"category":"documentation"}` ||
		string(got.HTML) != "<p>letter</p>" || string(got.PDF) != "%PDF-1.3" || got.IdempotencyKey != "k1" || !got.CreatedAt.Equal(base) {
		t.Fatalf("get: %+v", got)
	}
	list := must(s.ListAppeals(ctx(), "t1", c1.ID))
	if len(list) != 2 || list[0].N != 1 || list[1].N != 2 || list[0].HTML != nil || list[0].PDF != nil || string(list[1].Body) == "" {
		t.Fatalf("list: %+v", list)
	}
	byKey := must(s.AppealByIdempotencyKey(ctx(), "t1", "k1"))
	if byKey.N != 1 || byKey.ClaimID != c1.ID {
		t.Fatalf("by key: %+v", byKey)
	}
	_, err := s.CreateAppeal(ctx(), appeal("t1", c2.ID, "k1"))
	wantErr(t, err, app.ErrConflict, "same key again")
	// another tenant sees nothing, and cannot appeal t1's claim
	_, err = s.GetAppeal(ctx(), "t2", c1.ID, 1)
	wantErr(t, err, app.ErrNotFound, "other tenant's appeal")
	_, err = s.ListAppeals(ctx(), "t2", c1.ID)
	wantErr(t, err, app.ErrNotFound, "other tenant's list")
	_, err = s.AppealByIdempotencyKey(ctx(), "t2", "k1")
	wantErr(t, err, app.ErrNotFound, "other tenant's key")
	_, err = s.CreateAppeal(ctx(), appeal("t2", c1.ID, ""))
	wantErr(t, err, app.ErrNotFound, "appeal of another tenant's claim")
	_, err = s.GetAppeal(ctx(), "t1", c1.ID, 3)
	wantErr(t, err, app.ErrNotFound, "no third appeal")
	// the same key in another tenant is another key
	must(s.CreateClaim(ctx(), claim("t2", "R1", app.StatusDenied, base)))
	// in a transaction that rolls back, nothing stays
	_ = s.WithTx(ctx(), func(tx app.Store) error {
		must(tx.CreateAppeal(ctx(), appeal("t1", c2.ID, "")))
		return fmt.Errorf("roll back")
	})
	if got := must(s.ListAppeals(ctx(), "t1", c2.ID)); len(got) != 1 {
		t.Fatalf("rolled back appeal kept: %d", len(got))
	}
}

// testAppealsConcurrent: appeals of one claim made at once get 1..n, each once.
func testAppealsConcurrent(t *testing.T, open func() app.Store, _ func() (app.Store, error)) {
	s := twoTenants(t, open)
	defer s.Close()
	c := must(s.CreateClaim(ctx(), claim("t1", "R1", app.StatusDenied, base)))
	const n = 8
	var wg sync.WaitGroup
	nums := make(chan int, n)
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := s.CreateAppeal(ctx(), appeal("t1", c.ID, ""))
			if err != nil {
				errs <- err
				return
			}
			nums <- a.N
		}()
	}
	wg.Wait()
	close(nums)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for k := range nums {
		if seen[k] || k < 1 || k > n {
			t.Fatalf("number %d repeated or out of 1..%d", k, n)
		}
		seen[k] = true
	}
}
