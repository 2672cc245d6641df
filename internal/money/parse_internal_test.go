package money

import "testing"

// TestParseFastAgrees holds the one-pass path to plain + parseSmall.
func TestParseFastAgrees(t *testing.T) {
	for _, s := range []string{"", "-", "0", "-0", "1", "1.", ".5", "-.5", "12.34", "-12.340", "1.2.3", "1-2", "+1", "1e5",
		"123456789012345678", "1234567890123456789", "-123456789012345678", "12345678901234567.8", "1234567890123456789.0",
		"00012", "0.000", " 1", "1 ", "9.99", "--1", "..", "٣"} {
		a, ok := parseFast(s)
		if !ok {
			continue
		}
		b, ok2 := Amount{}, plain(s)
		if ok2 {
			b, ok2 = parseSmall(s)
		}
		if !ok2 || a != b {
			t.Errorf("%q: parseFast %v, plain+parseSmall %v %v", s, a, b, ok2)
		}
	}
}
