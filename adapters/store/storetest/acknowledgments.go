package storetest

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/casebridge/casebridge/internal/app"
)

// testAcknowledgments: acknowledgments are stored and read back per tenant,
// keep their Idempotency-Key unique per tenant, and claims are found by
// their 837D's envelope numbers, never another tenant's.
func testAcknowledgments(t *testing.T, open func() app.Store, _ func() (app.Store, error)) {
	s := twoTenants(t, open)
	withControl := func(tenant, rec string, isa, gs, st int64, at int) app.Claim {
		c := claim(tenant, rec, app.StatusSubmitted, base.Add(time.Duration(at)*time.Minute))
		c.X12 = []byte("ISA~")
		c.Control = &app.ControlNumbers{Interchange: isa, Group: gs, Transaction: st}
		return must(s.CreateClaim(ctx(), c))
	}
	a := withControl("t1", "A", 7, 7, 7, 1)
	b := withControl("t1", "B", 8, 8, 1, 2)
	b2 := withControl("t1", "B2", 8, 8, 2, 3) // same interchange, another set
	other := withControl("t2", "A", 7, 7, 7, 4)
	must(s.CreateClaim(ctx(), claim("t1", "R", app.StatusRejected, base))) // no control numbers

	ids := func(cs []app.Claim) []string {
		out := []string{}
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	for _, tc := range []struct {
		tenant string
		m      app.ControlMatch
		want   []string
	}{
		{"t1", app.ControlMatch{Interchange: 7}, []string{a.ID}},
		{"t2", app.ControlMatch{Interchange: 7}, []string{other.ID}},
		{"t1", app.ControlMatch{Interchange: 8}, []string{b2.ID, b.ID}},
		{"t1", app.ControlMatch{Group: 8, Transaction: 2}, []string{b2.ID}},
		{"t1", app.ControlMatch{Group: 8}, []string{b2.ID, b.ID}},
		{"t1", app.ControlMatch{Group: 7, Transaction: 2}, []string{}},
		{"t1", app.ControlMatch{Interchange: 9}, []string{}},
	} {
		got := ids(must(s.ClaimsByControlNumber(ctx(), tc.tenant, tc.m)))
		if !equalStrings(got, tc.want) {
			t.Errorf("%s %+v: %v, want %v", tc.tenant, tc.m, got, tc.want)
		}
	}
	_, err := s.ClaimsByControlNumber(ctx(), "t1", app.ControlMatch{})
	wantErr(t, err, app.ErrInvalid, "empty control match")

	ack := app.Acknowledgment{Tenant: "t1", Type: "999", Raw: []byte("ISA*999~"), Result: json.RawMessage(`{"matched":1}`),
		Matched: 1, Unmatched: 2, IdempotencyKey: "k1", CreatedAt: base}
	got := must(s.CreateAcknowledgment(ctx(), ack))
	if got.ID == "" || !got.CreatedAt.Equal(base) {
		t.Fatalf("created %+v", got)
	}
	back := must(s.GetAcknowledgment(ctx(), "t1", got.ID))
	if back.Type != "999" || !bytes.Equal(back.Raw, ack.Raw) || string(back.Result) != `{"matched":1}` ||
		back.Matched != 1 || back.Unmatched != 2 || back.IdempotencyKey != "k1" || !back.CreatedAt.Equal(base) {
		t.Errorf("read back %+v", back)
	}
	byKey := must(s.AcknowledgmentByIdempotencyKey(ctx(), "t1", "k1"))
	if byKey.ID != got.ID {
		t.Errorf("by key: %s, want %s", byKey.ID, got.ID)
	}
	_, err = s.GetAcknowledgment(ctx(), "t2", got.ID)
	wantErr(t, err, app.ErrNotFound, "another tenant's acknowledgment")
	_, err = s.AcknowledgmentByIdempotencyKey(ctx(), "t2", "k1")
	wantErr(t, err, app.ErrNotFound, "another tenant's key")
	_, err = s.AcknowledgmentByIdempotencyKey(ctx(), "t1", "")
	wantErr(t, err, app.ErrNotFound, "empty key")

	dup := ack
	dup.ID = ""
	_, err = s.CreateAcknowledgment(ctx(), dup)
	wantErr(t, err, app.ErrConflict, "same key twice in a tenant")
	dup.Tenant = "t2"
	must(s.CreateAcknowledgment(ctx(), dup)) // the same key in another tenant
	dup.ID = got.ID
	dup.Tenant, dup.IdempotencyKey = "t1", ""
	_, err = s.CreateAcknowledgment(ctx(), dup)
	wantErr(t, err, app.ErrConflict, "same id twice")

	for what, bad := range map[string]app.Acknowledgment{
		"no raw":    {Tenant: "t1", Type: "999", Result: json.RawMessage(`{}`)},
		"bad type":  {Tenant: "t1", Type: "835", Raw: []byte("x"), Result: json.RawMessage(`{}`)},
		"no result": {Tenant: "t1", Type: "TA1", Raw: []byte("x")},
	} {
		_, err := s.CreateAcknowledgment(ctx(), bad)
		wantErr(t, err, app.ErrInvalid, what)
	}
	_, err = s.CreateAcknowledgment(ctx(), app.Acknowledgment{Tenant: "nobody", Type: "TA1", Raw: []byte("x"), Result: json.RawMessage(`{}`)})
	wantErr(t, err, app.ErrNotFound, "unknown tenant")
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
