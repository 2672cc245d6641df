package httpapi_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/config"
)

// newAllocatingHarness is a gateway whose stateless 837D routes draw their
// control numbers from the store, as serve runs it (no WithControlNumbers).
func newAllocatingHarness(t *testing.T) *storeHarness {
	t.Helper()
	return storeHarnessOf(t, app.DirProfiles("", "default"))
}

func isa13(t *testing.T, x12 string) string {
	t.Helper()
	f := strings.Split(strings.SplitN(x12, "~", 2)[0], "*")
	if len(f) < 17 || f[0] != "ISA" {
		t.Fatalf("no ISA: %.120s", x12)
	}
	return f[13]
}

// The stateless routes, POST /v1/claims and production usage share the
// store's counter of the tenant and sender: never a repeat, none skipped;
// an explicit number takes none from it.
func TestStatelessRoutesDrawFromTheStore(t *testing.T) {
	h := newAllocatingHarness(t)
	self, _ := os.ReadFile("../../testdata/records/self.json")
	claim, _ := os.ReadFile("../../testdata/fhir/ehr/claim-contained.json")
	steps := []struct {
		name, target, ctype, body, want string
	}{
		{"837d", "/v1/claims/837d", "application/json", string(self), "000000001"},
		{"837d again", "/v1/claims/837d?newlines=true", "application/json", string(self), "000000002"},
		{"explicit", "/v1/claims/837d?control_number=77", "application/json", string(self), "000000077"},
		{"batch", "/v1/claims/batch", "application/x-ndjson", batchBody(t), "000000003"},
		{"fhir $x12", "/fhir/Claim/$x12", "application/fhir+json", string(claim), "000000004"},
		{"production, no number", "/v1/claims/837d?usage=P", "application/json", string(self), "000000005"},
	}
	for _, s := range steps {
		w := h.call("POST", s.target, s.ctype, s.body)
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", s.name, w.Code, w.Body)
		}
		if got := isa13(t, w.Body.String()); got != s.want {
			t.Errorf("%s: ISA13 %s, want %s", s.name, got, s.want)
		}
		if s.name == "production, no number" && !strings.Contains(w.Body.String(), "*000000005*0*P*") {
			t.Errorf("production: ISA15 is not P: %.120s", w.Body)
		}
	}
	// a stored claim takes the next one of the same counter
	w := h.call("POST", "/v1/claims", "application/json", string(self))
	if w.Code != 201 || !strings.Contains(w.Body.String(), `"interchange":"000000006"`) {
		t.Errorf("POST /v1/claims: %d %.300s", w.Code, w.Body)
	}
	// a record with errors draws nothing
	bad, _ := os.ReadFile("../../testdata/records-invalid/scrub-errors.json")
	if w := h.call("POST", "/v1/claims/837d", "application/json", string(bad)); w.Code != 422 {
		t.Fatalf("scrub errors: %d", w.Code)
	}
	if w := h.call("POST", "/v1/claims/837d", "application/json", string(self)); isa13(t, w.Body.String()) != "000000007" {
		t.Errorf("after a refused record: %.120s", w.Body)
	}
	// readiness consumes nothing either
	if w := h.call("GET", "/readyz", "", ""); w.Code != 200 {
		t.Fatalf("readyz %d %s", w.Code, w.Body)
	}
	if w := h.call("POST", "/v1/claims/837d", "application/json", string(self)); isa13(t, w.Body.String()) != "000000008" {
		t.Errorf("after readyz: %.120s", w.Body)
	}
}

// Each tenant has its own counter.
func TestControlNumbersPerTenant(t *testing.T) {
	h := newAllocatingHarness(t)
	a, b := h.key(t, "acme"), h.key(t, "beta")
	self, _ := os.ReadFile("../../testdata/records/self.json")
	for i, k := range []string{a, a, b, a, b} {
		want := []string{"000000001", "000000002", "000000001", "000000003", "000000002"}[i]
		w := h.call("POST", "/v1/claims/837d", "application/json", string(self), bearer(k)...)
		if w.Code != 200 || isa13(t, w.Body.String()) != want {
			t.Errorf("request %d: %d, want ISA13 %s: %.120s", i, w.Code, want, w.Body)
		}
	}
}

// A store that fails answers 500 on every allocating route, logs the
// store's cause without PHI, and /readyz is 503 NOT_READY_STORE.
func TestStoreFailureIs500AndNotReady(t *testing.T) {
	h := newAllocatingHarness(t)
	h.st.Close()
	for _, tc := range []struct{ route, ctype, file string }{
		{"/v1/claims/837d", "application/json", "../../testdata/records/self.json"},
		{"/v1/claims/batch", "application/x-ndjson", "../../testdata/records/self.json"},
		{"/fhir/Claim/$x12", "application/fhir+json", "../../testdata/fhir/ehr/claim-contained.json"},
	} {
		h.log.Reset()
		body, _ := os.ReadFile(tc.file)
		if tc.ctype == "application/x-ndjson" {
			body = append(bytes.ReplaceAll(bytes.TrimSpace(body), []byte("\n"), nil), '\n')
		}
		w := h.call("POST", tc.route, tc.ctype, string(body))
		if w.Code != 500 {
			t.Fatalf("%s: %d %s", tc.route, w.Code, w.Body)
		}
		logs := h.log.String()
		if !strings.Contains(logs, `"cause":"`) {
			t.Errorf("%s: the log lacks the cause: %s", tc.route, logs)
		}
		for _, phi := range []string{"Jane", "Doe", "MBR100200", "1980-01-01", "Kim", "Noah", "SPR-88120", "2014-03-09"} {
			if strings.Contains(logs, phi) || strings.Contains(w.Body.String(), phi) {
				t.Errorf("%s: PHI %q in the log or the answer", tc.route, phi)
			}
		}
	}
	w := h.call("GET", "/readyz", "", "")
	if w.Code != 503 {
		t.Fatalf("readyz with a closed store: %d", w.Code)
	}
	if p := decodeProblem(t, w); len(p.Errors) != 1 || p.Errors[0].Code != "NOT_READY_STORE" {
		t.Errorf("readyz: %s", w.Body)
	}
	// a gateway without a store cannot allocate: not ready, and 500
	bare := harnessWith(t, config.Config{})
	if w := bare.do("GET", "/readyz", "", "", nil); w.Code != 503 {
		t.Errorf("no store: readyz %d", w.Code)
	}
	if w := bare.do("POST", "/v1/claims/837d", "application/json", "", file(t, "../../testdata/records/self.json")); w.Code != 500 {
		t.Errorf("no store: 837d %d", w.Code)
	}
	if w := bare.do("POST", "/v1/claims/837d?control_number=5", "application/json", "", file(t, "../../testdata/records/self.json")); w.Code != 200 {
		t.Errorf("no store, explicit number: 837d %d", w.Code)
	}
}
