package httpapi_test

import (
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/internal/app"
)

// rejected999 answers the stored claim with control number 1 (GS06 1, ST02
// 0001) with a CLM05-3 error.
const rejected999 = "ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*CASEBRIDGE     *261128*0800*^*00501*000000731*0*T*:~" +
	"GS*FA*CLEARINGHOUSE*CASEBRIDGE*20261128*0800*731*X*005010X231A1~ST*999*0001*005010X231A1~AK1*HC*1*005010X224A2~" +
	"AK2*837*0001*005010X224A2~IK3*CLM*22*2300*8~IK4*5:3*1325*7~IK5*R*I5~AK9*R*1*1*0~SE*8*0001~GE*1*731~IEA*1*000000731~"

type ackBody struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	Matched   int    `json:"matched"`
	Unmatched int    `json:"unmatched"`
	Claims    []struct {
		ClaimID string `json:"claim_id"`
		Outcome string `json:"outcome"`
	} `json:"claims"`
}

// The loop: a stored claim, the 999 that rejects it, the claim's timeline
// with the acknowledgment event; another tenant's 999 never reaches it.
func TestAcknowledgmentRoute(t *testing.T) {
	h := newStoreHarness(t)
	a, b := h.key(t, "tenant-a"), h.key(t, "tenant-b")
	w := h.call("POST", "/v1/claims", "application/json", mustString(t, "../../testdata/records/self.json"), bearer(a)...)
	if w.Code != 201 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	claimID := decodeJSON[submitBody](t, w).ID

	w = h.call("POST", "/v1/acknowledgments", "application/edi-x12", rejected999, bearer(a)...)
	if w.Code != 201 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	res := decodeJSON[ackBody](t, w)
	if res.Type != "999" || res.Matched != 1 || res.Unmatched != 0 || len(res.Claims) != 1 ||
		res.Claims[0].ClaimID != claimID || res.Claims[0].Outcome != "rejected" {
		t.Errorf("answer %s", w.Body)
	}
	// stored: Location names it, GET answers what POST answered, to its tenant only
	if loc := w.Header().Get("Location"); loc != "/v1/acknowledgments/"+res.ID {
		t.Errorf("Location %q", loc)
	}
	posted := w.Body.String()
	if g := h.call("GET", "/v1/acknowledgments/"+res.ID, "", "", bearer(a)...); g.Code != 200 || !jsonEqual(t, g.Body.String(), posted) {
		t.Errorf("GET: %d %s, posted %s", g.Code, g.Body, posted)
	}
	if g := h.call("GET", "/v1/acknowledgments/"+res.ID, "", "", bearer(b)...); g.Code != 404 {
		t.Errorf("GET as another tenant: %d", g.Code)
	}
	w = h.call("GET", "/v1/claims/"+claimID+"/timeline", "", "", bearer(a)...)
	var tl struct {
		Events []struct {
			Kind string          `json:"kind"`
			Data json.RawMessage `json:"data"`
		} `json:"events"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &tl); err != nil {
		t.Fatal(err)
	}
	last := tl.Events[len(tl.Events)-1]
	if last.Kind != "acknowledgment" || !strings.Contains(string(last.Data), `"acknowledgment_id":"`+res.ID+`"`) ||
		!strings.Contains(string(last.Data), `"outcome":"rejected"`) || !strings.Contains(string(last.Data), `"element":"CLM05-3"`) {
		t.Errorf("timeline %s", w.Body)
	}

	// tenant b has no claim with these numbers
	w = h.call("POST", "/v1/acknowledgments", "text/plain", rejected999, bearer(b)...)
	if w.Code != 201 || decodeJSON[ackBody](t, w).Matched != 0 || decodeJSON[ackBody](t, w).Unmatched != 1 {
		t.Errorf("tenant b: %d %s", w.Code, w.Body)
	}

	// idempotent
	first := h.call("POST", "/v1/acknowledgments", "application/edi-x12", rejected999, append(bearer(a), "Idempotency-Key", "ack-1")...)
	if first.Code != 201 {
		t.Fatalf("%d %s", first.Code, first.Body)
	}
	sameAnswer(t, first, h.call("POST", "/v1/acknowledgments", "application/edi-x12", rejected999, append(bearer(a), "Idempotency-Key", "ack-1")...))
}

func TestAcknowledgmentRouteErrors(t *testing.T) {
	h := newStoreHarness(t)
	for _, tc := range []struct {
		name, ctype, body string
		status            int
		code              string
		segment, element  int
	}{
		{"json", "application/json", `{}`, 415, "", 0, 0},
		{"not x12", "application/edi-x12", "hello", 422, "ISA_MISSING", 1, 0},
		{"837 not an acknowledgment", "application/edi-x12", strings.Replace(rejected999, "GS*FA*", "GS*HC*", 1), 422, "ACK_UNSUPPORTED", 2, 1},
		{"IK5 bad", "application/edi-x12", strings.Replace(rejected999, "IK5*R*I5", "IK5*Q", 1), 422, "ACK_ELEMENT_INVALID", 8, 1},
		{"truncated", "text/plain", rejected999[:len(rejected999)-40], 422, "TRUNCATED", 9, 0},
	} {
		w := h.call("POST", "/v1/acknowledgments", tc.ctype, tc.body)
		if w.Code != tc.status {
			t.Errorf("%s: %d %s", tc.name, w.Code, w.Body)
			continue
		}
		p := decodeProblem(t, w)
		if tc.code == "" {
			continue
		}
		if len(p.Errors) != 1 || p.Errors[0].Code != tc.code || p.Errors[0].SegmentNumber != tc.segment || elementOf(t, w) != tc.element {
			t.Errorf("%s: %s", tc.name, w.Body)
		}
	}
}

// elementOf is the element position of the first error of a problem.
func elementOf(t *testing.T, w *httptest.ResponseRecorder) int {
	t.Helper()
	var p struct {
		Errors []struct {
			Element int `json:"element"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || len(p.Errors) == 0 {
		t.Fatalf("%s: %v", w.Body, err)
	}
	return p.Errors[0].Element
}

// POST /v1/x12/validate with Accept: application/edi-x12 answers the 999
// (the TA1 for an unusable envelope), our numbers from the store's counter
// for the tenant.
func TestValidateAcceptX12(t *testing.T) {
	h := storeHarnessOf(t, app.DirProfiles("", "default")) // numbers from the store
	self := mustString(t, "../../testdata/837d/self.x12")
	for i, tc := range []struct {
		body, kind, valid, want string
	}{
		{self, "999", "true", "IK5*A~"},
		{mustString(t, "../../testdata/x12/broken/wrong_se01.x12"), "999", "false", "IK5*R*4~"},
		{mustString(t, "../../testdata/x12/broken/truncated.x12"), "TA1", "false", "TA1*000001003*261127*1000*R*023~"},
	} {
		w := h.call("POST", "/v1/x12/validate", "application/edi-x12", tc.body, "Accept", "application/edi-x12")
		if w.Code != 200 || w.Header().Get("Content-Type") != "application/edi-x12" ||
			w.Header().Get("Casebridge-Acknowledgment") != tc.kind || w.Header().Get("Casebridge-Valid") != tc.valid {
			t.Fatalf("%d: %d %v %s", i, w.Code, w.Header(), w.Body)
		}
		if !strings.Contains(w.Body.String(), tc.want) || !strings.Contains(w.Body.String(), "*00000000"+string(rune('1'+i))+"*0*T*:~") {
			t.Errorf("%d: %s", i, w.Body)
		}
	}
	// the report is still the default
	if w := h.call("POST", "/v1/x12/validate", "application/edi-x12", self); !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Errorf("without Accept: %v", w.Header())
	}
	w := h.call("POST", "/v1/x12/validate", "application/edi-x12", "hello", "Accept", "application/edi-x12")
	if w.Code != 400 || decodeProblem(t, w).Errors[0].Code != "X12_UNREADABLE" {
		t.Errorf("not X12: %d %s", w.Code, w.Body)
	}
}

// jsonEqual compares two JSON documents by value.
func jsonEqual(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		t.Fatalf("%v: %s", err, a)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return reflect.DeepEqual(x, y)
}
