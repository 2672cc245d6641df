package app_test

import (
	"sync"
	"testing"

	"github.com/casebridge/casebridge/internal/app"
)

// LocalMode's shared query never answers from a query older than the
// question: a key created before a (concurrent) call ends local mode for it.
func TestLocalModeSharedQuery(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, clk := newService(t, st)
		other, _ := newService(t, st) // another process on the database
		var wg sync.WaitGroup
		for i := 0; i < 32; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if local, err := svc.LocalMode(ctx); err != nil || !local {
					t.Errorf("before any key: %v %v", local, err)
				}
			}()
		}
		wg.Wait()
		if _, _, err := other.CreateKey(ctx, "acme", "desk"); err != nil {
			t.Fatal(err)
		}
		// svc trusts its "no key" for app.DefaultAuthRecheck (authcache_test.go)
		clk.advance(app.DefaultAuthRecheck)
		for i := 0; i < 32; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if local, err := svc.LocalMode(ctx); err != nil || local {
					t.Errorf("after a key: %v %v", local, err)
				}
			}()
		}
		wg.Wait()
	})
}
