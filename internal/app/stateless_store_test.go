package app_test

import (
	"errors"
	"fmt"
	"strconv"
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

// TestControlNumberBlocks: with Options.ControlNumberBlock two processes
// (services on one store), a stored claim and a one-a-call allocator (the
// CLI) interleave, concurrently too, and never repeat a number; each
// process hands its numbers out in order; a block that no longer fits
// below MaxControlNumber is drawn one a call to the last number.
func TestControlNumberBlocks(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		c := &clock{t: t0}
		p1 := app.New(st, app.DirProfiles("", ""), c.now, app.Options{ControlNumberBlock: 5})
		p2 := app.New(st, app.DirProfiles("", ""), c.now, app.Options{ControlNumberBlock: 5})
		cli, _ := newService(t, st)
		prof := profile.Default()
		self := testdata(t, "records/self.json")
		seen := map[int]string{}
		take := func(who string, n int, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", who, err)
			}
			if prev, ok := seen[n]; ok {
				t.Fatalf("%s: %d already handed out by %s", who, n, prev)
			}
			seen[n] = who
		}
		last := map[string]int{}
		for i := 0; i < 23; i++ {
			for _, p := range []struct {
				name string
				svc  *app.Service
			}{{"p1", p1}, {"p2", p2}, {"cli", cli}} {
				n, err := p.svc.ControlNumbers(ctx, "a", prof)()
				take(p.name, n, err)
				if n <= last[p.name] {
					t.Fatalf("%s: %d after %d", p.name, n, last[p.name])
				}
				last[p.name] = n
			}
			if i%7 == 0 {
				res := must(p1.SubmitRecord(ctx, "a", self, app.SubmitOptions{}))(t)
				n, err := strconv.Atoi(res.ControlNumbers.Interchange)
				take("stored", n, err)
			}
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				svc := []*app.Service{p1, p2, cli}[i%3]
				n, err := svc.ControlNumbers(ctx, "a", prof)()
				mu.Lock()
				defer mu.Unlock()
				take(fmt.Sprint("concurrent ", i%3), n, err)
			}()
		}
		wg.Wait()
		// the end of the range: 3 numbers left, a block of 5 does not fit
		must(st.ReserveControlNumbers(ctx, "a", "FULL", app.MaxControlNumber-3))(t)
		full := profile.Default()
		full.Interchange.SenderID = "FULL"
		for _, want := range []int{app.MaxControlNumber - 2, app.MaxControlNumber - 1, app.MaxControlNumber} {
			if n, err := p1.ControlNumbers(ctx, "a", full)(); n != want || err != nil {
				t.Fatalf("near the end: %d %v, want %d", n, err, want)
			}
		}
		if _, err := p1.ControlNumbers(ctx, "a", full)(); !errors.Is(err, app.ErrControlNumbersExhausted) {
			t.Fatalf("past the end: %v", err)
		}
	})
}
