package app_test

import (
	"bytes"
	"testing"

	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/golden"
	"github.com/casebridge/casebridge/mapping/fhirmap"
	"github.com/casebridge/casebridge/mapping/remit"
)

// TestRemitFHIRSynthGolden: the FHIR output of synth835 (reversals and
// PLBs that name claims anywhere in their set) is the golden file, which
// was written by the whole-set mapping before sets were streamed claim by
// claim (commit "golden FHIR output of a synthetic 835 ...").
func TestRemitFHIRSynthGolden(t *testing.T) {
	var out bytes.Buffer
	st, err := app.WriteRemitBundle(&out, bytes.NewReader(synth835(2, 30)), remit.Options{}, fhirmap.RemitOptions{At: at}, true)
	if err != nil {
		t.Fatal(err)
	}
	if st.Sets != 2 {
		t.Fatalf("%d sets", st.Sets)
	}
	var warn bytes.Buffer
	for _, w := range st.Warnings {
		warn.WriteString(w.Code + " " + w.SegmentID + " " + w.Element + "\n")
	}
	golden.Check(t, "testdata/remitfhir/synth-2x30.bundle.json", append(out.Bytes(), '\n'))
	golden.Check(t, "testdata/remitfhir/synth-2x30.warnings.txt", warn.Bytes())
}
