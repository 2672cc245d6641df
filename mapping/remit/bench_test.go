package remit_test

import (
	"bytes"
	"github.com/casebridge/casebridge/internal/cpuclock"
	"testing"

	"github.com/casebridge/casebridge/internal/gen835"
	"github.com/casebridge/casebridge/mapping/remit"
)

// discard is a Sink that drops the findings (what the ≥150 MB/s target of
// issue 8 measures: every segment read, classified, balanced).
type discard struct{ claims int }

func (d *discard) BeginRemittance(*remit.Remittance) error           { return nil }
func (d *discard) Claim(*remit.Remittance, *remit.ClaimReport) error { d.claims++; return nil }
func (d *discard) EndRemittance(*remit.Remittance) error             { return nil }
func (d *discard) End([]remit.Warning, remit.Summary) error          { return nil }

var benchData = map[gen835.Config][]byte{}

func genBytes(b *testing.B, cfg gen835.Config) []byte {
	if d, ok := benchData[cfg]; ok {
		return d
	}
	var buf bytes.Buffer
	if _, err := gen835.Write(&buf, cfg); err != nil {
		b.Fatal(err)
	}
	benchData[cfg] = buf.Bytes()
	return buf.Bytes()
}

// benchFindings runs Findings over a generated file into sink.
func benchFindings(b *testing.B, cfg gen835.Config, sink func() remit.Sink) {
	data := genBytes(b, cfg)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	claims := 0
	clock := cpuclock.Start(b)
	for b.Loop() {
		s := sink()
		if err := remit.Findings(bytes.NewReader(data), remit.Options{}, s); err != nil {
			b.Fatal(err)
		}
		if d, ok := s.(*discard); ok {
			claims = d.claims
		}
	}
	clock.Report(b, len(data))
	if claims > 0 {
		b.ReportMetric(float64(claims)*float64(b.N)/b.Elapsed().Seconds(), "claims/s")
	}
}

var (
	oneSet   = gen835.Config{Sets: 1, ClaimsPerSet: 20000, Seed: 1}
	manySets = gen835.Config{Sets: 200, ClaimsPerSet: 100, Seed: 2}
)

func BenchmarkFindings(b *testing.B) {
	b.Run("one-set", func(b *testing.B) { benchFindings(b, oneSet, func() remit.Sink { return &discard{} }) })
	b.Run("many-sets", func(b *testing.B) { benchFindings(b, manySets, func() remit.Sink { return &discard{} }) })
}

func BenchmarkFindingsJSON(b *testing.B) {
	var out bytes.Buffer
	// Room for the indented report (~10 bytes a byte read) up front: the
	// buffer's growth is not the writers' cost, and it dominated runs of
	// one or a few iterations.
	out.Grow(12 * len(genBytes(b, oneSet)))
	b.Run("json", func(b *testing.B) {
		benchFindings(b, oneSet, func() remit.Sink { out.Reset(); return flushing{remit.NewJSONWriter(&out, true)} })
	})
	b.Run("ndjson", func(b *testing.B) {
		benchFindings(b, oneSet, func() remit.Sink { out.Reset(); return flushing{remit.NewNDJSONWriter(&out)} })
	})
}

// flushing flushes the writer at End.
type flushing struct {
	w interface {
		remit.Sink
		Flush() error
	}
}

func (f flushing) BeginRemittance(r *remit.Remittance) error { return f.w.BeginRemittance(r) }
func (f flushing) Claim(r *remit.Remittance, c *remit.ClaimReport) error {
	return f.w.Claim(r, c)
}
func (f flushing) EndRemittance(r *remit.Remittance) error { return f.w.EndRemittance(r) }
func (f flushing) End(ws []remit.Warning, s remit.Summary) error {
	if err := f.w.End(ws, s); err != nil {
		return err
	}
	return f.w.Flush()
}
