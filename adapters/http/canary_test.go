package httpapi_test

import (
	"strings"
	"testing"

	"github.com/rs/zerolog"

	httpapi "github.com/casebridge/casebridge/adapters/http"
	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/config"
)

// Canary strings stand for PHI: names, member ids, birth dates and
// narrative. None may come back in an error answer (body or header) or in
// any log line, whatever shape of bad input carries them.
var canaries = []string{"CANARYFIRST", "CANARYLAST", "CANARYMEMBER", "1911-11-11", "19111111", "CANARYNARRATIVE", "CANARYGENDER", "CANARYDATE"}

type canaryCase struct {
	name, route, ctype, body string
}

// mutate returns the canary body and its malformed variants.
func mutate(t *testing.T, base string, edits map[string]string, variants map[string][2]string) map[string]string {
	t.Helper()
	for from, to := range edits {
		if !strings.Contains(base, from) {
			t.Fatalf("fixture lacks %q", from)
		}
		base = strings.ReplaceAll(base, from, to)
	}
	out := map[string]string{"canaries": base}
	for name, v := range variants {
		if !strings.Contains(base, v[0]) {
			t.Fatalf("%s: fixture lacks %q", name, v[0])
		}
		out[name] = strings.Replace(base, v[0], v[1], 1)
	}
	// truncated right inside and right after every canary
	for _, c := range canaries {
		if i := strings.Index(base, c); i >= 0 {
			out["truncated in "+c] = base[:i+len(c)-2]
			out["truncated after "+c] = base[:i+len(c)+1]
			out["garbage after "+c] = base[:i+len(c)+1] + "x" + base[i+len(c)+1:]
		}
	}
	return out
}

func canaryCases(t *testing.T) []canaryCase {
	rec := mutate(t, mustString(t, "../../testdata/records/self.json"),
		map[string]string{`"Jane"`: `"CANARYFIRST"`, `"Doe"`: `"CANARYLAST"`, `"MBR100200"`: `"CANARYMEMBER"`, `"1980-01-01"`: `"1911-11-11"`,
			`"Case management for a patient`: `"CANARYNARRATIVE Case management for a patient`},
		map[string][2]string{
			"bad gender":         {`"gender": "F"`, `"gender": "CANARYGENDER"`},
			"gender after name":  {`"gender": "F"`, `"gender": 7`},
			"bad birth date":     {`"1911-11-11"`, `"1911-11-11CANARYDATE"`},
			"impossible date":    {`"1911-11-11"`, `"1911-13-45"`},
			"name as number":     {`"CANARYFIRST"`, `19111111`},
			"member as object":   {`"CANARYMEMBER"`, `{"CANARYMEMBER": "CANARYLAST"}`},
			"narrative as list":  {`"CANARYNARRATIVE`, `["CANARYNARRATIVE"], "x": "`},
			"name as bool":       {`"CANARYLAST"`, `true`},
			"gender unknown":     {`"gender": "F"`, `"gender": "U"`},
			"data as keys":       {`"gender": "F"`, `"gender": "F", "CANARYLAST": "CANARYFIRST", "canary member": 1, "1911-11-11": {"CANARYNARRATIVE": 2}`},
			"delimiters in name": {`"CANARYLAST"`, `"CANARYLAST*~:^|CANARYLAST"`},
			"control characters": {`"CANARYMEMBER"`, `"CANARYMEMBER\u0000\u001b"`},
			"future birth date":  {`"1911-11-11"`, `"2911-11-11"`},
		})
	fhirBody := mutate(t, mustString(t, "../../testdata/fhir/ehr/claim-contained.json"),
		map[string]string{`"Kim"`: `"CANARYLAST"`, `"Noah"`: `"CANARYFIRST"`, `"SPR-88120"`: `"CANARYMEMBER"`, `"2014-03-09"`: `"1911-11-11"`,
			`"Down syndrome`: `"CANARYNARRATIVE Down syndrome`},
		map[string][2]string{
			"bad gender":         {`"gender": "male"`, `"gender": "CANARYGENDER"`},
			"bad birth date":     {`"1911-11-11"`, `"1911-11-11CANARYDATE"`},
			"impossible date":    {`"1911-11-11"`, `"1911-13-45"`},
			"birth date number":  {`"1911-11-11"`, `19111111`},
			"family as number":   {`"CANARYLAST"`, `19111111`},
			"given as string":    {`["CANARYFIRST"]`, `"CANARYFIRST"`},
			"member as object":   {`"CANARYMEMBER"`, `{"value": "CANARYMEMBER"}`},
			"narrative as array": {`"CANARYNARRATIVE`, `["CANARYNARRATIVE"], "valueBoolean": "`},
			"id with space":      {`"id": "pat"`, `"id": "CANARYLAST CANARYFIRST"`},
			"bad reference":      {`"reference": "#pat"`, `"reference": "CANARYLAST/../CANARYFIRST"`},
			"gender as object":   {`"gender": "male"`, `"gender": {"CANARYGENDER": 1}`},
			"gender other":       {`"gender": "male"`, `"gender": "other"`},
			"delimiters in name": {`"CANARYLAST"`, `"CANARYLAST*~:^|CANARYLAST"`},
			"bad unicode":        {`"CANARYMEMBER"`, `"CANARYMEMBER\ud800"`},
			"control characters": {`"CANARYFIRST"`, `"CANARYFIRST\u0007"`},
			"unknown key data":   {`"gender": "male"`, `"gender": "male", "CANARYLAST": "CANARYFIRST", "jane": "CANARYMEMBER"`},
			"future birth date":  {`"1911-11-11"`, `"2911-11-11"`},
			"datetime garbage":   {`"resourceType": "Claim",`, `"resourceType": "Claim", "created": "1911-11-11T99:99:99CANARYDATE",`},
		})
	x12 := mutate(t, mustString(t, "../../testdata/835/d9997_dental.x12"),
		map[string]string{"*DOE*JANE*": "*CANARYLAST*CANARYFIRST*", "MCM-1001": "CANARYMEMBER", "DTM*050*20261101~": "DTM*050*19111111~"},
		map[string][2]string{
			"bad qualifier": {"NM1*QC*1*CANARYLAST", "NM1*CANARYGENDER*1*CANARYLAST"},
			"bad date":      {"DTM*050*19111111", "DTM*050*19111111CANARYDATE"},
			"bad entity":    {"NM1*QC*1*", "NM1*QC*CANARYLAST*"},
			"bad amount":    {"CLP*CM-1001*4*150", "CLP*CM-1001*4*CANARYMEMBER"},
		})
	x837 := mutate(t, mustString(t, "../../testdata/837d/self.x12"),
		map[string]string{"*DOE*JANE*": "*CANARYLAST*CANARYFIRST*", "MBR100200": "CANARYMEMBER", "DMG*D8*19800101": "DMG*D8*19111111",
			"NTE*ADD*CASE MANAGEMENT": "NTE*ADD*CANARYNARRATIVE"},
		map[string][2]string{
			"bad qualifier": {"NM1*IL*1*CANARYLAST", "NM1*CANARYGENDER*1*CANARYLAST"},
			"bad date":      {"DMG*D8*19111111", "DMG*D8*19111111CANARYDATE"},
			"bad gender":    {"19111111*F", "19111111*CANARYGENDER"},
			"long name":     {"*CANARYLAST*", "*CANARYLASTCANARYLASTCANARYLASTCANARYLASTCANARYLASTCANARYLASTCANARYLAST*"},
			"component":     {"*CANARYFIRST*", "*CANARYFIRST:CANARYLAST*"},
		})
	var out []canaryCase
	for name, body := range x837 {
		out = append(out, canaryCase{"837D " + name, "/v1/x12/validate", "application/edi-x12", body})
	}
	ack277 := mutate(t, mustString(t, "../../testdata/277ca/claims.x12"),
		map[string]string{"*DOE*JANE*": "*CANARYLAST*CANARYFIRST*", "MBR100200": "CANARYMEMBER", "DTP*472*D8*20261102~\nSVC": "DTP*472*D8*19111111~\nSVC"},
		map[string][2]string{
			"bad category":   {"STC*A2:20:PR", "STC*CANARYGENDER:20:PR"},
			"no TRN02":       {"TRN*2*CM000123~", "TRN*2~"},
			"name in status": {"STC*A2:20:PR", "STC*CANARYLAST:CANARYFIRST"},
			"as a 999":       {"GS*HN*", "GS*FA*"},
		})
	for name, body := range ack277 {
		out = append(out, canaryCase{name, "/v1/acknowledgments", "application/edi-x12", body})
	}
	for _, route := range []string{"/v1/claims/837d?control_number=7&at=2026-11-27T10:00:00Z", "/v1/records/check", "/v1/claims/fhir?at=2026-11-27T10:00:00Z"} {
		for name, body := range rec {
			out = append(out, canaryCase{name, route, "application/json", body})
		}
	}
	// a batch is NDJSON: each variant on one line (pretty-printing newlines
	// lie between tokens, so they become spaces)
	for name, body := range rec {
		line := strings.ReplaceAll(body, "\n", " ") + "\n"
		out = append(out, canaryCase{name, "/v1/claims/batch?control_number=7&at=2026-11-27T10:00:00Z", "application/x-ndjson", line})
	}
	// the stored claim takes both (and stores the clean ones)
	for name, body := range rec {
		out = append(out, canaryCase{name, "/v1/claims?at=2026-11-27T10:00:00Z", "application/json", body})
	}
	for name, body := range fhirBody {
		out = append(out, canaryCase{name, "/v1/claims?at=2026-11-27T10:00:00Z", "application/fhir+json", body})
	}
	for _, route := range []string{"/fhir/Claim/$x12?control_number=7&at=2026-11-27T10:00:00Z", "/fhir/Claim/$validate", "/fhir/Claim"} {
		for name, body := range fhirBody {
			out = append(out, canaryCase{name, route, "application/fhir+json", body})
		}
	}
	// a correction takes the record variants as merge patches (":id" is a
	// claim correctableClaim stores)
	for name, body := range rec {
		out = append(out, canaryCase{name, "/v1/claims/:id/corrections", "application/merge-patch+json", body})
	}
	for _, route := range []string{"/v1/remittances/findings", "/v1/remittances/findings?format=fhir&at=2026-11-27T10:00:00Z", "/v1/remittances", "/v1/x12/validate"} {
		for name, body := range x12 {
			out = append(out, canaryCase{name, route, "application/edi-x12", body})
		}
	}
	for name, body := range appealCanaryBodies(t) { // appeals_test.go: ":id" is a denied claim of canaries
		out = append(out, canaryCase{name, "/v1/claims/:id/appeals", "application/json", body})
	}
	return out
}

func TestNoCanaryInErrorsOrLogs(t *testing.T) {
	h := newStoreHarness(t) // with a store: the storing routes run for real
	key := h.key(t, "canary")
	cases := canaryCases(t)
	appealClaim := appealCanaryClaim(t, h, key)
	// every POST route of the router gets the canaries
	covered := map[string]bool{}
	for _, tc := range cases {
		path, _, _ := strings.Cut(tc.route, "?")
		covered[path] = true
	}
	for _, r := range httpapi.New(config.Config{Profile: "default"}, zerolog.Nop()).Routes() {
		if method, path, _ := strings.Cut(r, " "); method == "POST" && !covered[path] {
			t.Errorf("POST %s gets no canary bodies", path)
		}
	}
	correctable := correctableClaim(t, h, bearer(key)...) // worklist_test.go
	for _, tc := range cases {
		id := correctable // the appeal routes take the claim appealCanaryClaim denied (merge of appeals and worklist)
		if strings.Contains(tc.route, "/appeals") {
			id = appealClaim
		}
		w := h.call("POST", strings.Replace(tc.route, ":id", id, 1), tc.ctype, tc.body, bearer(key)...)
		if w.Code >= 500 || w.Code == 401 {
			t.Errorf("%s %s: status %d", tc.route, tc.name, w.Code)
		}
		// a success may carry the data (an 837D names the patient); an
		// error answer, a validation outcome and a check report may not
		report := strings.HasPrefix(tc.route, "/v1/records/check") || strings.HasPrefix(tc.route, "/fhir/Claim/$validate") ||
			strings.HasPrefix(tc.route, "/v1/x12/validate")
		if w.Code < 400 && !report {
			continue
		}
		var head strings.Builder
		_ = w.Header().Write(&head)
		for _, c := range canaries {
			if strings.Contains(strings.ToUpper(w.Body.String()), strings.ToUpper(c)) {
				t.Errorf("%s %s (%d): body quotes %q: %s", tc.route, tc.name, w.Code, c, w.Body)
			}
			if strings.Contains(strings.ToUpper(head.String()), strings.ToUpper(c)) {
				t.Errorf("%s %s: header quotes %q", tc.route, tc.name, c)
			}
		}
	}
	for _, line := range strings.Split(h.log.String(), "\n") {
		if strings.Contains(line, key) || strings.Contains(line, key[len(app.APIKeyPrefix):]) {
			t.Errorf("log line holds the API key: %s", line)
		}
		for _, c := range canaries {
			if strings.Contains(strings.ToUpper(line), strings.ToUpper(c)) {
				t.Errorf("log line quotes %q: %s", c, line)
			}
		}
	}
}
