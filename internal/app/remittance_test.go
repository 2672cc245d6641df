package app_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/mapping/remit"
)

// remEvent is the part of a remittance event the tests read.
type remEvent struct {
	RemittanceID     string `json:"remittance_id"`
	Outcome          string `json:"outcome"`
	PreviousStatus   string `json:"previous_status"`
	StatusCode       string `json:"status_code"`
	PayerClaimNumber string `json:"payer_claim_number"`
	Paid             string `json:"paid"`
	Findings         []struct {
		Category string `json:"category"`
	} `json:"findings"`
	Lines []struct {
		LineControlNumber string `json:"line_control_number"`
		ServiceIndex      *int   `json:"service_index"`
	} `json:"lines"`
}

func remittanceEvents(t *testing.T, tl *app.Timeline) []remEvent {
	t.Helper()
	var out []remEvent
	for _, e := range tl.Events {
		if e.Kind != app.EventRemittance {
			continue
		}
		var r remEvent
		if err := json.Unmarshal(e.Data, &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func submitted(t *testing.T, svc *app.Service, tenant, file string) *app.SubmitResult {
	t.Helper()
	res := must(svc.SubmitRecord(ctx, tenant, testdata(t, "records/"+file), app.SubmitOptions{}))(t)
	if res.Status != app.StatusSubmitted {
		t.Fatalf("%s: %s", file, res.Status)
	}
	return res
}

// The testdata 835 (d9997_dental.x12) with its CLP01 and REF*6R values
// replaced by the stored claims' record and line ids: CM-1001 → self.json
// (denied), CM-1002 → dependent.json (paid, explicit line id), CM-1003 stays
// (no such claim: unmatched), CM-1004 → individual-nursing.json (one line
// paid, one denied: partially paid).
func TestRemittanceReconciliation(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, c := newService(t, st)
		self := submitted(t, svc, "t1", "self.json")
		dep := submitted(t, svc, "t1", "dependent.json")
		nurse := submitted(t, svc, "t1", "individual-nursing.json")
		c.advance(1e9)

		raw := string(testdata(t, "835/d9997_dental.x12"))
		raw = strings.NewReplacer(
			"REF*6R*CM-1001-1~", "REF*6R*CM000123-1~",
			"REF*6R*CM-1002-1~", "REF*6R*CM000124-A~",
			"REF*6R*CM-1004-1~", "REF*6R*CM000125-1~",
			"REF*6R*CM-1004-2~", "REF*6R*CM000125-9~", // no such line
			"CLP*CM-1001*", "CLP*CM000123*",
			"CLP*CM-1002*", "CLP*CM000124*",
			"CLP*CM-1004*", "CLP*CM000125*",
		).Replace(raw)
		res := must(svc.SubmitRemittance(ctx, "t1", []byte(raw)))(t)
		if res.Claims != 4 || res.Matched != 3 || len(res.Unmatched) != 1 || res.Unmatched[0] != "CM-1003" {
			t.Fatalf("result %+v", res)
		}
		var sum remit.Summary
		if err := json.Unmarshal(res.Summary, &sum); err != nil || sum.Claims != 4 {
			t.Fatalf("summary %s", res.Summary)
		}
		if res.Location() != "/v1/remittances/"+res.ID {
			t.Fatal(res.Location())
		}

		want := map[string]app.ClaimStatus{self.ID: app.StatusDenied, dep.ID: app.StatusPaid, nurse.ID: app.StatusPartiallyPaid}
		pcn := map[string]string{self.ID: "ICNCM-1001", dep.ID: "ICNCM-1002", nurse.ID: "ICNCM-1004"}
		for id, status := range want {
			d := must(svc.GetClaim(ctx, "t1", id))(t)
			if d.Status != status || d.PayerClaimNumber != pcn[id] {
				t.Errorf("%s: status %s pcn %q, want %s %q", d.RecordID, d.Status, d.PayerClaimNumber, status, pcn[id])
			}
			tl := must(svc.Timeline(ctx, "t1", id))(t)
			evs := remittanceEvents(t, tl)
			if len(tl.Events) != 3 || len(evs) != 1 || evs[0].Outcome != string(status) || evs[0].RemittanceID != res.ID ||
				evs[0].PreviousStatus != "submitted" || evs[0].PayerClaimNumber != pcn[id] {
				t.Errorf("%s: timeline %+v", d.RecordID, tl)
			}
		}

		// lines matched by REF*6R = line id
		lines := remittanceEvents(t, must(svc.Timeline(ctx, "t1", self.ID))(t))[0]
		if len(lines.Findings) == 0 || len(lines.Lines) != 1 || lines.Lines[0].ServiceIndex == nil || *lines.Lines[0].ServiceIndex != 0 {
			t.Fatalf("self: %+v", lines)
		}
		lines = remittanceEvents(t, must(svc.Timeline(ctx, "t1", dep.ID))(t))[0]
		if len(lines.Lines) != 1 || lines.Lines[0].LineControlNumber != "CM000124-A" || lines.Lines[0].ServiceIndex == nil || *lines.Lines[0].ServiceIndex != 0 {
			t.Fatalf("dependent: %+v", lines)
		}
		lines = remittanceEvents(t, must(svc.Timeline(ctx, "t1", nurse.ID))(t))[0]
		if len(lines.Lines) != 2 || lines.Lines[0].ServiceIndex == nil || *lines.Lines[0].ServiceIndex != 0 || lines.Lines[1].ServiceIndex != nil {
			t.Fatalf("nursing: %+v", lines)
		}

		// the unmatched payment is kept
		d := must(svc.GetRemittance(ctx, "t1", res.ID))(t)
		if d.Claims != 4 || d.Matched != 3 || len(d.Links) != 4 || d.Links[2].PatientControlNumber != "CM-1003" || d.Links[2].ClaimID != nil ||
			*d.Links[0].ClaimID != self.ID || d.Links[0].Outcome != "denied" || len(d.Unmatched) != 1 || d.Unmatched[0] != "CM-1003" {
			t.Fatalf("detail %+v", d)
		}
		// the findings as stored are the findings report of the file
		rep := must(remit.BuildReport(strings.NewReader(raw), remit.Options{}))(t)
		if got, want := must(svc.RemittanceFindings(ctx, "t1", res.ID))(t), must(json.Marshal(rep))(t); !bytes.Equal(got, want) {
			t.Fatalf("findings differ")
		}
		if got := must(svc.RemittanceX12(ctx, "t1", res.ID))(t); string(got) != raw {
			t.Fatal("stored 835 differs")
		}

		// claims listed by status after reconciliation
		page := must(svc.ListClaims(ctx, "t1", app.ClaimQuery{Status: app.StatusPartiallyPaid}))(t)
		if len(page.Items) != 1 || page.Items[0].ID != nurse.ID {
			t.Fatalf("partially paid %+v", page.Items)
		}
	})
}

// denied → paid on appeal → reversed → corrected (in one 835), then a
// reversal and its correction in two 835s; and a CLP matched by CLP07 alone.
func TestRemittanceReversalAndTimeline(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, c := newService(t, st)
		self := submitted(t, svc, "t1", "self.json")
		// a resubmission of the same record that was rejected: never matched
		bad := strings.Replace(string(testdata(t, "records/self.json")), `"npi": "1234567893"`, `"npi": "1234567890"`, 1)
		rejected := must(svc.SubmitRecord(ctx, "t1", []byte(bad), app.SubmitOptions{}))(t)
		if rejected.Status != app.StatusRejected {
			t.Fatalf("resubmission %s", rejected.Status)
		}

		steps := []struct {
			x12    []byte
			status app.ClaimStatus
			pcn    string
		}{
			{build835(t, 201, clp{id: "CM000123", status: "4", charge: "120", paid: "0", pr: "0", icn: "ICN-A", line: "CM000123-1", cas: []string{"CO*16*120"}}),
				app.StatusDenied, "ICN-A"},
			{build835(t, 202, clp{id: "CM000123", status: "1", charge: "120", paid: "120", pr: "0", icn: "ICN-A", line: "CM000123-1"}),
				app.StatusPaid, "ICN-A"},
			// reversal and correction in one file: the correction's outcome stands
			{build835(t, 203,
				clp{id: "CM000123", status: "22", charge: "-120", paid: "-120", pr: "0", icn: "ICN-A", line: "CM000123-1"},
				clp{id: "CM000123", status: "1", charge: "120", paid: "80", pr: "20", icn: "ICN-B", line: "CM000123-1", cas: []string{"CO*45*20", "PR*3*20"}}),
				app.StatusPaid, "ICN-B"},
			// a reversal alone
			{build835(t, 204, clp{id: "CM000123", status: "22", charge: "-120", paid: "-80", pr: "-20", icn: "ICN-B", line: "CM000123-1", cas: []string{"CO*45*-20", "PR*3*-20"}}),
				app.StatusReversed, "ICN-B"},
			// its correction in a later file, found by CLP07 (CLP01 unknown):
			// one line denied as not covered, so partially paid
			{build835(t, 205, clp{id: "UNKNOWN-1", status: "1", charge: "120", paid: "60", pr: "0", icn: "ICN-B", line: "CM000123-1", cas: []string{"CO*204*60"}}),
				app.StatusPartiallyPaid, "ICN-B"},
		}
		var outcomes []string
		for i, s := range steps {
			c.advance(1e9)
			res := must(svc.SubmitRemittance(ctx, "t1", s.x12))(t)
			if res.Matched != res.Claims || len(res.Unmatched) != 0 {
				t.Fatalf("step %d: %+v\n%s", i, res, s.x12)
			}
			d := must(svc.GetClaim(ctx, "t1", self.ID))(t)
			if d.Status != s.status || d.PayerClaimNumber != s.pcn {
				t.Fatalf("step %d: status %s pcn %s, want %s %s", i, d.Status, d.PayerClaimNumber, s.status, s.pcn)
			}
		}
		tl := must(svc.Timeline(ctx, "t1", self.ID))(t)
		kinds := []string{}
		for i, e := range tl.Events {
			kinds = append(kinds, e.Kind)
			if i > 0 && (e.Seq <= tl.Events[i-1].Seq || e.At.Before(tl.Events[i-1].At)) {
				t.Fatalf("events out of order: %+v", tl.Events)
			}
		}
		for _, e := range remittanceEvents(t, tl) {
			outcomes = append(outcomes, e.Outcome)
		}
		if strings.Join(kinds, ",") != "stored,837d_generated,remittance,remittance,remittance,remittance,remittance,remittance" ||
			strings.Join(outcomes, ",") != "denied,paid,reversed,paid,reversed,partially_paid" || tl.Status != app.StatusPartiallyPaid {
			t.Fatalf("timeline %v %v %s", kinds, outcomes, tl.Status)
		}
		evs := remittanceEvents(t, tl)
		if evs[0].Findings == nil || len(evs[0].Findings) == 0 || evs[3].PreviousStatus != "reversed" {
			t.Fatalf("events %+v", evs)
		}
		// the rejected claim with the same record id was never touched
		if d := must(svc.GetClaim(ctx, "t1", rejected.ID))(t); d.Status != app.StatusRejected || d.PayerClaimNumber != "" {
			t.Fatalf("rejected claim changed: %+v", d.ClaimSummary)
		}

		// the testdata reversal file: REV-1 reversed and corrected in one set
		other := submitted(t, svc, "t2", "self.json")
		raw := strings.NewReplacer("CLP*REV-1*", "CLP*CM000123*").Replace(string(testdata(t, "835/reversal_corrected.x12")))
		res := must(svc.SubmitRemittance(ctx, "t2", []byte(raw)))(t)
		if res.Claims != 4 || res.Matched != 2 || strings.Join(res.Unmatched, ",") != "PAY-2,REV-3" {
			t.Fatalf("reversal_corrected: %+v", res)
		}
		d := must(svc.GetClaim(ctx, "t2", other.ID))(t)
		if d.Status != app.StatusPaid || d.PayerClaimNumber != "ICN-NEW-1" {
			t.Fatalf("reversal_corrected: %s %s", d.Status, d.PayerClaimNumber)
		}
	})
}

func TestRemittanceUnreadable(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newService(t, st)
		_, err := svc.SubmitRemittance(ctx, "t1", []byte("not an 835"))
		var de *app.DecodeError
		var xe *x12.Error
		if !errors.As(err, &de) || de.Status != 422 || !errors.As(err, &xe) {
			t.Fatalf("error %v", err)
		}
	})
}

func TestClaimOutcome(t *testing.T) {
	for _, name := range []string{"categories", "claim_vs_line_cas", "d9997_dental", "loop_dependent", "rarc_rule", "reversal_corrected", "summary_totals", "two_sets_pipe_crlf"} {
		rep := must(remit.BuildReport(bytes.NewReader(testdata(t, "835/"+name+".x12")), remit.Options{}))(t)
		for _, r := range rep.Remittances {
			for i := range r.Claims {
				cr := &r.Claims[i]
				got := app.ClaimOutcome(cr)
				if !got.Valid() || got == app.StatusSubmitted || got == app.StatusRejected {
					t.Errorf("%s %s: %s", name, cr.PatientControlNumber, got)
				}
				switch cr.StatusCode {
				case "22":
					if got != app.StatusReversed {
						t.Errorf("%s %s: reversal gave %s", name, cr.PatientControlNumber, got)
					}
				case "4":
					if got != app.StatusDenied {
						t.Errorf("%s %s: CLP02 4 gave %s", name, cr.PatientControlNumber, got)
					}
				}
				if got == app.StatusPaid && cr.Paid.Sign() > 0 {
					for _, f := range cr.Findings {
						if f.Category.IsDenial() {
							t.Errorf("%s %s: paid with a %s finding", name, cr.PatientControlNumber, f.Category)
						}
					}
				}
			}
		}
	}
}

// Values PostgreSQL text cannot hold are refused or cleaned, never a 500.
func TestUnstorableValues(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newService(t, st)
		self := string(testdata(t, "records/self.json"))
		var de *app.DecodeError
		for name, body := range map[string]string{
			"NUL in record id": strings.Replace(self, `"CM000123"`, `"CM\u0000123"`, 1),
			"long record id":   strings.Replace(self, `"CM000123"`, `"`+strings.Repeat("C", 5000)+`"`, 1),
			"not UTF-8":        strings.Replace(self, `"Jane"`, "\"J\xffne\"", 1),
		} {
			_, err := svc.SubmitRecord(ctx, "t1", []byte(body), app.SubmitOptions{})
			if !errors.As(err, &de) || de.Status/100 != 4 {
				t.Errorf("%s: %v", name, err)
			}
		}
		// a record id too long for a claim, short enough to store: rejected and stored
		res := must(svc.SubmitRecord(ctx, "t1", []byte(strings.Replace(self, `"CM000123"`, `"`+strings.Repeat("C", 40)+`"`, 1)), app.SubmitOptions{}))(t)
		if res.Status != app.StatusRejected {
			t.Fatalf("40-character record id: %s", res.Status)
		}
		raw := build835(t, 401,
			clp{id: "BAD\xff\xfe", status: "1", charge: "10", paid: "10", pr: "0", icn: "ICN\xff", line: "X"},
			clp{id: strings.Repeat("L", 300), status: "1", charge: "10", paid: "10", pr: "0", icn: strings.Repeat("I", 300), line: "X"})
		rem := must(svc.SubmitRemittance(ctx, "t1", raw))(t)
		if rem.Claims != 2 || rem.Matched != 0 || len(rem.Unmatched) != 2 || len(rem.Unmatched[1]) != app.MaxStoredID {
			t.Fatalf("%+v", rem)
		}
		d := must(svc.GetRemittance(ctx, "t1", rem.ID))(t)
		if len(d.Links) != 2 || d.Links[0].PatientControlNumber != "BAD\uFFFD" {
			t.Fatalf("%+v", d.Links)
		}
		// ids and filters from a URL that no stored object can have
		for _, id := range []string{"a\x00b", "\xff", strings.Repeat("i", 5000)} {
			_, err := svc.GetClaim(ctx, "t1", id)
			wantErr(t, err, app.ErrNotFound, "claim id")
			_, err = svc.GetRemittance(ctx, "t1", id)
			wantErr(t, err, app.ErrNotFound, "remittance id")
			wantErr(t, svc.RevokeKey(ctx, "t1", id), app.ErrNotFound, "key id")
			if l := must(svc.ListClaims(ctx, "t1", app.ClaimQuery{RecordID: id}))(t); len(l.Items) != 0 {
				t.Fatal(l.Items)
			}
		}
		for _, id := range []string{"a\x00b", "\xff"} {
			_, err := svc.ListClaims(ctx, "t1", app.ClaimQuery{Cursor: app.EncodeCursor(t0, id)})
			wantErr(t, err, app.ErrBadCursor, "forged cursor")
		}
	})
}
