package httpapi_test

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
)

// POST /v1/x12/validate: 200 with the report whether the file is valid or
// not (the same JSON as casebridge validate --format json and the golden
// reports); 400 for a bad ?snip= or a body that is not X12; 415; 413.
func TestValidateX12Route(t *testing.T) {
	type rep struct {
		Valid    bool  `json:"valid"`
		Types    []int `json:"snip_types"`
		Unusable bool  `json:"envelope_unusable"`
		Issues   []struct {
			Code      string `json:"code"`
			Segment   int    `json:"segment"`
			SegmentID string `json:"segment_id"`
			Element   int    `json:"element"`
			IK4       string `json:"ik4_error_code"`
			TA1       string `json:"ta1_note_code"`
		} `json:"issues"`
	}
	cases := []struct {
		name, query, ctype, file string
		status                   int
		valid                    bool
		first                    string // code@segment
	}{
		{"valid", "", "application/edi-x12", "../../testdata/837d/self.x12", 200, true, ""},
		{"bad date", "", "text/plain", "../../testdata/x12/broken/bad_date.x12", 200, false, "INVALID_DATE@32"},
		{"only SNIP 2", "?snip=2", "application/edi-x12", "../../testdata/x12/broken/bad_date.x12", 200, true, ""},
		{"ISA not 106", "?snip=1", "application/edi-x12", "../../testdata/x12/broken/isa_not_106.x12", 200, false, "ISA_INVALID@1"},
		{"a 999", "", "application/edi-x12", "../../testdata/x12/imsweb_999_rejected.x12", 200, true, ""},
	}
	h := newHarness(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := h.do("POST", "/v1/x12/validate"+tc.query, tc.ctype, "", strings.NewReader(mustString(t, tc.file)))
			if w.Code != tc.status {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("content type %s", ct)
			}
			var r rep
			if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
				t.Fatal(err)
			}
			if r.Valid != tc.valid {
				t.Fatalf("valid %v: %s", r.Valid, w.Body)
			}
			if tc.first != "" {
				var first string
				for _, is := range r.Issues {
					first = is.Code + "@" + strconv.Itoa(is.Segment)
					break
				}
				if first != tc.first {
					t.Errorf("first issue %s, want %s", first, tc.first)
				}
			}
		})
	}
	// the report is the golden one (same use case as the CLI)
	w := h.do("POST", "/v1/x12/validate", "application/edi-x12", "", strings.NewReader(mustString(t, "../../testdata/x12/broken/sixth_nte.x12")))
	want, err := os.ReadFile("../../testdata/x12/broken/sixth_nte.report.json")
	if err != nil {
		t.Fatal(err)
	}
	var got, wantV any
	_ = json.Unmarshal(w.Body.Bytes(), &got)
	_ = json.Unmarshal(want, &wantV)
	g, _ := json.Marshal(got)
	wb, _ := json.Marshal(wantV)
	if string(g) != string(wb) {
		t.Errorf("report differs from the golden report:\n%s\n%s", g, wb)
	}
}

func TestValidateX12RouteErrors(t *testing.T) {
	cases := []struct {
		name, query, ctype, body string
		status                   int
		code                     string
	}{
		{"not X12", "", "application/edi-x12", "hello", 400, "X12_UNREADABLE"},
		{"empty", "", "application/edi-x12", "", 400, "X12_UNREADABLE"},
		{"bad snip", "?snip=6", "application/edi-x12", "ISA", 400, "QUERY_PARAMETER"},
		{"bad profile", "?profile=../etc", "application/edi-x12", "ISA", 400, "QUERY_PARAMETER"},
		{"json", "", "application/json", "{}", 415, "CONTENT_TYPE"},
		{"too large", "", "application/edi-x12", strings.Repeat("ISA*00*", 20000), 413, ""},
	}
	h := newHarness(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := h.do("POST", "/v1/x12/validate"+tc.query, tc.ctype, "", strings.NewReader(tc.body))
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			p := decodeProblem(t, w)
			if tc.code != "" && (len(p.Errors) == 0 || p.Errors[0].Code != tc.code) {
				t.Errorf("errors %+v, want %s", p.Errors, tc.code)
			}
		})
	}
}
