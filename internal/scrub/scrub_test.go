package scrub_test

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/casebridge/casebridge/internal/golden"
	"github.com/casebridge/casebridge/internal/money"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/internal/scrub"
)

func base(t *testing.T) *record.Record {
	t.Helper()
	return golden.Record(t, "../../testdata/records/dependent.json")
}

var today = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

func amt(s string) *money.Amount { a := money.MustParse(s); return &a }

func TestCleanRecordHasNoErrors(t *testing.T) {
	probs := scrub.Check(base(t), scrub.Options{AttachmentDelivery: "275", Today: today})
	if probs.HasErrors() {
		t.Fatalf("unexpected errors: %+v", probs.Errors())
	}
	if len(probs) != 0 {
		t.Fatalf("unexpected warnings on a fully documented record: %+v", probs)
	}
}

func TestRules(t *testing.T) {
	tests := []struct {
		name     string
		mutate   func(r *record.Record)
		severity string
		code     string
		pointer  string
	}{
		{"npi check digit", func(r *record.Record) { r.BillingProvider.NPI = "1234567890" }, "error", "NPI_CHECK_DIGIT", "/billing_provider/npi"},
		{"npi format", func(r *record.Record) { r.BillingProvider.NPI = "12345" }, "error", "NPI_FORMAT", "/billing_provider/npi"},
		{"rendering npi", func(r *record.Record) { r.RenderingProvider.NPI = "1987654321" }, "error", "NPI_CHECK_DIGIT", "/rendering_provider/npi"},
		{"impossible date", func(r *record.Record) { r.Services[1].Date = "2026-02-30" }, "error", "DATE_INVALID", "/services/1/date"},
		{"bad date format", func(r *record.Record) { r.Services[0].Date = "10/05/2026" }, "error", "DATE_INVALID", "/services/0/date"},
		{"birth date", func(r *record.Record) { r.Patient.BirthDate = "2015-13-01" }, "error", "DATE_INVALID", "/patient/birth_date"},
		{"D9997 before 2020", func(r *record.Record) { r.Services[0].Date = "2019-12-31" }, "error", "CODE_NOT_YET_VALID", "/services/0/date"},
		{"future date", func(r *record.Record) { r.Services[0].Date = "2027-01-02" }, "error", "DATE_IN_FUTURE", "/services/0/date"},
		{"zero charge", func(r *record.Record) { r.Services[0].Charge = amt("0") }, "error", "CHARGE_NOT_POSITIVE", "/services/0/charge"},
		{"negative charge", func(r *record.Record) { r.Services[1].Charge = amt("-5") }, "error", "CHARGE_NOT_POSITIVE", "/services/1/charge"},
		{"missing charge", func(r *record.Record) { r.Services[1].Charge = nil }, "error", "REQUIRED", "/services/1/charge"},
		{"missing member id", func(r *record.Record) { r.Subscriber.MemberID = "" }, "error", "MEMBER_ID_REQUIRED", "/subscriber/member_id"},
		{"record id too long", func(r *record.Record) { r.RecordID = strings.Repeat("A", 21) }, "error", "ID_LENGTH", "/record_id"},
		{"record id delimiter", func(r *record.Record) { r.RecordID = "CM*1" }, "error", "ID_DELIMITER", "/record_id"},
		{"record id missing", func(r *record.Record) { r.RecordID = "" }, "error", "REQUIRED", "/record_id"},
		{"unknown frequency", func(r *record.Record) { r.Frequency = "corrected" }, "error", "FREQUENCY_UNKNOWN", "/frequency"},
		{"replacement without icn", func(r *record.Record) { r.Frequency = "replacement" }, "error", "PAYER_CLAIM_NUMBER_REQUIRED", "/payer_claim_number"},
		{"void without icn", func(r *record.Record) { r.Frequency = "void" }, "error", "PAYER_CLAIM_NUMBER_REQUIRED", "/payer_claim_number"},
		{"look-alike D9910", func(r *record.Record) { r.Services[0].Code = "D9910" }, "error", "CODE_LOOKALIKE", "/services/0/code"},
		{"look-alike D9911", func(r *record.Record) { r.Services[0].Code = "D9911" }, "error", "CODE_LOOKALIKE", "/services/0/code"},
		{"look-alike D9973", func(r *record.Record) { r.Services[1].Code = "D9973" }, "error", "CODE_LOOKALIKE", "/services/1/code"},
		{"not case management", func(r *record.Record) { r.Services[0].Code = "D1110" }, "error", "CODE_NOT_CASE_MANAGEMENT", "/services/0/code"},
		{"five diagnoses", func(r *record.Record) { r.Diagnoses = []string{"F84.0", "G80.0", "Z74.09", "F70", "Q90.9"} }, "error", "DIAGNOSES_TOO_MANY", "/diagnoses"},
		{"bad diagnosis", func(r *record.Record) { r.Diagnoses = []string{"84.0"} }, "error", "DIAGNOSIS_INVALID", "/diagnoses/0"},
		{"eleven attachments", func(r *record.Record) {
			for i := 0; i < 8; i++ {
				r.Attachments = append(r.Attachments, record.Attachment{ID: "EXTRA" + string(rune('A'+i)), ReportType: "OZ", Transmission: "FX"})
			}
		}, "error", "ATTACHMENTS_TOO_MANY", "/attachments"},
		{"two D9997 same date", func(r *record.Record) { r.Services[1].Date = r.Services[0].Date }, "error", "D9997_SAME_DATE", "/services/1/date"},
		{"undocumented special needs", func(r *record.Record) { r.SpecialNeeds = nil; r.Diagnoses = nil }, "error", "SPECIAL_NEEDS_UNDOCUMENTED", "/special_needs"},
		{"duplicate line id", func(r *record.Record) { r.Services[1].LineID = r.Services[0].LineID }, "error", "LINE_ID_DUPLICATE", "/services/1/line_id"},
		{"bad report type", func(r *record.Record) { r.Attachments[0].ReportType = "77" }, "error", "ATTACHMENT_REPORT_TYPE", "/attachments/0/report_type"},
		{"bad transmission", func(r *record.Record) { r.Attachments[0].Transmission = "XX" }, "error", "ATTACHMENT_TRANSMISSION", "/attachments/0/transmission"},
		{"attachment id short", func(r *record.Record) { r.Attachments[0].ID = "A" }, "error", "ID_LENGTH", "/attachments/0/id"},
		{"bad base64", func(r *record.Record) { r.Attachments[0].Data = "not base64!" }, "error", "ATTACHMENT_DATA_INVALID", "/attachments/0/data"},
		{"no services", func(r *record.Record) { r.Services = nil }, "error", "SERVICES_REQUIRED", "/services"},
		{"bad gender", func(r *record.Record) { r.Patient.Gender = "X" }, "error", "GENDER_INVALID", "/patient/gender"},
		{"bad relationship", func(r *record.Record) { r.Patient.Relationship = "cousin" }, "error", "RELATIONSHIP_INVALID", "/patient/relationship"},
		{"tax id", func(r *record.Record) { r.BillingProvider.TaxID = "12-3456789" }, "error", "TAX_ID_INVALID", "/billing_provider/tax_id"},
		{"pos", func(r *record.Record) { r.PlaceOfService = "1" }, "error", "PLACE_OF_SERVICE_INVALID", "/place_of_service"},
		{"cm type", func(r *record.Record) { r.Services[0].CaseManagementType = "magic" }, "error", "CASE_MANAGEMENT_TYPE_INVALID", "/services/0/case_management_type"},
		{"po box", func(r *record.Record) { r.BillingProvider.Address.Line1 = "P.O. Box 12" }, "error", "BILLING_PO_BOX", "/billing_provider/address/line1"},
		{"po box 2", func(r *record.Record) { r.BillingProvider.Address.Line2 = "PO BOX 9" }, "error", "BILLING_PO_BOX", "/billing_provider/address/line1"},
		{"zip5", func(r *record.Record) { r.BillingProvider.Address.PostalCode = "90001" }, "error", "BILLING_ZIP_PLUS4_MISSING", "/billing_provider/address/postal_code"},
		{"line id 31", func(r *record.Record) { r.Services[0].LineID = strings.Repeat("L", 31) }, "error", "ID_LENGTH", "/services/0/line_id"},
		{"organization without rendering", func(r *record.Record) { r.RenderingProvider = nil }, "error", "RENDERING_PROVIDER_REQUIRED", "/rendering_provider"},
		{"organization renders under its own npi", func(r *record.Record) { r.RenderingProvider.NPI = r.BillingProvider.NPI }, "error", "RENDERING_NPI_NOT_INDIVIDUAL", "/rendering_provider/npi"},
		{"rendering taxonomy missing", func(r *record.Record) { r.RenderingProvider.Taxonomy = "" }, "error", "REQUIRED", "/rendering_provider/taxonomy"},
		{"rendering hygienist", func(r *record.Record) { r.RenderingProvider.Taxonomy = "124Q00000X" }, "warning", "RENDERING_NOT_DENTIST", "/rendering_provider/taxonomy"},
		{"individual renders and is a hygienist", func(r *record.Record) { individual(r); r.BillingProvider.Taxonomy = "124Q00000X" }, "warning", "RENDERING_NOT_DENTIST", "/billing_provider/taxonomy"},
		{"individual without taxonomy", func(r *record.Record) { individual(r); r.BillingProvider.Taxonomy = "" }, "error", "REQUIRED", "/billing_provider/taxonomy"},
		{"individual last name", func(r *record.Record) {
			individual(r)
			r.BillingProvider.FirstName = "Ann"
			r.BillingProvider.LastName = ""
		}, "error", "REQUIRED", "/billing_provider/name"},
		{"name and last name", func(r *record.Record) { r.BillingProvider.LastName = "Smith" }, "error", "BILLING_PROVIDER_NAME_AMBIGUOUS", "/billing_provider/name"},
		{"no billing name", func(r *record.Record) { r.BillingProvider.Name = "" }, "error", "REQUIRED", "/billing_provider/name"},
		{"tax id type", func(r *record.Record) { r.BillingProvider.TaxIDType = "itin" }, "error", "TAX_ID_TYPE_INVALID", "/billing_provider/tax_id_type"},
		{"organization with ssn", func(r *record.Record) { r.BillingProvider.TaxIDType = "ssn" }, "error", "TAX_ID_TYPE_INVALID", "/billing_provider/tax_id_type"},
		{"nursing facility without facility", func(r *record.Record) { r.PlaceOfService = "31" }, "error", "SERVICE_FACILITY_REQUIRED", "/service_facility"},
		{"school without facility", func(r *record.Record) { r.PlaceOfService = "03" }, "error", "SERVICE_FACILITY_REQUIRED", "/service_facility"},
		{"inpatient hospital without facility", func(r *record.Record) { r.PlaceOfService = "21" }, "error", "SERVICE_FACILITY_REQUIRED", "/service_facility"},
		{"home with facility", func(r *record.Record) { r.PlaceOfService = "12"; r.ServiceFacility = facility() }, "error", "SERVICE_FACILITY_AT_HOME", "/service_facility"},
		{"facility name", func(r *record.Record) {
			r.PlaceOfService = "32"
			r.ServiceFacility = facility()
			r.ServiceFacility.Name = ""
		}, "error", "REQUIRED", "/service_facility/name"},
		{"facility address", func(r *record.Record) {
			r.PlaceOfService = "32"
			r.ServiceFacility = facility()
			r.ServiceFacility.Address = nil
		}, "error", "ADDRESS_REQUIRED", "/service_facility/address"},
		{"facility npi", func(r *record.Record) {
			r.PlaceOfService = "32"
			r.ServiceFacility = facility()
			r.ServiceFacility.NPI = "1234567890"
		}, "error", "NPI_CHECK_DIGIT", "/service_facility/npi"},
		{"facility name delimiter", func(r *record.Record) {
			r.PlaceOfService = "32"
			r.ServiceFacility = facility()
			r.ServiceFacility.Name = "Oak*Care"
		}, "warning", "TEXT_CLEANED", "/service_facility/name"},
		{"units over one", func(r *record.Record) { r.Services[1].Units = 2 }, "warning", "UNITS_OVER_ONE", "/services/1/units"},
		{"special needs with diagnosis only", func(r *record.Record) { r.SpecialNeeds = nil }, "error", "SPECIAL_NEEDS_UNDOCUMENTED", "/special_needs"},
		{"special needs without condition", func(r *record.Record) { r.SpecialNeeds.Condition = " " }, "error", "SPECIAL_NEEDS_UNDOCUMENTED", "/special_needs/condition"},
		{"D9920 same date", func(r *record.Record) { addLine(r, "D9920", r.Services[0].Date) }, "warning", "BUNDLING_RISK_D9920", "/services/2/code"},
		{"D9995 before 2018", func(r *record.Record) { addLine(r, "D9995", "2017-12-31") }, "error", "CODE_NOT_YET_VALID", "/services/2/date"},
		{"D9990 before 2019", func(r *record.Record) { addLine(r, "D9990", "2018-12-31") }, "error", "CODE_NOT_YET_VALID", "/services/2/date"},
		{"companion alone", func(r *record.Record) { r.Services = r.Services[:1]; r.Services[0].Code = "D9996" }, "error", "CODE_COMPANION_ALONE", "/services/0/code"},
		{"no state", func(r *record.Record) { r.Patient.Address.State = "" }, "error", "REQUIRED", "/patient/address/state"},
		{"no zip", func(r *record.Record) { r.BillingProvider.Address.PostalCode = "" }, "error", "REQUIRED", "/billing_provider/address/postal_code"},
		{"contact without numbers", func(r *record.Record) { r.Submitter.Phone, r.Submitter.Email = "", "" }, "error", "SUBMITTER_CONTACT_INCOMPLETE", "/submitter/phone"},
		{"self needs address", func(r *record.Record) { r.Patient = nil }, "error", "ADDRESS_REQUIRED", "/subscriber/address"},

		{"no minutes", func(r *record.Record) { r.Services[0].Minutes = 0 }, "warning", "MINUTES_MISSING", "/services/0/minutes"},
		{"no credential", func(r *record.Record) { r.Services[1].Staff.Credential = "" }, "warning", "STAFF_CREDENTIAL_MISSING", "/services/1/staff/credential"},
		{"no staff", func(r *record.Record) { r.Services[1].Staff = nil }, "warning", "STAFF_MISSING", "/services/1/staff"},
		{"no reason", func(r *record.Record) { r.Services[0].Reason = "" }, "warning", "REASON_MISSING", "/services/0/reason"},
		{"no actions", func(r *record.Record) { r.Services[0].Actions = " " }, "warning", "ACTIONS_MISSING", "/services/0/actions"},
		{"no benefit", func(r *record.Record) { r.Services[1].PatientBenefit = "" }, "warning", "PATIENT_BENEFIT_MISSING", "/services/1/patient_benefit"},
		{"no follow up", func(r *record.Record) { r.Services[1].FollowUp = "" }, "warning", "FOLLOW_UP_MISSING", "/services/1/follow_up"},
		{"no documentation", func(r *record.Record) { r.Narrative = ""; r.Attachments = nil }, "warning", "DOCUMENTATION_MISSING", "/narrative"},
		{"no prior auth", func(r *record.Record) { r.PriorAuthorization = "" }, "warning", "PRIOR_AUTH_MISSING", "/prior_authorization"},
		{"long narrative", func(r *record.Record) { r.Narrative = strings.Repeat("word ", 90) }, "warning", "NARRATIVE_TRUNCATED", "/narrative"},
		{"text cleaned", func(r *record.Record) { r.Narrative = "Time: 45 min* ok~" }, "warning", "TEXT_CLEANED", "/narrative"},
		{"text cleaned name", func(r *record.Record) { r.Patient.LastName = "Nguyễn" }, "warning", "TEXT_CLEANED", "/patient/last_name"},
		{"interpreter", func(r *record.Record) { r.Services[0].CaseManagementType = "interpreter_services" }, "warning", "MORE_SPECIFIC_CODE", "/services/0/case_management_type"},
		{"transportation", func(r *record.Record) { r.Services[1].CaseManagementType = "transportation" }, "warning", "MORE_SPECIFIC_CODE", "/services/1/case_management_type"},
		{"care coordination", func(r *record.Record) { r.Services[0].CaseManagementType = "care_coordination" }, "warning", "MORE_SPECIFIC_CODE", "/services/0/case_management_type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := base(t)
			tc.mutate(r)
			probs := scrub.Check(r, scrub.Options{AttachmentDelivery: "275", Today: today})
			for _, p := range probs {
				if p.Code == tc.code && p.Pointer == tc.pointer && p.Severity == tc.severity {
					if p.Message == "" {
						t.Errorf("empty message")
					}
					return
				}
			}
			t.Errorf("want %s %s at %s, got %+v", tc.severity, tc.code, tc.pointer, probs)
		})
	}
}

// individual makes the billing provider of r a dentist billing in her own
// name, who renders the care herself.
func individual(r *record.Record) {
	r.BillingProvider.Name = ""
	r.BillingProvider.FirstName, r.BillingProvider.LastName = "Anna", "Smith"
	r.RenderingProvider = nil
}

func facility() *record.ServiceFacility {
	return &record.ServiceFacility{Name: "Oak Care Center", NPI: "1346053246",
		Address: &record.Address{Line1: "200 Oak Ave", City: "Anytown", State: "CA", PostalCode: "90003"}}
}

// addLine adds a documented line with code on date.
func addLine(r *record.Record, code, date string) {
	l := r.Services[0]
	l.LineID, l.Code, l.Date = "", code, date
	r.Services = append(r.Services, l)
}

func TestCompanionsAndFacilityAccepted(t *testing.T) {
	for name, mutate := range map[string]func(*record.Record){
		"individual billing dentist": individual,
		"individual with ssn":        func(r *record.Record) { individual(r); r.BillingProvider.TaxIDType = "ssn" },
		"individual renders with a hygienist on the line": func(r *record.Record) {
			individual(r)
			r.Services[0].Staff = &record.Staff{Name: "Maria Lopez", Credential: "RDH", Role: "care coordinator"}
		},
		"rendering equals individual billing": func(r *record.Record) {
			individual(r)
			r.RenderingProvider = &record.RenderingProvider{FirstName: "Anna", LastName: "Smith", NPI: r.BillingProvider.NPI, Taxonomy: "1223P0221X"}
		},
		"nursing facility":      func(r *record.Record) { r.PlaceOfService = "31"; r.ServiceFacility = facility() },
		"home without facility": func(r *record.Record) { r.PlaceOfService = "12" },
		"D9995 beside D9997":    func(r *record.Record) { addLine(r, "D9995", r.Services[0].Date) },
		"D9996 beside D9997":    func(r *record.Record) { addLine(r, "D9996", r.Services[1].Date) },
		"D9920 another date":    func(r *record.Record) { addLine(r, "D9920", "2026-10-06") },
		"D9990 beside D9997":    func(r *record.Record) { addLine(r, "D9990", r.Services[0].Date) },
	} {
		t.Run(name, func(t *testing.T) {
			r := base(t)
			mutate(r)
			for _, p := range scrub.Check(r, scrub.Options{AttachmentDelivery: "275", Today: today}) {
				if p.Severity == "error" || p.Code == "RENDERING_NOT_DENTIST" || p.Code == "BUNDLING_RISK_D9920" {
					t.Errorf("unexpected %s %s at %s", p.Severity, p.Code, p.Pointer)
				}
			}
		})
	}
}

func TestAttachmentDeliveryWarning(t *testing.T) {
	probs := scrub.Check(base(t), scrub.Options{Today: today})
	var got []string
	for _, p := range probs {
		if p.Code == "ATTACHMENT_DELIVERY_UNCONFIGURED" {
			got = append(got, p.Pointer)
		}
	}
	// only the EL attachment (index 1) needs a delivery route
	if len(got) != 1 || got[0] != "/attachments/1/transmission" {
		t.Fatalf("got %v", got)
	}
}

func TestMessagesCarryNoPHI(t *testing.T) {
	r := base(t)
	r.BillingProvider.NPI = "1234567890"
	r.Subscriber.MemberID = "SECRET*ID"
	r.Patient.BirthDate = "2015-02-31"
	r.Narrative = "SECRETNARRATIVE~"
	for _, p := range scrub.Check(r, scrub.Options{Today: today}) {
		for _, v := range []string{"1234567890", "SECRET", "2015-02-31", "Nguyen", "Lily"} {
			if strings.Contains(p.Message, v) {
				t.Errorf("%s message quotes record data: %s", p.Code, p.Message)
			}
		}
	}
}

func TestNPIValid(t *testing.T) {
	for npi, want := range map[string]bool{"1234567893": true, "1987654328": true, "1234567890": false, "123456789": false, "12345678A3": false} {
		if got := scrub.NPIValid(npi); got != want {
			t.Errorf("NPIValid(%s) = %v", npi, got)
		}
	}
}

// TestParseDateIsTimeParse holds the hand-read dates to time.Parse.
func TestParseDateIsTimeParse(t *testing.T) {
	var in []string
	for _, y := range []string{"0000", "1899", "1900", "2024", "2100", "2026", "9999"} {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				in = append(in, fmt.Sprintf("%s-%02d-%02d", y, m, d))
			}
		}
	}
	in = append(in, "", "2026-1-01", "2026/01/01", "+026-01-01", "2026-01-1a", "20260101", "2026-01-011", " 2026-01-01")
	for _, v := range in {
		got, gerr := scrub.ParseDate(v)
		want, werr := time.Parse(time.DateOnly, v)
		if !got.Equal(want) || (gerr == nil) != (werr == nil) || got.Location() != want.Location() {
			t.Errorf("%q: %v %v, time.Parse %v %v", v, got, gerr, want, werr)
		}
	}
}

// TestFormatsAreTheirPatterns holds each hand-written format to its
// regular expression on random strings over the characters that matter.
func TestFormatsAreTheirPatterns(t *testing.T) {
	rng := rand.New(rand.NewPCG(99, 97))
	alphabet := []string{"0", "1", "9", "A", "T", "U", "V", "Z", "X", "a", "x", ".", "-", " ", "\n", "é", "P", "O", "B", "o", "b", "p", "box", "Box", "P.O. ", "post office ", "lock", "\u212a"}
	// valid values of every format, edited one character at a time below,
	// so that matches are tried as often as mismatches
	valid := []string{"1223P0221X", "90001", "900010001", "G80.0", "Z7409", "F840", "5555550123", "CA", "11", "123", "PO Box 12", "lock box", "Post Office Box 9"}
	for _, f := range scrub.Formats {
		re := regexp.MustCompile(f.Pattern)
		for n := 0; n < 50000; n++ {
			var s string
			if n%2 == 0 {
				var b strings.Builder
				for k := rng.IntN(16); k > 0; k-- {
					b.WriteString(alphabet[rng.IntN(len(alphabet))])
				}
				s = b.String()
			} else {
				s = valid[rng.IntN(len(valid))]
				if i := rng.IntN(len(s) + 1); rng.IntN(4) > 0 && i < len(s) {
					s = s[:i] + alphabet[rng.IntN(len(alphabet))] + s[i+1:]
				}
			}
			if f.Match(s) != re.MatchString(s) {
				t.Fatalf("%s on %q: %v, the pattern says %v", f.Pattern, s, f.Match(s), re.MatchString(s))
			}
		}
	}
}

// TestChargePrecision: CHARGE_PRECISION is raised for more than two decimal
// places as written, on the int64 path of money.Amount and on its decimal
// path alike (trailing zeros count: "85.000" has three places).
func TestChargePrecision(t *testing.T) {
	for _, tc := range []struct {
		charge string
		want   bool
	}{
		{"85", false}, {"85.5", false}, {"85.00", false}, {"0.01", false},
		{"85.001", true}, {"85.000", true}, {"0.125", true},
		{"123456789012345678901234.56", false}, // beyond int64: the decimal path
		{"123456789012345678901234.567", true},
	} {
		r := base(t)
		r.Services[0].Charge = amt(tc.charge)
		got := false
		for _, p := range scrub.Check(r, scrub.Options{AttachmentDelivery: "275", Today: today}) {
			if p.Code == "CHARGE_PRECISION" {
				got = p.Pointer == "/services/0/charge"
			}
		}
		if got != tc.want {
			t.Errorf("charge %s: CHARGE_PRECISION %v, want %v", tc.charge, got, tc.want)
		}
	}
}

// TestRememberedFormatting: a message or item pointer served from the
// cache is the one fmt.Sprintf and record.Pointer build, on the first call
// and every later one, for indexes inside and past the cached range.
func TestRememberedFormatting(t *testing.T) {
	for round := 0; round < 2; round++ {
		for _, i := range []int{0, 1, 9, 63, 64, 1024, 1025, -1} {
			for _, c := range []struct {
				format string
				args   []any
			}{
				{"Line %d does not record %s.", []any{i, "what was done"}},
				{"Line %d describes an activity that %s describes more specifically; use %s.", []any{i, "D9991", "D9991"}},
				{"Attachment %d is to be sent electronically.", []any{i}},
				{"No argument at all.", nil},
				{"100%% literal", nil},
				{"long %s", []any{strings.Repeat("x", 65)}},
				{"four %d %d %d %d", []any{i, i, i, i}},
			} {
				if got, want := scrub.Message(c.format, c.args...), fmt.Sprintf(c.format, c.args...); got != want {
					t.Fatalf("round %d: %q %v: got %q, want %q", round, c.format, c.args, got, want)
				}
			}
			for _, list := range []string{"services", "attachments"} {
				if got, want := scrub.ItemPointer(list, i, "case_management_type"), record.Pointer(list, i, "case_management_type"); got != want {
					t.Fatalf("round %d: pointer %s %d: got %q, want %q", round, list, i, got, want)
				}
			}
		}
	}
	// the same record checked twice gives the same problems
	r := base(t)
	r.Services[0].Minutes = 0
	r.Services[1].Staff = nil
	a, b := scrub.Check(r, scrub.Options{}), scrub.Check(r, scrub.Options{})
	if len(a) < 3 || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("first %v\nsecond %v", a, b)
	}
}

// TestHandWrittenChecks holds daysIn to time.Date and blank and trimmed to
// strings.TrimSpace.
func TestHandWrittenChecks(t *testing.T) {
	for y := 1600; y <= 2500; y++ {
		for m := time.January; m <= time.December; m++ {
			if got, want := scrub.DaysIn(m, y), time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day(); got != want {
				t.Fatalf("%d-%02d: %d days, time.Date says %d", y, m, got, want)
			}
		}
	}
	for _, v := range []string{"", " ", "a", " a", "a ", "\ta\n", "\u00a0", "\u00a0a", "a\u00a0", "\u0085", "é", "a é", "\x00", "x\x1f", "~", " \u2003 "} {
		if got, want := scrub.Blank(v), strings.TrimSpace(v) == ""; got != want {
			t.Errorf("blank(%q) = %v", v, got)
		}
		if got, want := scrub.Trimmed(v), strings.TrimSpace(v) == v; got != want {
			t.Errorf("trimmed(%q) = %v", v, got)
		}
	}
}
