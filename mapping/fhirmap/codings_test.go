package fhirmap_test

import (
	"testing"

	"github.com/casebridge/casebridge/mapping/fhirmap"
)

func rulesOf(m *fhirmap.Mapped) map[string]bool {
	got := map[string]bool{}
	for _, i := range m.Issues {
		if i.Severity == fhirmap.SeverityError {
			got[i.Rule] = true
		}
	}
	return got
}

// TestAcceptedCodings (issue 7 item 15): ICD-10-CM by its OID and CMS place
// of service by any of its identifiers are read as the canonical systems;
// R4's example ex-serviceplace only for the codes it has.
func TestAcceptedCodings(t *testing.T) {
	pos := func(system, code string) func(b, c map[string]any) {
		return func(b, c map[string]any) {
			item(c, 0)["locationCodeableConcept"] = map[string]any{"coding": []any{map[string]any{"system": system, "code": code}}}
		}
	}
	for _, tc := range []struct {
		name   string
		f      func(b, c map[string]any)
		posOK  string // expected place of service when accepted
		reject string // expected error rule when refused
	}{
		{"CMS POS URL", pos(fhirmap.SystemPOS, "12"), "12", ""},
		{"CMS POS OID", pos("urn:oid:2.16.840.1.113883.15.5", "12"), "12", ""},
		{"CMS POS legacy OID", pos("urn:oid:2.16.840.1.113883.6.50", "12"), "12", ""},
		{"ex-serviceplace office", pos("http://terminology.hl7.org/CodeSystem/ex-serviceplace", "11"), "11", ""},
		{"ex-serviceplace ambulance", pos("http://terminology.hl7.org/CodeSystem/ex-serviceplace", "41"), "41", ""},
		{"ex-serviceplace has no 22", pos("http://terminology.hl7.org/CodeSystem/ex-serviceplace", "22"), "", "FHIR_POS"},
		{"unknown system", pos("urn:oid:1.2.3", "11"), "", "FHIR_POS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := mutated(t, tc.f)
			rules := rulesOf(m)
			if tc.reject != "" {
				if !rules[tc.reject] {
					t.Errorf("no %s: %+v", tc.reject, m.Issues)
				}
				return
			}
			if len(rules) > 0 || m.Record.PlaceOfService != tc.posOK {
				t.Errorf("place of service %q, errors %v", m.Record.PlaceOfService, rules)
			}
		})
	}

	t.Run("ICD-10-CM OID", func(t *testing.T) {
		m := mutated(t, func(b, c map[string]any) {
			c["diagnosis"].([]any)[1].(map[string]any)["diagnosisCodeableConcept"] = map[string]any{
				"coding": []any{map[string]any{"system": "urn:oid:2.16.840.1.113883.6.90", "code": "G40.909"}}}
		})
		if rules := rulesOf(m); len(rules) > 0 {
			t.Fatalf("errors: %v", rules)
		}
		if got := m.Record.Diagnoses; len(got) != 2 || got[1] != "G40.909" {
			t.Errorf("diagnoses %v", got)
		}
	})
	t.Run("ICD-10 (not CM) stays refused", func(t *testing.T) {
		m := mutated(t, func(b, c map[string]any) {
			c["diagnosis"].([]any)[1].(map[string]any)["diagnosisCodeableConcept"] = map[string]any{
				"coding": []any{map[string]any{"system": "http://hl7.org/fhir/sid/icd-10", "code": "G40.9"}}}
		})
		if !rulesOf(m)["FHIR_ICD10_REQUIRED"] {
			t.Errorf("ICD-10 WHO accepted: %+v", m.Issues)
		}
	})
}

// TestFactorOnlyRefusedOnce: a factor other than 1 is refused as such; the
// net that reflects it is not also reported as a mismatch.
func TestFactorOnlyRefusedOnce(t *testing.T) {
	m := mutated(t, func(b, c map[string]any) {
		item(c, 0)["factor"] = 0.5
		item(c, 0)["net"] = map[string]any{"value": 55, "currency": "USD"}
	})
	rules := rulesOf(m)
	if !rules["FHIR_FACTOR"] {
		t.Errorf("factor 0.5 not refused: %+v", m.Issues)
	}
	if rules["FHIR_NET_MISMATCH"] {
		t.Errorf("FHIR_NET_MISMATCH beside FHIR_FACTOR: %+v", m.Issues)
	}
	// Factor 1 changes nothing: a net that is not unitPrice × quantity is
	// still a mismatch (R4: net = quantity × unitPrice × factor).
	m = mutated(t, func(b, c map[string]any) {
		item(c, 0)["factor"] = 1
		item(c, 0)["net"] = map[string]any{"value": 100, "currency": "USD"}
	})
	if rules := rulesOf(m); !rules["FHIR_NET_MISMATCH"] || rules["FHIR_FACTOR"] {
		t.Errorf("factor 1: %v", rules)
	}
}

func TestCanonicalSystem(t *testing.T) {
	for in, want := range map[string]string{
		"http://www.ada.org/cdt":           fhirmap.SystemCDT,
		" http://ada.org/cdt ":             fhirmap.SystemCDT,
		"urn:oid:2.16.840.1.113883.6.13":   fhirmap.SystemCDT,
		"urn:oid:2.16.840.1.113883.6.90":   fhirmap.SystemICD10CM,
		fhirmap.SystemICD10CM:              fhirmap.SystemICD10CM,
		"urn:oid:2.16.840.1.113883.15.5":   fhirmap.SystemPOS,
		"urn:oid:2.16.840.1.113883.6.50":   fhirmap.SystemPOS,
		fhirmap.SystemExServicePlace:       fhirmap.SystemPOS,
		"http://hl7.org/fhir/sid/icd-10":   "",
		"https://www.ada.org/cdt/unknown/": "",
	} {
		got, ok := fhirmap.CanonicalSystem(in)
		if got != want || ok != (want != "") {
			t.Errorf("CanonicalSystem(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
}
