// Package money holds exact decimal amounts for claims and remittances.
// Amounts are never float64: they are read from and written to text.
package money

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Amount is an exact decimal amount of money. The zero value is 0.
type Amount struct{ d decimal.Decimal }

// Zero is 0.
var Zero = Amount{}

// ErrSyntax is returned for text that is not a plain decimal number.
var ErrSyntax = errors.New("not a decimal amount")

// Parse reads a plain decimal: optional '-', digits, optional '.' and digits.
// No exponent, no '+', no thousands separators.
func Parse(s string) (Amount, error) {
	if !plain(s) {
		return Amount{}, ErrSyntax
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return Amount{}, ErrSyntax
	}
	return Amount{d}, nil
}

// MustParse is Parse for constants in tests and tables.
func MustParse(s string) Amount {
	a, err := Parse(s)
	if err != nil {
		panic(fmt.Sprintf("money.MustParse(%q): %v", s, err))
	}
	return a
}

func plain(s string) bool {
	if strings.HasPrefix(s, "-") {
		s = s[1:]
	}
	if s == "" || len(s) > 40 {
		return false
	}
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// FromInt returns n whole units.
func FromInt(n int64) Amount { return Amount{decimal.NewFromInt(n)} }

func (a Amount) Add(b Amount) Amount      { return Amount{a.d.Add(b.d)} }
func (a Amount) Sub(b Amount) Amount      { return Amount{a.d.Sub(b.d)} }
func (a Amount) Neg() Amount              { return Amount{a.d.Neg()} }
func (a Amount) Mul(b Amount) Amount      { return Amount{a.d.Mul(b.d)} }
func (a Amount) Cmp(b Amount) int         { return a.d.Cmp(b.d) }
func (a Amount) Equal(b Amount) bool      { return a.d.Equal(b.d) }
func (a Amount) IsZero() bool             { return a.d.IsZero() }
func (a Amount) Sign() int                { return a.d.Sign() }
func (a Amount) Decimal() decimal.Decimal { return a.d }

// Div divides exactly: ok is false when the quotient is not a finite decimal
// with at most 10 places (so "unitPrice = net / units" is only given when exact).
func (a Amount) Div(b Amount) (Amount, bool) {
	if b.d.IsZero() {
		return Amount{}, false
	}
	q := a.d.DivRound(b.d, 10)
	if !q.Mul(b.d).Equal(a.d) {
		return Amount{}, false
	}
	return Amount{q}, true
}

// X12 is the shortest exact form: "85", "12.5", "-3.01". Never rounded.
func (a Amount) X12() string { return x12String(a.d) }

// String is the report form: at least two decimal places, more when the
// amount has them ("85.00", "12.345").
func (a Amount) String() string {
	if a.d.Exponent() >= -2 {
		return a.d.StringFixed(2)
	}
	return a.d.String()
}

// MarshalJSON writes the report form as a JSON string.
func (a Amount) MarshalJSON() ([]byte, error) { return json.Marshal(a.String()) }

// UnmarshalJSON accepts a JSON string ("85.00") or a JSON number (85), read
// as text, never through float64.
func (a *Amount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return ErrSyntax
		}
		b = []byte(s)
	}
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}
