package httpapi_test

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
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
