package httpapi_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

type outcomeDoc struct {
	ResourceType string `json:"resourceType"`
	Issue        []struct {
		Severity   string   `json:"severity"`
		Code       string   `json:"code"`
		Expression []string `json:"expression"`
	} `json:"issue"`
}

func decodeOutcome(t *testing.T, body []byte) outcomeDoc {
	t.Helper()
	var o outcomeDoc
	if err := json.Unmarshal(body, &o); err != nil || o.ResourceType != "OperationOutcome" || len(o.Issue) == 0 {
		t.Fatalf("not an OperationOutcome (%v): %s", err, body)
	}
	return o
}

func TestFHIRClaimToX12MatchesRecordPath(t *testing.T) {
	h := newHarness(t)
	for _, f := range []string{"../../testdata/fhir/ehr/bundle-claim-first.json", "../../testdata/fhir/ehr/claim-contained.json"} {
		w := h.do("POST", "/fhir/Claim/$x12?control_number=9&at=2026-11-27T10:00:00Z", "application/fhir+json", "", file(t, f))
		if w.Code != 200 || w.Header().Get("Content-Type") != "application/edi-x12" {
			t.Fatalf("%s: %d %s", f, w.Code, w.Body)
		}
		if !strings.Contains(w.Body.String(), "SV3*AD:D9997*") || !strings.Contains(w.Body.String(), "*000000009*0*T*") {
			t.Errorf("%s: unexpected 837D %s", f, w.Body)
		}
	}
	// a record and its FHIR Bundle give the same bytes
	bundle := h.do("POST", "/v1/claims/fhir?at=2026-11-27T10:00:00Z", "application/json", "", file(t, "../../testdata/records/dependent.json"))
	if bundle.Code != 200 || bundle.Header().Get("Content-Type") != "application/fhir+json" {
		t.Fatalf("record → FHIR: %d %s", bundle.Code, bundle.Body)
	}
	viaFHIR := h.do("POST", "/fhir/Claim/$x12?control_number=1001&at=2026-11-27T10:00:00Z&newlines=true", "application/fhir+json", "", strings.NewReader(bundle.Body.String()))
	want, _ := os.ReadFile("../../testdata/837d/dependent.x12")
	if viaFHIR.Code != 200 || viaFHIR.Body.String() != string(want) {
		t.Errorf("record → FHIR → 837D differs from record → 837D (%d): %s", viaFHIR.Code, viaFHIR.Body)
	}
}

func TestFHIRRefusesHL7ExampleClaim(t *testing.T) {
	h := newHarness(t)
	w := h.do("POST", "/fhir/Claim/$x12", "application/fhir+json", "", file(t, "../../testdata/fhir/Claim-100155.json"))
	if w.Code != 422 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	o := decodeOutcome(t, w.Body.Bytes())
	got := map[string]bool{}
	for _, i := range o.Issue {
		if i.Severity == "error" {
			for _, e := range i.Expression {
				got[e] = true
			}
		}
	}
	for _, want := range []string{"Claim.item[0].productOrService", "Claim.provider", "Claim.insurer", "Claim.insurance[0].coverage"} {
		if !got[want] {
			t.Errorf("no error at %s; got %v", want, got)
		}
	}
}

func TestFHIRErrorsAreOperationOutcomes(t *testing.T) {
	tests := []struct {
		name, method, path, ctype, body string
		status                          int
	}{
		{"not json", "POST", "/fhir/Claim/$x12", "application/fhir+json", "{", 400},
		{"unknown resource", "POST", "/fhir/Claim/$x12", "application/fhir+json", `{"resourceType":"Nonsense"}`, 400},
		{"wrong type", "POST", "/fhir/Claim/$x12", "application/fhir+json", `{"resourceType":"Patient","id":"p"}`, 400},
		{"bad date", "POST", "/fhir/Claim/$x12", "application/fhir+json", `{"resourceType":"Claim","status":"active","type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/claim-type","code":"oral"}]},"use":"claim","patient":{"reference":"#p"},"created":"2026-13-45","provider":{"reference":"#o"},"priority":{"coding":[{"code":"normal"}]},"insurance":[{"sequence":1,"focal":true,"coverage":{"reference":"#c"}}]}`, 400},
		{"missing required", "POST", "/fhir/Claim/$x12", "application/fhir+json", `{"resourceType":"Claim","status":"active","use":"claim"}`, 422},
		{"media type", "POST", "/fhir/Claim/$x12", "text/plain", "{}", 415},
		{"no route", "GET", "/fhir/Patient/1", "", "", 404},
		{"method", "GET", "/fhir/Claim/$x12", "", "", 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			w := h.do(tc.method, tc.path, tc.ctype, "", strings.NewReader(tc.body))
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			decodeOutcome(t, w.Body.Bytes())
		})
	}
}

func TestFHIRValidateAndMetadata(t *testing.T) {
	h := newHarness(t)
	w := h.do("POST", "/fhir/Claim/$validate", "application/fhir+json", "", file(t, "../../testdata/fhir/Claim-100155.json"))
	if w.Code != 200 {
		t.Fatalf("$validate: %d", w.Code)
	}
	decodeOutcome(t, w.Body.Bytes())
	m := h.do("GET", "/fhir/metadata", "", "", nil)
	var cs struct {
		ResourceType   string               `json:"resourceType"`
		FhirVersion    string               `json:"fhirVersion"`
		Implementation struct{ URL string } `json:"implementation"`
		Rest           []struct {
			Resource []struct {
				Type      string                  `json:"type"`
				Operation []struct{ Name string } `json:"operation"`
			} `json:"resource"`
		} `json:"rest"`
	}
	if err := json.Unmarshal(m.Body.Bytes(), &cs); err != nil || m.Code != 200 {
		t.Fatalf("metadata %d: %v", m.Code, err)
	}
	if cs.ResourceType != "CapabilityStatement" || cs.FhirVersion != "4.0.1" || cs.Implementation.URL != "http://example.com/fhir" {
		t.Errorf("capability statement %+v", cs)
	}
	ops := []string{}
	for _, r := range cs.Rest {
		for _, res := range r.Resource {
			for _, o := range res.Operation {
				ops = append(ops, res.Type+"/"+o.Name)
			}
		}
	}
	if strings.Join(ops, ",") != "Claim/x12,Claim/validate" {
		t.Errorf("operations %v", ops)
	}
}

func TestRemittanceFHIR(t *testing.T) {
	h := newHarness(t)
	w := h.do("POST", "/v1/remittances/findings?format=fhir&at=2026-11-27T10:00:00Z", "application/edi-x12", "", file(t, "../../testdata/835/d9997_dental.x12"))
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"resourceType":"ClaimResponse"`) {
		t.Fatalf("%d %.300s", w.Code, w.Body)
	}
	bad := h.do("POST", "/v1/remittances/findings?format=fhir", "application/edi-x12", "", strings.NewReader("nope"))
	if bad.Code != 422 {
		t.Errorf("unreadable 835: %d", bad.Code)
	}
}

func TestRecordToFHIRGolden(t *testing.T) {
	h := newHarness(t)
	w := h.do("POST", "/v1/claims/fhir?at=2026-11-27T10:00:00Z", "application/json", "", file(t, "../../testdata/records/self.json"))
	want, _ := os.ReadFile("../../testdata/fhir/golden/self.bundle.json")
	var got, exp any
	_ = json.Unmarshal(w.Body.Bytes(), &got)
	_ = json.Unmarshal(want, &exp)
	g, _ := json.Marshal(got)
	e, _ := json.Marshal(exp)
	if w.Code != 200 || string(g) != string(e) {
		t.Errorf("record → Bundle (%d) differs from the golden Bundle", w.Code)
	}
	bad := h.do("POST", "/v1/claims/fhir", "application/json", "", file(t, "../../testdata/records-invalid/scrub-errors.json"))
	if bad.Code != 422 {
		t.Errorf("invalid record: %d", bad.Code)
	}
}
