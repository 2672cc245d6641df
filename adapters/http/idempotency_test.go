package httpapi_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	httpapi "github.com/casebridge/casebridge/adapters/http"
	"github.com/casebridge/casebridge/adapters/store"
	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/config"
)

// watchedWriter records whether anything reached the client.
type watchedWriter struct {
	*httptest.ResponseRecorder
	sent *atomic.Bool
}

func (w watchedWriter) WriteHeader(code int) {
	w.sent.Store(true)
	w.ResponseRecorder.WriteHeader(code)
}
func (w watchedWriter) Write(b []byte) (int, error) {
	w.sent.Store(true)
	return w.ResponseRecorder.Write(b)
}
func (w watchedWriter) WriteString(s string) (int, error) {
	w.sent.Store(true)
	return w.ResponseRecorder.WriteString(s)
}
func (w watchedWriter) Flush() { w.sent.Store(true); w.ResponseRecorder.Flush() }

// finishWatch is a store whose FinishIdempotency notes whether the answer had
// already reached the client, and can fail.
type finishWatch struct {
	app.Store
	sent         *atomic.Bool
	sentAtFinish atomic.Bool
	finished     atomic.Int32
	fail         atomic.Bool
}

func (s *finishWatch) FinishIdempotency(ctx context.Context, tenant, key, token string, resp app.StoredResponse, at time.Time) error {
	s.finished.Add(1)
	if s.sent.Load() {
		s.sentAtFinish.Store(true)
	}
	if s.fail.Load() {
		return errors.New("the database went away")
	}
	return s.Store.FinishIdempotency(ctx, tenant, key, token, resp, at)
}

// The answer of a keyed request reaches the client only once the key's
// answer is stored, whatever its size (a FHIR Claim is well over 4 KB); a
// Finish that fails is a 500, and the retry answers the claim already stored.
func TestIdempotentAnswerHeldUntilStored(t *testing.T) {
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), store.SQLiteFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sent := &atomic.Bool{}
	ws := &finishWatch{Store: st, sent: sent}
	clock := func() time.Time { return testNow }
	svc := app.New(ws, app.DirProfiles("", "default"), clock, app.Options{})
	h := httpapi.New(config.Config{Profile: "default", MaxBodyBytes: 64 << 10}, zerolog.Nop(), httpapi.WithClock(clock),
		httpapi.WithService(svc)).Handler()
	call := func(target, ctype, body, key string) *httptest.ResponseRecorder {
		sent.Store(false)
		req := httptest.NewRequest("POST", target, strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Idempotency-Key", key)
		rec := httptest.NewRecorder()
		h.ServeHTTP(watchedWriter{rec, sent}, req)
		return rec
	}
	self := mustString(t, "../../testdata/records/self.json")
	fhirClaim := mustString(t, "../../testdata/fhir/ehr/claim-contained.json")
	for _, tc := range []struct{ target, ctype, body, key string }{
		{"/v1/claims", "application/json", self, "k-record"},
		{"/fhir/Claim", "application/fhir+json", fhirClaim, "k-fhir"},
		{"/v1/claims", "application/json", "{", "k-400"},
	} {
		before := ws.finished.Load()
		first := call(tc.target, tc.ctype, tc.body, tc.key)
		if ws.finished.Load() != before+1 {
			t.Fatalf("%s: Finish was not called", tc.key)
		}
		if ws.sentAtFinish.Load() {
			t.Fatalf("%s: %d bytes of the answer reached the client before the key's answer was stored", tc.key, first.Body.Len())
		}
		if tc.key == "k-fhir" && first.Body.Len() <= 4096 {
			t.Fatalf("the FHIR answer is %d bytes; the test wants one over 4 KB", first.Body.Len())
		}
		if first.Code >= 500 || first.Body.Len() == 0 {
			t.Fatalf("%s: %d %s", tc.key, first.Code, first.Body)
		}
		sameAnswer(t, first, call(tc.target, tc.ctype, tc.body, tc.key))
	}

	// the key's answer cannot be stored: 500 (the client retries), and the
	// retry answers the stored claim instead of storing another one
	ws.fail.Store(true)
	w := call("/v1/claims", "application/json", mustString(t, "../../testdata/records/dependent.json"), "k-lost")
	if w.Code != http.StatusInternalServerError || bytes.Contains(w.Body.Bytes(), []byte(`"control_numbers"`)) {
		t.Fatalf("Finish failed: %d %s", w.Code, w.Body)
	}
	ws.fail.Store(false)
	again := call("/v1/claims", "application/json", mustString(t, "../../testdata/records/dependent.json"), "k-lost")
	if again.Code != 201 {
		t.Fatalf("retry after the failed Finish: %d %s", again.Code, again.Body)
	}
	page, err := st.ListClaims(context.Background(), app.LocalTenant, app.ClaimFilter{RecordID: "CM000124"})
	if err != nil || len(page.Claims) != 1 || !strings.Contains(again.Body.String(), page.Claims[0].ID) {
		t.Fatalf("claims of the record after the retry: %d (%v); answer %s", len(page.Claims), err, again.Body)
	}
}
