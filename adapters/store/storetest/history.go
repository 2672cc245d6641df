package storetest

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/casebridge/casebridge/internal/app"
)

// testHistory: claim links (set, replace, filter, tenant isolation), claims
// by status and a tenant's events by kind.
func testHistory(t *testing.T, open func() app.Store, _ func() (app.Store, error)) {
	s := twoTenants(t, open)
	a := must(s.CreateClaim(ctx(), claim("t1", "A", app.StatusDenied, base)))
	b := must(s.CreateClaim(ctx(), claim("t1", "B", app.StatusSubmitted, base.Add(time.Second))))
	c := must(s.CreateClaim(ctx(), claim("t1", "C", app.StatusPaid, base.Add(2*time.Second))))
	other := must(s.CreateClaim(ctx(), claim("t2", "A", app.StatusDenied, base)))

	if err := s.SetClaimLinks(ctx(), "t1", app.ClaimLinks{ClaimID: a.ID, PatientKey: "p1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetClaimLinks(ctx(), "t1", app.ClaimLinks{ClaimID: b.ID, PatientKey: "p1", Replaces: a.ID}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetClaimLinks(ctx(), "t1", app.ClaimLinks{ClaimID: c.ID, PatientKey: "x"}); err != nil {
		t.Fatal(err)
	}
	// setting again replaces
	if err := s.SetClaimLinks(ctx(), "t1", app.ClaimLinks{ClaimID: c.ID, PatientKey: "p2"}); err != nil {
		t.Fatal(err)
	}
	// another tenant's claim cannot be linked from t2's side of a t1 id
	wantErr(t, s.SetClaimLinks(ctx(), "t2", app.ClaimLinks{ClaimID: a.ID, PatientKey: "p1"}), app.ErrNotFound, "links of another tenant's claim")
	if err := s.SetClaimLinks(ctx(), "t2", app.ClaimLinks{ClaimID: other.ID, PatientKey: "p1"}); err != nil {
		t.Fatal(err)
	}
	_, err := s.ListClaimLinks(ctx(), "t1", app.ClaimLinkFilter{})
	wantErr(t, err, app.ErrInvalid, "empty filter")

	got := must(s.ListClaimLinks(ctx(), "t1", app.ClaimLinkFilter{PatientKey: "p1"}))
	want := []app.ClaimLinks{{ClaimID: a.ID, PatientKey: "p1"}, {ClaimID: b.ID, PatientKey: "p1", Replaces: a.ID}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("by patient: %+v, want %+v", got, want)
	}
	got = must(s.ListClaimLinks(ctx(), "t1", app.ClaimLinkFilter{Replaces: a.ID}))
	if len(got) != 1 || got[0].ClaimID != b.ID {
		t.Fatalf("by replaces: %+v", got)
	}
	got = must(s.ListClaimLinks(ctx(), "t1", app.ClaimLinkFilter{PatientKey: "p2"}))
	if len(got) != 1 || got[0].ClaimID != c.ID {
		t.Fatalf("replaced links: %+v", got)
	}
	if got := must(s.ListClaimLinks(ctx(), "t2", app.ClaimLinkFilter{PatientKey: "p1"})); len(got) != 1 || got[0].ClaimID != other.ID {
		t.Fatalf("t2 links: %+v", got)
	}

	cs := must(s.ClaimsWithStatus(ctx(), "t1", []app.ClaimStatus{app.StatusDenied, app.StatusPaid}))
	if len(cs) != 2 || cs[0].ID != a.ID || cs[1].ID != c.ID || string(cs[0].Record) != `{"record_id":"A"}` {
		t.Fatalf("claims with status: %+v", cs)
	}
	_, err = s.ClaimsWithStatus(ctx(), "t1", []app.ClaimStatus{"nope"})
	wantErr(t, err, app.ErrInvalid, "bad status")

	for i, e := range []app.Event{
		{ClaimID: a.ID, Kind: "stored"}, {ClaimID: a.ID, Kind: "remittance", Payload: json.RawMessage(`{"n":1}`)},
		{ClaimID: b.ID, Kind: "stored"}, {ClaimID: b.ID, Kind: "appeal"}, {ClaimID: a.ID, Kind: "remittance", Payload: json.RawMessage(`{"n":2}`)},
	} {
		e.At = base.Add(time.Duration(i) * time.Second)
		must(s.AppendEvent(ctx(), "t1", e))
	}
	must(s.AppendEvent(ctx(), "t2", app.Event{ClaimID: other.ID, Kind: "remittance", At: base}))
	evs := must(s.TenantEvents(ctx(), "t1", []string{"remittance", "appeal"}))
	var kinds []string
	for i, e := range evs {
		kinds = append(kinds, e.Kind+":"+e.ClaimID)
		if i > 0 && evs[i-1].Seq >= e.Seq {
			t.Fatalf("events out of order: %+v", evs)
		}
	}
	wantKinds := []string{"remittance:" + a.ID, "appeal:" + b.ID, "remittance:" + a.ID}
	if !reflect.DeepEqual(kinds, wantKinds) || string(evs[2].Payload) != `{"n":2}` || !evs[1].At.Equal(base.Add(3*time.Second)) {
		t.Fatalf("tenant events: %v", kinds)
	}
	_, err = s.TenantEvents(ctx(), "t1", nil)
	wantErr(t, err, app.ErrInvalid, "no kinds")
}
