package app_test

import (
	"strings"
	"testing"

	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/codes"
	"github.com/casebridge/casebridge/internal/record"
)

// TestChecklist marks the checklist of record variants: which items are
// missing (with the fields to fill) and which the category requires.
func TestChecklist(t *testing.T) {
	base := string(testdata(t, "records/self.json"))
	variant := func(pairs ...string) *record.Record {
		t.Helper()
		rec, probs, err := record.DecodeBytes([]byte(strings.NewReplacer(pairs...).Replace(base)))
		if err != nil || probs.HasErrors() {
			t.Fatalf("variant: %v %v", err, probs)
		}
		return rec.WithDefaults()
	}
	full := variant()
	noStaff := variant(`"staff": {"name": "Maria Lopez", "credential": "RDH", "role": "case manager"},`, `"staff": {"name": "Maria Lopez"},`)
	noNeeds := func() *record.Record { r := full.Clone(); r.SpecialNeeds = nil; r.Diagnoses = nil; return r }()
	noDocs := func() *record.Record {
		r := full.Clone()
		r.Narrative, r.Attachments = "", nil
		r.Services[0].Minutes, r.Services[0].Reason, r.Services[0].FollowUp = 0, "", " "
		return r
	}()
	all := []string{"history", "findings", "supporting_data", "plan", "outcome", "staff"}
	for _, tc := range []struct {
		name     string
		rec      *record.Record
		cat      codes.Category
		missing  map[string][]string // item → fields
		required []string
	}{
		{"complete, documentation", full, codes.Documentation, nil, all},
		{"complete, frequency", full, codes.Frequency, nil, []string{"history", "findings", "plan", "outcome"}},
		{"complete, timely filing needs nothing", full, codes.TimelyFiling, nil, nil},
		{"no credential, bundling", noStaff, codes.Bundling, map[string][]string{"staff": {"/services/0/staff/credential"}},
			[]string{"findings", "supporting_data", "staff"}},
		{"no special needs, not covered", noNeeds, codes.NotCovered, map[string][]string{
			"history":  {"/special_needs/condition", "/special_needs/functional_limitations"},
			"findings": {"/diagnoses", "/special_needs/delivery_modifications"}}, []string{"history", "findings"}},
		{"no time, narrative, reason or follow-up, code mismatch", noDocs, codes.CodeMismatch, map[string][]string{
			"supporting_data": {"/services/0/minutes", "/narrative"},
			"plan":            {"/services/0/reason"},
			"outcome":         {"/services/0/follow_up"}}, []string{"history", "findings", "supporting_data"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := app.Checklist(tc.rec, tc.cat)
			if len(got) != len(all) {
				t.Fatalf("%d items", len(got))
			}
			for i, it := range got {
				if it.Item != all[i] {
					t.Errorf("item %d is %s, want %s", i, it.Item, all[i])
				}
				want := tc.missing[it.Item]
				wantStatus := "present"
				if len(want) > 0 {
					wantStatus = "missing"
				}
				if it.Status != wantStatus || strings.Join(it.MissingFields, " ") != strings.Join(want, " ") {
					t.Errorf("%s: %s %v, want %s %v", it.Item, it.Status, it.MissingFields, wantStatus, want)
				}
				if len(want) > 0 && it.Field != want[0] {
					t.Errorf("%s: field %s, want %s", it.Item, it.Field, want[0])
				}
				if !strings.HasPrefix(it.Field, "/") {
					t.Errorf("%s: field %q is not a JSON pointer", it.Item, it.Field)
				}
				req := false
				for _, r := range tc.required {
					req = req || r == it.Item
				}
				if it.RequiredForCategory != req {
					t.Errorf("%s: required %v, want %v", it.Item, it.RequiredForCategory, req)
				}
			}
		})
	}
}
