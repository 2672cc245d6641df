package money

import (
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// TestX12StringIsDecimalString holds the fast formatting to the library's.
func TestX12StringIsDecimalString(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 5))
	check := func(d decimal.Decimal) {
		a := fromDecimal(d)
		if got, want := string(a.AppendX12([]byte("x"))), "x"+d.String(); got != want {
			t.Fatalf("AppendX12 %v: %q, want %q", d, got, want)
		}
		if got, want := a.X12(), d.String(); got != want {
			t.Fatalf("%v (coefficient %v exponent %d): %q, want %q", d, d.Coefficient(), d.Exponent(), got, want)
		}
	}
	for _, s := range []string{"0", "0.00", "-0.50", "85", "85.00", "87.5", "0.1", "0.001", "-3.01", "100", "1000.000", "999999999999999999",
		"9999999999999999999", "0.000000000000000001", "0.0000000000000000001", "123456789012345678.5", "-922337203685477580.8"} {
		d, err := decimal.NewFromString(s)
		if err != nil {
			t.Fatal(err)
		}
		check(d)
	}
	for range 100000 {
		v := rng.Int64N(1<<62) - 1<<61
		if rng.IntN(3) == 0 {
			v %= 100000
		}
		check(decimal.New(v, int32(rng.IntN(24)-20)))
	}
}
