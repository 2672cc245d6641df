package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/rs/zerolog"

	httpapi "github.com/casebridge/casebridge/adapters/http"
	"github.com/casebridge/casebridge/internal/config"
)

type harness struct {
	h   http.Handler
	log *bytes.Buffer
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	var logs bytes.Buffer
	cfg := config.Config{Profile: "default", MaxBodyBytes: 64 << 10}
	n := 41
	srv := httpapi.New(cfg, zerolog.New(suiteLog(&logs)),
		httpapi.WithClock(func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) }),
		httpapi.WithControlNumbers(func() (int, error) { n++; return n, nil }))
	return &harness{h: srv.Handler(), log: &logs}
}

func (h *harness) do(method, target, ctype, accept string, body io.Reader) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, body)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	w := httptest.NewRecorder()
	h.h.ServeHTTP(w, req)
	return w
}

func file(t *testing.T, path string) *bytes.Reader {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(data)
}

type problemDoc struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Errors []struct {
		Code, Severity, Pointer, Message string
		SegmentNumber                    int `json:"segment_number"`
	} `json:"errors"`
}

func decodeProblem(t *testing.T, w *httptest.ResponseRecorder) problemDoc {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type %q, body %s", ct, w.Body)
	}
	var p problemDoc
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p.Status != w.Code || p.Type == "" || p.Title == "" {
		t.Errorf("incomplete problem: %+v", p)
	}
	return p
}

func TestClaim837dX12(t *testing.T) {
	h := newHarness(t)
	w := h.do("POST", "/v1/claims/837d?control_number=1001&at=2026-11-27T10:00:00Z&newlines=true", "application/json", "", file(t, "../../testdata/records/dependent.json"))
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	want, _ := os.ReadFile("../../testdata/837d/dependent.x12")
	if w.Body.String() != string(want) {
		t.Errorf("body differs from the golden 837D")
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/edi-x12" {
		t.Errorf("content type %q", ct)
	}
	if w.Header().Get("Casebridge-Warnings") != "1" { // the EL attachment without a delivery route
		t.Errorf("Casebridge-Warnings = %q", w.Header().Get("Casebridge-Warnings"))
	}
}

func TestClaim837dJSONEnvelope(t *testing.T) {
	h := newHarness(t)
	w := h.do("POST", "/v1/claims/837d", "application/json; charset=utf-8", "application/json", file(t, "../../testdata/records/self.json"))
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var resp struct {
		X12            string
		Warnings       []map[string]string
		ControlNumbers map[string]string `json:"control_numbers"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(resp.X12, "ISA*") || !strings.Contains(resp.X12, "*000000042*0*T*") {
		t.Errorf("x12 %q", resp.X12[:min(120, len(resp.X12))])
	}
	if resp.ControlNumbers["interchange"] != "000000042" || resp.ControlNumbers["group"] != "42" || resp.ControlNumbers["transaction"] != "0042" {
		t.Errorf("control numbers %v", resp.ControlNumbers)
	}
	if len(resp.Warnings) == 0 || resp.Warnings[0]["severity"] != "warning" {
		t.Errorf("warnings %v", resp.Warnings)
	}
}

func TestClaim837dErrors(t *testing.T) {
	tests := []struct {
		name, target, ctype string
		body                io.Reader
		status              int
		code, pointer       string
	}{
		{"malformed json", "/v1/claims/837d", "application/json", strings.NewReader("{"), 400, "JSON_SYNTAX", ""},
		{"wrong content type", "/v1/claims/837d", "text/plain", strings.NewReader("{}"), 415, "CONTENT_TYPE", ""},
		{"no content type", "/v1/claims/837d", "", strings.NewReader("{}"), 415, "CONTENT_TYPE", ""},
		{"unknown field", "/v1/claims/837d", "application/json", file(t, "../../testdata/records-invalid/unknown-field.json"), 422, "UNKNOWN_FIELD", "/colour"},
		{"scrub errors", "/v1/claims/837d", "application/json", file(t, "../../testdata/records-invalid/scrub-errors.json"), 422, "NPI_CHECK_DIGIT", "/billing_provider/npi"},
		{"bad at", "/v1/claims/837d?at=now", "application/json", file(t, "../../testdata/records/self.json"), 400, "QUERY_PARAMETER", ""},
		{"bad profile", "/v1/claims/837d?profile=../etc/passwd", "application/json", file(t, "../../testdata/records/self.json"), 400, "QUERY_PARAMETER", ""},
		{"too large", "/v1/claims/837d", "application/json", strings.NewReader(`{"narrative":"` + strings.Repeat("x", 70<<10) + `"}`), 413, "BODY_TOO_LARGE", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			w := h.do("POST", tc.target, tc.ctype, "", tc.body)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			p := decodeProblem(t, w)
			for _, e := range p.Errors {
				if e.Code == tc.code && e.Pointer == tc.pointer {
					return
				}
			}
			t.Errorf("no error %s at %q in %+v", tc.code, tc.pointer, p.Errors)
		})
	}
}

func TestTooLargeWithoutContentLength(t *testing.T) {
	h := newHarness(t)
	body := io.MultiReader(strings.NewReader(`{"narrative":"`), strings.NewReader(strings.Repeat("x", 70<<10)), strings.NewReader(`"}`))
	req := httptest.NewRequest("POST", "/v1/claims/837d", body)
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.h.ServeHTTP(w, req)
	if w.Code != 413 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
}

func TestCheckRecord(t *testing.T) {
	h := newHarness(t)
	w := h.do("POST", "/v1/records/check", "application/json", "", file(t, "../../testdata/records-invalid/scrub-errors.json"))
	if w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	var rep struct {
		Valid      bool
		ErrorCount int `json:"error_count"`
		Problems   []map[string]string
	}
	if err := json.Unmarshal(w.Body.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Valid || rep.ErrorCount == 0 || len(rep.Problems) < rep.ErrorCount {
		t.Errorf("report %+v", rep)
	}
}

func TestHealthAndUnknownRoutes(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/livez", 200}, {"GET", "/readyz", 200}, {"GET", "/", 200},
		{"GET", "/nope", 404}, {"GET", "/v1/claims/837d", 405},
	} {
		w := h.do(tc.method, tc.path, "", "", nil)
		if w.Code != tc.status {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, w.Code, tc.status)
		}
		if w.Header().Get("X-Request-ID") == "" {
			t.Errorf("%s: no request id", tc.path)
		}
	}
}

func TestLogsCarryNoPHI(t *testing.T) {
	h := newHarness(t)
	h.do("POST", "/v1/claims/837d", "application/json", "", file(t, "../../testdata/records/dependent.json"))
	h.do("POST", "/v1/claims/837d", "application/json", "", file(t, "../../testdata/records-invalid/scrub-errors.json"))
	logs := h.log.String()
	if !strings.Contains(logs, `"route":"/v1/claims/837d"`) {
		t.Fatalf("no access log: %s", logs)
	}
	for _, phi := range []string{"Nguyen", "NGUYEN", "Lily", "MBR555001", "2015-09-14", "cerebral", "Doe", "1980-02-30"} {
		if strings.Contains(logs, phi) {
			t.Errorf("log holds PHI %q", phi)
		}
	}
}

func TestFindings(t *testing.T) {
	h := newHarness(t)
	w := h.do("POST", "/v1/remittances/findings", "application/edi-x12", "", file(t, "../../testdata/835/d9997_dental.x12"))
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var got, want any
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	golden, _ := os.ReadFile("../../testdata/835/d9997_dental.json")
	if err := json.Unmarshal(golden, &want); err != nil {
		t.Fatal(err)
	}
	g, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if string(g) != string(wb) {
		t.Errorf("report differs from the golden findings report")
	}
}

func TestFindingsErrors(t *testing.T) {
	tests := []struct {
		name, ctype, body string
		status            int
		code              string
	}{
		{"not x12", "application/edi-x12", "hello", 422, "ISA_MISSING"},
		{"an 837", "text/plain", mustString(t, "../../testdata/837d/self.x12"), 422, "NOT_835"},
		{"a 4010 file", "application/edi-x12", mustString(t, "../../testdata/835/invalid/4010_version-invalid.x12"), 422, "VERSION_UNSUPPORTED"},
		{"truncated", "application/edi-x12", mustString(t, "../../testdata/835/d9997_dental.x12")[:900], 422, ""},
		{"json", "application/json", "{}", 415, "CONTENT_TYPE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			w := h.do("POST", "/v1/remittances/findings", tc.ctype, "", strings.NewReader(tc.body))
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			p := decodeProblem(t, w)
			if len(p.Errors) == 0 || tc.code != "" && p.Errors[0].Code != tc.code {
				t.Fatalf("errors %+v, want code %s", p.Errors, tc.code)
			}
			if tc.status == 422 && p.Errors[0].SegmentNumber == 0 {
				t.Errorf("errors %+v, want code %s", p.Errors, tc.code)
			}
			if tc.status == 422 && !strings.Contains(p.Errors[0].Message, "segment") {
				t.Errorf("error without a position: %s", p.Errors[0].Message)
			}
		})
	}
}

func mustString(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestFindingsTooLarge(t *testing.T) {
	h := newHarness(t)
	big := strings.Repeat(mustString(t, "../../testdata/835/d9997_dental.x12"), 60)
	req := httptest.NewRequest("POST", "/v1/remittances/findings", strings.NewReader(big))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/edi-x12")
	w := httptest.NewRecorder()
	h.h.ServeHTTP(w, req)
	if w.Code != 413 {
		t.Fatalf("status %d: %.300s", w.Code, w.Body)
	}
}

func TestRecoveryAnswersProblemJSON(t *testing.T) {
	var logs bytes.Buffer
	cfg := config.Config{Profile: "default", MaxBodyBytes: 64 << 10}
	srv := httpapi.New(cfg, zerolog.New(suiteLog(&logs)),
		httpapi.WithControlNumbers(func() (int, error) { panic("allocator exploded: MBR555001") }))
	h := &harness{h: srv.Handler(), log: &logs}
	w := h.do("POST", "/v1/claims/837d", "application/json", "", file(t, "../../testdata/records/dependent.json"))
	if w.Code != 500 {
		t.Fatalf("status %d", w.Code)
	}
	decodeProblem(t, w)
	if strings.Contains(logs.String(), "MBR555001") || !strings.Contains(logs.String(), "panic recovered") {
		t.Errorf("logs: %s", logs.String())
	}
	// under /fhir/ the same failure is an OperationOutcome
	w = h.do("POST", "/fhir/Claim/$x12", "application/fhir+json", "", file(t, "../../testdata/fhir/ehr/claim-contained.json"))
	if w.Code != 500 {
		t.Fatalf("fhir status %d", w.Code)
	}
	decodeOutcome(t, w.Body.Bytes())
}

var reGinParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// TestOpenAPIListsEveryRoute keeps openapi.yaml and the router in step.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	data, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	srv := httpapi.New(config.Config{Profile: "default"}, zerolog.Nop())
	for _, r := range srv.Routes() {
		method, path, _ := strings.Cut(r, " ")
		path = reGinParam.ReplaceAllString(path, "{$1}") // gin's :id is OpenAPI's {id}
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("route %s is not in openapi.yaml", r)
		}
	}
	w := newHarness(t).do("GET", "/openapi.yaml", "", "", nil)
	if w.Code != 200 || !bytes.Equal(w.Body.Bytes(), data) {
		t.Errorf("GET /openapi.yaml: %d", w.Code)
	}
}
