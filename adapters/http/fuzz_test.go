package httpapi_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	httpapi "github.com/casebridge/casebridge/adapters/http"
	"github.com/casebridge/casebridge/adapters/store"
	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/config"
)

// FuzzGateway posts arbitrary bodies to every POST route with each content
// type: whatever comes in, the answer is a 2xx or a 4xx, never a 5xx, a
// panic or a hang.
func FuzzGateway(f *testing.F) {
	routes := []string{
		"/v1/claims/837d?control_number=7&at=2026-11-27T10:00:00Z",
		"/v1/records/check",
		"/v1/claims/fhir?at=2026-11-27T10:00:00Z",
		"/v1/remittances/findings",
		"/v1/remittances/findings?format=fhir&at=2026-11-27T10:00:00Z",
		"/fhir/Claim/$x12?control_number=7&at=2026-11-27T10:00:00Z",
		"/fhir/Claim/$validate",
		"/v1/claims?at=2026-11-27T10:00:00Z",
		"/v1/remittances",
	}
	types := []string{"application/json", "application/fhir+json", "application/edi-x12", "text/plain"}
	for _, pattern := range []string{"../../testdata/records/*.json", "../../testdata/fhir/ehr/*.json", "../../testdata/835/*.x12", "../../testdata/fhir/Claim-100155.json"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			for r := range routes {
				f.Add(uint8(r), uint8(0), data)
			}
			f.Add(uint8(3), uint8(2), data)
			f.Add(uint8(5), uint8(1), data)
		}
	}
	cfg := config.Config{Profile: "default", MaxBodyBytes: 1 << 20}
	clock := func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) }
	st, err := store.OpenSQLite(context.Background(), filepath.Join(f.TempDir(), store.SQLiteFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	h := httpapi.New(cfg, zerolog.Nop(), httpapi.WithClock(clock),
		httpapi.WithControlNumbers(func() (int, error) { return 1, nil }),
		httpapi.WithService(app.New(st, app.DirProfiles("", "default"), clock, app.Options{}))).Handler()
	routes = append(routes, fuzzAppealRoute(f, h)) // a denied claim's appeals (appeals_test.go)
	f.Add(uint8(len(routes)-1), uint8(0), []byte(`{"finding": 0, "additional_notes": "x"}`))
	f.Fuzz(func(t *testing.T, route, ctype uint8, body []byte) {
		req := httptest.NewRequest("POST", routes[int(route)%len(routes)], bytes.NewReader(body))
		req.Header.Set("Content-Type", types[int(ctype)%len(types)])
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s with %s: status %d: %s", req.URL, req.Header.Get("Content-Type"), w.Code, w.Body)
		}
	})
}
