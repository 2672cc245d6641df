package fhirmap_test

import (
	"encoding/json"
	"os"
	"testing"

	bcrpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"

	"github.com/casebridge/casebridge/internal/money"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/mapping/fhirmap"
)

func TestEHRBundle(t *testing.T) {
	m := fhirmap.FromResource(readResource(t, "../../testdata/fhir/ehr/bundle-claim-first.json"))
	if errs := errorIssues(m.Issues); len(errs) > 0 {
		t.Fatalf("errors: %+v", errs)
	}
	r := m.Record
	charge := money.MustParse("110.00")
	want := &record.Record{
		RecordID:  "EHR1001",
		Frequency: record.FrequencyOriginal,
		BillingProvider: record.BillingProvider{Name: "Bayside Community Dental", NPI: "1234567893", TaxID: "123456789",
			Address: &record.Address{Line1: "5 Harbor Way", Line2: "Suite 200", City: "Bayside", State: "WA", PostalCode: "981010200"}},
		RenderingProvider: &record.RenderingProvider{FirstName: "Karl", LastName: "Iverson", NPI: "1987654328", Taxonomy: "1223G0001X"},
		Payer:             record.Payer{Name: "Cascade Dental Insurance", ID: "EHRPAY1"},
		Subscriber: record.Subscriber{MemberID: "EHRMBR01", GroupNumber: "G-4410", FirstName: "Dana Lee", LastName: "Marsh",
			BirthDate: "1990-04-12", Gender: "F", Address: &record.Address{Line1: "77 Pine St", City: "Bayside", State: "WA", PostalCode: "981011234"}},
		SpecialNeeds:       &record.SpecialNeeds{Condition: "Intellectual disability with seizure disorder"},
		PlaceOfService:     "11",
		PriorAuthorization: "PA-EHR-55",
		Diagnoses:          []string{"F79", "G40.909"},
		Narrative:          "Adult patient with intellectual disability and seizure disorder; visit restructured with caregiver, shortened and split over two sessions.",
		Services: []record.Service{{LineID: "EHR1001-1", Date: "2026-10-20", Code: "D9997", Charge: &charge, Units: 1, Minutes: 35,
			Staff: &record.Staff{Name: "Rosa Diaz", Credential: "RDH"}}},
		Attachments: []record.Attachment{
			{ID: "ACN-EHR-1", Title: "Care plan", ContentType: "application/pdf", ReportType: "OZ", Transmission: "EL"},
			{ID: "ACN-EHR-2", Title: "Case log", ContentType: "text/plain", Data: "Q2FzZSBsb2cgKHN5bnRoZXRpYyku", ReportType: "OZ", Transmission: "EL"},
		},
	}
	if got, w := recordJSON(t, r), recordJSON(t, want); got != w {
		t.Errorf("record\n got: %s\nwant: %s", got, w)
	}
	normalised := false
	for _, i := range m.Issues {
		if i.Rule == "FHIR_CDT_SYSTEM_NORMALISED" && i.Severity == fhirmap.SeverityInformation {
			normalised = true
		}
	}
	if !normalised {
		t.Error("http://ada.org/cdt was not reported as normalised")
	}
	if e := m.Expression("/billing_provider/npi"); e != "Bundle.entry[3].resource.identifier[0]" {
		t.Errorf("NPI expression %q", e)
	}
	if e := m.Expression("/subscriber/member_id"); e != "Bundle.entry[2].resource.subscriberId" {
		t.Errorf("member id expression %q", e)
	}
}

func TestEHRContainedClaim(t *testing.T) {
	m := fhirmap.FromResource(readResource(t, "../../testdata/fhir/ehr/claim-contained.json"))
	if errs := errorIssues(m.Issues); len(errs) > 0 {
		t.Fatalf("errors: %+v", errs)
	}
	r := m.Record
	switch {
	case r.Frequency != record.FrequencyVoid || r.PayerClaimNumber != "ICN-SPR-77001":
		t.Errorf("void: %q %q", r.Frequency, r.PayerClaimNumber)
	case r.Patient == nil || r.Patient.Relationship != "child" || r.Patient.FirstName != "Noah":
		t.Errorf("patient: %+v", r.Patient)
	case r.Subscriber.FirstName != "Ji-woo" || r.Subscriber.MemberID != "SPR-88120" || r.Subscriber.Gender != "F":
		t.Errorf("subscriber: %+v", r.Subscriber)
	case r.SpecialNeeds == nil || r.SpecialNeeds.Condition == "":
		t.Errorf("special needs: %+v", r.SpecialNeeds)
	case r.Services[0].CaseManagementType != "care_coordination" || r.Services[0].LineID != "SPD2002-1":
		t.Errorf("line: %+v", r.Services[0])
	case r.Payer.ID != "SPRDP" || r.BillingProvider.Taxonomy != "1223P0221X" || r.PlaceOfService != "11":
		t.Errorf("payer/billing/POS: %+v %+v %q", r.Payer, r.BillingProvider, r.PlaceOfService)
	}
	if e := m.Expression("/patient/first_name"); e != "Claim.contained[0].name[0].given" {
		t.Errorf("expression %q", e)
	}
}

// mutated reads the EHR Bundle, lets f change its Claim (entry 0) or the
// whole Bundle, and maps it.
func mutated(t *testing.T, f func(bundle, claim map[string]any)) *fhirmap.Mapped {
	t.Helper()
	data, err := os.ReadFile("../../testdata/fhir/ehr/bundle-claim-first.json")
	if err != nil {
		t.Fatal(err)
	}
	var b map[string]any
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	claim := b["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any)
	f(b, claim)
	data, err = json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	res, err := unmarshaller(t).Unmarshal(data)
	if err != nil {
		t.Fatalf("mutation is not valid FHIR: %v", err)
	}
	return fhirmap.FromResource(res.(*bcrpb.ContainedResource))
}

func item(claim map[string]any, i int) map[string]any {
	return claim["item"].([]any)[i].(map[string]any)
}

func addSecondItem(claim map[string]any) {
	cp := map[string]any{}
	for k, v := range item(claim, 0) {
		cp[k] = v
	}
	cp["sequence"] = 2
	cp["servicedDate"] = "2026-10-21"
	claim["item"] = append(claim["item"].([]any), cp)
	claim["total"] = map[string]any{"value": 220, "currency": "USD"}
}

// addRelatedPerson makes the Coverage's subscriber a RelatedPerson.
func addRelatedPerson(b map[string]any) {
	b["entry"] = append(b["entry"].([]any), map[string]any{
		"fullUrl": "https://ehr.example.org/fhir/RelatedPerson/rp-1",
		"resource": map[string]any{"resourceType": "RelatedPerson", "id": "rp-1", "patient": map[string]any{"reference": "Patient/pat-1"},
			"name": []any{map[string]any{"family": "Marsh", "given": []any{"Alex"}}}},
	})
	cov := b["entry"].([]any)[2].(map[string]any)["resource"].(map[string]any)
	cov["subscriber"] = map[string]any{"reference": "RelatedPerson/rp-1"}
}

func TestFromClaimRules(t *testing.T) {
	for _, tc := range []struct {
		name     string
		f        func(b, c map[string]any)
		severity string
		rule     string
		expr     string
	}{
		{"places of service differ", func(b, c map[string]any) {
			addSecondItem(c)
			item(c, 1)["locationCodeableConcept"] = map[string]any{"coding": []any{map[string]any{"system": fhirmap.SystemPOS, "code": "12"}}}
		}, "error", "FHIR_POS_DIFFERS", "Bundle.entry[0].resource.item[1].locationCodeableConcept"},
		{"net is not unit price times quantity", func(b, c map[string]any) {
			item(c, 0)["net"] = map[string]any{"value": 100, "currency": "USD"}
		}, "error", "FHIR_NET_MISMATCH", "Bundle.entry[0].resource.item[0].net"},
		{"other currency", func(b, c map[string]any) {
			item(c, 0)["unitPrice"] = map[string]any{"value": 110, "currency": "EUR"}
		}, "error", "FHIR_CURRENCY", "Bundle.entry[0].resource.item[0].unitPrice.currency"},
		{"period over two days", func(b, c map[string]any) {
			delete(item(c, 0), "servicedDate")
			item(c, 0)["servicedPeriod"] = map[string]any{"start": "2026-10-20", "end": "2026-10-22"}
		}, "error", "FHIR_SERVICE_DATE", "Bundle.entry[0].resource.item[0].servicedPeriod"},
		{"year-only service date", func(b, c map[string]any) { item(c, 0)["servicedDate"] = "2026" },
			"error", "FHIR_SERVICE_DATE", "Bundle.entry[0].resource.item[0].servicedDate"},
		{"modifier extension", func(b, c map[string]any) {
			c["modifierExtension"] = []any{map[string]any{"url": "https://ehr.example.org/x", "valueBoolean": true}}
		}, "error", "FHIR_MODIFIER_EXTENSION", "Bundle.entry[0].resource.modifierExtension"},
		{"tooth on a case-management line", func(b, c map[string]any) {
			item(c, 0)["bodySite"] = map[string]any{"coding": []any{map[string]any{"code": "3"}}}
		}, "error", "FHIR_ITEM_ELEMENT", "Bundle.entry[0].resource.item[0].bodySite"},
		{"self but another subscriber", func(b, c map[string]any) {
			addRelatedPerson(b)
		}, "error", "FHIR_RELATIONSHIP_CONFLICT", "Bundle.entry[2].resource.relationship"},
		{"no focal insurance", func(b, c map[string]any) {
			c["insurance"].([]any)[0].(map[string]any)["focal"] = false
		}, "error", "FHIR_FOCAL_INSURANCE", "Bundle.entry[0].resource.insurance"},
		{"billing provider is a practitioner role", func(b, c map[string]any) {
			b["entry"] = append(b["entry"].([]any), map[string]any{"fullUrl": "https://ehr.example.org/fhir/PractitionerRole/role-1",
				"resource": map[string]any{"resourceType": "PractitionerRole", "id": "role-1"}})
			c["provider"] = map[string]any{"reference": "PractitionerRole/role-1"}
		}, "error", "FHIR_BILLING_PROVIDER_TYPE", "Bundle.entry[0].resource.provider"},
		{"facility not in the bundle", func(b, c map[string]any) {
			c["facility"] = map[string]any{"reference": "Location/nowhere"}
		}, "error", "FHIR_FACILITY_UNRESOLVED", "Bundle.entry[0].resource.facility"},
		{"claim not first", func(b, c map[string]any) {
			e := b["entry"].([]any)
			e[0], e[1] = e[1], e[0]
		}, "error", "FHIR_CLAIM_NOT_FIRST", "Bundle.entry[0]"},
		{"searchset bundle", func(b, c map[string]any) { b["type"] = "searchset" },
			"error", "FHIR_BUNDLE_TYPE", "Bundle.type"},
		{"transaction bundle", func(b, c map[string]any) {
			b["type"] = "transaction"
			for _, e := range b["entry"].([]any) {
				e.(map[string]any)["request"] = map[string]any{"method": "POST", "url": "Claim"}
			}
		}, "information", "FHIR_BUNDLE_TYPE", "Bundle.type"},
		{"details tied to no item", func(b, c map[string]any) {
			addSecondItem(c)
			item(c, 0)["informationSequence"] = []any{}
			delete(item(c, 0), "informationSequence")
			delete(item(c, 1), "informationSequence")
		}, "warning", "FHIR_INFO_UNTIED", "Bundle.entry[0].resource.supportingInfo[1]"},
		{"common-law spouse", func(b, c map[string]any) {
			addRelatedPerson(b)
			cov := b["entry"].([]any)[2].(map[string]any)["resource"].(map[string]any)
			cov["relationship"] = map[string]any{"coding": []any{map[string]any{"system": fhirmap.SystemSubscriberRel, "code": "common"}}}
		}, "warning", "FHIR_RELATIONSHIP_MAPPED", "Bundle.entry[2].resource.relationship"},
		{"diagnosis by reference", func(b, c map[string]any) {
			c["diagnosis"] = []any{map[string]any{"sequence": 1, "diagnosisReference": map[string]any{"reference": "Condition/c1"}}}
		}, "error", "FHIR_DIAGNOSIS_REFERENCE", "Bundle.entry[0].resource.diagnosis[0].diagnosisReference"},
		{"attachment without value", func(b, c map[string]any) {
			delete(c["supportingInfo"].([]any)[2].(map[string]any), "valueReference")
		}, "error", "FHIR_ATTACHMENT_VALUE", "Bundle.entry[0].resource.supportingInfo[2]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := mutated(t, tc.f)
			for _, i := range m.Issues {
				if i.Rule == tc.rule && i.Severity == tc.severity && i.Expression == tc.expr {
					if i.Message == "" || i.Code == "" {
						t.Errorf("issue lacks message or code: %+v", i)
					}
					return
				}
			}
			t.Errorf("no %s %s at %s in %+v", tc.severity, tc.rule, tc.expr, m.Issues)
		})
	}
}

// TestScrubProblemsLocated: problems the scrubber finds in a mapped record
// point back into the FHIR input.
func TestScrubProblemsLocated(t *testing.T) {
	m := mutated(t, func(b, c map[string]any) {
		org := b["entry"].([]any)[3].(map[string]any)["resource"].(map[string]any)
		org["identifier"].([]any)[0].(map[string]any)["value"] = "1234567890" // check digit fails
	})
	if errs := errorIssues(m.Issues); len(errs) > 0 {
		t.Fatalf("mapping errors: %+v", errs)
	}
	issues := m.Problems(record.Problems{{Severity: record.SeverityError, Code: "NPI_CHECK_DIGIT", Pointer: "/billing_provider/npi", Message: "x"}})
	if len(issues) != 1 || issues[0].Expression != "Bundle.entry[3].resource.identifier[0]" || issues[0].Code != fhirmap.CodeValue {
		t.Errorf("issues: %+v", issues)
	}
}

func TestNarrativesJoined(t *testing.T) {
	m := mutated(t, func(b, c map[string]any) {
		si := c["supportingInfo"].([]any)
		c["supportingInfo"] = append(si, map[string]any{"sequence": 5,
			"category":    map[string]any{"coding": []any{map[string]any{"system": fhirmap.SystemInfoCategory, "code": "info"}}},
			"valueString": "Second part."})
	})
	if got := m.Record.Narrative; got[len(got)-13:] != "\nSecond part." {
		t.Errorf("narrative %q", got)
	}
}
