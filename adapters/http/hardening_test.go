package httpapi_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/casebridge/casebridge/adapters/fhir"
	httpapi "github.com/casebridge/casebridge/adapters/http"
	"github.com/casebridge/casebridge/internal/config"
)

func harnessWith(t *testing.T, cfg config.Config, opts ...httpapi.Option) *harness {
	t.Helper()
	var logs bytes.Buffer
	if cfg.Profile == "" {
		cfg.Profile = "default"
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 64 << 10
	}
	opts = append([]httpapi.Option{httpapi.WithClock(func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) })}, opts...)
	return &harness{h: httpapi.New(cfg, zerolog.New(suiteLog(&logs)), opts...).Handler(), log: &logs}
}

func TestJSONSyntaxReportsRealOffset(t *testing.T) {
	h := newHarness(t)
	truncated := `{"record_id": "CM000123", "subscriber": {"first_name": "Ja`
	garbage := `{"record_id": "CM000123"x}`
	for _, tc := range []struct {
		body string
		off  int64
	}{{truncated, int64(len(truncated))}, {garbage, int64(strings.IndexByte(garbage, 'x'))}, {`{} {}`, 3}} {
		for _, route := range []string{"/v1/claims/837d?control_number=7", "/v1/records/check", "/v1/claims/fhir"} {
			w := h.do("POST", route, "application/json", "", strings.NewReader(tc.body))
			if w.Code != 400 {
				t.Fatalf("%s %q: %d %s", route, tc.body, w.Code, w.Body)
			}
			var p struct {
				Errors []struct {
					Code    string
					Message string
					Offset  *int64 `json:"byte_offset"`
				}
			}
			_ = json.Unmarshal(w.Body.Bytes(), &p)
			if len(p.Errors) != 1 || p.Errors[0].Code != "JSON_SYNTAX" || p.Errors[0].Offset == nil || *p.Errors[0].Offset != tc.off {
				t.Errorf("%s %q: want JSON_SYNTAX at byte %d, got %s", route, tc.body, tc.off, w.Body)
			}
		}
		for _, route := range []string{"/fhir/Claim/$x12?control_number=7", "/fhir/Claim/$validate"} {
			body := tc.body // the syntax check comes before the resourceType check
			w := h.do("POST", route, "application/fhir+json", "", strings.NewReader(body))
			if w.Code != 400 || !strings.Contains(w.Body.String(), fmt.Sprintf("at byte %d.", tc.off)) {
				t.Errorf("%s %q: want 400 at byte %d, got %d %s", route, tc.body, tc.off, w.Code, w.Body)
			}
		}
	}
}

// A body over the FHIR reader's own cap (below the gateway's) is a 413
// OperationOutcome like every other oversized body, not a 400.
func TestFHIROversizedBodyIs413(t *testing.T) {
	h := harnessWith(t, config.Config{MaxBodyBytes: 2 * fhir.MaxBodyBytes}, httpapi.WithControlNumbers(func() (int, error) { return 1, nil }))
	body := `{"resourceType": "Claim"` + strings.Repeat(" ", fhir.MaxBodyBytes) + `}`
	for _, route := range []string{"/fhir/Claim/$x12", "/fhir/Claim/$validate"} {
		w := h.do("POST", route, "application/fhir+json", "", strings.NewReader(body))
		if w.Code != 413 {
			t.Errorf("%s: status %d, want 413", route, w.Code)
			continue
		}
		if o := decodeOutcome(t, w.Body.Bytes()); o.Issue[0].Code != "too-costly" {
			t.Errorf("%s: issue %+v", route, o.Issue[0])
		}
	}
	// over the gateway's limit: 413 too, as an OperationOutcome
	small := harnessWith(t, config.Config{MaxBodyBytes: 1024})
	for _, route := range []string{"/fhir/Claim/$x12", "/fhir/Claim/$validate"} {
		w := small.do("POST", route, "application/fhir+json", "", strings.NewReader(body[:4096]))
		if w.Code != 413 {
			t.Errorf("%s over the gateway limit: status %d", route, w.Code)
			continue
		}
		decodeOutcome(t, w.Body.Bytes())
	}
}

var (
	reScriptTag  = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	reInlineAttr = regexp.MustCompile(`(?i)\s(on[a-z]+|style)\s*=`)
	reAsset      = regexp.MustCompile(`(?i)(?:src|href)="(/[^"]*)"`)
)

// The page sends frame-ancestors 'none' and no-referrer, has no inline
// script (or inline style or handler) and its assets are served.
func TestPageSecurityHeadersAndNoInlineScript(t *testing.T) {
	h := newHarness(t)
	w := h.do("GET", "/", "", "", nil)
	if w.Code != 200 {
		t.Fatalf("GET /: %d", w.Code)
	}
	csp := w.Header().Get("Content-Security-Policy")
	for _, want := range []string{"frame-ancestors 'none'", "script-src 'self'", "default-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %s", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP %q allows inline code", csp)
	}
	if rp := w.Header().Get("Referrer-Policy"); rp != "no-referrer" {
		t.Errorf("Referrer-Policy %q", rp)
	}
	page := w.Body.String()
	scripts := reScriptTag.FindAllStringSubmatch(page, -1)
	if len(scripts) == 0 {
		t.Error("the page loads no script")
	}
	for _, m := range scripts {
		if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
			t.Errorf("inline script: %s", m[0])
		}
	}
	if strings.Contains(strings.ToLower(page), "<style") || reInlineAttr.MatchString(page) {
		t.Error("the page has inline style or event-handler attributes")
	}
	for _, m := range reAsset.FindAllStringSubmatch(page, -1) {
		a := h.do("GET", m[1], "", "", nil)
		if a.Code != 200 || a.Body.Len() == 0 || a.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("asset %s: %d", m[1], a.Code)
		}
	}
	if js := h.do("GET", "/app.js", "", "", nil); !strings.HasPrefix(js.Header().Get("Content-Type"), "text/javascript") || !strings.Contains(js.Body.String(), `getElementById("go")`) {
		t.Errorf("/app.js: %d %q", js.Code, js.Header().Get("Content-Type"))
	}
}

// A failing allocator answers 500 and the log says why, without PHI.
func TestAllocatorFailureLogsCause(t *testing.T) {
	cause := errors.New("store: open /var/lib/casebridge/casebridge.db: permission denied")
	h := harnessWith(t, config.Config{}, httpapi.WithControlNumbers(func() (int, error) { return 0, cause }))
	for _, tc := range []struct{ route, ctype, file string }{
		{"/v1/claims/837d", "application/json", "../../testdata/records/self.json"},
		{"/fhir/Claim/$x12", "application/fhir+json", "../../testdata/fhir/ehr/claim-contained.json"},
	} {
		h.log.Reset()
		w := h.do("POST", tc.route, tc.ctype, "", file(t, tc.file))
		if w.Code != 500 {
			t.Fatalf("%s: %d %s", tc.route, w.Code, w.Body)
		}
		logs := h.log.String()
		if !strings.Contains(logs, "permission denied") || !strings.Contains(logs, "/var/lib/casebridge/casebridge.db") {
			t.Errorf("%s: the log lacks the allocator's cause: %s", tc.route, logs)
		}
		if strings.Contains(w.Body.String(), "permission denied") {
			t.Errorf("%s: the answer leaks the cause: %s", tc.route, w.Body)
		}
		for _, phi := range []string{"Jane", "Doe", "MBR100200", "1980-01-01", "Kim", "Noah", "SPR-88120", "2014-03-09"} {
			if strings.Contains(logs, phi) {
				t.Errorf("%s: log holds PHI %q", tc.route, phi)
			}
		}
	}
}
