package remit_test

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/casebridge/casebridge/internal/gen835"
	"github.com/casebridge/casebridge/mapping/remit"
)

// TestRecycledClaimTextMatchesReport: the streamed findings reuse the
// blocks holding a claim's element text once no claim can point into them
// (parser.own, release). With blocks of a few bytes, nearly every segment
// has a block and blocks are recycled and overwritten right after the
// claims around them are handed out, so a block recycled while the claim
// being read still points into it (the look-ahead claim, the claims held
// before the payee) changes the output; it must stay byte for byte what
// encoding/json makes of BuildReport (which recycles nothing), for every
// golden input and generated files with reversals, corrections and
// several sets.
func TestRecycledClaimTextMatchesReport(t *testing.T) {
	inputs := map[string][]byte{}
	for _, in := range goldenInputs(t) {
		inputs[in] = readFile(t, in)
	}
	for i, cfg := range []gen835.Config{{Sets: 1, ClaimsPerSet: 300, Seed: 11}, {Sets: 5, ClaimsPerSet: 40, Seed: 12}} {
		var buf bytes.Buffer
		if _, err := gen835.Write(&buf, cfg); err != nil {
			t.Fatal(err)
		}
		inputs["generated-"+string(rune('a'+i))] = buf.Bytes()
	}
	// Claims before the payee are held until it is known (their text must
	// survive the blocks recycled meanwhile); a reversal and its
	// correction around an LX and a payee change; PLB.
	held := []string{"BPR*I*0*C*CHK************20261120", "TRN*1*T1*1999999999", "N1*PR*PLAN", "LX*1"}
	for i := range 40 {
		n := strconv.Itoa(i)
		held = append(held, "CLP*PCN"+n+"*4*"+n+"0*0**12*ICN"+n, "NM1*QC*1*DOE"+n, "SVC*AD:D9997*"+n+"0*0", "CAS*CO*16*"+n+"0", "LQ*HE*N211")
	}
	held = append(held, "N1*PE*DENTIST*XX*1234567893", "CLP*A*22*-100*-80**12*ICN1", "CAS*CO*45*-20", "LX*2",
		"CLP*A*1*100*90**12*ICN3", "CAS*CO*45*10", "N1*PE*OTHER*XX*1234567893", "CLP*C*1*10*10**12*ICN4",
		"PLB*1234567893*20261231*WO:ICN4*-10")
	inputs["held-before-payee"] = []byte(wrap(held...))
	for _, size := range []int{1, 16, 100, 1 << 10} {
		restore := remit.SetClaimBlockSize(size)
		for name, data := range inputs {
			rep, err := remit.BuildReport(bytes.NewReader(data), remit.Options{})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			got, err := streamJSON(t, data, false)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if want := encodeNoEscape(t, rep, false); !bytes.Equal(got, want) {
				t.Errorf("%s, claim blocks of %d bytes: streamed JSON differs from the report", name, size)
			}
		}
		restore()
	}
}
