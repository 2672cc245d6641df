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

// TestAppendCentsAgrees holds AppendReport's two-place fast path to the
// general appendText it skips.
func TestAppendCentsAgrees(t *testing.T) {
	for _, c := range []int64{0, 1, -1, 5, -5, 99, 100, -100, 12345, -12345, 1e15 + 7, -(1e16 - 1), 1e16 - 1} {
		for e := int32(0); e >= -2; e-- {
			a := Amount{c: c, e: e}
			got := string(a.AppendReport([]byte("x")))
			want := "x" + string(a.appendText(nil, 2, false))
			if got != want {
				t.Errorf("%d e%d: %q, appendText %q", c, e, got, want)
			}
		}
	}
}
