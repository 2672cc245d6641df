package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	httpapi "github.com/casebridge/casebridge/adapters/http"
	"github.com/casebridge/casebridge/adapters/store"
	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/config"
	"github.com/casebridge/casebridge/internal/profile"
)

// storeHarness is a gateway with a service on a SQLite store in t.TempDir().
type storeHarness struct {
	harness
	svc *app.Service
	st  *store.Store
	srv *httpapi.Server
}

var testNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func newStoreHarness(t *testing.T) *storeHarness {
	t.Helper()
	return newStoreHarnessWith(t, app.DirProfiles("", "default"))
}

func newStoreHarnessWith(t *testing.T, profiles app.ProfileSource) *storeHarness {
	t.Helper()
	n := 41
	return storeHarnessOf(t, profiles, httpapi.WithControlNumbers(func() (int, error) { n++; return n, nil }))
}

// storeHarnessOf is a gateway on a fresh SQLite store with the fixed clock
// and the given options.
func storeHarnessOf(t *testing.T, profiles app.ProfileSource, opts ...httpapi.Option) *storeHarness {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), store.SQLiteFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := func() time.Time { return testNow }
	svc := app.New(st, profiles, clock, app.Options{})
	var logs bytes.Buffer
	cfg := config.Config{Profile: "default", MaxBodyBytes: 64 << 10}
	opts = append([]httpapi.Option{httpapi.WithClock(clock), httpapi.WithService(svc)}, opts...)
	srv := httpapi.New(cfg, zerolog.New(suiteLog(&logs)), opts...)
	return &storeHarness{harness: harness{h: srv.Handler(), log: &logs}, svc: svc, st: st, srv: srv}
}

// call sends a request with optional headers ("Authorization", "Idempotency-Key", …).
func (h *storeHarness) call(method, target, ctype, body string, hdr ...string) *httptest.ResponseRecorder {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.h.ServeHTTP(w, req)
	return w
}

func (h *storeHarness) key(t *testing.T, tenant string) string {
	t.Helper()
	k, _, err := h.svc.CreateKey(context.Background(), tenant, "test")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func bearer(k string) []string { return []string{"Authorization", "Bearer " + k} }

type submitBody struct {
	ID             string            `json:"id"`
	Status         string            `json:"status"`
	RecordID       string            `json:"record_id"`
	ControlNumbers map[string]string `json:"control_numbers"`
	Problems       []map[string]any  `json:"problems"`
}

func decodeJSON[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("%d %s: %v", w.Code, w.Body, err)
	}
	return v
}

// denial835 is the testdata 835 whose first claim (CLP01 CM-1001, denied) is
// self.json's record CM000123.
func denial835(t *testing.T) string {
	return strings.NewReplacer("CLP*CM-1001*", "CLP*CM000123*", "REF*6R*CM-1001-1~", "REF*6R*CM000123-1~").
		Replace(mustString(t, "../../testdata/835/d9997_dental.x12"))
}

// The loop in local mode: a record stored as a claim, its 837D and Bundle,
// the list, an 835 that denies it, the remittance, its findings and the
// claim's timeline.
func TestStoredClaimRemittanceTimeline(t *testing.T) {
	h := newStoreHarness(t)
	w := h.call("POST", "/v1/claims?at=2026-11-27T10:00:00Z&newlines=true", "application/json", mustString(t, "../../testdata/records/self.json"))
	if w.Code != 201 {
		t.Fatalf("POST /v1/claims: %d %s", w.Code, w.Body)
	}
	sub := decodeJSON[submitBody](t, w)
	if sub.ID == "" || sub.Status != "submitted" || sub.RecordID != "CM000123" || sub.ControlNumbers["interchange"] != "000000001" || sub.Problems == nil {
		t.Fatalf("submit %s", w.Body)
	}
	if loc := w.Header().Get("Location"); loc != "/v1/claims/"+sub.ID {
		t.Errorf("Location %q", loc)
	}
	for _, k := range []string{"id", "status", "record_id", "control_numbers", "problems"} {
		if !strings.Contains(w.Body.String(), `"`+k+`":`) {
			t.Errorf("answer lacks %s", k)
		}
	}

	w = h.call("GET", "/v1/claims/"+sub.ID, "", "")
	d := decodeJSON[struct {
		ID, Status  string
		Record      map[string]any
		ScrubReport map[string]any `json:"scrub_report"`
	}](t, w)
	if w.Code != 200 || d.ID != sub.ID || d.Status != "submitted" || d.Record["record_id"] != "CM000123" || d.ScrubReport["valid"] != true {
		t.Fatalf("GET claim %d %s", w.Code, w.Body)
	}
	w = h.call("GET", "/v1/claims/"+sub.ID+"/837d", "", "")
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/edi-x12" || !strings.HasPrefix(w.Body.String(), "ISA*") ||
		!strings.Contains(w.Body.String(), "*000000001*0*T*:~\n") {
		t.Fatalf("837d %d %q %.200s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	w = h.call("GET", "/v1/claims/"+sub.ID+"/fhir", "", "")
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/fhir+json" || !strings.Contains(w.Body.String(), `"resourceType":"Bundle"`) {
		t.Fatalf("fhir %d %q %.200s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	w = h.call("GET", "/v1/claims?record_id=CM000123", "", "")
	list := decodeJSON[struct {
		Items      []map[string]any
		NextCursor *string `json:"next_cursor"`
	}](t, w)
	if w.Code != 200 || len(list.Items) != 1 || list.Items[0]["id"] != sub.ID || list.NextCursor != nil || !strings.Contains(w.Body.String(), `"next_cursor":null`) {
		t.Fatalf("list %d %s", w.Code, w.Body)
	}

	w = h.call("POST", "/v1/remittances", "application/edi-x12", denial835(t))
	if w.Code != 201 {
		t.Fatalf("POST /v1/remittances: %d %s", w.Code, w.Body)
	}
	rem := decodeJSON[struct {
		ID        string
		Claims    int
		Matched   int
		Unmatched []string
		Summary   map[string]any
	}](t, w)
	if rem.Claims != 4 || rem.Matched != 1 || len(rem.Unmatched) != 3 || rem.Summary["claims"] != float64(4) {
		t.Fatalf("remittance %s", w.Body)
	}
	if loc := w.Header().Get("Location"); loc != "/v1/remittances/"+rem.ID {
		t.Errorf("Location %q", loc)
	}
	w = h.call("GET", "/v1/remittances/"+rem.ID, "", "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"claim_id":"`+sub.ID+`"`) {
		t.Fatalf("GET remittance %d %s", w.Code, w.Body)
	}
	w = h.call("GET", "/v1/remittances/"+rem.ID+"/findings", "", "")
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/json" || !strings.Contains(w.Body.String(), `"remittances":[`) {
		t.Fatalf("findings %d %.200s", w.Code, w.Body)
	}
	w = h.call("GET", "/v1/remittances/"+rem.ID+"/835", "", "")
	if w.Code != 200 || w.Body.String() != denial835(t) {
		t.Fatalf("835 %d", w.Code)
	}
	w = h.call("GET", "/v1/claims/"+sub.ID+"/timeline", "", "")
	tl := decodeJSON[struct {
		ClaimID string `json:"claim_id"`
		Status  string
		Events  []struct{ Kind string }
	}](t, w)
	if w.Code != 200 || tl.ClaimID != sub.ID || tl.Status != "denied" || len(tl.Events) != 3 || tl.Events[2].Kind != "remittance" {
		t.Fatalf("timeline %d %s", w.Code, w.Body)
	}
	w = h.call("GET", "/v1/claims?status=denied", "", "")
	if !strings.Contains(w.Body.String(), sub.ID) {
		t.Fatalf("denied list %s", w.Body)
	}
}

func TestStoredClaimRejectedAndFHIR(t *testing.T) {
	h := newStoreHarness(t)
	w := h.call("POST", "/v1/claims", "application/json", mustString(t, "../../testdata/records-invalid/scrub-errors.json"))
	if w.Code != 422 || w.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("rejected: %d %q %s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	sub := decodeJSON[submitBody](t, w)
	if sub.Status != "rejected" || sub.ID == "" || sub.ControlNumbers != nil || len(sub.Problems) == 0 || !strings.Contains(w.Body.String(), `"control_numbers":null`) {
		t.Fatalf("rejected body %s", w.Body)
	}
	if w.Header().Get("Location") != "/v1/claims/"+sub.ID {
		t.Errorf("Location %q", w.Header().Get("Location"))
	}
	if w := h.call("GET", "/v1/claims/"+sub.ID, "", ""); w.Code != 200 || !strings.Contains(w.Body.String(), `"status":"rejected"`) {
		t.Errorf("GET rejected %d %s", w.Code, w.Body)
	}
	if w := h.call("GET", "/v1/claims/"+sub.ID+"/837d", "", ""); w.Code != 404 {
		t.Errorf("837d of a rejected claim %d", w.Code)
	} else {
		decodeProblem(t, w)
	}

	w = h.call("POST", "/v1/claims?at=2026-11-27T10:00:00Z", "application/fhir+json", mustString(t, "../../testdata/fhir/ehr/claim-contained.json"))
	if w.Code != 201 {
		t.Fatalf("FHIR: %d %s", w.Code, w.Body)
	}
	if sub := decodeJSON[submitBody](t, w); sub.Status != "submitted" || sub.ControlNumbers["interchange"] != "000000001" {
		t.Fatalf("FHIR body %s", w.Body)
	}
}

func TestStoredClaimErrors(t *testing.T) {
	h := newStoreHarness(t)
	self := mustString(t, "../../testdata/records/self.json")
	for _, tc := range []struct {
		name, target, ctype, body string
		status                    int
		code                      string
	}{
		{"malformed json", "/v1/claims", "application/json", `{"record_id": "X"x}`, 400, "JSON_SYNTAX"},
		{"not utf-8", "/v1/claims", "application/json", "{\"record_id\": \"\xff\"}", 400, "JSON_SYNTAX"},
		{"unknown field", "/v1/claims", "application/json", mustString(t, "../../testdata/records-invalid/unknown-field.json"), 422, "UNKNOWN_FIELD"},
		{"text", "/v1/claims", "text/plain", self, 415, "CONTENT_TYPE"},
		{"no type", "/v1/claims", "", self, 415, "CONTENT_TYPE"},
		{"bad at", "/v1/claims?at=now", "application/json", self, 400, "QUERY_PARAMETER"},
		{"bad usage", "/v1/claims?usage=X", "application/json", self, 400, "QUERY_PARAMETER"},
		{"bad profile", "/v1/claims?profile=../x", "application/json", self, 400, "QUERY_PARAMETER"},
		{"unknown profile", "/v1/claims?profile=nope", "application/json", self, 400, "QUERY_PARAMETER"},
		{"control number", "/v1/claims?control_number=5", "application/json", self, 400, "QUERY_PARAMETER"},
		{"too large", "/v1/claims", "application/json", `{"narrative":"` + strings.Repeat("x", 70<<10) + `"}`, 413, "BODY_TOO_LARGE"},
		{"835 not x12", "/v1/remittances", "application/edi-x12", "hello", 422, "ISA_MISSING"},
		{"835 as json", "/v1/remittances", "application/json", "{}", 415, "CONTENT_TYPE"},
		{"835 truncated", "/v1/remittances", "text/plain", mustString(t, "../../testdata/835/d9997_dental.x12")[:900], 422, ""},
		{"bad limit", "/v1/claims?limit=0", "", "", 400, "QUERY_PARAMETER"},
		{"limit over 500", "/v1/claims?limit=501", "", "", 400, "QUERY_PARAMETER"},
		{"bad cursor", "/v1/claims?cursor=%21%21", "", "", 400, "QUERY_PARAMETER"},
		{"bad status", "/v1/claims?status=lost", "", "", 400, "QUERY_PARAMETER"},
		{"no claim", "/v1/claims/0190a000-0000-7000-8000-000000000000", "", "", 404, "NOT_FOUND"},
		{"no remittance", "/v1/remittances/nope/findings", "", "", 404, "NOT_FOUND"},
		{"GET on a POST route", "/v1/claims/837d", "", "", 405, ""},
		{"GET on findings", "/v1/remittances/findings", "", "", 405, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method := "POST"
			if tc.body == "" {
				method = "GET"
			}
			w := h.call(method, tc.target, tc.ctype, tc.body)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			p := decodeProblem(t, w)
			if tc.code != "" && (len(p.Errors) == 0 || p.Errors[0].Code != tc.code) {
				t.Fatalf("errors %+v, want %s", p.Errors, tc.code)
			}
			if strings.HasPrefix(tc.name, "835") && tc.status == 422 && p.Errors[0].SegmentNumber == 0 {
				t.Errorf("X12 error without its segment: %s", w.Body)
			}
		})
	}
	// the JSON syntax error carries its byte offset, as on /v1/claims/837d
	w := h.call("POST", "/v1/claims", "application/json", `{"record_id": "X"x}`)
	if !strings.Contains(w.Body.String(), `"byte_offset":17`) {
		t.Errorf("no byte offset: %s", w.Body)
	}
	// a FHIR body that is not a Claim is an OperationOutcome
	w = h.call("POST", "/v1/claims", "application/fhir+json", `{"resourceType": "Patient"}`)
	if w.Code != 400 || w.Header().Get("Content-Type") != "application/fhir+json" {
		t.Fatalf("FHIR Patient: %d %s", w.Code, w.Body)
	}
	decodeOutcome(t, w.Body.Bytes())
	w = h.call("POST", "/v1/claims", "application/fhir+json", `{"resourceType": "Claim", "status": 7}`)
	if w.Code != 422 && w.Code != 400 {
		t.Fatalf("invalid FHIR: %d %s", w.Code, w.Body)
	}
	decodeOutcome(t, w.Body.Bytes())
	// nothing of this was stored
	if w := h.call("GET", "/v1/claims", "", ""); w.Body.String() != `{"items":[],"next_cursor":null}`+"\n" && w.Body.String() != `{"items":[],"next_cursor":null}` {
		t.Errorf("list after errors: %s", w.Body)
	}
}

func TestStoredClaimListPages(t *testing.T) {
	h := newStoreHarness(t)
	var ids []string
	for _, f := range []string{"self", "dependent", "individual-nursing"} {
		w := h.call("POST", "/v1/claims", "application/json", mustString(t, "../../testdata/records/"+f+".json"))
		if w.Code != 201 {
			t.Fatalf("%s: %d %s", f, w.Code, w.Body)
		}
		ids = append(ids, decodeJSON[submitBody](t, w).ID)
	}
	var got []string
	cursor := ""
	for range 4 {
		target := "/v1/claims?limit=2"
		if cursor != "" {
			target += "&cursor=" + cursor
		}
		w := h.call("GET", target, "", "")
		page := decodeJSON[struct {
			Items      []struct{ ID string }
			NextCursor *string `json:"next_cursor"`
		}](t, w)
		for _, it := range page.Items {
			got = append(got, it.ID)
		}
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	slices.Reverse(ids) // newest first
	if !slices.Equal(got, ids) {
		t.Errorf("pages %v, want %v", got, ids)
	}
}

// Once a key exists every /v1 and /fhir route needs it; the open routes
// stay open; the key never reaches the log.
func TestAuth(t *testing.T) {
	h := newStoreHarness(t)
	// local mode: no key needed, a key sent is still checked
	if w := h.call("GET", "/v1/claims", "", ""); w.Code != 200 {
		t.Fatalf("local mode: %d %s", w.Code, w.Body)
	}
	if w := h.call("GET", "/v1/claims", "", "", bearer("cb_nope")...); w.Code != 401 {
		t.Fatalf("local mode, unknown key: %d", w.Code)
	}
	key := h.key(t, "acme")
	for _, tc := range []struct {
		method, path, ctype, body string
	}{
		{"GET", "/v1/claims", "", ""},
		{"GET", "/v1/claims/x", "", ""},
		{"POST", "/v1/claims", "application/json", "{}"},
		{"POST", "/v1/claims/837d", "application/json", "{}"},
		{"POST", "/v1/remittances/findings", "text/plain", "x"},
		{"GET", "/v1/nope", "", ""},
		{"POST", "/fhir/Claim/$x12", "application/fhir+json", "{}"},
		{"POST", "/fhir/Claim", "application/fhir+json", "{}"},
		{"GET", "/fhir/Claim/x/_history/1", "", ""},
		{"GET", "/fhir/Claim", "", ""},
	} {
		for name, hdr := range map[string][]string{
			"no key":      nil,
			"unknown key": bearer("cb_" + strings.Repeat("A", 43)),
			"basic auth":  {"Authorization", "Basic " + key},
			"empty":       {"Authorization", "Bearer "},
		} {
			w := h.call(tc.method, tc.path, tc.ctype, tc.body, hdr...)
			if w.Code != 401 || w.Header().Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("%s %s %s: %d %q", tc.method, tc.path, name, w.Code, w.Header().Get("WWW-Authenticate"))
				continue
			}
			if strings.HasPrefix(tc.path, "/fhir/") {
				decodeOutcome(t, w.Body.Bytes())
			} else if p := decodeProblem(t, w); p.Errors[0].Code != "UNAUTHENTICATED" {
				t.Errorf("%s: %+v", tc.path, p)
			}
		}
	}
	for _, path := range []string{"/livez", "/readyz", "/metrics", "/", "/app.js", "/app.css", "/openapi.yaml", "/fhir/metadata"} {
		if w := h.call("GET", path, "", ""); w.Code != 200 {
			t.Errorf("open route %s: %d", path, w.Code)
		}
	}
	// the key works, with the scheme in any case
	if w := h.call("POST", "/v1/claims", "application/json", mustString(t, "../../testdata/records/self.json"), "Authorization", "bearer "+key); w.Code != 201 {
		t.Fatalf("with the key: %d %s", w.Code, w.Body)
	}
	if w := h.call("GET", "/fhir/metadata", "", "", bearer(key)...); w.Code != 200 {
		t.Fatalf("metadata with the key: %d", w.Code)
	}
	// a revoked key is refused
	keys, _ := h.svc.ListKeys(context.Background(), "acme")
	if err := h.svc.RevokeKey(context.Background(), "acme", keys[0].ID); err != nil {
		t.Fatal(err)
	}
	if w := h.call("GET", "/v1/claims", "", "", bearer(key)...); w.Code != 401 {
		t.Errorf("revoked key: %d", w.Code)
	}
	if strings.Contains(h.log.String(), key) || strings.Contains(h.log.String(), key[:12]) {
		t.Errorf("the log holds the key")
	}
}

// Another tenant's object is a 404, never a 403, on every route with an id.
func TestTenantIsolation(t *testing.T) {
	h := newStoreHarness(t)
	a, b := h.key(t, "tenant-a"), h.key(t, "tenant-b")
	w := h.call("POST", "/v1/claims", "application/json", mustString(t, "../../testdata/records/self.json"), bearer(a)...)
	if w.Code != 201 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	claimID := decodeJSON[submitBody](t, w).ID
	w = h.call("POST", "/v1/remittances", "application/edi-x12", denial835(t), bearer(a)...)
	if w.Code != 201 || !strings.Contains(w.Body.String(), `"matched":1`) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	remID := decodeJSON[submitBody](t, w).ID
	if w := h.call("POST", "/v1/claims/"+claimID+"/appeals", "", "", bearer(a)...); w.Code != 201 { // appeal 1 (:file below)
		t.Fatalf("appeal: %d %s", w.Code, w.Body)
	}

	w = h.call("POST", "/v1/acknowledgments", "application/edi-x12", rejected999, bearer(a)...)
	if w.Code != 201 {
		t.Fatalf("acknowledgment: %d %s", w.Code, w.Body)
	}
	ackID := decodeJSON[submitBody](t, w).ID

	covered := 0
	for _, r := range h.srv.Routes() {
		method, tmpl, _ := strings.Cut(r, " ")
		if !strings.Contains(tmpl, ":") {
			continue
		}
		id := claimID
		if strings.Contains(tmpl, "/remittances/") {
			id = remID
		}
		if strings.Contains(tmpl, "/acknowledgments/") {
			id = ackID
		}
		path := tmpl[:strings.Index(tmpl, ":")] + id
		if i := strings.Index(tmpl[strings.Index(tmpl, ":"):], "/"); i >= 0 {
			path += tmpl[strings.Index(tmpl, ":")+i:]
		}
		path = strings.ReplaceAll(path, ":vid", "1")      // the one version of a stored Claim
		path = strings.ReplaceAll(path, ":file", "1.pdf") // the appeal made above
		if method == "GET" {
			if w := h.call(method, path, "", "", bearer(a)...); w.Code != 200 {
				t.Errorf("%s %s as the owner: %d %s", method, path, w.Code, w.Body)
			}
		}
		w := h.call(method, path, "application/json", "{}", bearer(b)...)
		if w.Code != 404 {
			t.Errorf("%s %s as another tenant: %d, want 404", method, tmpl, w.Code)
		}
		if strings.Contains(w.Body.String(), claimID) || strings.Contains(w.Body.String(), "CM000123") {
			t.Errorf("%s %s: the answer names the other tenant's object", method, tmpl)
		}
		covered++
	}
	if covered < 7 {
		t.Errorf("only %d routes with ids", covered)
	}
	// lists and reconciliation see only the tenant's own claims
	if w := h.call("GET", "/v1/claims", "", "", bearer(b)...); !strings.Contains(w.Body.String(), `"items":[]`) {
		t.Errorf("tenant b lists %s", w.Body)
	}
	if w := h.call("POST", "/v1/remittances", "application/edi-x12", denial835(t), bearer(b)...); w.Code != 201 || !strings.Contains(w.Body.String(), `"matched":0`) {
		t.Errorf("tenant b's 835 matched another tenant's claim: %s", w.Body)
	}
}

func TestIdempotencyKey(t *testing.T) {
	h := newStoreHarness(t)
	self := mustString(t, "../../testdata/records/self.json")
	first := h.call("POST", "/v1/claims", "application/json", self, "Idempotency-Key", "k1")
	if first.Code != 201 {
		t.Fatalf("%d %s", first.Code, first.Body)
	}
	again := h.call("POST", "/v1/claims", "application/json", self, "Idempotency-Key", "k1")
	sameAnswer(t, first, again)
	if w := h.call("GET", "/v1/claims", "", ""); strings.Count(w.Body.String(), `"id"`) != 1 {
		t.Errorf("replay stored again: %s", w.Body)
	}
	// another body, another query or another type under the same key
	for _, tc := range []struct{ target, ctype, body string }{
		{"/v1/claims", "application/json", mustString(t, "../../testdata/records/dependent.json")},
		{"/v1/claims?newlines=true", "application/json", self},
		{"/v1/claims", "application/fhir+json", self},
	} {
		w := h.call("POST", tc.target, tc.ctype, tc.body, "Idempotency-Key", "k1")
		if w.Code != 422 || decodeProblem(t, w).Errors[0].Code != "IDEMPOTENCY_KEY_REUSED" {
			t.Errorf("%s %s: %d %s", tc.target, tc.ctype, w.Code, w.Body)
		}
	}
	// a key per tenant: another key without the header stores a new claim
	if w := h.call("POST", "/v1/claims", "application/json", self); w.Code != 201 || decodeJSON[submitBody](t, w).ID == decodeJSON[submitBody](t, first).ID {
		t.Errorf("without a key: %d", w.Code)
	}
	// a 4xx is kept too
	bad := h.call("POST", "/v1/claims", "application/json", "{", "Idempotency-Key", "k2")
	if bad.Code != 400 {
		t.Fatalf("%d", bad.Code)
	}
	sameAnswer(t, bad, h.call("POST", "/v1/claims", "application/json", "{", "Idempotency-Key", "k2"))
	// in flight: another request holds the key
	_, err := h.svc.Idempotency().Begin(context.Background(), app.LocalTenant, "k3", "POST", "/v1/claims? application/json ", []byte(self))
	if err != nil {
		t.Fatal(err)
	}
	w := h.call("POST", "/v1/claims", "application/json", self, "Idempotency-Key", "k3")
	if w.Code != 409 || decodeProblem(t, w).Errors[0].Code != "IDEMPOTENCY_IN_FLIGHT" {
		t.Errorf("in flight: %d %s", w.Code, w.Body)
	}
	// remittances
	r1 := h.call("POST", "/v1/remittances", "application/edi-x12", denial835(t), "Idempotency-Key", "r1")
	if r1.Code != 201 {
		t.Fatalf("%d %s", r1.Code, r1.Body)
	}
	sameAnswer(t, r1, h.call("POST", "/v1/remittances", "application/edi-x12", denial835(t), "Idempotency-Key", "r1"))
	// a bad key
	if w := h.call("POST", "/v1/claims", "application/json", self, "Idempotency-Key", strings.Repeat("k", 256)); w.Code != 400 {
		t.Errorf("long key: %d", w.Code)
	}
	// the body limit applies
	if w := h.call("POST", "/v1/claims", "application/json", `{"narrative":"`+strings.Repeat("x", 70<<10)+`"}`, "Idempotency-Key", "k4"); w.Code != 413 {
		t.Errorf("too large: %d", w.Code)
	}
}

func sameAnswer(t *testing.T, a, b *httptest.ResponseRecorder) {
	t.Helper()
	if a.Code != b.Code || !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()) {
		t.Fatalf("replay differs: %d %s / %d %s", a.Code, a.Body, b.Code, b.Body)
	}
	ha, hb := a.Header().Clone(), b.Header().Clone()
	ha.Del("X-Request-ID")
	hb.Del("X-Request-ID")
	var sa, sb strings.Builder
	_ = ha.Write(&sa)
	_ = hb.Write(&sb)
	if sa.String() != sb.String() {
		t.Errorf("replayed headers differ:\n%s\n%s", sa.String(), sb.String())
	}
}

func TestReadyzPingsStore(t *testing.T) {
	h := newStoreHarness(t)
	if w := h.call("GET", "/readyz", "", ""); w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	h.st.Close()
	w := h.call("GET", "/readyz", "", "")
	if w.Code != 503 || decodeProblem(t, w).Errors[0].Code != "NOT_READY_STORE" {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if !strings.Contains(h.log.String(), `"check":"store"`) {
		t.Errorf("no cause logged: %s", h.log)
	}
}

func TestMetrics(t *testing.T) {
	h := newStoreHarness(t)
	key := h.key(t, "acme")
	w := h.call("POST", "/v1/claims", "application/json", mustString(t, "../../testdata/records/self.json"), bearer(key)...)
	claimID := decodeJSON[submitBody](t, w).ID
	h.call("POST", "/v1/claims", "application/json", mustString(t, "../../testdata/records-invalid/scrub-errors.json"), bearer(key)...)
	h.call("POST", "/v1/remittances", "application/edi-x12", denial835(t), bearer(key)...)
	h.call("GET", "/v1/claims/"+claimID+"/timeline", "", "", bearer(key)...)
	h.call("GET", "/v1/claims", "", "")
	w = h.call("GET", "/metrics", "", "")
	if w.Code != 200 {
		t.Fatalf("%d", w.Code)
	}
	body := w.Body.String()
	for _, want := range []string{
		`casebridge_http_requests_total{method="POST",route="/v1/claims",status="201"} 1`,
		`casebridge_http_requests_total{method="POST",route="/v1/claims",status="422"} 1`,
		`casebridge_http_requests_total{method="GET",route="/v1/claims",status="401"} 1`,
		`casebridge_http_requests_total{method="GET",route="/v1/claims/:id/timeline",status="200"} 1`,
		`casebridge_http_request_duration_seconds_count{method="POST",route="/v1/remittances"} 1`,
		`casebridge_claims_stored_total{status="submitted"} 1`,
		`casebridge_claims_stored_total{status="rejected"} 1`,
		`casebridge_remittances_read_total{route="/v1/remittances"} 1`,
		`casebridge_findings_total{category="`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	for _, leak := range []string{claimID, "CM000123", key, "CM-1002"} {
		if strings.Contains(body, leak) {
			t.Errorf("metrics hold %q", leak)
		}
	}
}

// A 5xx (or a panic) forgets the key: a retry runs again, nothing is replayed.
func TestIdempotencyReleasedOnFailure(t *testing.T) {
	ctx := context.Background()
	self := mustString(t, "../../testdata/records/self.json")
	fingerprintRoute := "/v1/claims? application/json"

	h := newStoreHarness(t)
	if _, err := h.st.EnsureTenant(ctx, app.Tenant{ID: app.LocalTenant, Name: app.LocalTenant, CreatedAt: testNow}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.st.ReserveControlNumbers(ctx, app.LocalTenant, "CASEBRIDGE", app.MaxControlNumber); err != nil {
		t.Fatal(err)
	}
	w := h.call("POST", "/v1/claims", "application/json", self, "Idempotency-Key", "k5")
	if w.Code != 500 {
		t.Fatalf("exhausted control numbers: %d %s", w.Code, w.Body)
	}
	decodeProblem(t, w)
	if b, err := h.svc.Idempotency().Begin(ctx, app.LocalTenant, "k5", "POST", fingerprintRoute, []byte(self)); err != nil || b.Outcome != app.IdemNew {
		t.Errorf("after a 500 the key is %v (%v), want new", b.Outcome, err)
	}

	calls := 0
	h = newStoreHarnessWith(t, app.ProfileFunc(func(ctx context.Context, tenant, name string) (*profile.Profile, error) {
		if calls++; calls == 1 {
			panic("profile source exploded")
		}
		return profile.Load("default", "")
	}))
	if w := h.call("POST", "/v1/claims", "application/json", self, "Idempotency-Key", "k6"); w.Code != 500 {
		t.Fatalf("panic: %d %s", w.Code, w.Body)
	}
	if w := h.call("POST", "/v1/claims", "application/json", self, "Idempotency-Key", "k6"); w.Code != 201 {
		t.Fatalf("retry after a panic: %d %s", w.Code, w.Body)
	}
}
