package remit_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"testing"

	"github.com/casebridge/casebridge/internal/gen835"
	"github.com/casebridge/casebridge/mapping/remit"
)

// farReversals is a set of n denied claims (every third with two denial
// categories, whose totals do not pack into one record), then a reversal
// of every even one, in reverse order, so that each original sits far
// behind its reversal.
func farReversals(n int) string {
	var seg []string
	for i := range n {
		seg = append(seg, fmt.Sprintf("CLP*A%d*4*100*0**12*ICN%d", i, i), "SVC*AD:D9997*100*0")
		if i%3 == 0 {
			seg = append(seg, "CAS*CO*16*60", "CAS*CO*197*40")
		} else {
			seg = append(seg, "CAS*CO*16*100")
		}
	}
	for i := n - 1; i >= 0; i-- {
		if i%2 == 0 {
			seg = append(seg, fmt.Sprintf("CLP*A%d*22*-100*0**12*ICN%d", i, i), "SVC*AD:D9997*-100*0", "CAS*CO*16*-100")
		}
	}
	return wrap(append([]string{"BPR*I*0*C*CHK************20261120", "TRN*1*T1*1999999999", "N1*PR*PLAN", "N1*PE*DENTIST*XX*1234567893", "LX*1"}, seg...)...)
}

// TestSpilledReversalsMatch: with the reversal rule's table spilling to
// its temporary file every few claims, the report (built whole and
// streamed as JSON and ndjson) is byte for byte the one kept in memory,
// and the far reversals did take their originals out of the summary.
func TestSpilledReversalsMatch(t *testing.T) {
	inputs := map[string][]byte{"far reversals": []byte(farReversals(400))}
	var buf bytes.Buffer
	if _, err := gen835.Write(&buf, gen835.Config{Sets: 3, ClaimsPerSet: 400, Seed: 9}); err != nil {
		t.Fatal(err)
	}
	inputs["generated"] = buf.Bytes()
	for name, data := range inputs {
		run := func() (rep *remit.Report, js, nd []byte) {
			rep, err := remit.BuildReport(bytes.NewReader(data), remit.Options{})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if js, err = streamJSON(t, data, true); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var out bytes.Buffer
			if _, err := remit.WriteFindings(bytes.NewReader(data), remit.Options{}, remit.NewNDJSONWriter(&out)); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return rep, js, out.Bytes()
		}
		wantRep, wantJS, wantND := run()
		restore := remit.SetCountedSpillAt(7)
		gotRep, gotJS, gotND := run()
		restore()
		a, _ := json.Marshal(wantRep)
		b, _ := json.Marshal(gotRep)
		if !bytes.Equal(a, b) || !bytes.Equal(wantJS, gotJS) || !bytes.Equal(wantND, gotND) {
			t.Errorf("%s: spilled report differs", name)
		}
		if name == "far reversals" {
			// 400 claims of 100 denied, 200 reversed: 200 x 100 stay.
			if s := gotRep.Summary; s.DeniedAmount.String() != "20000.00" || s.ByStatus[remit.StatusReversed] != 200 {
				t.Errorf("denied %s, %d reversed; want 20000.00, 200", s.DeniedAmount, s.ByStatus[remit.StatusReversed])
			}
		}
	}
}

// heapProbe samples the live heap at two claims of a streamed report.
type heapProbe struct {
	remit.Writer
	n, at1, at2 int
	h1, h2      uint64
}

func (p *heapProbe) Claim(rem *remit.Remittance, c *remit.ClaimReport) error {
	p.n++
	switch p.n {
	case p.at1:
		p.h1 = liveHeap()
	case p.at2:
		p.h2 = liveHeap()
	}
	return p.Writer.Claim(rem, c)
}

// TestSummaryMemoryBounded streams a generated 835 of 300,000 claims (some
// 40,000 of them denied, pended or forwarded, remembered for the reversal
// rule) with the table spilling every 4,096 remembered claims, and checks
// the live heap at claim 300,000 is within 256 KB of the heap at claim
// 30,000. Kept in memory (as before spill.go) the record grew by ~1 MB.
func TestSummaryMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("streams ~110 MB")
	}
	defer remit.SetCountedSpillAt(4096)()
	in, record := genFile(t, gen835.Config{Sets: 1, ClaimsPerSet: 300000, Seed: 8})
	p := &heapProbe{Writer: remit.NewNDJSONWriter(io.Discard), at1: 30000, at2: 300000}
	tot, err := remit.WriteFindings(in, remit.Options{}, p)
	if err != nil {
		t.Fatal(err)
	}
	if rec := record(); tot.Claims != rec.Claims || p.n != rec.Claims {
		t.Fatalf("%d claims written, %d seen, generator wrote %d", tot.Claims, p.n, rec.Claims)
	}
	t.Logf("live heap at claim %d: %d KB, at claim %d: %d KB", p.at1, p.h1>>10, p.at2, p.h2>>10)
	if p.h2 > p.h1+256<<10 {
		t.Fatalf("live heap grew from %d KB to %d KB", p.h1>>10, p.h2>>10)
	}
}

// BenchmarkSpilledFindings streams reports whose reversal rule table
// spills every 1,024 remembered claims: a generated set (reversals of
// claims not in the file: every take a miss in every run) and a set of
// far reversals (every take a hit in an old run, a third of them blobs).
func BenchmarkSpilledFindings(b *testing.B) {
	var gen bytes.Buffer
	if _, err := gen835.Write(&gen, gen835.Config{Sets: 1, ClaimsPerSet: 60000, Seed: 8}); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		data []byte
	}{{"generated", gen.Bytes()}, {"far reversals", []byte(farReversals(20000))}} {
		b.Run(c.name, func(b *testing.B) {
			defer remit.SetCountedSpillAt(1024)()
			b.SetBytes(int64(len(c.data)))
			for b.Loop() {
				if _, err := remit.WriteFindings(bytes.NewReader(c.data), remit.Options{}, remit.NewNDJSONWriter(io.Discard)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
