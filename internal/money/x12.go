package money

import (
	"strconv"

	"github.com/shopspring/decimal"
)

// pow10 are the powers of ten up to 10^18.
var pow10 = func() (p [19]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return
}()

// x12String is d.String() (the shortest exact form, trailing fraction
// zeros dropped) without big-integer formatting for amounts whose
// coefficient fits in 18 digits: every claim amount.
func x12String(d decimal.Decimal) string {
	var b [48]byte
	return string(appendX12(b[:0], d))
}

// AppendX12 appends the X12 form of a (what X12 returns) to b.
func (a Amount) AppendX12(b []byte) []byte { return appendX12(b, a.d) }

func appendX12(out []byte, d decimal.Decimal) []byte {
	exp := d.Exponent()
	if exp > 0 || exp < -18 || d.NumDigits() > 18 {
		return append(out, d.String()...)
	}
	v := d.CoefficientInt64()
	if exp == 0 {
		return strconv.AppendInt(out, v, 10)
	}
	u := uint64(v)
	if v < 0 {
		out = append(out, '-')
		u = uint64(-v)
	}
	places := int(-exp)
	ip, fp := u/pow10[places], u%pow10[places]
	for places > 0 && fp%10 == 0 {
		fp /= 10
		places--
	}
	out = strconv.AppendUint(out, ip, 10)
	if places > 0 {
		out = append(out, '.')
		var b [20]byte
		digits := strconv.AppendUint(b[:0], fp, 10)
		for i := len(digits); i < places; i++ {
			out = append(out, '0')
		}
		out = append(out, digits...)
	}
	return out
}
