package fhirmap_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/internal/codes"
	"github.com/casebridge/casebridge/mapping/fhirmap"
)

// x12Concepts collects every CodeableConcept of a resource tree that holds
// a CARC, RARC or PLB reason coding.
func x12Concepts(v any, out *[]map[string]any) {
	switch x := v.(type) {
	case map[string]any:
		if cs, ok := x["coding"].([]any); ok {
			for _, c := range cs {
				switch c.(map[string]any)["system"] {
				case fhirmap.SystemCARC, fhirmap.SystemRARC, fhirmap.SystemPLBReason:
					*out = append(*out, x)
				}
			}
		}
		for _, e := range x {
			x12Concepts(e, out)
		}
	case []any:
		for _, e := range x {
			x12Concepts(e, out)
		}
	}
}

func x12Coding(cc map[string]any) (system, code string, display any) {
	for _, c := range cc["coding"].([]any) {
		m := c.(map[string]any)
		switch s := m["system"].(string); s {
		case fhirmap.SystemCARC, fhirmap.SystemRARC, fhirmap.SystemPLBReason:
			return s, m["code"].(string), m["display"]
		}
	}
	return "", "", nil
}

func ourWording(system, code string) string {
	var info codes.Info
	switch system {
	case fhirmap.SystemCARC:
		info, _ = codes.CARC(code)
	case fhirmap.SystemRARC:
		info, _ = codes.RARC(code)
	case fhirmap.SystemPLBReason:
		info, _ = codes.PLB(code)
	}
	return info.Description
}

// TestCodeDisplayOfficialOnly (issue 7 item 14): a CARC, RARC or PLB
// Coding.display is the official description from the loaded list, or
// absent; our own wording is CodeableConcept.text.
func TestCodeDisplayOfficialOnly(t *testing.T) {
	files := []string{"d9997_dental", "reversal_corrected", "rarc_rule"}
	check := func(t *testing.T, official func(system, code string) string) {
		seen := map[string]bool{}
		for _, name := range files {
			bundles, _ := remitBundles(t, "../../testdata/835/"+name+".x12")
			for _, b := range bundles {
				var ccs []map[string]any
				for _, r := range resourcesOf(t, b) {
					x12Concepts(r, &ccs)
				}
				for _, cc := range ccs {
					system, code, display := x12Coding(cc)
					seen[system] = true
					if want := official(system, code); want == "" && display != nil {
						t.Errorf("%s %s: display %q without an official list", system, code, display)
					} else if want != "" && display != want {
						t.Errorf("%s %s: display %v, want the official %q", system, code, display, want)
					}
					if w := ourWording(system, code); w != "" && !strings.Contains(fmt.Sprint(cc["text"]), w) {
						t.Errorf("%s %s: text %v lacks our wording %q", system, code, cc["text"], w)
					}
				}
			}
		}
		for _, s := range []string{fhirmap.SystemCARC, fhirmap.SystemRARC, fhirmap.SystemPLBReason} {
			if !seen[s] {
				t.Errorf("no %s coding in the samples", s)
			}
		}
	}
	t.Run("built-in tables", func(t *testing.T) {
		check(t, func(string, string) string { return "" })
	})
	t.Run("official list loaded", func(t *testing.T) {
		withOfficial := func(lookup func(string) (codes.Info, bool), prefix string) func(string) (codes.Info, bool) {
			return func(code string) (codes.Info, bool) {
				i, ok := lookup(code)
				if ok {
					i.Official = prefix + " " + code + " (official)"
				}
				return i, ok
			}
		}
		restore := fhirmap.SetCodeLookups(withOfficial(codes.CARC, "CARC"), withOfficial(codes.RARC, "RARC"), withOfficial(codes.PLB, "PLB"))
		defer restore()
		check(t, func(system, code string) string {
			if ourWording(system, code) == "" {
				return ""
			}
			return map[string]string{fhirmap.SystemCARC: "CARC", fhirmap.SystemRARC: "RARC", fhirmap.SystemPLBReason: "PLB"}[system] + " " + code + " (official)"
		})
	})
}
