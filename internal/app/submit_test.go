package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"

	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/claims"
	"github.com/casebridge/casebridge/internal/profile"
	"github.com/casebridge/casebridge/internal/record"
)

func TestSubmitRecord(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newService(t, st)
		body := testdata(t, "records/self.json")
		res := must(svc.SubmitRecord(ctx, "t1", body, app.SubmitOptions{}))(t)
		if res.HTTPStatus() != 201 || res.Status != app.StatusSubmitted || res.RecordID != "CM000123" {
			t.Fatalf("result %+v", res)
		}
		if res.ControlNumbers == nil || res.ControlNumbers.Interchange != "000000001" || res.ControlNumbers.Group != "1" || res.ControlNumbers.Transaction != "0001" {
			t.Fatalf("control numbers %+v", res.ControlNumbers)
		}
		if res.Location() != "/v1/claims/"+res.ID {
			t.Fatalf("location %s", res.Location())
		}
		if len(res.Problems) == 0 || res.Problems[0].Severity != "warning" {
			t.Fatalf("problems %+v (self.json has warnings)", res.Problems)
		}
		// the answer renders as the contract says
		var m map[string]any
		json.Unmarshal(must(json.Marshal(res))(t), &m)
		for _, k := range []string{"id", "status", "record_id", "control_numbers", "problems"} {
			if _, ok := m[k]; !ok {
				t.Errorf("answer lacks %q", k)
			}
		}

		// the 837D is the one claims.Generate writes with the same number and time
		rec, _, _ := record.DecodeBytes(body)
		want := must(claims.Generate(rec, profile.Default(), claims.Options{ControlNumber: 1, At: t0}))(t)
		if got := must(svc.ClaimX12(ctx, "t1", res.ID))(t); !bytes.Equal(got, want.X12) {
			t.Fatalf("stored 837D differs:\n%s\n%s", got, want.X12)
		}
		bundle := must(svc.ClaimFHIR(ctx, "t1", res.ID))(t)
		var b struct{ ResourceType string }
		if json.Unmarshal(bundle, &b); b.ResourceType != "Bundle" {
			t.Fatalf("bundle %.100s", bundle)
		}
		d := must(svc.GetClaim(ctx, "t1", res.ID))(t)
		if d.Status != app.StatusSubmitted || !bytes.Equal(d.Record, body) || d.ControlNumbers.Interchange != "000000001" {
			t.Fatalf("detail %+v", d.ClaimSummary)
		}
		var rep claims.Report
		if err := json.Unmarshal(d.ScrubReport, &rep); err != nil || !rep.Valid || rep.RecordID != "CM000123" {
			t.Fatalf("scrub report %s", d.ScrubReport)
		}

		tl := must(svc.Timeline(ctx, "t1", res.ID))(t)
		if tl.Status != app.StatusSubmitted || len(tl.Events) != 2 || tl.Events[0].Kind != app.EventStored || tl.Events[1].Kind != app.EventGenerated {
			t.Fatalf("timeline %+v", tl)
		}
		var gen struct {
			ControlNumbers struct{ Interchange string } `json:"control_numbers"`
			Sender         string
		}
		json.Unmarshal(tl.Events[1].Data, &gen)
		if gen.ControlNumbers.Interchange != "000000001" || gen.Sender != "CASEBRIDGE" {
			t.Fatalf("837d_generated %s", tl.Events[1].Data)
		}
	})
}

func TestSubmitRejected(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newService(t, st)
		res := must(svc.SubmitRecord(ctx, "t1", testdata(t, "records-invalid/scrub-errors.json"), app.SubmitOptions{}))(t)
		if res.HTTPStatus() != 422 || res.Status != app.StatusRejected || res.ControlNumbers != nil || res.RecordID != "CM*BAD" {
			t.Fatalf("result %+v", res)
		}
		errs := 0
		for _, p := range res.Problems {
			if p.Severity == "error" {
				errs++
				if p.Pointer == "" && p.Code != "REQUIRED" {
					t.Errorf("problem without pointer %+v", p)
				}
			}
		}
		if errs == 0 {
			t.Fatal("no errors")
		}
		// stored, so the office can fix it; no 837D, no bundle
		d := must(svc.GetClaim(ctx, "t1", res.ID))(t)
		if d.Status != app.StatusRejected || d.ControlNumbers != nil {
			t.Fatalf("detail %+v", d.ClaimSummary)
		}
		_, err := svc.ClaimX12(ctx, "t1", res.ID)
		wantErr(t, err, app.ErrNotFound, "837D of a rejected claim")
		_, err = svc.ClaimFHIR(ctx, "t1", res.ID)
		wantErr(t, err, app.ErrNotFound, "bundle of a rejected claim")
		tl := must(svc.Timeline(ctx, "t1", res.ID))(t)
		if tl.Status != app.StatusRejected || len(tl.Events) != 1 || tl.Events[0].Kind != app.EventStored {
			t.Fatalf("timeline %+v", tl)
		}
		// the rejected record drew no control number
		ok := must(svc.SubmitRecord(ctx, "t1", testdata(t, "records/self.json"), app.SubmitOptions{}))(t)
		if ok.ControlNumbers.Interchange != "000000001" {
			t.Fatalf("first clean claim got %s", ok.ControlNumbers.Interchange)
		}
	})
}

func TestSubmitDecodeErrors(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newService(t, st)
		var de *app.DecodeError
		_, err := svc.SubmitRecord(ctx, "t1", testdata(t, "records-invalid/not-json.json"), app.SubmitOptions{})
		if !errors.As(err, &de) || de.Status != 400 || de.Syntax == nil {
			t.Fatalf("not JSON: %v", err)
		}
		_, err = svc.SubmitRecord(ctx, "t1", testdata(t, "records-invalid/unknown-field.json"), app.SubmitOptions{})
		if !errors.As(err, &de) || de.Status != 422 || len(de.Problems) == 0 || de.Problems[0].Pointer == "" {
			t.Fatalf("unknown field: %v %+v", err, de)
		}
		_, err = svc.SubmitRecord(ctx, "t1", []byte(`{"services": []}`), app.SubmitOptions{})
		if !errors.As(err, &de) || de.Status != 422 {
			t.Fatalf("no record id: %v", err)
		}
		_, err = svc.SubmitFHIR(ctx, "t1", []byte(`{"resourceType": "Claim",`), app.SubmitOptions{})
		if !errors.As(err, &de) || de.Status != 400 || de.FHIR == nil || len(de.FHIR.Issues) == 0 {
			t.Fatalf("FHIR not JSON: %v", err)
		}
		_, err = svc.SubmitFHIR(ctx, "t1", testdata(t, "fhir/Claim-100155.json"), app.SubmitOptions{})
		if !errors.As(err, &de) || de.Status/100 != 4 || de.FHIR == nil {
			t.Fatalf("HL7 example claim: %v", err)
		}
		var oe *claims.OptionError
		_, err = svc.SubmitRecord(ctx, "t1", testdata(t, "records/self.json"), app.SubmitOptions{Profile: "../etc"})
		if !errors.As(err, &oe) || oe.Option != "profile" {
			t.Fatalf("bad profile: %v", err)
		}
		_, err = svc.SubmitRecord(ctx, "t1", testdata(t, "records/self.json"), app.SubmitOptions{Usage: "X"})
		if !errors.As(err, &oe) || oe.Option != "usage" {
			t.Fatalf("bad usage: %v", err)
		}
		_, err = svc.SubmitRecord(ctx, "", testdata(t, "records/self.json"), app.SubmitOptions{})
		wantErr(t, err, app.ErrInvalid, "empty tenant")
		page := must(svc.ListClaims(ctx, "t1", app.ClaimQuery{}))(t)
		if len(page.Items) != 0 {
			t.Fatalf("%d claims stored from unreadable bodies", len(page.Items))
		}
		// nothing consumed a control number either
		n := must(st.NextControlNumber(ctx, "t1", "CASEBRIDGE"))(t)
		if n != 1 {
			t.Fatalf("counter at %d", n)
		}
	})
}

// Record → 837D and record → FHIR Bundle → 837D give the same bytes: the
// stored Bundle of a record, submitted as FHIR in another tenant (so it
// draws the same control number), stores the same 837D.
func TestSubmitFHIR(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newService(t, st)
		for _, name := range []string{"self", "dependent", "individual-nursing"} {
			rec := must(svc.SubmitRecord(ctx, "records", testdata(t, "records/"+name+".json"), app.SubmitOptions{}))(t)
			bundle := must(svc.ClaimFHIR(ctx, "records", rec.ID))(t)
			res := must(svc.SubmitFHIR(ctx, "fhir", bundle, app.SubmitOptions{}))(t)
			if res.Status != app.StatusSubmitted || res.RecordID != rec.RecordID || *res.ControlNumbers != *rec.ControlNumbers {
				t.Fatalf("%s: %+v", name, res)
			}
			a := must(svc.ClaimX12(ctx, "records", rec.ID))(t)
			b := must(svc.ClaimX12(ctx, "fhir", res.ID))(t)
			if !bytes.Equal(a, b) {
				t.Fatalf("%s: 837D from FHIR differs:\n%s\n%s", name, a, b)
			}
			for _, p := range res.Problems {
				if p.Expression == "" {
					t.Errorf("%s: FHIR problem without expression %+v", name, p)
				}
			}
			// the stored record is the mapped case record, readable as one
			d := must(svc.GetClaim(ctx, "fhir", res.ID))(t)
			if _, probs, err := record.DecodeBytes(d.Record); err != nil || probs.HasErrors() {
				t.Fatalf("%s: stored mapped record: %v %v", name, err, probs)
			}
			tl := must(svc.Timeline(ctx, "fhir", res.ID))(t)
			if !bytes.Contains(tl.Events[0].Data, []byte(`"source":"fhir"`)) {
				t.Fatalf("stored event %s", tl.Events[0].Data)
			}
		}
		// an EHR's Bundle
		res := must(svc.SubmitFHIR(ctx, "fhir", testdata(t, "fhir/ehr/bundle-claim-first.json"), app.SubmitOptions{}))(t)
		if res.RecordID == "" || res.ID == "" {
			t.Fatalf("%+v", res)
		}
	})
}

// Control numbers come from the store: consecutive per tenant and ISA06
// sender, unique under concurrent submissions.
func TestControlNumbers(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		other := profile.Default()
		other.Interchange.SenderID = "OTHERSENDER"
		profiles := app.ProfileFunc(func(_ context.Context, _ string, name string) (*profile.Profile, error) {
			switch name {
			case "":
				return profile.Default(), nil
			case "other":
				return other, nil
			}
			return nil, fmt.Errorf("unknown")
		})
		c := &clock{t: t0}
		svc := app.New(st, profiles, c.now, app.Options{})
		body := testdata(t, "records/self.json")
		for i := 1; i <= 3; i++ {
			res := must(svc.SubmitRecord(ctx, "a", body, app.SubmitOptions{}))(t)
			if want := fmt.Sprintf("%09d", i); res.ControlNumbers.Interchange != want {
				t.Fatalf("claim %d: %s", i, res.ControlNumbers.Interchange)
			}
		}
		if res := must(svc.SubmitRecord(ctx, "a", body, app.SubmitOptions{Profile: "other"}))(t); res.ControlNumbers.Interchange != "000000001" {
			t.Fatalf("other sender starts at %s", res.ControlNumbers.Interchange)
		}
		if res := must(svc.SubmitRecord(ctx, "b", body, app.SubmitOptions{}))(t); res.ControlNumbers.Interchange != "000000001" {
			t.Fatalf("tenant b starts at %s", res.ControlNumbers.Interchange)
		}

		const n = 8
		var wg sync.WaitGroup
		got := make([]string, n)
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				res, err := svc.SubmitRecord(ctx, "a", body, app.SubmitOptions{})
				if err == nil {
					got[i] = res.ControlNumbers.Interchange
				}
				errs[i] = err
			}(i)
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		sort.Strings(got)
		for i, g := range got {
			if want := fmt.Sprintf("%09d", i+4); g != want {
				t.Fatalf("concurrent numbers %v", got)
			}
		}
		// each stored 837D carries its own number
		page := must(svc.ListClaims(ctx, "a", app.ClaimQuery{Limit: 500}))(t)
		seen := map[string]bool{}
		for _, it := range page.Items {
			x := must(svc.ClaimX12(ctx, "a", it.ID))(t)
			isa13 := string(x[90:99])
			key := isa13 + "/" + fmt.Sprint(bytes.Contains(x, []byte("OTHERSENDER")))
			if seen[key] || isa13 != it.ControlNumbers.Interchange {
				t.Fatalf("ISA13 %s of claim %s (%s)", isa13, it.ID, it.ControlNumbers.Interchange)
			}
			seen[key] = true
		}
		if len(seen) != 12 {
			t.Fatalf("%d claims", len(seen))
		}
	})
}

func TestListClaims(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, c := newService(t, st)
		var ids []string
		for _, f := range []string{"records/self.json", "records-invalid/scrub-errors.json", "records/dependent.json"} {
			res := must(svc.SubmitRecord(ctx, "t1", testdata(t, f), app.SubmitOptions{}))(t)
			ids = append(ids, res.ID)
			c.advance(1e9)
		}
		p1 := must(svc.ListClaims(ctx, "t1", app.ClaimQuery{Limit: 2}))(t)
		if len(p1.Items) != 2 || p1.Items[0].ID != ids[2] || p1.Items[1].ID != ids[1] || p1.NextCursor == nil {
			t.Fatalf("page 1 %+v", p1)
		}
		p2 := must(svc.ListClaims(ctx, "t1", app.ClaimQuery{Limit: 2, Cursor: *p1.NextCursor}))(t)
		if len(p2.Items) != 1 || p2.Items[0].ID != ids[0] || p2.NextCursor != nil {
			t.Fatalf("page 2 %+v", p2)
		}
		if b := must(json.Marshal(p2))(t); !bytes.Contains(b, []byte(`"next_cursor":null`)) || !bytes.HasPrefix(b, []byte(`{"items":[`)) {
			t.Fatalf("rendered %s", b)
		}
		rej := must(svc.ListClaims(ctx, "t1", app.ClaimQuery{Status: app.StatusRejected}))(t)
		if len(rej.Items) != 1 || rej.Items[0].ID != ids[1] || rej.Items[0].ControlNumbers != nil {
			t.Fatalf("rejected %+v", rej)
		}
		byRec := must(svc.ListClaims(ctx, "t1", app.ClaimQuery{RecordID: "CM000124"}))(t)
		if len(byRec.Items) != 1 || byRec.Items[0].ID != ids[2] {
			t.Fatalf("by record %+v", byRec)
		}
		_, err := svc.ListClaims(ctx, "t1", app.ClaimQuery{Limit: 501})
		wantErr(t, err, app.ErrInvalid, "limit 501")
		_, err = svc.ListClaims(ctx, "t1", app.ClaimQuery{Status: "lost"})
		wantErr(t, err, app.ErrInvalid, "unknown status")
		_, err = svc.ListClaims(ctx, "t1", app.ClaimQuery{Cursor: "!!"})
		wantErr(t, err, app.ErrBadCursor, "bad cursor")
	})
}
