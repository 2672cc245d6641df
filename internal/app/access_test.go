package app_test

import (
	"bytes"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/casebridge/casebridge/internal/app"
)

func TestIdempotency(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, c := newService(t, st)
		idem := svc.Idempotency()
		const route = "/v1/claims"
		body := testdata(t, "records/self.json")

		b := must(idem.Begin(ctx, "t1", "key-1", "POST", route, body))(t)
		if b.Outcome != app.IdemNew || b.Token == "" {
			t.Fatalf("first %+v", b)
		}
		// a second request while the first runs
		if b2 := must(idem.Begin(ctx, "t1", "key-1", "POST", route, body))(t); b2.Outcome != app.IdemInFlight {
			t.Fatalf("concurrent %v", b2.Outcome)
		}
		// the same key in another tenant is another key
		if b3 := must(idem.Begin(ctx, "t2", "key-1", "POST", route, body))(t); b3.Outcome != app.IdemNew {
			t.Fatalf("other tenant %v", b3.Outcome)
		}

		res := must(svc.SubmitRecord(ctx, "t1", body, app.SubmitOptions{}))(t)
		respBody := must(jsonBytes(res))(t)
		h := http.Header{"Content-Type": {"application/json"}, "Location": {res.Location()}, "Casebridge-Warnings": {"2"}}
		if err := idem.Finish(ctx, "t1", "key-1", b.Token, res.HTTPStatus(), h, respBody); err != nil {
			t.Fatal(err)
		}
		c.advance(23 * time.Hour)
		r := must(idem.Begin(ctx, "t1", "key-1", "POST", route, body))(t)
		if r.Outcome != app.IdemReplay || r.Response.Status != 201 || !bytes.Equal(r.Response.Body, respBody) || !reflect.DeepEqual(r.Response.Header, h) {
			t.Fatalf("replay %+v", r)
		}
		// same key, another body (or route)
		if m := must(idem.Begin(ctx, "t1", "key-1", "POST", route, append([]byte(" "), body...)))(t); m.Outcome != app.IdemMismatch {
			t.Fatalf("other body %v", m.Outcome)
		}
		if m := must(idem.Begin(ctx, "t1", "key-1", "POST", "/v1/remittances", body))(t); m.Outcome != app.IdemMismatch {
			t.Fatalf("other route %v", m.Outcome)
		}

		// a failed request is released and runs again
		f := must(idem.Begin(ctx, "t1", "key-2", "POST", route, body))(t)
		if err := idem.Release(ctx, "t1", "key-2", f.Token); err != nil {
			t.Fatal(err)
		}
		if again := must(idem.Begin(ctx, "t1", "key-2", "POST", route, body))(t); again.Outcome != app.IdemNew {
			t.Fatalf("after release %v", again.Outcome)
		}
		// a crashed request's lease runs out and is taken over; the old token is refused
		c.advance(app.DefaultIdempotencyLease + time.Second)
		over := must(idem.Begin(ctx, "t1", "key-2", "POST", route, body))(t)
		if over.Outcome != app.IdemNew {
			t.Fatalf("takeover %v", over.Outcome)
		}
		wantErr(t, idem.Finish(ctx, "t1", "key-2", f.Token, 201, nil, nil), app.ErrLeaseLost, "finish with a lost lease")

		// keys live at least 24 h: purge keeps key-1 (created 23 h + 5 min ago) ...
		if n := must(idem.Purge(ctx))(t); n != 0 {
			t.Fatalf("purged %d young keys", n)
		}
		c.advance(time.Hour)
		// ... and removes it past 24 h, with t2's key-1
		if n := must(idem.Purge(ctx))(t); n != 2 {
			t.Fatalf("purged %d", n)
		}
		if b := must(idem.Begin(ctx, "t1", "key-1", "POST", route, body))(t); b.Outcome != app.IdemNew {
			t.Fatalf("after purge %v", b.Outcome)
		}

		for _, bad := range []string{"", strings.Repeat("k", 256), "with space", "é"} {
			_, err := idem.Begin(ctx, "t1", bad, "POST", route, body)
			wantErr(t, err, app.ErrInvalid, "key "+bad)
		}
	})
}

func TestKeys(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newService(t, st)
		if local := must(svc.LocalMode(ctx))(t); !local {
			t.Fatal("a new gateway is not in local mode")
		}
		if ten := must(svc.ResolveTenant(ctx, ""))(t); ten != app.LocalTenant {
			t.Fatalf("local tenant %q", ten)
		}
		_, err := svc.ResolveTenant(ctx, "cb_unknown")
		wantErr(t, err, app.ErrUnauthenticated, "a key in local mode")
		plain, k := func() (string, app.APIKey) {
			p, k, err := svc.CreateKey(ctx, "t1", "front desk")
			if err != nil {
				t.Fatal(err)
			}
			return p, k
		}()
		// ≥ 128 bits: "cb_" + 43 base64url characters (256 bits)
		if !strings.HasPrefix(plain, app.APIKeyPrefix) || len(plain)-len(app.APIKeyPrefix) < 22 || k.Hash != nil || k.Tenant != "t1" || !strings.HasPrefix(plain, k.Prefix) {
			t.Fatalf("key %q %+v", plain, k)
		}
		if local := must(svc.LocalMode(ctx))(t); local {
			t.Fatal("local mode after a key was created")
		}
		if ten := must(svc.Authenticate(ctx, plain))(t); ten != "t1" {
			t.Fatalf("tenant %q", ten)
		}
		if ten := must(svc.ResolveTenant(ctx, plain))(t); ten != "t1" {
			t.Fatalf("resolved tenant %q", ten)
		}
		_, err = svc.ResolveTenant(ctx, "")
		wantErr(t, err, app.ErrUnauthenticated, "no key once keys exist")
		for _, bad := range []string{"", "cb_nope", plain + "x", strings.ToUpper(plain)} {
			_, err := svc.Authenticate(ctx, bad)
			wantErr(t, err, app.ErrUnauthenticated, "bad key")
		}
		ks := must(svc.ListKeys(ctx, "t1"))(t)
		if len(ks) != 1 || ks[0].ID != k.ID || ks[0].Hash != nil || ks[0].Label != "front desk" || ks[0].RevokedAt != nil {
			t.Fatalf("keys %+v", ks)
		}
		if v := ks[0].View(); v.ID != k.ID || v.RevokedAt != nil || v.Prefix != k.Prefix {
			t.Fatalf("view %+v", v)
		}
		// another tenant cannot see or revoke it
		if ks := must(svc.ListKeys(ctx, "t2"))(t); len(ks) != 0 {
			t.Fatalf("t2 sees %+v", ks)
		}
		wantErr(t, svc.RevokeKey(ctx, "t2", k.ID), app.ErrNotFound, "revoke another tenant's key")
		if ten := must(svc.Authenticate(ctx, plain))(t); ten != "t1" {
			t.Fatal("key revoked by another tenant")
		}

		if err := svc.RevokeKey(ctx, "t1", k.ID); err != nil {
			t.Fatal(err)
		}
		_, err = svc.Authenticate(ctx, plain)
		wantErr(t, err, app.ErrUnauthenticated, "revoked key")
		if ks := must(svc.ListKeys(ctx, "t1"))(t); ks[0].RevokedAt == nil {
			t.Fatal("not shown revoked")
		}
		// revoking every key locks the gateway; a fresh process sees it too
		fresh, _ := newService(t, st)
		if local := must(fresh.LocalMode(ctx))(t); local {
			t.Fatal("local mode after every key was revoked")
		}
		_, _, err = svc.CreateKey(ctx, "t1", "bad\nlabel")
		wantErr(t, err, app.ErrInvalid, "label with a newline")
		_, _, err = svc.CreateKey(ctx, "", "x")
		wantErr(t, err, app.ErrInvalid, "empty tenant")
	})
}

// Every method answers not found for another tenant's object.
func TestTenantIsolation(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newService(t, st)
		a := submitted(t, svc, "a", "self.json")
		rem := must(svc.SubmitRemittance(ctx, "a", build835(t, 301,
			clp{id: "CM000123", status: "1", charge: "120", paid: "120", pr: "0", icn: "ICN-A", line: "CM000123-1"})))(t)
		if rem.Matched != 1 {
			t.Fatalf("%+v", rem)
		}
		// b exists too, with a claim of the same record id
		b := submitted(t, svc, "b", "self.json")

		for name, call := range map[string]func() error{
			"GetClaim":           func() error { _, err := svc.GetClaim(ctx, "b", a.ID); return err },
			"ClaimX12":           func() error { _, err := svc.ClaimX12(ctx, "b", a.ID); return err },
			"ClaimFHIR":          func() error { _, err := svc.ClaimFHIR(ctx, "b", a.ID); return err },
			"Timeline":           func() error { _, err := svc.Timeline(ctx, "b", a.ID); return err },
			"GetRemittance":      func() error { _, err := svc.GetRemittance(ctx, "b", rem.ID); return err },
			"RemittanceFindings": func() error { _, err := svc.RemittanceFindings(ctx, "b", rem.ID); return err },
			"RemittanceX12":      func() error { _, err := svc.RemittanceX12(ctx, "b", rem.ID); return err },
			"unknown tenant":     func() error { _, err := svc.GetClaim(ctx, "nobody", a.ID); return err },
			"empty id":           func() error { _, err := svc.GetClaim(ctx, "a", ""); return err },
		} {
			wantErr(t, call(), app.ErrNotFound, name)
		}
		page := must(svc.ListClaims(ctx, "b", app.ClaimQuery{}))(t)
		if len(page.Items) != 1 || page.Items[0].ID != b.ID {
			t.Fatalf("b lists %+v", page.Items)
		}
		if page := must(svc.ListClaims(ctx, "b", app.ClaimQuery{RecordID: "CM000123", Status: app.StatusPaid}))(t); len(page.Items) != 0 {
			t.Fatalf("b lists a's paid claim %+v", page.Items)
		}
		// a's cursor does not open b's claims
		many := must(svc.ListClaims(ctx, "a", app.ClaimQuery{Limit: 1}))(t)
		if many.NextCursor != nil {
			t.Fatal("one claim, two pages")
		}
		// b's remittance for the same record id matches b's claim only
		rb := must(svc.SubmitRemittance(ctx, "b", build835(t, 302,
			clp{id: "CM000123", status: "4", charge: "120", paid: "0", pr: "0", icn: "ICN-B", line: "CM000123-1", cas: []string{"CO*16*120"}})))(t)
		if rb.Matched != 1 {
			t.Fatalf("%+v", rb)
		}
		if d := must(svc.GetClaim(ctx, "a", a.ID))(t); d.Status != app.StatusPaid || d.PayerClaimNumber != "ICN-A" {
			t.Fatalf("a's claim changed by b's 835: %s %s", d.Status, d.PayerClaimNumber)
		}
		if d := must(svc.GetClaim(ctx, "b", b.ID))(t); d.Status != app.StatusDenied {
			t.Fatalf("b's claim %s", d.Status)
		}
		// and a tenant that never submitted anything matches nothing
		rc := must(svc.SubmitRemittance(ctx, "c", build835(t, 303,
			clp{id: "CM000123", status: "1", charge: "120", paid: "120", pr: "0", icn: "ICN-A", line: "CM000123-1"})))(t)
		if rc.Matched != 0 || len(rc.Unmatched) != 1 {
			t.Fatalf("%+v", rc)
		}
	})
}
