package httpapi_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/rs/zerolog"

	httpapi "github.com/casebridge/casebridge/adapters/http"
	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/config"
	"github.com/casebridge/casebridge/internal/gen835"
	"github.com/casebridge/casebridge/mapping/fhirmap"
	"github.com/casebridge/casebridge/mapping/remit"
)

// TestFindingsNDJSON: Accept: application/x-ndjson answers one object per
// claim, one per remittance, then {"summary", "warnings"}; the JSON answer
// is unchanged (the golden report, compact).
func TestFindingsNDJSON(t *testing.T) {
	h := newHarness(t)
	body, err := os.ReadFile("../../testdata/835/d9997_dental.x12")
	if err != nil {
		t.Fatal(err)
	}
	w := h.do("POST", "/v1/remittances/findings", "application/edi-x12", "application/x-ndjson", strings.NewReader(string(body)))
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/x-ndjson") {
		t.Fatalf("status %d, type %q", w.Code, w.Header().Get("Content-Type"))
	}
	sc := bufio.NewScanner(w.Body)
	sc.Buffer(nil, 1<<20)
	var kinds []string
	for sc.Scan() {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &obj); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		switch {
		case obj["patient_control_number"] != nil && obj["control_number"] != nil && obj["findings"] != nil:
			kinds = append(kinds, "claim")
		case obj["remittance"] != nil:
			kinds = append(kinds, "remittance")
		case obj["summary"] != nil && obj["warnings"] != nil:
			kinds = append(kinds, "summary")
		default:
			t.Fatalf("unexpected line %s", sc.Text())
		}
	}
	if len(kinds) < 3 || kinds[len(kinds)-1] != "summary" || kinds[len(kinds)-2] != "remittance" {
		t.Fatalf("lines %v", kinds)
	}
	w = h.do("POST", "/v1/remittances/findings", "application/edi-x12", "", strings.NewReader(string(body)))
	var rep struct {
		Remittances []json.RawMessage `json:"remittances"`
	}
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &rep) != nil || len(rep.Remittances) != 1 {
		t.Fatalf("json: status %d %.200s", w.Code, w.Body)
	}
}

// TestFindingsStreamReadsWholeBody: over a real HTTP/1 connection, findings
// that go out while the body is still arriving must not cut the body short
// (Go's server closes the request body once the response starts unless the
// handler asks for full duplex): the report is complete, with the
// generator's claim count and no error member.
func TestFindingsStreamReadsWholeBody(t *testing.T) {
	var body bytes.Buffer
	rec, err := gen835.Write(&body, gen835.Config{Sets: 1, ClaimsPerSet: 3000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	srv := httpapi.New(config.Config{Profile: "default", MaxBodyBytes: 64 << 20}, zerolog.New(suiteLog(io.Discard)))
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	// a reader that trickles, so output begins before the body is read;
	// known length: findings are not held back
	status, out := postX12(t, ts.URL+"/v1/remittances/findings", iotest.HalfReader(bytes.NewReader(body.Bytes())), int64(body.Len()))
	var rep struct {
		Summary struct {
			Claims int `json:"claims"`
		} `json:"summary"`
		Error json.RawMessage `json:"error"`
	}
	if status != 200 || json.Unmarshal(out, &rep) != nil || rep.Error != nil || rep.Summary.Claims != rec.Claims {
		t.Fatalf("status %d, %d claims of %d, error %s; %d bytes of %d in", status, rep.Summary.Claims, rec.Claims, rep.Error, len(out), body.Len())
	}
}

// TestFindingsFHIRStreamed: a FHIR answer larger than what the gateway
// holds goes out streamed over a real connection, with
// Casebridge-Warnings announced as a trailer and sent after the body;
// the body is byte for byte what the whole-set mapping makes, and it has
// one ClaimResponse per claim the generator wrote. A small answer keeps
// the header (and no trailer).
func TestFindingsFHIRStreamed(t *testing.T) {
	var body bytes.Buffer
	rec, err := gen835.Write(&body, gen835.Config{Sets: 2, ClaimsPerSet: 400, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	want, warnings, err := app.RemitToBundle(bytes.NewReader(body.Bytes()), remit.Options{}, fhirmap.RemitOptions{At: at}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) <= 1<<20 {
		t.Fatalf("the Bundle is %d bytes: too small to be streamed", len(want))
	}
	srv := httpapi.New(config.Config{Profile: "default", MaxBodyBytes: 64 << 20}, zerolog.New(suiteLog(io.Discard)))
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	post := func(x12 []byte) *http.Response {
		t.Helper()
		resp, err := http.Post(ts.URL+"/v1/remittances/findings?format=fhir&at=2026-11-27T10:00:00Z", "application/edi-x12", bytes.NewReader(x12))
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := post(body.Bytes())
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("status %d, %v", resp.StatusCode, err)
	}
	if resp.Header.Get("Casebridge-Warnings") != "" || resp.Trailer.Get("Casebridge-Warnings") != strconv.Itoa(app.RemitWarningCount(warnings)) {
		t.Errorf("header %q, trailer %q; want the trailer %d", resp.Header.Get("Casebridge-Warnings"), resp.Trailer.Get("Casebridge-Warnings"), app.RemitWarningCount(warnings))
	}
	if !bytes.Equal(got, want) {
		t.Errorf("streamed Bundle (%d bytes) differs from the whole-set mapping (%d bytes)", len(got), len(want))
	}
	if n := bytes.Count(got, []byte(`"resourceType":"ClaimResponse"`)); n != rec.Claims {
		t.Errorf("%d ClaimResponses, the generator wrote %d claims", n, rec.Claims)
	}

	small, err := os.ReadFile("../../testdata/835/d9997_dental.x12")
	if err != nil {
		t.Fatal(err)
	}
	resp = post(small)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Casebridge-Warnings") == "" || len(resp.Trailer) != 0 {
		t.Errorf("small answer: status %d, header %q, trailers %v", resp.StatusCode, resp.Header.Get("Casebridge-Warnings"), resp.Trailer)
	}
}

// TestFindingsFHIRUnreadableLate: an 835 whose fault is in its second
// set, after a first set whose Bundle is more than the gateway holds, is
// still a 422 with its position, before any byte of a Bundle.
func TestFindingsFHIRUnreadableLate(t *testing.T) {
	var body bytes.Buffer
	if _, err := gen835.Write(&body, gen835.Config{Sets: 2, ClaimsPerSet: 800, Seed: 6}); err != nil {
		t.Fatal(err)
	}
	x12 := body.Bytes()
	cut := bytes.LastIndex(x12, []byte("CLP*"))
	bad := append(append(append([]byte{}, x12[:cut]...), "CLP*X*NOPE~"...), x12[cut:]...)
	srv := httpapi.New(config.Config{Profile: "default", MaxBodyBytes: 64 << 20}, zerolog.New(suiteLog(io.Discard)))
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	resp, err := http.Post(ts.URL+"/v1/remittances/findings?format=fhir", "application/edi-x12", bytes.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 422 || !strings.Contains(string(out), `"segment_number"`) {
		t.Fatalf("status %d: %.300s", resp.StatusCode, out)
	}
}

// TestFindingsChunkedBody: a body of unknown length (chunked) is read
// within the limit before findings go out, then streamed: the report is
// the one a body of known length gets, and a chunked body over the limit
// is a 413.
func TestFindingsChunkedBody(t *testing.T) {
	var body bytes.Buffer
	rec, err := gen835.Write(&body, gen835.Config{Sets: 2, ClaimsPerSet: 500, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	srv := httpapi.New(config.Config{Profile: "default", MaxBodyBytes: int64(body.Len()) + 10}, zerolog.New(suiteLog(io.Discard)))
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	post := func(r io.Reader, chunked bool) (int, []byte) {
		length := int64(body.Len())
		if chunked {
			length = -1
		}
		return postX12(t, ts.URL+"/v1/remittances/findings", r, length)
	}
	code, want := post(bytes.NewReader(body.Bytes()), false)
	if code != 200 || !bytes.Contains(want, []byte(fmt.Sprintf(`"claims":%d,`, rec.Claims))) {
		t.Fatalf("known length: %d %.200s", code, want)
	}
	code, got := post(iotest.HalfReader(bytes.NewReader(body.Bytes())), true)
	if code != 200 || !bytes.Equal(got, want) {
		t.Errorf("chunked: status %d, %d bytes; the known-length report has %d", code, len(got), len(want))
	}
	over := append(append([]byte{}, body.Bytes()...), bytes.Repeat([]byte(" "), 64)...)
	if code, out := post(iotest.HalfReader(bytes.NewReader(over)), true); code != 413 {
		t.Errorf("chunked body over the limit: %d %.200s", code, out)
	}
}

// postX12 POSTs an X12 body of the given length (-1: chunked) and returns
// the status and the whole answer.
func postX12(t *testing.T, url string, body io.Reader, length int64) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest("POST", url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/edi-x12")
	req.ContentLength = length
	if length < 0 {
		req.TransferEncoding = []string{"chunked"}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}
