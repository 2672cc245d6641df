package httpapi_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
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

// BenchmarkGateway837D drives POST /v1/claims/837d through the whole
// handler (every middleware, a SQLite store, a warn-level logger as serve
// runs it) with httptest: with an explicit control number and with the
// store allocating one, and once an API key exists. Profile with
//
//	go test -run XXX -bench Gateway837D -cpuprofile cpu.out ./adapters/http
func BenchmarkGateway837D(b *testing.B) {
	st, err := store.OpenSQLite(context.Background(), filepath.Join(b.TempDir(), store.SQLiteFile))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	svc := app.New(st, app.DirProfiles("", "default"), time.Now, app.Options{ControlNumberBlock: 1000})
	h := httpapi.New(config.Config{Profile: "default", MaxBodyBytes: 1 << 20},
		zerolog.New(io.Discard).Level(zerolog.WarnLevel), httpapi.WithService(svc)).Handler()
	body, err := os.ReadFile("../../testdata/records/dependent.json")
	if err != nil {
		b.Fatal(err)
	}
	var key string // set before the "key" case: local mode ends there
	for _, bc := range []struct{ name, target string }{
		{"explicit", "/v1/claims/837d?control_number=1&at=2026-11-27T10:00:00Z"},
		{"store", "/v1/claims/837d?at=2026-11-27T10:00:00Z"},
		{"key", "/v1/claims/837d?control_number=1&at=2026-11-27T10:00:00Z"}, // an API key exists: each request authenticates
	} {
		if bc.name == "key" {
			if key, _, err = svc.CreateKey(context.Background(), "acme", "bench"); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest(http.MethodPost, bc.target, bytes.NewReader(body))
				r.Header.Set("Content-Type", "application/json")
				if key != "" {
					r.Header.Set("Authorization", "Bearer "+key)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
		})
	}
}
