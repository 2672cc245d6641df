package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// appealDenied stores a record (as the key's tenant) and the 835 that
// denies its CLM01 (testdata/appeals: CO-16, M127); returns the claim id.
func appealDenied(t *testing.T, h *storeHarness, recordJSON string, hdr ...string) string {
	t.Helper()
	w := h.call("POST", "/v1/claims?at=2026-11-27T10:00:00Z", "application/json", recordJSON, hdr...)
	if w.Code != 201 {
		t.Fatalf("claim: %d %s", w.Code, w.Body)
	}
	id := decodeJSON[submitBody](t, w).ID
	if w := h.call("POST", "/v1/remittances", "application/edi-x12", mustString(t, "../../testdata/appeals/denial_cm000123.x12"), hdr...); w.Code != 201 {
		t.Fatalf("835: %d %s", w.Code, w.Body)
	}
	return id
}

type appealBody struct {
	ClaimID   string `json:"claim_id"`
	Appeal    int    `json:"appeal"`
	Finding   int    `json:"finding"`
	Category  string `json:"category"`
	HTML, PDF string
	Codes     []struct{ Code, Group, Text string }
	Checklist []struct {
		Item, Status, Field string
		Required            bool `json:"required_for_category"`
	}
	Attachments []string
	FHIR        map[string]any `json:"fhir"`
}

func TestAppealRoutes(t *testing.T) {
	h := newStoreHarness(t)
	id := appealDenied(t, h, mustString(t, "../../testdata/records/self.json"))
	w := h.call("POST", "/v1/claims/"+id+"/appeals", "", "")
	if w.Code != 201 || w.Header().Get("Location") != "/v1/claims/"+id+"/appeals/1" {
		t.Fatalf("POST: %d %s %s", w.Code, w.Header().Get("Location"), w.Body)
	}
	a := decodeJSON[appealBody](t, w)
	if a.ClaimID != id || a.Appeal != 1 || a.Category != "documentation" || a.HTML != "/v1/claims/"+id+"/appeals/1.html" ||
		a.PDF != "/v1/claims/"+id+"/appeals/1.pdf" || len(a.Codes) != 2 || a.Codes[0].Group != "CO" || a.Codes[0].Code != "16" ||
		len(a.Checklist) != 6 || len(a.Attachments) != 1 || a.FHIR["resourceType"] != "Communication" {
		t.Fatalf("appeal: %s", w.Body)
	}
	// the letter, both ways, as the JSON names them
	pdf := h.call("GET", a.PDF, "", "")
	if pdf.Code != 200 || pdf.Header().Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf.Body.Bytes(), []byte("%PDF-")) ||
		pdf.Header().Get("Content-Disposition") != `inline; filename="appeal-1.pdf"` || pdf.Header().Get("Cache-Control") != "no-store" ||
		pdf.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("pdf: %d %v", pdf.Code, pdf.Header())
	}
	html := h.call("GET", a.HTML, "", "")
	if html.Code != 200 || !strings.HasPrefix(html.Header().Get("Content-Type"), "text/html") ||
		!strings.Contains(html.Body.String(), "request for reconsideration of claim CM000123") ||
		!strings.Contains(html.Header().Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("html: %d %v", html.Code, html.Header())
	}
	if js := h.call("GET", "/v1/claims/"+id+"/appeals/1", "", ""); js.Code != 200 || decodeJSON[appealBody](t, js).Appeal != 1 {
		t.Fatalf("json: %d %s", js.Code, js.Body)
	}
	// a second one with a body; the list
	if w := h.call("POST", "/v1/claims/"+id+"/appeals", "application/json", `{"finding": "CO-16", "additional_notes": "See the log."}`); w.Code != 201 ||
		decodeJSON[appealBody](t, w).Appeal != 2 {
		t.Fatalf("second: %d %s", w.Code, w.Body)
	}
	list := decodeJSON[struct {
		ClaimID string       `json:"claim_id"`
		Items   []appealBody `json:"items"`
	}](t, h.call("GET", "/v1/claims/"+id+"/appeals", "", ""))
	if list.ClaimID != id || len(list.Items) != 2 || list.Items[1].Appeal != 2 || list.Items[0].FHIR != nil {
		t.Fatalf("list: %+v", list)
	}
	// the timeline's appeal events
	tl := h.call("GET", "/v1/claims/"+id+"/timeline", "", "")
	if n := strings.Count(tl.Body.String(), `"kind":"appeal"`); n != 2 {
		t.Fatalf("%d appeal events: %s", n, tl.Body)
	}
	for _, target := range []string{"/v1/claims/" + id + "/appeals/3.pdf", "/v1/claims/" + id + "/appeals/1.doc", "/v1/claims/" + id + "/appeals/x",
		"/v1/claims/nope/appeals", "/v1/claims/nope/appeals/1.pdf"} {
		if w := h.call("GET", target, "", ""); w.Code != 404 {
			t.Errorf("GET %s: %d", target, w.Code)
		}
	}
}

func TestAppealErrors(t *testing.T) {
	h := newStoreHarness(t)
	id := appealDenied(t, h, strings.Replace(mustString(t, "../../testdata/records/self.json"),
		`"staff": {"name": "Maria Lopez", "credential": "RDH", "role": "case manager"},`, ``, 1))
	// blocked by the checklist: 422 naming the record fields, never their values
	w := h.call("POST", "/v1/claims/"+id+"/appeals", "", "")
	p := decodeProblem(t, w)
	if w.Code != 422 || len(p.Errors) != 2 || p.Errors[0].Code != "APPEAL_DOCUMENTATION_MISSING" ||
		p.Errors[0].Pointer != "/services/0/staff/name" || p.Errors[1].Pointer != "/services/0/staff/credential" {
		t.Fatalf("blocked: %d %s", w.Code, w.Body)
	}
	for name, tc := range map[string]struct {
		ctype, body string
		status      int
		code        string
	}{
		"bad finding":      {"application/json", `{"finding": 7}`, 422, "APPEAL_FINDING_INVALID"},
		"unknown member":   {"application/json", `{"note": "x"}`, 422, "UNKNOWN_FIELD"},
		"not json":         {"application/json", `{"finding": `, 400, "JSON_SYNTAX"},
		"wrong media type": {"text/plain", `{}`, 415, "CONTENT_TYPE"},
	} {
		w := h.call("POST", "/v1/claims/"+id+"/appeals", tc.ctype, tc.body)
		if p := decodeProblem(t, w); w.Code != tc.status || len(p.Errors) == 0 || p.Errors[0].Code != tc.code {
			t.Errorf("%s: %d %s", name, w.Code, w.Body)
		}
	}
	// no denial: a claim no 835 named
	other := decodeJSON[submitBody](t, h.call("POST", "/v1/claims", "application/json", mustString(t, "../../testdata/records/dependent.json"))).ID
	if w := h.call("POST", "/v1/claims/"+other+"/appeals", "", ""); w.Code != 422 || decodeProblem(t, w).Errors[0].Code != "APPEAL_NO_DENIAL" {
		t.Fatalf("no denial: %d %s", w.Code, w.Body)
	}
	if w := h.call("POST", "/v1/claims/nope/appeals", "", ""); w.Code != 404 {
		t.Fatalf("unknown claim: %d", w.Code)
	}
}

func TestAppealTenantsAndIdempotency(t *testing.T) {
	h := newStoreHarness(t)
	acme, beta := bearer(h.key(t, "acme")), bearer(h.key(t, "beta"))
	id := appealDenied(t, h, mustString(t, "../../testdata/records/self.json"), acme...)
	if w := h.call("POST", "/v1/claims/"+id+"/appeals", "", "", beta...); w.Code != 404 {
		t.Fatalf("another tenant's claim: %d", w.Code)
	}
	withKey := append(append([]string{}, acme...), "Idempotency-Key", "appeal-1")
	first := h.call("POST", "/v1/claims/"+id+"/appeals", "", "", withKey...)
	again := h.call("POST", "/v1/claims/"+id+"/appeals", "", "", withKey...)
	if first.Code != 201 || again.Code != 201 || first.Body.String() != again.Body.String() {
		t.Fatalf("replay: %d %d", first.Code, again.Code)
	}
	if w := h.call("GET", "/v1/claims/"+id+"/appeals/1.pdf", "", "", beta...); w.Code != 404 {
		t.Fatalf("another tenant's letter: %d", w.Code)
	}
	list := h.call("GET", "/v1/claims/"+id+"/appeals", "", "", acme...)
	if n := strings.Count(list.Body.String(), `"appeal":`); n != 1 {
		t.Fatalf("%d appeals after a replay", n)
	}
}

// appealCanaryBodies are POST /v1/claims/{id}/appeals bodies carrying the
// canaries (TestNoCanaryInErrorsOrLogs), and their malformed variants.
func appealCanaryBodies(t *testing.T) map[string]string {
	return mutate(t, `{"finding": "CANARYMEMBER", "additional_notes": "CANARYNARRATIVE 1911-11-11", "contact": "CANARYFIRST CANARYLAST"}`, nil,
		map[string][2]string{
			"no finding":       {`"finding": "CANARYMEMBER", `, ``},
			"finding as list":  {`"CANARYMEMBER"`, `["CANARYMEMBER"]`},
			"notes as object":  {`"CANARYNARRATIVE 1911-11-11"`, `{"CANARYNARRATIVE": "1911-11-11"}`},
			"data as key":      {`"contact"`, `"CANARYLAST"`},
			"contact too long": {`"CANARYFIRST CANARYLAST"`, `"CANARYFIRST CANARYLAST` + strings.Repeat("x", 300) + `"`},
		})
}

// appealCanaryClaim is a denied claim whose record holds the canaries and
// lacks its staff, so a well-formed appeal is refused by the checklist.
func appealCanaryClaim(t *testing.T, h *storeHarness, key string) string {
	rec := strings.NewReplacer(`"Jane"`, `"CANARYFIRST"`, `"Doe"`, `"CANARYLAST"`, `"MBR100200"`, `"CANARYMEMBER"`, `"1980-01-01"`, `"1911-11-11"`,
		`"Case management for a patient`, `"CANARYNARRATIVE Case management for a patient`,
		`"staff": {"name": "Maria Lopez", "credential": "RDH", "role": "case manager"},`, ``).
		Replace(mustString(t, "../../testdata/records/self.json"))
	return appealDenied(t, h, rec, bearer(key)...)
}

// fuzzAppealRoute stores a denied claim through h (FuzzGateway) and
// returns its appeals route.
func fuzzAppealRoute(f *testing.F, h http.Handler) string {
	post := func(target, ctype, file string) []byte {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		req := httptest.NewRequest("POST", target, bytes.NewReader(data))
		req.Header.Set("Content-Type", ctype)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 201 {
			f.Fatalf("%s: %d %s", target, w.Code, w.Body)
		}
		return w.Body.Bytes()
	}
	var claim struct{ ID string }
	if err := json.Unmarshal(post("/v1/claims?at=2026-11-27T10:00:00Z", "application/json", "../../testdata/records/self.json"), &claim); err != nil {
		f.Fatal(err)
	}
	post("/v1/remittances", "application/edi-x12", "../../testdata/appeals/denial_cm000123.x12")
	return "/v1/claims/" + claim.ID + "/appeals"
}
