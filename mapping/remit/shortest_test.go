package remit

import (
	"testing"

	"github.com/casebridge/casebridge/internal/money"
)

// TestShortestDecimal holds the quantity fast path to money's X12 form.
func TestShortestDecimal(t *testing.T) {
	in := []string{"0", "-0", "1", "10", "01", "1.0", "1.5", "1.50", "-1.5", "-0.5", "0.5", "0.0", "-0.0", ".5", "5.", "-",
		"123456789012345678", "1234567890123456789", "1e5", "+1", "1.05", "100.001", "-100", "00", "0.00001", "1..2", "1.2.3"}
	for a := 0; a < 2000; a++ {
		in = append(in, money.FromInt(int64(a-1000)).X12())
	}
	for _, v := range in {
		if !shortestDecimal(v) {
			continue
		}
		a, err := money.Parse(v)
		if err != nil || a.X12() != v {
			t.Errorf("%q: fast path, but X12 is %q (%v)", v, a.X12(), err)
		}
	}
	for _, v := range []string{"1", "12.5", "-3.01", "0", "0.5"} {
		if !shortestDecimal(v) {
			t.Errorf("%q not on the fast path", v)
		}
	}
}
