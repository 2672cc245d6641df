package money_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/casebridge/casebridge/internal/money"
)

// ref is the shopspring/decimal behaviour the small path must reproduce.
func refString(d decimal.Decimal) string {
	if d.Exponent() >= -2 {
		return d.StringFixed(2)
	}
	return d.String()
}

func randAmount(r *rand.Rand) string {
	var b strings.Builder
	if r.IntN(3) == 0 {
		b.WriteByte('-')
	}
	n := 1 + r.IntN(22)
	if r.IntN(4) > 0 {
		n = 1 + r.IntN(7)
	}
	for i := 0; i < n; i++ {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	switch r.IntN(4) {
	case 0:
	case 1:
		b.WriteByte('.')
	default:
		b.WriteByte('.')
		for i := r.IntN(6); i >= 0; i-- {
			b.WriteByte(byte('0' + r.IntN(10)))
		}
	}
	return b.String()
}

// TestSmallPathMatchesDecimal compares every operation with shopspring's
// on random amounts, including ones past 18 digits and trailing dots.
func TestSmallPathMatchesDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		sa, sb := randAmount(r), randAmount(r)
		a, err := money.Parse(sa)
		if err != nil {
			t.Fatalf("%q: %v", sa, err)
		}
		b := money.MustParse(sb)
		da, db := decimal.RequireFromString(sa), decimal.RequireFromString(sb)
		check := func(op string, got money.Amount, want decimal.Decimal) {
			t.Helper()
			if got.X12() != want.String() || got.String() != refString(want) || got.Decimal().Exponent() != want.Exponent() || !got.Decimal().Equal(want) {
				t.Fatalf("%s %s %s: got %s/%s exp %d, want %s/%s exp %d", sa, op, sb, got.X12(), got, got.Decimal().Exponent(), want.String(), refString(want), want.Exponent())
			}
			if j, _ := got.MarshalJSON(); string(j) != `"`+refString(want)+`"` {
				t.Fatalf("%s %s %s: JSON %s", sa, op, sb, j)
			}
		}
		check("id", a, da)
		check("+", a.Add(b), da.Add(db))
		check("-", a.Sub(b), da.Sub(db))
		check("neg", a.Neg(), da.Neg())
		check("*", a.Mul(b), da.Mul(db))
		if a.Cmp(b) != da.Cmp(db) || a.Sign() != da.Sign() || a.IsZero() != da.IsZero() || a.Equal(b) != da.Equal(db) {
			t.Fatalf("%s cmp %s", sa, sb)
		}
	}
}
