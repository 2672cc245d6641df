package app_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casebridge/casebridge/adapters/fhir"
	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/golden"
	"github.com/casebridge/casebridge/internal/profile"
	"github.com/casebridge/casebridge/internal/record"
)

// The FHIR use cases (moved here from adapters/fhir with them).

var at = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func read(t testing.TB, path string) []byte { return golden.Read(t, path) }

func opts() app.Envelope { return app.Envelope{ControlNumber: 42, At: at} }

// outcomeOf re-reads an OperationOutcome body through the validating
// unmarshaller and returns its issues as generic JSON.
func outcomeOf(t *testing.T, r fhir.Response) []map[string]any {
	t.Helper()
	if r.ContentType != fhir.ContentTypeFHIR {
		t.Fatalf("content type %q, want %s", r.ContentType, fhir.ContentTypeFHIR)
	}
	res, st, out := fhir.Parse(r.Body)
	if st != fhir.Parsed || res.GetOperationOutcome() == nil {
		t.Fatalf("answer is not a valid OperationOutcome: %v %+v\n%s", st, out.Issues, r.Body)
	}
	var oo struct {
		Issue []map[string]any `json:"issue"`
	}
	if err := json.Unmarshal(r.Body, &oo); err != nil {
		t.Fatal(err)
	}
	for _, i := range oo.Issue {
		if i["severity"] == nil || i["code"] == nil {
			t.Errorf("issue without severity or code: %v", i)
		}
		if i["details"] == nil && i["diagnostics"] == nil {
			t.Errorf("issue says nothing: %v", i)
		}
	}
	return oo.Issue
}

func expressions(issues []map[string]any, severity string) map[string]string {
	out := map[string]string{}
	for _, i := range issues {
		if i["severity"] != severity {
			continue
		}
		code, _ := i["code"].(string)
		if exprs, ok := i["expression"].([]any); ok {
			for _, e := range exprs {
				out[e.(string)] = code
			}
		} else {
			out[""] = code
		}
	}
	return out
}

func TestEHRInputsAccepted(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []string // segments the 837D must hold
	}{
		{"bundle-claim-first.json", []string{"CLM*EHR1001*110***11:B:1*", "SV3*AD:D9997*110****1*****1:2~", "NM1*IL*1*MARSH*DANA LEE****MI*EHRMBR01~",
			"REF*EI*123456789~", "PWK*OZ*EL***AC*ACN-EHR-1~", "PWK*OZ*EL***AC*ACN-EHR-2~", "REF*G1*PA-EHR-55~", "NM1*82*1*IVERSON*KARL****XX*1987654328~", "HI*ABK:F79*ABF:G40909~"}},
		{"claim-contained.json", []string{"CLM*SPD2002*85***11:B:8*", "REF*F8*ICN-SPR-77001~", "PAT*19~", "NM1*QC*1*KIM*NOAH~", "REF*6R*SPD2002-1~", "HI*ABK:Q909~"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			body := read(t, filepath.Join("../../testdata/fhir/ehr", tc.file))
			r := app.ClaimToX12(body, "application/fhir+json; charset=utf-8", profile.Default(), opts())
			if r.Status != 200 {
				t.Fatalf("status %d: %s", r.Status, r.Body)
			}
			if r.ContentType != fhir.ContentTypeX12 {
				t.Errorf("content type %q", r.ContentType)
			}
			for _, seg := range tc.want {
				if !bytes.Contains(r.Body, []byte(seg)) {
					t.Errorf("837D lacks %q:\n%s", seg, r.Body)
				}
			}
			if r.ExitCode() != 0 {
				t.Errorf("exit code %d", r.ExitCode())
			}
		})
	}
}

func TestClaim100155Refused(t *testing.T) {
	body := read(t, "../../testdata/fhir/Claim-100155.json")
	r := app.ClaimToX12(body, "application/fhir+json", profile.Default(), opts())
	if r.Status != 422 {
		t.Fatalf("status %d, want 422", r.Status)
	}
	if r.ExitCode() != 1 {
		t.Errorf("exit code %d, want 1", r.ExitCode())
	}
	got := expressions(outcomeOf(t, r), "error")
	for _, expr := range []string{
		"Claim.item[0].productOrService",              // CDT-coded item
		"Claim.provider",                              // billing provider with NPI
		"Claim.careTeam[0].provider",                  // rendering NPI
		"Claim.insurer",                               // payer
		"Claim.insurance[0].coverage",                 // subscriber / member id
		"Claim.diagnosis[0].diagnosisCodeableConcept", // ICD-10-CM
	} {
		if _, ok := got[expr]; !ok {
			t.Errorf("no error at %s; got %v", expr, got)
		}
	}
	// $validate runs the same checks and answers 200.
	v := app.ValidateClaim(body, "", profile.Default(), at)
	if v.Status != 200 {
		t.Fatalf("$validate status %d", v.Status)
	}
	if g := expressions(outcomeOf(t, v), "error"); len(g) != len(got) {
		t.Errorf("$validate errors %v, $x12 errors %v", g, got)
	}
}

func claimJSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(read(t, "../../testdata/fhir/ehr/claim-contained.json"), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBadInput: invalid FHIR gets an OperationOutcome with a 4xx status,
// the right issue code and the FHIRPath of the problem.
func TestBadInput(t *testing.T) {
	mutate := func(f func(m map[string]any)) func(t *testing.T) []byte {
		return func(t *testing.T) []byte {
			m := claimJSON(t)
			f(m)
			return mustJSON(t, m)
		}
	}
	raw := func(s string) func(t *testing.T) []byte { return func(*testing.T) []byte { return []byte(s) } }
	for _, tc := range []struct {
		name        string
		body        func(t *testing.T) []byte
		contentType string
		status      int
		code        string
		expr        string
	}{
		{"not json", raw("claim, please"), "", 400, "structure", ""},
		{"empty", raw(""), "", 400, "structure", ""},
		{"array", raw(`[{"resourceType":"Claim"}]`), "", 400, "structure", ""},
		{"truncated", raw(`{"resourceType":"Claim","status":`), "", 400, "structure", ""},
		{"trailing bytes", raw(`{"resourceType":"Claim"} {}`), "", 400, "structure", ""},
		{"unknown resource", raw(`{"resourceType":"Flurb","id":"x"}`), "", 400, "structure", ""},
		{"no resourceType", raw(`{"id":"x"}`), "", 400, "structure", ""},
		{"wrong resource type", raw(`{"resourceType":"Patient","id":"p1"}`), "", 400, "not-supported", "Patient"},
		{"bad date", mutate(func(m map[string]any) { m["created"] = "2026-02-30" }), "", 400, "value", "Claim.created"},
		{"bad status", mutate(func(m map[string]any) { m["status"] = "approved" }), "", 400, "code-invalid", "Claim.status"},
		{"unknown element", mutate(func(m map[string]any) { m["colour"] = "blue" }), "", 400, "structure", "Claim.colour"},
		{"missing insurance", mutate(func(m map[string]any) { delete(m, "insurance") }), "", 422, "required", "Claim.insurance"},
		{"missing item code", mutate(func(m map[string]any) {
			delete(m["item"].([]any)[0].(map[string]any), "productOrService")
		}), "", 422, "required", "Claim.item[0].productOrService"},
		{"patient null", mutate(func(m map[string]any) { m["patient"] = nil }), "", 400, "structure", "Claim.patient"},
		{"reference to wrong type", mutate(func(m map[string]any) { m["patient"] = map[string]any{"reference": "Organization/bill"} }), "", 422, "value", "Claim.patient"},
		{"sequence zero", mutate(func(m map[string]any) { m["item"].([]any)[0].(map[string]any)["sequence"] = 0 }), "", 400, "value", "Claim.item[0].sequence"},
		{"bad contained", mutate(func(m map[string]any) { m["contained"].([]any)[0].(map[string]any)["birthDate"] = "yesterday" }), "", 400, "value", "Claim.contained[0].birthDate"},
		{"predetermination", mutate(func(m map[string]any) { m["use"] = "predetermination" }), "", 422, "not-supported", "Claim.use"},
		{"institutional", mutate(func(m map[string]any) {
			m["type"] = map[string]any{"coding": []any{map[string]any{"system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "institutional"}}}
		}), "", 422, "not-supported", "Claim.type"},
		{"total mismatch", mutate(func(m map[string]any) { m["total"] = map[string]any{"value": 90, "currency": "USD"} }), "", 422, "business-rule", "Claim.total"},
		{"wrong media type", raw(`{"resourceType":"Claim"}`), "text/plain", 415, "not-supported", ""},
		{"bundle without claim first", raw(`{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:6a1f1c1e-0000-4000-8000-000000000001","resource":{"resourceType":"Patient","id":"p"}}]}`),
			"", 400, "structure", "Bundle.entry[0]"},
		{"invalid claim in bundle", raw(`{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:6a1f1c1e-0000-4000-8000-000000000001","resource":{"resourceType":"Claim","status":"nope"}}]}`),
			"", 400, "code-invalid", "Bundle.entry[0].resource.status"},
		{"missing element in bundle", raw(`{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:6a1f1c1e-0000-4000-8000-000000000001","resource":{"resourceType":"DocumentReference","status":"current"}}]}`),
			"", 422, "required", "Bundle.entry[0].resource.content"},
		{"deep nesting", raw(`{"resourceType":"Claim","extension":[` + strings.Repeat(`{"url":"x","extension":[`, 200) + strings.Repeat(`]}`, 200) + `]}`), "", 400, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := app.ClaimToX12(tc.body(t), tc.contentType, profile.Default(), opts())
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			issues := outcomeOf(t, r)
			if tc.code == "" {
				return
			}
			found := false
			for _, i := range issues {
				if i["code"] != tc.code || i["severity"] != "error" {
					continue
				}
				exprs, _ := i["expression"].([]any)
				if tc.expr == "" || (len(exprs) > 0 && exprs[0] == tc.expr) {
					found = true
				}
			}
			if !found {
				t.Errorf("no %s issue at %q in %s", tc.code, tc.expr, r.Body)
			}
		})
	}
}

// TestLogsArePHIFree: diagnostics may echo the input; logs never do.
func TestLogsArePHIFree(t *testing.T) {
	m := claimJSON(t)
	m["contained"].([]any)[0].(map[string]any)["birthDate"] = "Noah Kim 555-12-3456"
	r := app.ClaimToX12(mustJSON(t, m), "", profile.Default(), opts())
	if r.Status != 400 {
		t.Fatalf("status %d", r.Status)
	}
	logs, err := json.Marshal(r.Log())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(logs, []byte("Noah")) || bytes.Contains(logs, []byte("555-12")) {
		t.Errorf("log holds input data: %s", logs)
	}
	if len(r.Log()) == 0 {
		t.Error("nothing to log")
	}
}

func TestValidateClaim(t *testing.T) {
	v := app.ValidateClaim(read(t, "../../testdata/fhir/ehr/bundle-claim-first.json"), "application/json", profile.Default(), at)
	if v.Status != 200 {
		t.Fatalf("status %d", v.Status)
	}
	if errs := expressions(outcomeOf(t, v), "error"); len(errs) > 0 {
		t.Errorf("valid Bundle has errors: %v", errs)
	}
	for _, tc := range []struct {
		body   string
		status int
	}{
		{`nope`, 400},
		{`{"resourceType":"Claim","status":"nope"}`, 200},
		{`{"resourceType":"Claim"}`, 200},
		{`{"resourceType":"Patient"}`, 200},
	} {
		if r := app.ValidateClaim([]byte(tc.body), "", profile.Default(), at); r.Status != tc.status {
			t.Errorf("%s: status %d, want %d", tc.body, r.Status, tc.status)
		} else {
			outcomeOf(t, r)
		}
	}
}

func TestRecordToBundle(t *testing.T) {
	body := read(t, "../../testdata/records/dependent.json")
	out, probs, err := app.RecordToBundle(body, profile.Default(), at, true)
	if err != nil || probs.HasErrors() {
		t.Fatalf("%v %+v", err, probs)
	}
	want := read(t, "../../testdata/fhir/golden/dependent.bundle.json")
	if !bytes.Equal(append(out, '\n'), want) {
		t.Errorf("Bundle differs from the golden file")
	}
	res, st, _ := fhir.Parse(out)
	if st != fhir.Parsed || res.GetBundle() == nil {
		t.Fatalf("not a valid Bundle")
	}

	var rec map[string]any
	if err := json.Unmarshal(body, &rec); err != nil {
		t.Fatal(err)
	}
	rec["billing_provider"].(map[string]any)["npi"] = "1234567890"
	out, probs, err = app.RecordToBundle(mustJSON(t, rec), profile.Default(), at, false)
	if err != nil || out != nil || !probs.HasErrors() {
		t.Errorf("bad NPI: out=%v err=%v probs=%+v", out != nil, err, probs)
	}
	var se *record.SyntaxError
	if _, _, err := app.RecordToBundle([]byte("{"), profile.Default(), at, false); !errors.As(err, &se) {
		t.Errorf("not JSON: %v", err)
	}
}

func FuzzClaimToX12(f *testing.F) {
	for _, p := range []string{"../../testdata/fhir/Claim-100155.json", "../../testdata/fhir/ehr/bundle-claim-first.json",
		"../../testdata/fhir/ehr/claim-contained.json", "../../testdata/fhir/golden/self.bundle.json"} {
		f.Add(read(f, p))
	}
	f.Add([]byte(`{"resourceType":"Claim","patient":null}`))
	prof := profile.Default()
	f.Fuzz(func(t *testing.T, body []byte) {
		r := app.ClaimToX12(body, "", prof, opts())
		switch r.Status {
		case 200:
			if r.ContentType != fhir.ContentTypeX12 {
				t.Fatalf("200 with %s", r.ContentType)
			}
		case 400, 422:
			if len(r.Body) == 0 {
				t.Fatal("error without OperationOutcome")
			}
		default:
			t.Fatalf("status %d", r.Status)
		}
	})
}

// TestGoldenAnswers pins the CapabilityStatement and the OperationOutcome
// for Claim-100155 (CI validates them with the npm validators too).
func TestGoldenAnswers(t *testing.T) {
	capability, err := fhir.CapabilityStatement("https://gateway.example/fhir", "")
	if err != nil {
		t.Fatal(err)
	}
	r := app.ClaimToX12(read(t, "../../testdata/fhir/Claim-100155.json"), "", profile.Default(), opts())
	res, _, _ := fhir.Parse(r.Body)
	outcome, err := fhir.Marshal(res, true)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]byte{"capability-statement.json": capability, "Claim-100155.outcome.json": outcome} {
		golden.Check(t, filepath.Join("../../testdata/fhir/golden", name), append(got, '\n'))
	}
}
