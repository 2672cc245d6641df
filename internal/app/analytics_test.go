package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/casebridge/casebridge/internal/app"
)

// fixLine is one service line of a fixture record and of its 835.
type fixLine struct {
	date, code, charge string
	paid               string   // SVC03
	cas                []string // line CAS, e.g. "CO*45*20"
}

// fixRecord is testdata/records/self.json with this id, payer id and lines
// (line ids default to <id>-<n>).
func fixRecord(t *testing.T, id, payer string, lines ...fixLine) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(testdata(t, "records/self.json"), &m); err != nil {
		t.Fatal(err)
	}
	m["record_id"] = id
	m["payer"].(map[string]any)["id"] = payer
	tmpl := m["services"].([]any)[0].(map[string]any)
	var svcs []any
	for _, l := range lines {
		s := map[string]any{}
		for k, v := range tmpl {
			s[k] = v
		}
		s["date"], s["code"], s["charge"] = l.date, l.code, l.charge
		if l.code != "D9997" {
			s["case_management_type"] = "care_coordination"
		}
		svcs = append(svcs, s)
	}
	m["services"] = svcs
	b, _ := json.Marshal(m)
	return b
}

// fixCLP is one claim of a fixture 835.
type fixCLP struct {
	id, status, charge, paid, icn string
	lines                         []fixLine
}

// era writes an 835 dated date (BPR16, YYYYMMDD) with these claims; every
// claim's lines carry REF*6R <id>-<n>.
func era(t *testing.T, ctl int, date string, clps ...fixCLP) []byte {
	t.Helper()
	var segs []string
	total := 0.0
	for _, c := range clps {
		var p float64
		fmt.Sscan(c.paid, &p)
		total += p
		segs = append(segs, fmt.Sprintf("CLP*%s*%s*%s*%s**12*%s*11*1", c.id, c.status, c.charge, c.paid, c.icn),
			"NM1*QC*1*DOE*JANE****MI*M1", "DTM*050*"+date)
		for n, l := range c.lines {
			segs = append(segs, fmt.Sprintf("SVC*AD:%s*%s*%s**1", l.code, l.charge, l.paid), "DTM*472*"+strings.ReplaceAll(l.date, "-", ""))
			for _, cas := range l.cas {
				segs = append(segs, "CAS*"+cas)
			}
			segs = append(segs, fmt.Sprintf("REF*6R*%s-%d", c.id, n+1))
		}
	}
	set := []string{"ST*835*0001",
		fmt.Sprintf("BPR*I*%.2f*C*ACH*CCP*01*011000015*DA*123456789*1999999999**01*021000021*DA*987654321*%s", total, date),
		fmt.Sprintf("TRN*1*TRACE%d*1999999999", ctl), "N1*PR*A DENTAL PLAN*XV*DP0001", "N3*100 PLAN STREET", "N4*SPRINGFIELD*IL*62701",
		"N1*PE*SUNRISE FAMILY DENTAL*XX*1234567893", "LX*1"}
	set = append(set, segs...)
	set = append(set, fmt.Sprintf("SE*%d*0001", len(set)+1))
	var b strings.Builder
	fmt.Fprintf(&b, "ISA*00*          *00*          *ZZ*DENTALPLAN     *ZZ*CASEBRIDGE     *%s*1200*^*00501*%09d*0*T*:~", date[2:], ctl)
	fmt.Fprintf(&b, "GS*HP*DENTALPLAN*CASEBRIDGE*%s*1200*%d*X*005010X221A1~", date, ctl)
	for _, s := range set {
		b.WriteString(s + "~")
	}
	fmt.Fprintf(&b, "GE*1*%d~IEA*1*%09d~", ctl, ctl)
	return []byte(b.String())
}

// The fixture set, with every figure computed by hand:
//
//	EXDP1  A1 D9997 2026-06-01 100.00  sent 06-05, paid 06-30: 80 (CO-45 20)          Q2
//	EXDP1  A2 D9997 2026-06-02 100.00  sent 06-05, paid 06-30: 100                    Q2
//	EXDP1  A3 D9997 2026-09-01 200.00  sent 09-05, 09-30: paid 60 (CO-45 40, CO-119 100 benefit_max)  Q3
//	          D9992 2026-09-01  50.00                 paid 0 (CO-16 50 documentation)
//	EXDP1  A4 D9997 2026-09-02 150.00  sent 09-05, 09-30: denied (CO-16 150); appeal; 09-30 again: paid 150  Q3
//	OTHR1  B1 D9997 2026-09-03 100.00  sent 09-05, 09-30: denied (CO-50 100 medical_necessity)  Q3
//	EXDP1  A5 D9997 2026-09-04  70.00  sent 09-05, no 835 yet: not counted
func TestAnalytics(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, c := newPayerService(t, st) // threshold 0.6
		c.t = time.Date(2026, 6, 5, 9, 0, 0, 0, time.UTC)
		submitOK(t, svc, "t1", fixRecord(t, "A1", "EXDP1", fixLine{date: "2026-06-01", code: "D9997", charge: "100.00"}))
		submitOK(t, svc, "t1", fixRecord(t, "A2", "EXDP1", fixLine{date: "2026-06-02", code: "D9997", charge: "100.00"}))
		c.t = time.Date(2026, 9, 5, 9, 0, 0, 0, time.UTC)
		submitOK(t, svc, "t1", fixRecord(t, "A3", "EXDP1", fixLine{date: "2026-09-01", code: "D9997", charge: "200.00"}, fixLine{date: "2026-09-01", code: "D9992", charge: "50.00"}))
		a4 := submitOK(t, svc, "t1", fixRecord(t, "A4", "EXDP1", fixLine{date: "2026-09-02", code: "D9997", charge: "150.00"}))
		submitOK(t, svc, "t1", fixRecord(t, "B1", "OTHR1", fixLine{date: "2026-09-03", code: "D9997", charge: "100.00"}))
		submitOK(t, svc, "t1", fixRecord(t, "A5", "EXDP1", fixLine{date: "2026-09-04", code: "D9997", charge: "70.00"}))
		c.t = time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
		remit := func(x []byte) {
			t.Helper()
			if _, err := svc.SubmitRemittance(ctx, "t1", x); err != nil {
				t.Fatal(err)
			}
		}
		remit(era(t, 1, "20260630",
			fixCLP{"A1", "1", "100", "80", "ICNA1", []fixLine{{date: "2026-06-01", code: "D9997", charge: "100", paid: "80", cas: []string{"CO*45*20"}}}},
			fixCLP{"A2", "1", "100", "100", "ICNA2", []fixLine{{date: "2026-06-02", code: "D9997", charge: "100", paid: "100"}}}))
		remit(era(t, 2, "20260930",
			fixCLP{"A3", "1", "250", "60", "ICNA3", []fixLine{
				{date: "2026-09-01", code: "D9997", charge: "200", paid: "60", cas: []string{"CO*45*40", "CO*119*100"}},
				{date: "2026-09-01", code: "D9992", charge: "50", paid: "0", cas: []string{"CO*16*50"}}}},
			fixCLP{"A4", "4", "150", "0", "ICNA4", []fixLine{{date: "2026-09-02", code: "D9997", charge: "150", paid: "0", cas: []string{"CO*16*150"}}}},
			fixCLP{"B1", "4", "100", "0", "ICNB1", []fixLine{{date: "2026-09-03", code: "D9997", charge: "100", paid: "0", cas: []string{"CO*50*100"}}}}))
		// the appeals engineer's event, then the payer pays A4
		if _, err := st.AppendEvent(ctx, "t1", app.Event{ClaimID: a4.ID, Kind: app.EventAppeal, At: c.t,
			Payload: json.RawMessage(`{"appeal":1,"finding":0,"category":"documentation","codes":["CO-16"],"html":"/v1/claims/` + a4.ID + `/appeals/1.html","pdf":"/v1/claims/` + a4.ID + `/appeals/1.pdf"}`)}); err != nil {
			t.Fatal(err)
		}
		remit(era(t, 3, "20260930",
			fixCLP{"A4", "1", "150", "150", "ICNA4", []fixLine{{date: "2026-09-02", code: "D9997", charge: "150", paid: "150"}}}))

		an := must(svc.Analytics(ctx, "t1", "", app.AnalyticsQuery{}))(t)
		got, _ := json.Marshal(an)
		// by hand:
		//  EXDP1 D9997: A1..A4; billed 100+100+200+150 = 550; paid 80+100+60+150 = 390;
		//    allowed 80+100+60+150 = 390 (A3: 200-40-100); paid/billed 390/550 = 0.7091;
		//    denied A3 100 benefit_max CO-119: 1 of 4 claims; days 06-05→06-30 = 25
		//    (A1, A2), 09-05→09-30 = 25 (A3, A4): median 25; A4's appeal, won
		//  EXDP1 D9992: A3's line: billed 50, allowed 0, paid 0, denied 50
		//    documentation CO-16, 1 of 1; no payment: no days
		//  OTHR1 D9997: B1: billed 100, paid 0, allowed 0, denied 100
		//    medical_necessity CO-50, 1 of 1
		//  payers, D9997 by quarter of the latest 835: EXDP1 Q2 200/180 = 0.9,
		//    Q3 350/210 = 0.6 (falling), overall 0.7091 >= 0.6; OTHR1 Q3 0 < 0.6
		want := `{"from":null,"to":null,"payer":null,"code":null,"threshold":0.6,"rows":[` +
			`{"payer":{"id":"EXDP1","name":"Example Dental Plan"},"code":"D9992","claims":1,"lines":1,"billed":"50.00","allowed":"0.00","paid":"0.00","paid_ratio":0,"denied_claims":1,"denial_rate":1,"denied_amount":"50.00","denied_by_category":{"documentation":"50.00"},"denied_by_carc":{"CO-16":"50.00"},"median_days_to_payment":null,"appeals_filed":0,"appeals_won":0},` +
			`{"payer":{"id":"EXDP1","name":"Example Dental Plan"},"code":"D9997","claims":4,"lines":4,"billed":"550.00","allowed":"390.00","paid":"390.00","paid_ratio":0.7091,"denied_claims":1,"denial_rate":0.25,"denied_amount":"100.00","denied_by_category":{"benefit_max":"100.00"},"denied_by_carc":{"CO-119":"100.00"},"median_days_to_payment":25,"appeals_filed":1,"appeals_won":1},` +
			`{"payer":{"id":"OTHR1","name":"Example Dental Plan"},"code":"D9997","claims":1,"lines":1,"billed":"100.00","allowed":"0.00","paid":"0.00","paid_ratio":0,"denied_claims":1,"denial_rate":1,"denied_amount":"100.00","denied_by_category":{"medical_necessity":"100.00"},"denied_by_carc":{"CO-50":"100.00"},"median_days_to_payment":null,"appeals_filed":0,"appeals_won":0}],` +
			`"payers":[` +
			`{"payer":{"id":"EXDP1","name":"Example Dental Plan"},"d9997_billed":"550.00","d9997_paid":"390.00","d9997_paid_ratio":0.7091,"threshold":0.6,"quarters":[{"quarter":"2026-Q2","billed":"200.00","paid":"180.00","paid_ratio":0.9},{"quarter":"2026-Q3","billed":"350.00","paid":"210.00","paid_ratio":0.6}],"flags":["falling"]},` +
			`{"payer":{"id":"OTHR1","name":"Example Dental Plan"},"d9997_billed":"100.00","d9997_paid":"0.00","d9997_paid_ratio":0,"threshold":0.6,"quarters":[{"quarter":"2026-Q3","billed":"100.00","paid":"0.00","paid_ratio":0}],"flags":["below_threshold"]}]}`
		if string(got) != want {
			t.Errorf("analytics:\n got %s\nwant %s", got, want)
		}

		// filters: code, payer, service dates
		an = must(svc.Analytics(ctx, "t1", "", app.AnalyticsQuery{Code: "D9992"}))(t)
		if len(an.Rows) != 1 || an.Rows[0].Code != "D9992" || len(an.Payers) != 2 {
			t.Errorf("code filter: %+v", an.Rows)
		}
		an = must(svc.Analytics(ctx, "t1", "", app.AnalyticsQuery{Payer: "OTHR1"}))(t)
		if len(an.Rows) != 1 || an.Rows[0].Payer.ID != "OTHR1" || len(an.Payers) != 1 {
			t.Errorf("payer filter: %+v", an.Rows)
		}
		an = must(svc.Analytics(ctx, "t1", "", app.AnalyticsQuery{From: "2026-09-01", To: "2026-09-02", Payer: "EXDP1", Code: "D9997"}))(t)
		// A3 and A4 only: billed 350, paid 210
		if len(an.Rows) != 1 || an.Rows[0].Claims != 2 || an.Rows[0].Billed.String() != "350.00" || an.Rows[0].Paid.String() != "210.00" {
			t.Errorf("date filter: %+v", an.Rows)
		}
		// another tenant: nothing
		if an := must(svc.Analytics(ctx, "t2", "", app.AnalyticsQuery{}))(t); len(an.Rows) != 0 || len(an.Payers) != 0 {
			t.Errorf("t2: %+v", an)
		}
	})
}

func TestParseAnalyticsQuery(t *testing.T) {
	for _, tc := range []struct{ from, to, payer, code, option string }{
		{"", "", "", "", ""},
		{"2026-01-01", "2026-12-31", "EXDP1", "D9997", ""},
		{"2026-02-30", "", "", "", "from"},
		{"", "2026/01/01", "", "", "to"},
		{"2026-02-01", "2026-01-01", "", "", "to"},
		{"", "", strings.Repeat("p", 81), "", "payer"},
		{"", "", "", "9997", "code"},
		{"", "", "", "D99970", "code"},
	} {
		_, err := app.ParseAnalyticsQuery(tc.from, tc.to, tc.payer, tc.code)
		var oe *app.OptionError
		if (tc.option == "") != (err == nil) || (err != nil && (!errorsAs(err, &oe) || oe.Option != tc.option)) {
			t.Errorf("%+v: %v", tc, err)
		}
	}
}
