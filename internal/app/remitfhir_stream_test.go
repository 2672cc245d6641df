package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/gen835"
	"github.com/casebridge/casebridge/mapping/fhirmap"
	"github.com/casebridge/casebridge/mapping/remit"
)

// TestWriteRemitBundleMatchesWhole: the streamed outer Bundle is byte for
// byte what marshalling the whole Bundle gives (each set mapped whole by
// RemitBundle, then google/fhir's marshal of everything), indented and
// compact, with the claims of a set spooled in memory, in the temporary
// file from the first claim, and moving to it mid-set: for every readable
// 835 of testdata, synthetic sets with reversals and PLBs that name claims
// of their set, and generated files of one and many sets.
func TestWriteRemitBundleMatchesWhole(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/835/*.x12")
	pub, _ := filepath.Glob("../../testdata/835/public/*.x12")
	inputs := map[string][]byte{}
	for _, f := range append(files, pub...) {
		inputs[f] = read(t, f)
	}
	for _, cfg := range []gen835.Config{{Sets: 5, ClaimsPerSet: 20, Seed: 3}, {Sets: 1, ClaimsPerSet: 150, Seed: 8}} {
		var g bytes.Buffer
		if _, err := gen835.Write(&g, cfg); err != nil {
			t.Fatal(err)
		}
		inputs["generated"+string(rune('0'+cfg.Sets))] = g.Bytes()
	}
	inputs["synthetic 3x100"] = synth835(3, 100)
	inputs["synthetic 1x7"] = synth835(1, 7)
	ropts := fhirmap.RemitOptions{At: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	for name, data := range inputs {
		for _, indent := range []bool{true, false} {
			want, wantWarn, werr := app.RemitToBundleWhole(bytes.NewReader(data), remit.Options{}, ropts, indent)
			for _, mem := range []int{0, 2000, 1 << 20} {
				restore := app.SetSpoolMemory(mem)
				var got bytes.Buffer
				st, gerr := app.WriteRemitBundle(&got, bytes.NewReader(data), remit.Options{}, ropts, indent)
				app.SetSpoolMemory(restore)
				if (werr == nil) != (gerr == nil) {
					t.Fatalf("%s: errors %v / %v", name, werr, gerr)
				}
				if werr != nil {
					continue
				}
				if !bytes.Equal(got.Bytes(), want) {
					os.WriteFile(filepath.Join(t.TempDir(), "got.json"), got.Bytes(), 0o644)
					t.Fatalf("%s (indent %v, spool memory %d): streamed Bundle differs (%d sets)", name, indent, mem, st.Sets)
				}
				a, _ := json.Marshal(st.Warnings)
				b, _ := json.Marshal(wantWarn)
				if !bytes.Equal(a, b) {
					t.Fatalf("%s: warnings differ:\n%s\n%s", name, a, b)
				}
			}
		}
	}
}

// TestRemitFHIRClaimCounts: a generated one-set file through the spool
// file gives one ClaimResponse per claim the generator wrote, one payment
// detail per claim plus its PLB, and one Bundle per set.
func TestRemitFHIRClaimCounts(t *testing.T) {
	defer app.SetSpoolMemory(app.SetSpoolMemory(4096))
	for _, cfg := range []gen835.Config{{Sets: 1, ClaimsPerSet: 1500, Seed: 8}, {Sets: 4, ClaimsPerSet: 300, Seed: 9}} {
		var in bytes.Buffer
		rec, err := gen835.Write(&in, cfg)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		st, err := app.WriteRemitBundle(&out, &in, remit.Options{}, fhirmap.RemitOptions{At: at}, false)
		if err != nil {
			t.Fatal(err)
		}
		var outer struct {
			Entry []struct {
				Resource struct {
					Entry []struct {
						Resource struct {
							ResourceType string `json:"resourceType"`
							Detail       []json.RawMessage
						}
					}
				}
			}
		}
		if err := json.Unmarshal(out.Bytes(), &outer); err != nil {
			t.Fatal(err)
		}
		crs, details, prs := 0, 0, 0
		for _, set := range outer.Entry {
			for _, e := range set.Resource.Entry {
				switch e.Resource.ResourceType {
				case "ClaimResponse":
					crs++
				case "PaymentReconciliation":
					prs++
					details += len(e.Resource.Detail)
				}
			}
		}
		if st.Sets != rec.Sets || len(outer.Entry) != rec.Sets || prs != rec.Sets || crs != rec.Claims || details != rec.Claims+rec.PLBs {
			t.Fatalf("%d sets (%d Bundles, %d reconciliations), %d ClaimResponses, %d details; generator wrote %d sets, %d claims, %d PLBs",
				st.Sets, len(outer.Entry), prs, crs, details, rec.Sets, rec.Claims, rec.PLBs)
		}
	}
}

// heapAtClaims samples the live heap when the output has passed the
// at1-th and at2-th ClaimResponse.
type heapAtClaims struct {
	n, at1, at2 int
	h1, h2      uint64
	carry       []byte // the end of the last write: a marker may straddle two
}

var crMarker = []byte(`"resourceType":"ClaimResponse"`)

func (p *heapAtClaims) Write(b []byte) (int, error) {
	before := p.n
	buf := append(p.carry, b...)
	p.n += bytes.Count(buf, crMarker)
	k := min(len(buf), len(crMarker)-1)
	p.carry = append(p.carry[:0:0], buf[len(buf)-k:]...)
	if before < p.at1 && p.n >= p.at1 {
		p.h1 = liveHeap()
	}
	if before < p.at2 && p.n >= p.at2 {
		p.h2 = liveHeap()
	}
	return len(b), nil
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestRemitFHIRMemoryBounded streams one generated set of 6,000 claims
// (compact) and checks the live heap when the 6,000th ClaimResponse is
// written is within 256 KB of the heap at the 1,000th: the set's claims
// are in the spool's file, its resources written one by one. Built whole
// (before), the set's protos took ~100 KB a claim.
func TestRemitFHIRMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("maps 6,000 claims")
	}
	pr, pw := io.Pipe()
	done := make(chan gen835.Record, 1)
	go func() {
		rec, err := gen835.Write(pw, gen835.Config{Sets: 1, ClaimsPerSet: 6000, Seed: 8})
		done <- rec
		pw.CloseWithError(err)
	}()
	p := &heapAtClaims{at1: 1000, at2: 6000}
	if _, err := app.WriteRemitBundle(p, pr, remit.Options{}, fhirmap.RemitOptions{At: at}, false); err != nil {
		t.Fatal(err)
	}
	if rec := <-done; p.n != rec.Claims {
		t.Fatalf("%d ClaimResponses seen, generator wrote %d claims", p.n, rec.Claims)
	}
	t.Logf("live heap at ClaimResponse %d: %d KB, at %d: %d KB", p.at1, p.h1>>10, p.at2, p.h2>>10)
	if p.h1 == 0 || p.h2 > p.h1+256<<10 {
		t.Fatalf("live heap grew from %d KB to %d KB", p.h1>>10, p.h2>>10)
	}
}
