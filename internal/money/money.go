// Package money holds exact decimal amounts for claims and remittances.
// Amounts are never float64: they are read from and written to text.
//
// An amount is a coefficient and a decimal exponent (85.50 is 8550e-2: the
// places written are kept, as shopspring/decimal keeps them). Coefficients
// of up to 18 digits live in an int64 with no allocation; anything larger,
// and Div, go through shopspring/decimal. Both paths give the same values,
// exponents and text.
package money

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Amount is an exact decimal amount of money. The zero value is 0.
type Amount struct {
	c   int64            // coefficient, |c| <= maxSmall, when big == nil
	e   int32            // exponent (<= 0 on the small path)
	big *decimal.Decimal // the value when it does not fit the small path
}

// Zero is 0.
var Zero = Amount{}

// ErrSyntax is returned for text that is not a plain decimal number.
var ErrSyntax = errors.New("not a decimal amount")

const maxSmall = 999_999_999_999_999_999 // 18 digits

var pow10 = func() [19]int64 {
	var p [19]int64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// Parse reads a plain decimal: optional '-', digits, optional '.' and digits.
// No exponent, no '+', no thousands separators.
func Parse(s string) (Amount, error) {
	if a, ok := parseFast(s); ok {
		return a, nil
	}
	if !plain(s) {
		return Amount{}, ErrSyntax
	}
	if a, ok := parseSmall(s); ok {
		return a, nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return Amount{}, ErrSyntax
	}
	return fromDecimal(d), nil
}

// parseFast is plain and parseSmall in one pass for the common case:
// "-ddd.ddd" with digits on both sides of an optional dot and at most 18
// digits. Anything else (also anything invalid) returns false and takes
// the checked path.
func parseFast(s string) (Amount, bool) {
	neg := false
	if len(s) > 0 && s[0] == '-' {
		neg, s = true, s[1:]
	}
	if len(s) == 0 || len(s) > 19 {
		return Amount{}, false
	}
	// The integer digits, then the fraction's: no per-digit test of
	// whether the dot was seen.
	var c int64
	i := 0
	for ; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			break
		}
		c = c*10 + int64(d)
	}
	exp := int32(0)
	digits := i
	if i < len(s) {
		if s[i] != '.' || i == 0 || i == len(s)-1 {
			return Amount{}, false
		}
		for j := i + 1; j < len(s); j++ {
			d := s[j] - '0'
			if d > 9 {
				return Amount{}, false
			}
			c = c*10 + int64(d)
		}
		exp = -int32(len(s) - 1 - i)
		digits = len(s) - 1
	}
	if digits > 18 {
		return Amount{}, false
	}
	if neg {
		c = -c
	}
	return Amount{c: c, e: exp}, true
}

// parseSmall reads "-ddd.ddd" with digits on both sides of an optional dot
// and at most 18 digits; other plain forms take the decimal path.
func parseSmall(s string) (Amount, bool) {
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	var c int64
	digits, exp := 0, int32(0)
	dot := -1
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch == '.' {
			dot = i
			continue
		}
		c = c*10 + int64(ch-'0')
		digits++
		if dot >= 0 {
			exp--
		}
	}
	if digits > 18 || dot == 0 || dot == len(s)-1 {
		return Amount{}, false
	}
	if neg {
		c = -c
	}
	return Amount{c: c, e: exp}, true
}

// fromDecimal keeps d on the small path when it fits.
func fromDecimal(d decimal.Decimal) Amount {
	if e := d.Exponent(); e <= 0 && e > -19 {
		co := d.Coefficient()
		if co.IsInt64() {
			if c := co.Int64(); c <= maxSmall && c >= -maxSmall {
				return Amount{c: c, e: e}
			}
		}
	}
	return Amount{big: &d}
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
func FromInt(n int64) Amount {
	if n <= maxSmall && n >= -maxSmall {
		return Amount{c: n}
	}
	return fromDecimal(decimal.NewFromInt(n))
}

// Decimal returns the amount as a shopspring decimal.
func (a Amount) Decimal() decimal.Decimal {
	if a.big != nil {
		return *a.big
	}
	return decimal.New(a.c, a.e)
}

// aligned returns both coefficients at the smaller exponent; ok is false
// when one would leave the small path.
func aligned(a, b Amount) (x, y int64, e int32, ok bool) {
	if a.big != nil || b.big != nil {
		return 0, 0, 0, false
	}
	x, y, e = a.c, b.c, a.e
	switch {
	case a.e > b.e:
		k := a.e - b.e
		if k > 18 || x > maxSmall/pow10[k] || x < -maxSmall/pow10[k] {
			return 0, 0, 0, false
		}
		x *= pow10[k]
		e = b.e
	case b.e > a.e:
		k := b.e - a.e
		if k > 18 || y > maxSmall/pow10[k] || y < -maxSmall/pow10[k] {
			return 0, 0, 0, false
		}
		y *= pow10[k]
	}
	return x, y, e, true
}

func small(c int64, e int32) (Amount, bool) {
	if c > maxSmall || c < -maxSmall {
		return Amount{}, false
	}
	return Amount{c: c, e: e}, true
}

func (a Amount) Add(b Amount) Amount {
	if x, y, e, ok := aligned(a, b); ok {
		if r, ok := small(x+y, e); ok {
			return r
		}
	}
	return fromDecimal(a.Decimal().Add(b.Decimal()))
}

func (a Amount) Sub(b Amount) Amount {
	if x, y, e, ok := aligned(a, b); ok {
		if r, ok := small(x-y, e); ok {
			return r
		}
	}
	return fromDecimal(a.Decimal().Sub(b.Decimal()))
}

func (a Amount) Neg() Amount {
	if a.big == nil {
		return Amount{c: -a.c, e: a.e}
	}
	return fromDecimal(a.big.Neg())
}

func (a Amount) Mul(b Amount) Amount {
	if a.big == nil && b.big == nil && a.e+b.e > -19 {
		if a.c == 0 || b.c == 0 {
			return Amount{c: 0, e: a.e + b.e}
		}
		p := a.c * b.c
		if p/b.c == a.c && p <= maxSmall && p >= -maxSmall {
			return Amount{c: p, e: a.e + b.e}
		}
	}
	return fromDecimal(a.Decimal().Mul(b.Decimal()))
}

func (a Amount) Cmp(b Amount) int {
	if x, y, _, ok := aligned(a, b); ok {
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	return a.Decimal().Cmp(b.Decimal())
}

func (a Amount) Equal(b Amount) bool { return a.Cmp(b) == 0 }

func (a Amount) IsZero() bool { return a.Sign() == 0 }

func (a Amount) Sign() int {
	if a.big != nil {
		return a.big.Sign()
	}
	switch {
	case a.c < 0:
		return -1
	case a.c > 0:
		return 1
	}
	return 0
}

// Div divides exactly: ok is false when the quotient is not a finite decimal
// with at most 10 places (so "unitPrice = net / units" is only given when exact).
func (a Amount) Div(b Amount) (Amount, bool) {
	bd := b.Decimal()
	if bd.IsZero() {
		return Amount{}, false
	}
	ad := a.Decimal()
	q := ad.DivRound(bd, 10)
	if !q.Mul(bd).Equal(ad) {
		return Amount{}, false
	}
	return fromDecimal(q), true
}

// X12 is the shortest exact form: "85", "12.5", "-3.01". Never rounded.
func (a Amount) X12() string {
	if a.big != nil {
		return a.big.String()
	}
	return string(a.appendText(nil, 0, true))
}

// String is the report form: at least two decimal places, more when the
// amount has them ("85.00", "12.345").
func (a Amount) String() string {
	if a.big != nil {
		if a.big.Exponent() >= -2 {
			return a.big.StringFixed(2)
		}
		return a.big.String()
	}
	return string(a.AppendReport(nil))
}

// AppendReport appends String's text to b (no allocation on the small
// path).
func (a Amount) AppendReport(b []byte) []byte {
	if a.big != nil {
		return append(b, a.String()...)
	}
	if a.e >= -2 {
		if c := a.c; c < 1e16 && c > -1e16 {
			return appendCents(b, c*pow10[2+a.e])
		}
		return a.appendText(b, 2, false)
	}
	return a.appendText(b, 0, true)
}

// appendCents appends c hundredths with exactly two places ("-0.05",
// "85.00"): the report form of every amount with two places or fewer,
// written from the last digit, without strconv's intermediate digits.
func appendCents(b []byte, c int64) []byte {
	var buf [24]byte
	u := uint64(c)
	if c < 0 {
		u = uint64(-c)
	}
	i := len(buf) - 3
	buf[i+2] = byte('0' + u%10)
	u /= 10
	buf[i+1] = byte('0' + u%10)
	u /= 10
	buf[i] = '.'
	for {
		i--
		buf[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	if c < 0 {
		i--
		buf[i] = '-'
	}
	return append(b, buf[i:]...)
}

// appendText writes the small-path amount with at least minPlaces decimal
// places (its own places when it has more), trimming trailing fraction
// zeros when trim is set (shopspring's String).
func (a Amount) appendText(b []byte, minPlaces int, trim bool) []byte {
	c := a.c
	if c < 0 {
		b = append(b, '-')
		c = -c
	}
	places := int(-a.e)
	var digits [20]byte
	ds := strconv.AppendInt(digits[:0], c, 10)
	if places == 0 {
		b = append(b, ds...)
		if minPlaces > 0 {
			b = append(b, '.')
			for i := 0; i < minPlaces; i++ {
				b = append(b, '0')
			}
		}
		return b
	}
	var intPart, frac []byte
	if len(ds) > places {
		intPart, frac = ds[:len(ds)-places], ds[len(ds)-places:]
	} else {
		intPart = []byte{'0'}
		var pad [40]byte
		n := places - len(ds)
		for i := 0; i < n; i++ {
			pad[i] = '0'
		}
		frac = append(pad[:n], ds...)
	}
	if trim {
		for len(frac) > 0 && frac[len(frac)-1] == '0' {
			frac = frac[:len(frac)-1]
		}
	}
	b = append(b, intPart...)
	if len(frac) > 0 || minPlaces > 0 {
		b = append(b, '.')
		b = append(b, frac...)
		for i := len(frac); i < minPlaces; i++ {
			b = append(b, '0')
		}
	}
	return b
}

// MarshalJSON writes the report form as a JSON string.
func (a Amount) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 24)
	b = append(b, '"')
	b = a.AppendReport(b)
	return append(b, '"'), nil
}

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

// Parts returns a's coefficient and exponent (a = c × 10^e, e <= 0) when a
// is on the int64 path; ok is false otherwise.
func (a Amount) Parts() (c int64, e int32, ok bool) {
	if a.big != nil {
		return 0, 0, false
	}
	return a.c, a.e, true
}

// FromParts is c × 10^e for a coefficient and exponent Parts returned.
func FromParts(c int64, e int32) Amount {
	if a, ok := small(c, e); ok && e <= 0 {
		return a
	}
	return fromDecimal(decimal.New(c, e))
}
