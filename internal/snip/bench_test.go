package snip

import (
	"bytes"
	"testing"

	"github.com/casebridge/casebridge/internal/gen835"
)

// BenchmarkValidate835 validates a generated 835 (internal/gen835: 4 sets
// of 2,500 claims, about 10 MB) with every engine type; go test -bench
// reports MB/s.
func BenchmarkValidate835(b *testing.B) {
	var buf bytes.Buffer
	if _, err := gen835.Write(&buf, gen835.Config{Sets: 4, ClaimsPerSet: 2500, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	rep, err := Validate(bytes.NewReader(data), Options{})
	if err != nil {
		b.Fatal(err)
	}
	// gen835 writes no PER*BL (required in 1000A by X221A1): one issue a
	// set, and nothing else.
	if len(rep.Issues) != 4 || rep.Issues[0].Code != CodeSegmentRequiredMissing {
		b.Fatalf("generated 835: %d issues, first %+v", len(rep.Issues), rep.Issues[0])
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := Validate(bytes.NewReader(data), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
