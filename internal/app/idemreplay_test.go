package app_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/casebridge/casebridge/internal/app"
)

// crashedRequest runs one keyed request the way the middleware does (Begin,
// the handler) and then "crashes": Finish never runs, so the key stays in
// flight with the object committed. It returns the handler's answer as JSON.
func crashedRequest(t *testing.T, svc *app.Service, tenant, key, route string, body []byte, handler func() (any, error)) []byte {
	t.Helper()
	b := must(svc.Idempotency().Begin(ctx, tenant, key, "POST", route, body))(t)
	if b.Outcome != app.IdemNew {
		t.Fatalf("Begin %s: %v, want new", key, b.Outcome)
	}
	return must(json.Marshal(must(handler())(t)))(t)
}

// takeOver is a retry of a crashed request after its lease ran out: the key
// is taken over (IdemNew) and the handler runs again.
func takeOver(t *testing.T, svc *app.Service, c *clock, tenant, key, route string, body []byte) {
	t.Helper()
	b := must(svc.Idempotency().Begin(ctx, tenant, key, "POST", route, body))(t)
	if b.Outcome != app.IdemInFlight {
		t.Fatalf("Begin %s within the lease: %v, want in-flight", key, b.Outcome)
	}
	c.advance(app.DefaultIdempotencyLease + time.Second)
	b = must(svc.Idempotency().Begin(ctx, tenant, key, "POST", route, body))(t)
	if b.Outcome != app.IdemNew {
		t.Fatalf("Begin %s after the lease: %v, want new (a takeover)", key, b.Outcome)
	}
}

func countClaims(t *testing.T, st app.Store, tenant string) int {
	t.Helper()
	return len(must(st.ListClaims(ctx, tenant, app.ClaimFilter{Limit: app.MaxListLimit}))(t).Claims)
}

// The crash window of issue 9: the claim is committed, the process dies
// before the key's answer is, the lease runs out and the client retries with
// the key. The retry must answer the first answer, byte for byte, and store
// nothing (no claim, no event, no control number).
func TestIdempotentRetryAfterCrash(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, c := newService(t, st)
		cases := []struct {
			name, key   string
			body, other []byte
			submit      func(body []byte, key string) (*app.SubmitResult, error)
		}{
			{"record", "k-record", testdata(t, "records/self.json"), testdata(t, "records/individual-nursing.json"), func(b []byte, k string) (*app.SubmitResult, error) {
				return svc.SubmitRecord(ctx, "t1", b, app.SubmitOptions{IdempotencyKey: k})
			}},
			{"rejected", "k-rejected", testdata(t, "records-invalid/scrub-errors.json"), testdata(t, "records/individual-nursing.json"), func(b []byte, k string) (*app.SubmitResult, error) {
				return svc.SubmitRecord(ctx, "t1", b, app.SubmitOptions{IdempotencyKey: k})
			}},
		}
		// a FHIR Bundle of another record (with mapping warnings, expressions)
		rec := must(svc.SubmitRecord(ctx, "src", testdata(t, "records/dependent.json"), app.SubmitOptions{}))(t)
		bundle := must(svc.ClaimFHIR(ctx, "src", rec.ID))(t)
		rec2 := must(svc.SubmitRecord(ctx, "src", testdata(t, "records/self.json"), app.SubmitOptions{}))(t)
		other := must(svc.ClaimFHIR(ctx, "src", rec2.ID))(t)
		cases = append(cases, struct {
			name, key   string
			body, other []byte
			submit      func(body []byte, key string) (*app.SubmitResult, error)
		}{"fhir", "k-fhir", bundle, other, func(b []byte, k string) (*app.SubmitResult, error) {
			return svc.SubmitFHIR(ctx, "t1", b, app.SubmitOptions{IdempotencyKey: k})
		}})
		for _, tc := range cases {
			first := crashedRequest(t, svc, "t1", tc.key, "/v1/claims", tc.body, func() (any, error) { return tc.submit(tc.body, tc.key) })
			n := countClaims(t, st, "t1")
			var firstRes app.SubmitResult
			json.Unmarshal(first, &firstRes)
			events := len(must(st.ListEvents(ctx, "t1", firstRes.ID))(t))
			takeOver(t, svc, c, "t1", tc.key, "/v1/claims", tc.body)
			again := must(json.Marshal(must(tc.submit(tc.body, tc.key))(t)))(t)
			if !bytes.Equal(first, again) {
				t.Fatalf("%s: the retry's answer differs from the first:\n%s\n%s", tc.name, first, again)
			}
			if got := countClaims(t, st, "t1"); got != n {
				t.Fatalf("%s: %d claims after the retry, want %d", tc.name, got, n)
			}
			if got := len(must(st.ListEvents(ctx, "t1", firstRes.ID))(t)); got != events {
				t.Fatalf("%s: %d events after the retry, want %d", tc.name, got, events)
			}
			// the same key with another body (its answer purged, say): refused
			_, err := tc.submit(tc.other, tc.key)
			if !errors.Is(err, app.ErrIdempotencyKeyReused) || app.HTTPStatus(err) != 422 {
				t.Fatalf("%s: another record under the key: %v", tc.name, err)
			}
		}
		// no control number was drawn by the retries: record and fhir drew 1 and 2
		next := must(svc.SubmitRecord(ctx, "t1", testdata(t, "records/individual-nursing.json"), app.SubmitOptions{}))(t)
		if next.ControlNumbers == nil || next.ControlNumbers.Interchange != "000000003" {
			t.Fatalf("next control numbers %+v, want ISA13 3", next.ControlNumbers)
		}
	})
}

// POST /fhir/Claim with If-None-Exist: the retry answers 201 (the claim it
// created), not 200 (a match), and stores nothing.
func TestIdempotentFHIRCreateRetry(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, c := newService(t, st)
		rec := must(svc.SubmitRecord(ctx, "src", testdata(t, "records/self.json"), app.SubmitOptions{}))(t)
		body := must(svc.ClaimFHIR(ctx, "src", rec.ID))(t)
		opts := app.SubmitOptions{IdempotencyKey: "k-fhir-create"}
		ifNone := "identifier=" + rec.RecordID
		first := crashedRequest(t, svc, "t1", opts.IdempotencyKey, "/fhir/Claim", body, func() (any, error) {
			return svc.CreateFHIRClaim(ctx, "t1", body, opts, ifNone)
		})
		takeOver(t, svc, c, "t1", opts.IdempotencyKey, "/fhir/Claim", body)
		res := must(svc.CreateFHIRClaim(ctx, "t1", body, opts, ifNone))(t)
		if !res.Created || res.HTTPStatus() != 201 {
			t.Fatalf("retry: created %v, status %d", res.Created, res.HTTPStatus())
		}
		if again := must(json.Marshal(res))(t); !bytes.Equal(first, again) {
			t.Fatalf("the retry's answer differs:\n%s\n%s", first, again)
		}
		if n := countClaims(t, st, "t1"); n != 1 {
			t.Fatalf("%d claims, want 1", n)
		}
	})
}

func TestIdempotentRemittanceRetry(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, c := newService(t, st)
		self := submitted(t, svc, "t1", "self.json")
		raw := build835(t, 301,
			clp{id: "CM000123", status: "1", charge: "120", paid: "120", pr: "0", icn: "ICN-A", line: "CM000123-1"},
			clp{id: "NOSUCH", status: "1", charge: "10", paid: "10", pr: "0", icn: "ICN-B", line: "NOSUCH-1"})
		key := "k-835"
		opts := app.RemittanceOptions{IdempotencyKey: key}
		first := crashedRequest(t, svc, "t1", key, "/v1/remittances", raw, func() (any, error) {
			return svc.SubmitRemittance(ctx, "t1", raw, opts)
		})
		events := len(must(st.ListEvents(ctx, "t1", self.ID))(t))
		takeOver(t, svc, c, "t1", key, "/v1/remittances", raw)
		again := must(json.Marshal(must(svc.SubmitRemittance(ctx, "t1", raw, opts))(t)))(t)
		if !bytes.Equal(first, again) {
			t.Fatalf("the retry's answer differs:\n%s\n%s", first, again)
		}
		if links := must(st.ClaimRemittances(ctx, "t1", self.ID))(t); len(links) != 1 {
			t.Fatalf("%d remittance links to the claim, want 1", len(links))
		}
		if got := len(must(st.ListEvents(ctx, "t1", self.ID))(t)); got != events {
			t.Fatalf("%d events after the retry, want %d", got, events)
		}
		other := build835(t, 302, clp{id: "CM000123", status: "1", charge: "120", paid: "120", pr: "0", icn: "ICN-A", line: "CM000123-1"})
		_, err := svc.SubmitRemittance(ctx, "t1", other, opts)
		if !errors.Is(err, app.ErrIdempotencyKeyReused) {
			t.Fatalf("another 835 under the key: %v", err)
		}
	})
}

// Two requests racing on one key (the lease taken over while the first
// still runs): one claim, both answer it.
func TestIdempotentSubmitRace(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newService(t, st)
		body := testdata(t, "records/self.json")
		const n = 6
		ids := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := svc.SubmitRecord(ctx, "t1", body, app.SubmitOptions{IdempotencyKey: "k-race"})
				errs[i] = err
				if err == nil {
					ids[i] = res.ID
				}
			}()
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Fatalf("request %d: %v, id %s (first %s)", i, errs[i], ids[i], ids[0])
			}
		}
		if got := countClaims(t, st, "t1"); got != 1 {
			t.Fatalf("%d claims, want 1", got)
		}
	})
}
