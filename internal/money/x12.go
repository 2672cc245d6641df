package money

// AppendX12 appends the X12 form of a (what X12 returns) to b, without an
// allocation on the small path.
func (a Amount) AppendX12(b []byte) []byte {
	if a.big != nil {
		return append(b, a.big.String()...)
	}
	return a.appendText(b, 0, true)
}
