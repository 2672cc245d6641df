package app_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/profile"
)

// TestStatelessControlNumbers: Service.ControlNumbers draws from the
// counter SubmitRecord uses (same tenant and ISA06 sender), only when the
// record is clean; concurrent draws never repeat; another sender or tenant
// counts on its own.
func TestStatelessControlNumbers(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newService(t, st)
		self := testdata(t, "records/self.json")
		prof := profile.Default()
		gen := func(tenant string, p *app.Profile) string {
			t.Helper()
			res, err := app.Generate837D(self, p, app.Envelope{At: at, Allocate: svc.ControlNumbers(ctx, tenant, p)})
			if err != nil || res.X12 == nil {
				t.Fatalf("generate: %v", err)
			}
			return res.ControlNumbers.Interchange
		}
		if got := gen("a", prof); got != "000000001" {
			t.Fatalf("first: %s", got)
		}
		if res := must(svc.SubmitRecord(ctx, "a", self, app.SubmitOptions{}))(t); res.ControlNumbers.Interchange != "000000002" {
			t.Fatalf("stored claim after a stateless one: %s", res.ControlNumbers.Interchange)
		}
		// a refused record draws nothing
		bad := testdata(t, "records-invalid/scrub-errors.json")
		if res, err := app.Generate837D(bad, prof, app.Envelope{At: at, Allocate: svc.ControlNumbers(ctx, "a", prof)}); err != nil || res.X12 != nil {
			t.Fatalf("refused record: %v", err)
		}
		if got := gen("a", prof); got != "000000003" {
			t.Fatalf("after a refused record: %s", got)
		}
		other := profile.Default()
		other.Interchange.SenderID = "OTHERSENDER"
		if got := gen("a", other); got != "000000001" {
			t.Fatalf("another sender: %s", got)
		}
		if got := gen("b", prof); got != "000000001" {
			t.Fatalf("another tenant: %s", got)
		}
		var mu sync.Mutex
		seen := map[string]bool{}
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := svc.ControlNumbers(ctx, "c", prof)()
				mu.Lock()
				defer mu.Unlock()
				if err != nil || seen[fmt.Sprint(n)] {
					t.Errorf("concurrent draw: %d %v", n, err)
				}
				seen[fmt.Sprint(n)] = true
			}()
		}
		wg.Wait()
		if len(seen) != 8 {
			t.Errorf("%d distinct numbers", len(seen))
		}
		// a bad tenant is refused before anything is drawn
		if _, err := svc.ControlNumbers(ctx, "../x", prof)(); !errors.Is(err, app.ErrInvalid) {
			t.Errorf("bad tenant: %v", err)
		}
		// the allocation error reaches the caller as ErrControlNumber
		_, err := app.Generate837D(self, prof, app.Envelope{At: at, Allocate: func() (int, error) { return 0, app.ErrControlNumbersExhausted }})
		if !errors.Is(err, app.ErrControlNumber) || !strings.Contains(err.Error(), "exhausted") {
			t.Errorf("exhausted: %v", err)
		}
	})
}
