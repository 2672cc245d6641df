package httpapi_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/internal/claims"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/mapping/claim837"
)

// batchBody is NDJSON: the dependent record as B1, a line with an unknown
// field, the record as B2.
func batchBody(t *testing.T) string {
	t.Helper()
	data := mustString(t, "../../testdata/records/dependent.json")
	var v map[string]any
	if err := json.Unmarshal([]byte(data), &v); err != nil {
		t.Fatal(err)
	}
	line := func(id string) string {
		v["record_id"] = id
		b, _ := json.Marshal(v)
		return string(b)
	}
	return line("B1") + "\n" + `{"record_id":"BAD","colour":"red"}` + "\n" + line("B2") + "\n"
}

func TestClaimBatchX12(t *testing.T) {
	h := newHarness(t)
	w := h.do("POST", "/v1/claims/batch?at=2026-11-27T10:00:00Z", "application/x-ndjson", "", strings.NewReader(batchBody(t)))
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/edi-x12" {
		t.Fatalf("%d %s: %s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	if w.Header().Get("Casebridge-Accepted") != "2" || w.Header().Get("Casebridge-Refused") != "1" || w.Header().Get("Casebridge-Control-Number") != "000000042" {
		t.Errorf("headers %v", w.Header())
	}
	var ids []string
	if err := claim837.Read(bytes.NewReader(w.Body.Bytes()), func(r *record.Record) error { ids = append(ids, r.RecordID); return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(ids, ",") != "B1,B2" {
		t.Errorf("claims %v", ids)
	}
	if strings.Contains(h.log.String(), "NGUYEN") || strings.Contains(h.log.String(), "Nguyen") {
		t.Errorf("log holds PHI: %s", h.log)
	}
}

func TestClaimBatchJSON(t *testing.T) {
	w := newHarness(t).do("POST", "/v1/claims/batch?control_number=9&at=2026-11-27T10:00:00Z", "application/x-ndjson", "application/json", strings.NewReader(batchBody(t)))
	if w.Code != 200 {
		t.Fatalf("%d: %s", w.Code, w.Body)
	}
	var got struct {
		X12 string `json:"x12"`
		claims.BatchResult
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got.X12, "ISA*") || len(got.Accepted) != 2 || got.Accepted[1].Line != 3 || got.Accepted[1].Transaction != "0001" ||
		len(got.Refused) != 1 || got.Refused[0].Line != 2 || got.Refused[0].RecordID != "BAD" || got.Refused[0].Problems[0].Pointer != "/colour" ||
		got.ControlNumbers == nil || got.ControlNumbers.Interchange != "000000009" {
		t.Errorf("answer %+v", got.BatchResult)
	}
}

func TestClaimBatchErrors(t *testing.T) {
	h := newHarness(t)
	w := h.do("POST", "/v1/claims/batch", "application/x-ndjson", "", strings.NewReader("{}\nnot json\n"))
	p := decodeProblem(t, w)
	if w.Code != 422 || p.Errors[0].Code != "BATCH_NO_VALID_RECORD" {
		t.Errorf("nothing valid: %d %+v", w.Code, p)
	}
	var ext struct {
		Refused []claims.Refused `json:"refused"`
	}
	json.Unmarshal(w.Body.Bytes(), &ext)
	if len(ext.Refused) != 2 || ext.Refused[0].Line != 1 || ext.Refused[1].Line != 2 || ext.Refused[1].Problems[0].Code != "JSON_SYNTAX" {
		t.Errorf("refused %+v", ext.Refused)
	}
	w = h.do("POST", "/v1/claims/batch", "application/x-ndjson", "", strings.NewReader("\n\n"))
	if p := decodeProblem(t, w); w.Code != 422 || p.Errors[0].Code != "BATCH_EMPTY" {
		t.Errorf("empty: %d %+v", w.Code, p)
	}
	if w := h.do("POST", "/v1/claims/batch", "application/json", "", strings.NewReader(batchBody(t))); w.Code != 415 {
		t.Errorf("JSON body: %d", w.Code)
	}
	if w := h.do("POST", "/v1/claims/batch?usage=X", "application/x-ndjson", "", strings.NewReader(batchBody(t))); w.Code != 400 {
		t.Errorf("bad usage: %d", w.Code)
	}
	if w := h.do("POST", "/v1/claims/batch", "application/x-ndjson", "", strings.NewReader(strings.Repeat(batchBody(t), 40))); w.Code != 413 {
		t.Errorf("over the body limit: %d", w.Code)
	}
}
