package profile_test

import (
	"strings"
	"testing"

	"github.com/casebridge/casebridge/internal/profile"
)

// base is the least a profile file must say (the rest has defaults).
const base = `"interchange": {"sender_id": "CASEBRIDGE", "receiver_id": "CLEARINGHOUSE"},
  "group": {"sender_code": "CASEBRIDGE", "receiver_code": "CLEARINGHOUSE"},
  "submitter": {"name": "GATEWAY", "id": "GW", "phone": "5555550100"}, "receiver": {"name": "CH", "id": "CH"}`

const payersJSON = `{` + base + `, "payers": [
  {"id": "EXDP1", "appeal_days": 90, "filing_days": 120, "d9997_frequency": {"count": 4, "per": "year"}},
  {"id": "DP0001", "appeal_days": 60}
], "analytics": {"paid_ratio_threshold": 0.7}}`

const payersYAML = `interchange: {sender_id: CASEBRIDGE, receiver_id: CLEARINGHOUSE}
group: {sender_code: CASEBRIDGE, receiver_code: CLEARINGHOUSE}
submitter: {name: GATEWAY, id: GW, phone: "5555550100"}
receiver: {name: CH, id: CH}
payers:
  - id: EXDP1
    appeal_days: 90
    filing_days: 120
    d9997_frequency: {count: 4, per: year}
  - id: DP0001
    appeal_days: 60
analytics:
  paid_ratio_threshold: 0.7
`

func TestPayerTerms(t *testing.T) {
	for name, data := range map[string]string{"p.json": payersJSON, "p.yaml": payersYAML} {
		p, err := profile.Parse([]byte(data), name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := p.PayerTerms("EXDP1")
		if !got.Listed || got.AppealDays != 90 || got.FilingDays != 120 || got.D9997Frequency == nil || *got.D9997Frequency != (profile.Frequency{Count: 4, Per: "year"}) {
			t.Errorf("%s EXDP1: %+v", name, got)
		}
		// a listed payer's missing fields take the defaults
		if got := p.PayerTerms("DP0001"); !got.Listed || got.AppealDays != 60 || got.FilingDays != 365 || got.D9997Frequency != nil {
			t.Errorf("%s DP0001: %+v", name, got)
		}
		if p.PaidRatioThreshold() != 0.7 {
			t.Errorf("%s threshold %v", name, p.PaidRatioThreshold())
		}
	}
	// the defaults: 180 / 365 / none / 0.5
	d := profile.Default()
	if got := d.PayerTerms("ANY"); got.Listed || got.AppealDays != 180 || got.FilingDays != 365 || got.D9997Frequency != nil || d.PaidRatioThreshold() != 0.5 {
		t.Errorf("defaults: %+v %v", got, d.PaidRatioThreshold())
	}
	// terms are copies
	p, _ := profile.Parse([]byte(payersJSON), "p.json")
	p.PayerTerms("EXDP1").D9997Frequency.Count = 99
	if p.PayerTerms("EXDP1").D9997Frequency.Count != 4 {
		t.Error("PayerTerms shares the profile's frequency")
	}
}

func TestPayersRejected(t *testing.T) {
	for _, tc := range []struct{ json, field string }{
		{`{"payers": [{"appeal_days": 90}]}`, "payers[0].id"},
		{`{"payers": [{"id": "A"}, {"id": "A"}]}`, "payers[1].id"},
		{`{"payers": [{"id": "A", "appeal_days": -1}]}`, "payers[0].appeal_days"},
		{`{"payers": [{"id": "A", "filing_days": 4000}]}`, "payers[0].filing_days"},
		{`{"payers": [{"id": "A", "d9997_frequency": {"count": 0, "per": "year"}}]}`, "payers[0].d9997_frequency.count"},
		{`{"payers": [{"id": "A", "d9997_frequency": {"count": 2, "per": "week"}}]}`, "payers[0].d9997_frequency.per"},
		{`{"analytics": {"paid_ratio_threshold": 1.5}}`, "analytics.paid_ratio_threshold"},
		{`{"payers": [{"id": "A", "colour": 1}]}`, ""}, // unknown field
	} {
		_, err := profile.Parse([]byte("{"+base+", "+tc.json[1:]), "p.json")
		var pe *profile.Error
		if err == nil || !asProfileError(err, &pe) || (tc.field != "" && pe.Field != tc.field) || (tc.field == "" && !strings.Contains(err.Error(), "cannot be parsed")) {
			t.Errorf("%s: %v, want field %q", tc.json, err, tc.field)
		}
	}
}

func asProfileError(err error, pe **profile.Error) bool {
	e, ok := err.(*profile.Error)
	*pe = e
	return ok
}
