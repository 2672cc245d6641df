package money_test

import (
	"encoding/json"
	"testing"

	"github.com/casebridge/casebridge/internal/money"
)

func TestParseAndFormat(t *testing.T) {
	tests := []struct{ in, x12, report string }{
		{"85", "85", "85.00"},
		{"85.00", "85", "85.00"},
		{"12.5", "12.5", "12.50"},
		{"12.345", "12.345", "12.345"},
		{"-3.01", "-3.01", "-3.01"},
		{"0", "0", "0.00"},
		{"0.10", "0.1", "0.10"},
	}
	for _, tc := range tests {
		a, err := money.Parse(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if a.X12() != tc.x12 || a.String() != tc.report {
			t.Errorf("%s: X12 %s String %s, want %s %s", tc.in, a.X12(), a.String(), tc.x12, tc.report)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{"", "-", ".", "1e3", "+1", "1,000", "1.2.3", " 1", "NaN", "0x10", "--1"} {
		if _, err := money.Parse(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestExactArithmetic(t *testing.T) {
	sum := money.Zero
	for i := 0; i < 10; i++ {
		sum = sum.Add(money.MustParse("0.1"))
	}
	if !sum.Equal(money.MustParse("1")) {
		t.Errorf("0.1 × 10 = %s", sum)
	}
	if q, ok := money.MustParse("100").Div(money.MustParse("3")); ok {
		t.Errorf("100/3 = %s reported exact", q)
	}
	if q, ok := money.MustParse("87.5").Div(money.MustParse("2")); !ok || q.X12() != "43.75" {
		t.Errorf("87.5/2 = %s %v", q, ok)
	}
}

func TestJSON(t *testing.T) {
	var v struct{ A, B money.Amount }
	if err := json.Unmarshal([]byte(`{"A": 12.50, "B": "7"}`), &v); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(v)
	if string(out) != `{"A":"12.50","B":"7.00"}` {
		t.Errorf("got %s", out)
	}
	if err := json.Unmarshal([]byte(`{"A": true}`), &v); err == nil {
		t.Error("bool accepted as money")
	}
}
