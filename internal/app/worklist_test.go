package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/profile"
)

// payerProfile is the default profile with terms for the sample records'
// payer (EXDP1): appeal 90 days, filing 180 days, D9997 twice a year.
func payerProfile(t *testing.T) *profile.Profile {
	t.Helper()
	p := profile.Default()
	p.Payers = []profile.Payer{{ID: "EXDP1", AppealDays: 90, FilingDays: 180, D9997Frequency: &profile.Frequency{Count: 2, Per: "year"}}}
	p.Analytics.PaidRatioThreshold = 0.6
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return p
}

func newPayerService(t *testing.T, st app.Store) (*app.Service, *clock) {
	t.Helper()
	c := &clock{t: t0}
	p := payerProfile(t)
	src := app.ProfileFunc(func(_ context.Context, _, _ string) (*profile.Profile, error) { q := *p; return &q, nil })
	return app.New(st, src, c.now, app.Options{}), c
}

// recordWith is testdata/records/self.json with another record id, and
// the given (date, charge) service lines; member id and birth date may be
// changed with member ("" keeps the sample's).
func recordWith(t *testing.T, id, member string, lines ...[2]string) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(testdata(t, "records/self.json"), &m); err != nil {
		t.Fatal(err)
	}
	m["record_id"] = id
	if member != "" {
		m["subscriber"].(map[string]any)["member_id"] = member
	}
	tmpl := m["services"].([]any)[0].(map[string]any)
	var svcs []any
	for _, l := range lines {
		s := map[string]any{}
		for k, v := range tmpl {
			s[k] = v
		}
		s["date"], s["charge"] = l[0], l[1]
		svcs = append(svcs, s)
	}
	m["services"] = svcs
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func submitOK(t *testing.T, svc *app.Service, tenant string, rec []byte) *app.SubmitResult {
	t.Helper()
	res, err := svc.SubmitRecord(ctx, tenant, rec, app.SubmitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != app.StatusSubmitted {
		t.Fatalf("submit %s: %s %+v", res.RecordID, res.Status, res.Problems)
	}
	return res
}

type itemView struct{ record, category, amount, next, kind, appeal, filing, service, codes string }

func viewOf(it app.WorklistItem) itemView {
	var cs []string
	for _, c := range it.Codes {
		cs = append(cs, c.Code)
		if c.Text == "" {
			cs = append(cs, "(no text)")
		}
	}
	a := ""
	if it.Deadlines.Appeal != nil {
		a = *it.Deadlines.Appeal
	}
	return itemView{it.RecordID, it.Category, it.OpenAmount.String(), it.Deadlines.Next, it.Deadlines.NextKind, a, it.Deadlines.TimelyFiling, it.ServiceDate, strings.Join(cs, ",")}
}

func TestWorklist(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newPayerService(t, st)
		a := submitOK(t, svc, "t1", recordWith(t, "WL1", "", [2]string{"2026-11-02", "120.00"}))
		b := submitOK(t, svc, "t1", recordWith(t, "WL2", "", [2]string{"2026-10-20", "200.00"}))
		c := submitOK(t, svc, "t1", recordWith(t, "WL3", "", [2]string{"2026-10-01", "80.00"}))
		submitOK(t, svc, "t1", recordWith(t, "WL4", "", [2]string{"2026-09-30", "90.00"}))
		// WL1 denied (CO-16 documentation), WL2 partly paid (CO-119 benefit
		// maximum), WL4 paid in full; WL3 gets no 835
		x := build835(t, 7,
			clp{id: "WL1", status: "4", charge: "120", paid: "0", icn: "ICN1", line: "WL1-1", cas: []string{"CO*16*120"}},
			clp{id: "WL2", status: "1", charge: "200", paid: "150", icn: "ICN2", line: "WL2-1", cas: []string{"CO*45*20", "CO*119*30"}},
			clp{id: "WL4", status: "1", charge: "90", paid: "90", icn: "ICN4", line: "WL4-1"},
		)
		if _, err := svc.SubmitRemittance(ctx, "t1", x); err != nil {
			t.Fatal(err)
		}
		// WL3: a 999 rejection (the acknowledgments engineer's event)
		ack := `{"acknowledgment_id":"ACK1","type":"999","outcome":"rejected","control_number":"000000044",
			"errors":[{"code":"IK403-7","message":"Invalid code value","segment_id":"NM1","loop":"2010BA","element":"NM109","fix":"Correct the subscriber member id."}]}`
		if _, err := st.AppendEvent(ctx, "t1", app.Event{ClaimID: c.ID, Kind: app.EventAcknowledgment, At: t0, Payload: json.RawMessage(ack)}); err != nil {
			t.Fatal(err)
		}

		w := must(svc.Worklist(ctx, "t1", "", app.WorklistQuery{}))(t)
		var got []itemView
		for _, it := range w.Items {
			got = append(got, viewOf(it))
		}
		// by hand: appeal = 2026-11-20 + 90 days = 2027-02-18; filing =
		// service date + 180: WL1 2027-05-01, WL2 2027-04-18, WL3 2027-03-30.
		// WL1 and WL2 share the deadline: the larger amount first.
		want := []itemView{
			{"WL1", "documentation", "120.00", "2027-02-18", "appeal", "2027-02-18", "2027-05-01", "2026-11-02", "CO-16"},
			{"WL2", "benefit_max", "30.00", "2027-02-18", "appeal", "2027-02-18", "2027-04-18", "2026-10-20", "CO-119"},
			{"WL3", "front_end_rejection", "80.00", "2027-03-30", "timely_filing", "", "2027-03-30", "2026-10-01", "IK403-7"},
		}
		if len(got) != len(want) {
			t.Fatalf("items: %+v", got)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("item %d: %+v, want %+v", i, got[i], want[i])
			}
		}
		if w.NextCursor != nil {
			t.Errorf("one page expected, got a cursor")
		}
		it := w.Items[0]
		if it.ClaimID != a.ID || it.PayerClaimNumber != "ICN1" || it.Payer.ID != "EXDP1" || it.Finding == nil || *it.Finding != 0 ||
			it.Source.Kind != "remittance" || it.Source.Date != "2026-11-20" || it.Deadlines.DaysLeft != 83 ||
			it.Deadlines.AppealDays != 90 || it.Deadlines.FilingDays != 180 || !strings.Contains(it.NextStep, "ICN1") {
			t.Errorf("item 0: %+v", it)
		}
		if w.Items[1].ClaimID != b.ID || w.Items[2].NextStep != "Correct the subscriber member id." || w.Items[2].Source.AcknowledgmentID != "ACK1" || w.Items[2].Finding != nil {
			t.Errorf("items 1, 2: %+v %+v", w.Items[1], w.Items[2])
		}

		// pages of one: the same items in the same order, then no cursor
		q := app.WorklistQuery{Limit: 1}
		var paged []string
		for range 5 {
			p := must(svc.Worklist(ctx, "t1", "", q))(t)
			for _, it := range p.Items {
				paged = append(paged, it.RecordID)
			}
			if p.NextCursor == nil {
				break
			}
			q.Cursor = *p.NextCursor
		}
		if strings.Join(paged, ",") != "WL1,WL2,WL3" {
			t.Errorf("paged: %v", paged)
		}

		// filters
		if w := must(svc.Worklist(ctx, "t1", "", app.WorklistQuery{Category: "benefit_max"}))(t); len(w.Items) != 1 || w.Items[0].RecordID != "WL2" {
			t.Errorf("category filter: %+v", w.Items)
		}
		if w := must(svc.Worklist(ctx, "t1", "", app.WorklistQuery{Payer: "OTHER"}))(t); len(w.Items) != 0 {
			t.Errorf("payer filter: %+v", w.Items)
		}
		// another tenant sees nothing
		if w := must(svc.Worklist(ctx, "t2", "", app.WorklistQuery{}))(t); len(w.Items) != 0 || w.Items == nil {
			t.Errorf("t2: %+v", w)
		}
		_, err := svc.Worklist(ctx, "t1", "", app.WorklistQuery{Cursor: "w1.bm9wZQ"})
		wantErr(t, err, app.ErrBadCursor, "bad cursor")
	})
}

func TestParseWorklistQuery(t *testing.T) {
	for _, tc := range []struct {
		category, payer, limit, cursor string
		option                         string // "" valid
	}{
		{"", "", "", "", ""},
		{"documentation", "EXDP1", "10", "", ""},
		{"front_end_rejection", "", "500", "", ""},
		{"reversed", "", "1", "", ""},
		{"contractual", "", "", "", "category"}, // not a denial
		{"nope", "", "", "", "category"},
		{"", strings.Repeat("x", 81), "", "", "payer"},
		{"", "", "0", "", "limit"},
		{"", "", "501", "", "limit"},
		{"", "", "x", "", "limit"},
		{"", "", "", "abc", "cursor"},
		{"", "", "", "w1.!!", "cursor"},
	} {
		_, err := app.ParseWorklistQuery(tc.category, tc.payer, tc.limit, tc.cursor)
		var oe *app.OptionError
		switch {
		case tc.option == "" && err != nil:
			t.Errorf("%+v: %v", tc, err)
		case tc.option != "" && (!errorsAs(err, &oe) || oe.Option != tc.option):
			t.Errorf("%+v: error %v, want option %s", tc, err, tc.option)
		}
	}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
