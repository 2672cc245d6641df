package httpapi_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	httpapi "github.com/casebridge/casebridge/adapters/http"
	"github.com/casebridge/casebridge/adapters/store"
	"github.com/casebridge/casebridge/adapters/store/storetest"
	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/config"
)

// eachStoreHarness runs fn on a gateway over SQLite and, when
// CASEBRIDGE_TEST_DATABASE_URL is set, over PostgreSQL (a schema of its own).
func eachStoreHarness(t *testing.T, fn func(t *testing.T, h *storeHarness)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newStoreHarness(t)) })
	t.Run("postgres", func(t *testing.T) {
		url := os.Getenv("CASEBRIDGE_TEST_DATABASE_URL")
		if url == "" {
			t.Skip("CASEBRIDGE_TEST_DATABASE_URL is not set")
		}
		schema := storetest.PostgresSchema(t, url, "cbwl_")
		cfg, err := pgxpool.ParseConfig(url)
		if err != nil {
			t.Fatal(err)
		}
		cfg.ConnConfig.RuntimeParams["search_path"] = schema
		pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		st, err := store.NewPostgres(context.Background(), pool, true)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		clock := func() time.Time { return testNow }
		svc := app.New(st, app.DirProfiles("", "default"), clock, app.Options{})
		var logs bytes.Buffer
		srv := httpapi.New(config.Config{Profile: "default", MaxBodyBytes: 64 << 10}, zerolog.New(suiteLog(&logs)),
			httpapi.WithClock(clock), httpapi.WithService(svc))
		fn(t, &storeHarness{harness: harness{h: srv.Handler(), log: &logs}, svc: svc, st: st, srv: srv})
	})
}

// correctableClaim stores testdata/records/self.json for the caller (hdr:
// its Authorization) and the 835 that denies it (CO-16, CLP07 ICNCM-1001),
// and returns the claim id.
func correctableClaim(t *testing.T, h *storeHarness, hdr ...string) string {
	t.Helper()
	w := h.call("POST", "/v1/claims", "application/json", mustString(t, "../../testdata/records/self.json"), hdr...)
	if w.Code != 201 {
		t.Fatalf("POST /v1/claims: %d %s", w.Code, w.Body)
	}
	id := decodeJSON[submitBody](t, w).ID
	if w := h.call("POST", "/v1/remittances", "application/edi-x12", denial835(t), hdr...); w.Code != 201 {
		t.Fatalf("POST /v1/remittances: %d %s", w.Code, w.Body)
	}
	return id
}

type worklistBody struct {
	Items []struct {
		ClaimID          string `json:"claim_id"`
		RecordID         string `json:"record_id"`
		Category         string
		OpenAmount       string `json:"open_amount"`
		PayerClaimNumber string `json:"payer_claim_number"`
		Payer            struct{ ID, Name string }
		Codes            []struct{ Code, Text string }
		NextStep         string `json:"next_step"`
		Deadlines        struct {
			Appeal       *string
			TimelyFiling string `json:"timely_filing"`
			Next         string
			NextKind     string `json:"next_kind"`
			DaysLeft     int    `json:"days_left"`
		}
	}
	NextCursor *string `json:"next_cursor"`
}

// The loop over HTTP: a denied claim in the worklist, a correction refused
// before the 835 and as another tenant, filed (idempotently), and the
// worklist emptied.
func TestWorklistAndCorrectionRoutes(t *testing.T) {
	eachStoreHarness(t, func(t *testing.T, h *storeHarness) {
		a, b := bearer(h.key(t, "tenant-a")), bearer(h.key(t, "tenant-b"))
		w := h.call("POST", "/v1/claims", "application/json", mustString(t, "../../testdata/records/self.json"), a...)
		id := decodeJSON[submitBody](t, w).ID
		// no 835 yet
		w = h.call("POST", "/v1/claims/"+id+"/corrections", "application/merge-patch+json", `{}`, a...)
		if w.Code != 422 || decodeProblem(t, w).Errors[0].Code != "PAYER_CLAIM_NUMBER_UNKNOWN" {
			t.Fatalf("correction before the 835: %d %s", w.Code, w.Body)
		}
		if w := h.call("POST", "/v1/remittances", "application/edi-x12", denial835(t), a...); w.Code != 201 {
			t.Fatalf("835: %d %s", w.Code, w.Body)
		}

		w = h.call("GET", "/v1/worklist", "", "", a...)
		wl := decodeJSON[worklistBody](t, w)
		if w.Code != 200 || len(wl.Items) != 1 || wl.NextCursor != nil || !strings.Contains(w.Body.String(), `"next_cursor":null`) {
			t.Fatalf("worklist: %d %s", w.Code, w.Body)
		}
		it := wl.Items[0]
		// by hand: the 835 is dated 2026-11-20, + 180 days (default) =
		// 2027-05-19; service 2026-11-02 + 365 = 2027-11-02; today
		// 2026-11-27: 173 days left
		if it.ClaimID != id || it.RecordID != "CM000123" || it.Category != "documentation" || it.OpenAmount != "150.00" ||
			it.PayerClaimNumber != "ICNCM-1001" || it.Payer.ID != "EXDP1" || len(it.Codes) != 2 || it.Codes[0].Code != "CO-16" || it.Codes[0].Text == "" ||
			it.Deadlines.Appeal == nil || *it.Deadlines.Appeal != "2027-05-19" || it.Deadlines.TimelyFiling != "2027-11-02" ||
			it.Deadlines.Next != "2027-05-19" || it.Deadlines.NextKind != "appeal" || it.Deadlines.DaysLeft != 173 || !strings.Contains(it.NextStep, "ICNCM-1001") {
			t.Errorf("item: %+v", it)
		}
		// tenant b sees nothing and cannot correct a's claim
		if w := h.call("GET", "/v1/worklist", "", "", b...); w.Code != 200 || !strings.Contains(w.Body.String(), `"items":[]`) {
			t.Errorf("tenant b's worklist: %d %s", w.Code, w.Body)
		}
		if w := h.call("POST", "/v1/claims/"+id+"/corrections", "application/merge-patch+json", `{}`, b...); w.Code != 404 {
			t.Errorf("tenant b's correction: %d %s", w.Code, w.Body)
		}
		for _, q := range []string{"limit=0", "limit=501", "category=nope", "cursor=bad", "payer=" + strings.Repeat("p", 81)} {
			if w := h.call("GET", "/v1/worklist?"+q, "", "", a...); w.Code != 400 {
				t.Errorf("worklist?%s: %d", q, w.Code)
			}
		}
		if w := h.call("GET", "/v1/worklist?category=documentation&payer=EXDP1&limit=1", "", "", a...); w.Code != 200 || len(decodeJSON[worklistBody](t, w).Items) != 1 {
			t.Errorf("filtered worklist: %d %s", w.Code, w.Body)
		}
		if w := h.call("POST", "/v1/claims/"+id+"/corrections", "text/plain", `{}`, a...); w.Code != 415 {
			t.Errorf("text/plain: %d", w.Code)
		}
		if w := h.call("POST", "/v1/claims/"+id+"/corrections", "application/json", `{"narrative":`, a...); w.Code != 400 || decodeProblem(t, w).Errors[0].Code != "JSON_SYNTAX" {
			t.Errorf("truncated patch: %d %s", w.Code, w.Body)
		}
		if w := h.call("POST", "/v1/claims/"+id+"/corrections", "application/json", `{"frequency":"original"}`, a...); w.Code != 422 || decodeProblem(t, w).Errors[0].Pointer != "/frequency" {
			t.Errorf("frequency original: %d %s", w.Code, w.Body)
		}

		patch := `{"narrative": "Case management for a patient with autism spectrum disorder; the case log is attached."}`
		first := h.call("POST", "/v1/claims/"+id+"/corrections", "application/merge-patch+json", patch, append(a, "Idempotency-Key", "fix-1")...)
		res := decodeJSON[submitBody](t, first)
		if first.Code != 201 || res.Status != "submitted" || res.ID == id || first.Header().Get("Location") != "/v1/claims/"+res.ID {
			t.Fatalf("correction: %d %s", first.Code, first.Body)
		}
		again := h.call("POST", "/v1/claims/"+id+"/corrections", "application/merge-patch+json", patch, append(a, "Idempotency-Key", "fix-1")...)
		if again.Code != 201 || again.Body.String() != first.Body.String() {
			t.Errorf("replay: %d %s", again.Code, again.Body)
		}
		if x := h.call("GET", "/v1/claims/"+res.ID+"/837d", "", "", a...).Body.String(); !strings.Contains(x, "REF*F8*ICNCM-1001~") || !strings.Contains(x, "*11:B:7*") {
			t.Errorf("replacement 837D: %s", x)
		}
		if w := h.call("GET", "/v1/claims/"+id+"/timeline", "", "", a...); !strings.Contains(w.Body.String(), `"kind":"correction","at":"2026-11-27T10:00:00Z","data":{"claim_id":"`+res.ID+`","frequency":"replacement"`) {
			t.Errorf("original's timeline: %s", w.Body)
		}
		if w := h.call("GET", "/v1/claims/"+res.ID+"/timeline", "", "", a...); !strings.Contains(w.Body.String(), `"replaces":"`+id+`"`) {
			t.Errorf("replacement's timeline: %s", w.Body)
		}
		if w := h.call("GET", "/v1/worklist", "", "", a...); !strings.Contains(w.Body.String(), `"items":[]`) {
			t.Errorf("worklist after the correction: %s", w.Body)
		}
	})
}

func TestAnalyticsRoute(t *testing.T) {
	eachStoreHarness(t, func(t *testing.T, h *storeHarness) {
		a, b := bearer(h.key(t, "tenant-a")), bearer(h.key(t, "tenant-b"))
		correctableClaim(t, h, a...)
		w := h.call("GET", "/v1/analytics", "", "", a...)
		body := w.Body.String()
		// self.json billed 120.00; the 835 denies it (CO-16 on its charge of
		// 150.00) and pays nothing: paid/billed 0, below the default 0.5
		for _, want := range []string{
			`"rows":[{"payer":{"id":"EXDP1","name":"Example Dental Plan"},"code":"D9997","claims":1,"lines":1,"billed":"120.00",`,
			`"paid":"0.00","paid_ratio":0,"denied_claims":1,"denial_rate":1,"denied_amount":"150.00","denied_by_category":{"documentation":"150.00"},"denied_by_carc":{"CO-16":"150.00"},"median_days_to_payment":null,"appeals_filed":0,"appeals_won":0}]`,
			`"threshold":0.5,"quarters":[{"quarter":"2026-Q4","billed":"120.00","paid":"0.00","paid_ratio":0}],"flags":["below_threshold"]}]`,
		} {
			if w.Code != 200 || !strings.Contains(body, want) {
				t.Errorf("analytics lacks %s: %d %s", want, w.Code, body)
			}
		}
		if w := h.call("GET", "/v1/analytics?from=2026-11-01&to=2026-11-30&payer=EXDP1&code=D9997", "", "", a...); w.Code != 200 || !strings.Contains(w.Body.String(), `"from":"2026-11-01","to":"2026-11-30","payer":"EXDP1","code":"D9997"`) {
			t.Errorf("filtered: %d %s", w.Code, w.Body)
		}
		if w := h.call("GET", "/v1/analytics", "", "", b...); w.Code != 200 || !strings.Contains(w.Body.String(), `"rows":[],"payers":[]`) {
			t.Errorf("tenant b: %d %s", w.Code, w.Body)
		}
		for _, q := range []string{"from=2026-13-01", "to=x", "from=2026-02-01&to=2026-01-01", "code=9997"} {
			if w := h.call("GET", "/v1/analytics?"+q, "", "", a...); w.Code != 400 {
				t.Errorf("analytics?%s: %d", q, w.Code)
			}
		}
	})
}
