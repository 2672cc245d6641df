package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/casebridge/casebridge/adapters/fhir"
	httpapi "github.com/casebridge/casebridge/adapters/http"
	"github.com/casebridge/casebridge/adapters/store"
	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/config"
	"github.com/casebridge/casebridge/mapping/fhirmap"
)

// newServiceHarness is newHarness with the service of record on a SQLite
// store in t.TempDir() (requests run in the local tenant: no auth
// middleware sets another).
func newServiceHarness(t *testing.T) (*harness, *app.Service) {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), store.SQLiteFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { clock = clock.Add(time.Millisecond); return clock }
	svc := app.New(st, app.DirProfiles("", ""), now, app.Options{})
	var logs bytes.Buffer
	cfg := config.Config{Profile: "default", MaxBodyBytes: 64 << 10}
	n := 41
	srv := httpapi.New(cfg, zerolog.New(suiteLog(&logs)),
		httpapi.WithClock(func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) }),
		httpapi.WithControlNumbers(func() (int, error) { n++; return n, nil }),
		httpapi.WithService(svc))
	return &harness{h: srv.Handler(), log: &logs}, svc
}

func (h *harness) doHeaders(method, target string, head map[string]string, body []byte) *httpResponse {
	req, _ := http.NewRequest(method, target, bytes.NewReader(body))
	for k, v := range head {
		req.Header.Set(k, v)
	}
	w := &httpResponse{header: http.Header{}}
	h.h.ServeHTTP(w, req)
	return w
}

// httpResponse is a minimal ResponseWriter (httptest.ResponseRecorder with
// a request built by http.NewRequest needs a host; this keeps it short).
type httpResponse struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (w *httpResponse) Header() http.Header { return w.header }
func (w *httpResponse) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = 200
	}
	return w.body.Write(b)
}
func (w *httpResponse) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

type restDoc struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	Meta         struct {
		VersionID, LastUpdated string
	} `json:"meta"`
	Total json.RawMessage `json:"total"`
	Link  []struct {
		Relation, URL string
	} `json:"link"`
	Entry []struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
		Search   struct{ Mode string }
	} `json:"entry"`
	Request struct{ Reference string } `json:"request"`
}

func restRead(t *testing.T, w *httpResponse) restDoc {
	t.Helper()
	if ct := w.header.Get("Content-Type"); ct != fhir.ContentTypeFHIR {
		t.Fatalf("content type %q (%d): %s", ct, w.code, w.body.String())
	}
	if _, st, out := fhir.Parse(w.body.Bytes()); st != fhir.Parsed {
		t.Fatalf("not valid R4: %+v\n%s", out.Issues, w.body.String())
	}
	var d restDoc
	if err := json.Unmarshal(w.body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func restOutcome(t *testing.T, w *httpResponse, status int) outcomeDoc {
	t.Helper()
	if w.code != status {
		t.Fatalf("status %d, want %d: %s", w.code, status, w.body.String())
	}
	restRead(t, w)
	return decodeOutcome(t, w.body.Bytes())
}

func readTestdata(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var fhirJSON = map[string]string{"Content-Type": "application/fhir+json"}

func TestFHIRRESTCreateRead(t *testing.T) {
	h, svc := newServiceHarness(t)
	body := readTestdata(t, "fhir/ehr/claim-contained.json")
	w := h.doHeaders("POST", "http://gw.example/fhir/Claim", fhirJSON, body)
	if w.code != 201 {
		t.Fatalf("create: %d %s", w.code, w.body.String())
	}
	d := restRead(t, w)
	if d.ResourceType != "Claim" || d.ID == "" || d.Meta.VersionID != "1" || d.Meta.LastUpdated == "" {
		t.Fatalf("created %+v", d)
	}
	if loc := w.header.Get("Location"); loc != "/fhir/Claim/"+d.ID+"/_history/1" {
		t.Errorf("Location %q", loc)
	}
	if w.header.Get("ETag") != `W/"1"` {
		t.Errorf("ETag %q", w.header.Get("ETag"))
	}
	r := h.doHeaders("GET", "http://gw.example/fhir/Claim/"+d.ID, nil, nil)
	if r.code != 200 || !bytes.Equal(r.body.Bytes(), w.body.Bytes()) {
		t.Fatalf("read back %d:\n%s\n%s", r.code, r.body.String(), w.body.String())
	}
	// the Location is served (vread of version 1); no other version exists
	if v := h.doHeaders("GET", "http://gw.example"+w.header.Get("Location"), nil, nil); v.code != 200 || !bytes.Equal(v.body.Bytes(), w.body.Bytes()) {
		t.Fatalf("vread of the Location: %d %s", v.code, v.body.String())
	}
	restOutcome(t, h.doHeaders("GET", "http://gw.example/fhir/Claim/"+d.ID+"/_history/2", nil, nil), 404)

	// an Idempotency-Key replays the create byte for byte, stores nothing new
	keyed := map[string]string{"Content-Type": "application/fhir+json", "Idempotency-Key": "ehr-retry-1"}
	k1 := h.doHeaders("POST", "http://gw.example/fhir/Claim", keyed, body)
	k2 := h.doHeaders("POST", "http://gw.example/fhir/Claim", keyed, body)
	if k1.code != 201 || k2.code != 201 || !bytes.Equal(k1.body.Bytes(), k2.body.Bytes()) || k1.header.Get("Location") != k2.header.Get("Location") {
		t.Fatalf("replay: %d %d, %q %q", k1.code, k2.code, k1.header.Get("Location"), k2.header.Get("Location"))
	}

	// another tenant's claim is not found, nor is an unknown id
	other := mustOK(svc.CreateFHIRClaim(context.Background(), "other", body, app.SubmitOptions{}, ""))
	restOutcome(t, h.doHeaders("GET", "http://gw.example/fhir/Claim/"+other.ID, nil, nil), 404)
	restOutcome(t, h.doHeaders("GET", "http://gw.example/fhir/Claim/nope", nil, nil), 404)

	// bad input: OperationOutcomes, 4xx
	restOutcome(t, h.doHeaders("POST", "http://gw.example/fhir/Claim", map[string]string{"Content-Type": "text/plain"}, body), 415)
	restOutcome(t, h.doHeaders("POST", "http://gw.example/fhir/Claim", fhirJSON, []byte("{")), 400)
	restOutcome(t, h.doHeaders("POST", "http://gw.example/fhir/Claim", fhirJSON, []byte(`{"resourceType": "Patient"}`)), 400)
	restOutcome(t, h.doHeaders("POST", "http://gw.example/fhir/Claim?profile=../x", fhirJSON, body), 400)
	rejected := bytes.Replace(body, []byte(`"SPD2002"`), []byte(`"SPD*2002"`), 1)
	o := restOutcome(t, h.doHeaders("POST", "http://gw.example/fhir/Claim", fhirJSON, rejected), 422)
	if len(o.Issue) < 2 {
		t.Errorf("rejected: %+v", o)
	}
}

func mustOK[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestFHIRRESTConditionalCreate(t *testing.T) {
	h, _ := newServiceHarness(t)
	body := readTestdata(t, "fhir/ehr/claim-contained.json")
	cond := map[string]string{"Content-Type": "application/fhir+json", "If-None-Exist": "identifier=" + url.QueryEscape(fhirmap.SystemRecordID+"|SPD2002")}
	first := h.doHeaders("POST", "http://gw.example/fhir/Claim", cond, body)
	if first.code != 201 {
		t.Fatalf("none: %d %s", first.code, first.body.String())
	}
	one := h.doHeaders("POST", "http://gw.example/fhir/Claim", cond, body)
	if one.code != 200 || one.header.Get("Location") != "" || !bytes.Equal(one.body.Bytes(), first.body.Bytes()) {
		t.Fatalf("one: %d %s", one.code, one.body.String())
	}
	// an unconditional create stores a second one; then the condition matches two
	if w := h.doHeaders("POST", "http://gw.example/fhir/Claim", fhirJSON, body); w.code != 201 {
		t.Fatalf("second: %d", w.code)
	}
	restOutcome(t, h.doHeaders("POST", "http://gw.example/fhir/Claim", cond, body), 412)
	w := h.doHeaders("GET", "http://gw.example/fhir/Claim?identifier="+url.QueryEscape(fhirmap.SystemRecordID+"|SPD2002"), nil, nil)
	if d := restRead(t, w); string(d.Total) != "2" {
		t.Errorf("stored: total %s", d.Total)
	}
	bad := map[string]string{"Content-Type": "application/fhir+json", "If-None-Exist": "patient=Patient/1"}
	restOutcome(t, h.doHeaders("POST", "http://gw.example/fhir/Claim", bad, body), 400)
}

func TestFHIRRESTSearch(t *testing.T) {
	h, svc := newServiceHarness(t)
	ctx := context.Background()
	var ids []string
	for range 5 {
		ids = append(ids, mustOK(svc.SubmitRecord(ctx, app.LocalTenant, readTestdata(t, "records/self.json"), app.SubmitOptions{})).ID)
	}
	mustOK(svc.SubmitRecord(ctx, app.LocalTenant, readTestdata(t, "records/dependent.json"), app.SubmitOptions{}))
	mustOK(svc.SubmitRecord(ctx, "other", readTestdata(t, "records/self.json"), app.SubmitOptions{}))

	target := "http://gw.example/fhir/Claim?identifier=CM000123&_count=2"
	var got []string
	for pages := 0; target != ""; pages++ {
		w := h.doHeaders("GET", target, nil, nil)
		if w.code != 200 {
			t.Fatalf("%s: %d %s", target, w.code, w.body.String())
		}
		d := restRead(t, w)
		if string(d.Total) != "5" || len(d.Entry) > 2 {
			t.Fatalf("total %s, %d entries", d.Total, len(d.Entry))
		}
		for _, e := range d.Entry {
			var r restDoc
			_ = json.Unmarshal(e.Resource, &r)
			if e.FullURL != "http://gw.example/fhir/Claim/"+r.ID || e.Search.Mode != "match" {
				t.Errorf("entry %s %s", e.FullURL, e.Search.Mode)
			}
			got = append(got, r.ID)
		}
		target = ""
		for _, l := range d.Link {
			if l.Relation == "next" {
				target = l.URL
			}
		}
		if pages > 5 {
			t.Fatal("no last page")
		}
	}
	if strings.Join(got, ",") != strings.Join([]string{ids[4], ids[3], ids[2], ids[1], ids[0]}, ",") {
		t.Errorf("pages %v", got)
	}
	w := h.doHeaders("GET", "http://gw.example/fhir/Claim", nil, nil)
	if d := restRead(t, w); string(d.Total) != "6" || len(d.Entry) != 6 {
		t.Errorf("all: %s %d", d.Total, len(d.Entry))
	}
	for _, q := range []string{"patient=Patient/1", "foo=bar", "_count=x", "_cursor=%00", "identifier=a,b"} {
		restOutcome(t, h.doHeaders("GET", "http://gw.example/fhir/Claim?"+q, nil, nil), 400)
	}
	w = h.doHeaders("GET", "http://gw.example/fhir/Claim?foo=bar", map[string]string{"Prefer": "handling=lenient"}, nil)
	if d := restRead(t, w); w.code != 200 || string(d.Total) != "6" {
		t.Errorf("lenient: %d %s", w.code, d.Total)
	}
}

func TestFHIRRESTClaimResponseSearch(t *testing.T) {
	h, svc := newServiceHarness(t)
	ctx := context.Background()
	self := mustOK(svc.SubmitRecord(ctx, app.LocalTenant, readTestdata(t, "records/self.json"), app.SubmitOptions{}))
	raw := strings.NewReplacer("CLP*CM-1001*", "CLP*CM000123*", "REF*6R*CM-1001-1~", "REF*6R*CM000123-1~").
		Replace(string(readTestdata(t, "835/d9997_dental.x12")))
	rem := mustOK(svc.SubmitRemittance(ctx, app.LocalTenant, []byte(raw)))
	if rem.Matched != 1 {
		t.Fatalf("matched %d", rem.Matched)
	}
	w := h.doHeaders("GET", "http://gw.example/fhir/ClaimResponse?request=Claim/"+self.ID, nil, nil)
	if w.code != 200 {
		t.Fatalf("%d %s", w.code, w.body.String())
	}
	d := restRead(t, w)
	if string(d.Total) != "1" || len(d.Entry) != 1 {
		t.Fatalf("total %s, %d entries", d.Total, len(d.Entry))
	}
	var cr restDoc
	_ = json.Unmarshal(d.Entry[0].Resource, &cr)
	if cr.ResourceType != "ClaimResponse" || cr.Request.Reference != "Claim/"+self.ID || d.Entry[0].Search.Mode != "match" {
		t.Errorf("%+v", cr)
	}
	// another tenant's claim: an empty searchset
	other := mustOK(svc.SubmitRecord(ctx, "other", readTestdata(t, "records/self.json"), app.SubmitOptions{}))
	w = h.doHeaders("GET", "http://gw.example/fhir/ClaimResponse?request=Claim/"+other.ID, nil, nil)
	if d := restRead(t, w); string(d.Total) != "0" {
		t.Errorf("other tenant: %s", d.Total)
	}
	restOutcome(t, h.doHeaders("GET", "http://gw.example/fhir/ClaimResponse", nil, nil), 400)
	restOutcome(t, h.doHeaders("GET", "http://gw.example/fhir/ClaimResponse?request=Claim/x&status=active", nil, nil), 400)
}

func TestFHIRRESTWithoutService(t *testing.T) {
	h := newHarness(t)
	w := h.do("GET", "/fhir/Claim", "", "", nil)
	if w.Code != 503 {
		t.Fatalf("%d", w.Code)
	}
	decodeOutcome(t, w.Body.Bytes())
}
