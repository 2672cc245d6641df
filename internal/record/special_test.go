package record

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// TestSpecialNeverMisses: special reports every eight bytes holding a
// quote, a backslash, a control byte or a non-ASCII byte (it may report
// more: str then reads them one by one).
func TestSpecialNeverMisses(t *testing.T) {
	rng := rand.New(rand.NewPCG(34, 92))
	interesting := []byte{0, 0x1f, 0x20, 0x21, '"', '#', '\\', 0x5b, 0x5d, 0x7e, 0x7f, 0x80, 0xff, 'a', '0'}
	var b [8]byte
	for n := 0; n < 200000; n++ {
		for i := range b {
			if rng.IntN(2) == 0 {
				b[i] = interesting[rng.IntN(len(interesting))]
			} else {
				b[i] = byte(0x20 + rng.IntN(0x60))
			}
		}
		want := false
		for _, c := range b {
			want = want || c == '"' || c == '\\' || c < 0x20 || c >= 0x80
		}
		if got := special(binary.LittleEndian.Uint64(b[:])); want && !got {
			t.Fatalf("%q: special misses it", b)
		}
	}
	if special(binary.LittleEndian.Uint64([]byte("Sunrise "))) {
		t.Error("plain text reported")
	}
}
