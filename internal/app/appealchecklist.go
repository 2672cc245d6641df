package app

import (
	"slices"
	"strings"

	"github.com/casebridge/casebridge/internal/codes"
	"github.com/casebridge/casebridge/internal/record"
)

// ChecklistItem is one item of an appeal's documentation checklist, marked
// from the stored record. Field is a JSON pointer into the record: the
// first field to fill when the item is missing, else the field that
// documents it; MissingFields lists every field to fill (empty when
// present).
type ChecklistItem struct {
	Item                string   `json:"item"`
	Title               string   `json:"title"`
	Status              string   `json:"status"` // present | missing
	Field               string   `json:"field"`
	MissingFields       []string `json:"missing_fields"`
	RequiredForCategory bool     `json:"required_for_category"`
}

// Checklist item ids.
const (
	ItemHistory        = "history"
	ItemFindings       = "findings"
	ItemSupportingData = "supporting_data"
	ItemPlan           = "plan"
	ItemOutcome        = "outcome"
	ItemStaff          = "staff"
)

// checklistItems is the documentation a D9997 appeal rests on: the billing
// guide's list (issue 11: history, findings supporting D9997, supporting
// data, plan with rationale, outcome notes, responsible staff per
// activity), each with the record fields that document it. The per-line
// fields are the scrubber's D9997 documentation warnings (internal/scrub:
// MINUTES_MISSING, REASON_MISSING, ACTIONS_MISSING, PATIENT_BENEFIT_MISSING,
// FOLLOW_UP_MISSING, STAFF_MISSING, STAFF_CREDENTIAL_MISSING); the
// condition, the modified delivery and the narrative or attachment are
// what payers look for on D9997 (shared spec x12.md §7: "A narrative
// documenting the condition and the modifications made (extra time,
// staff, positioning, desensitization visits, caregiver coordination)").
var checklistItems = []struct {
	item, title string
	fields      func(r *record.Record) []checkedField
}{
	{ItemHistory, "Patient history: the special-needs condition and its functional limitations", func(r *record.Record) []checkedField {
		sn := specialNeeds(r)
		return []checkedField{{"/special_needs/condition", sn.Condition != ""}, {"/special_needs/functional_limitations", sn.FunctionalLimitations != ""}}
	}},
	{ItemFindings, "Findings supporting D9997: diagnoses and how treatment delivery had to be modified", func(r *record.Record) []checkedField {
		sn := specialNeeds(r)
		return []checkedField{{"/diagnoses", len(r.Diagnoses) > 0}, {"/special_needs/delivery_modifications", sn.DeliveryModifications != ""}}
	}},
	{ItemSupportingData, "Supporting data: time spent per service, and a narrative or attachment", func(r *record.Record) []checkedField {
		out := perLine(r, func(s record.Service) []fieldValue { return []fieldValue{{"minutes", s.Minutes > 0}} })
		return append(out, checkedField{"/narrative", strings.TrimSpace(r.Narrative) != "" || len(r.Attachments) > 0})
	}},
	{ItemPlan, "Plan with rationale: why case management was needed and what was done, per service", func(r *record.Record) []checkedField {
		return perLine(r, func(s record.Service) []fieldValue {
			return []fieldValue{{"reason", filled(s.Reason)}, {"actions", filled(s.Actions)}}
		})
	}},
	{ItemOutcome, "Outcome notes: the patient's benefit and the follow-up, per service", func(r *record.Record) []checkedField {
		return perLine(r, func(s record.Service) []fieldValue {
			return []fieldValue{{"patient_benefit", filled(s.PatientBenefit)}, {"follow_up", filled(s.FollowUp)}}
		})
	}},
	{ItemStaff, "Responsible staff per activity: name and credential", func(r *record.Record) []checkedField {
		return perLine(r, func(s record.Service) []fieldValue {
			st := record.Staff{}
			if s.Staff != nil {
				st = *s.Staff
			}
			return []fieldValue{{"staff/name", filled(st.Name)}, {"staff/credential", filled(st.Credential)}}
		})
	}},
}

// appealRequirements is which checklist items each denial category needs
// before an appeal can argue it (data; categories not listed need none:
// eligibility, timely filing, duplicates, coordination of benefits, wrong
// payer and provider eligibility are not won with clinical documentation).
//   - documentation, medical necessity: the payer judged the documentation: all of it;
//   - attachment (CARC 163/164): what the attachment carried;
//   - code mismatch, alternate benefit: why D9997, not D9992 or another code, fits;
//   - frequency, benefit maximum: why this patient needed the extra service and what it achieved;
//   - prior authorization: the condition and the plan the authorization covers;
//   - not covered: the special-needs condition that brings D9997 under the plan;
//   - bundling: that the case management was a separate service, with its own time and staff.
var appealRequirements = map[codes.Category][]string{
	codes.Documentation:      {ItemHistory, ItemFindings, ItemSupportingData, ItemPlan, ItemOutcome, ItemStaff},
	codes.MedicalNecessity:   {ItemHistory, ItemFindings, ItemSupportingData, ItemPlan, ItemOutcome, ItemStaff},
	codes.Attachment:         {ItemHistory, ItemFindings, ItemSupportingData},
	codes.CodeMismatch:       {ItemHistory, ItemFindings, ItemSupportingData},
	codes.AlternateBenefit:   {ItemHistory, ItemFindings, ItemPlan},
	codes.Frequency:          {ItemHistory, ItemFindings, ItemPlan, ItemOutcome},
	codes.BenefitMax:         {ItemHistory, ItemFindings, ItemOutcome},
	codes.PriorAuthorization: {ItemHistory, ItemFindings, ItemPlan},
	codes.NotCovered:         {ItemHistory, ItemFindings},
	codes.Bundling:           {ItemFindings, ItemSupportingData, ItemStaff},
}

type checkedField struct {
	pointer string
	present bool
}

type fieldValue struct {
	name    string
	present bool
}

func filled(s string) bool { return strings.TrimSpace(s) != "" }

func specialNeeds(r *record.Record) record.SpecialNeeds {
	if r.SpecialNeeds == nil {
		return record.SpecialNeeds{}
	}
	sn := *r.SpecialNeeds
	sn.Condition = strings.TrimSpace(sn.Condition)
	sn.FunctionalLimitations = strings.TrimSpace(sn.FunctionalLimitations)
	sn.DeliveryModifications = strings.TrimSpace(sn.DeliveryModifications)
	return sn
}

func perLine(r *record.Record, fn func(record.Service) []fieldValue) []checkedField {
	var out []checkedField
	for i, s := range r.Services {
		for _, f := range fn(s) {
			out = append(out, checkedField{record.Pointer("services", i) + "/" + f.name, f.present})
		}
	}
	return out
}

// Checklist marks each documentation item present or missing in the record
// and whether the denial category requires it.
func Checklist(r *record.Record, cat codes.Category) []ChecklistItem {
	req := appealRequirements[cat]
	out := make([]ChecklistItem, 0, len(checklistItems))
	for _, ci := range checklistItems {
		fs := ci.fields(r)
		it := ChecklistItem{Item: ci.item, Title: ci.title, Status: "present", MissingFields: []string{},
			RequiredForCategory: slices.Contains(req, ci.item)}
		for _, f := range fs {
			if !f.present {
				it.MissingFields = append(it.MissingFields, f.pointer)
			}
		}
		switch {
		case len(it.MissingFields) > 0:
			it.Status, it.Field = "missing", it.MissingFields[0]
		case len(fs) > 0:
			it.Field = fs[0].pointer
		}
		out = append(out, it)
	}
	return out
}

// missingRequired is one APPEAL_DOCUMENTATION_MISSING problem per record
// field that a required item lacks.
func missingRequired(items []ChecklistItem) record.Problems {
	var out record.Problems
	for _, it := range items {
		if !it.RequiredForCategory {
			continue
		}
		for _, p := range it.MissingFields {
			out = append(out, record.Problem{Severity: record.SeverityError, Code: "APPEAL_DOCUMENTATION_MISSING", Pointer: p,
				Message: "The denial's category needs the checklist item " + it.Item + "; fill this record field."})
		}
	}
	return out
}
