package app_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/mapping/fhirmap"
	"github.com/casebridge/casebridge/mapping/remit"
)

// FuzzRemitFHIRStream: for any input, the streamed FHIR output (claims
// spooled to the temporary file after 64 bytes) is the whole-set
// mapping's, byte for byte, or both refuse the input; never a panic.
func FuzzRemitFHIRStream(f *testing.F) {
	files, _ := filepath.Glob("../../testdata/835/*.x12")
	for _, p := range files {
		f.Add(read(f, p))
	}
	f.Add(synth835(2, 12))
	ropts := fhirmap.RemitOptions{At: at}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, _, werr := app.RemitToBundleWhole(bytes.NewReader(data), remit.Options{}, ropts, false)
		restore := app.SetSpoolMemory(64)
		defer app.SetSpoolMemory(restore)
		var got bytes.Buffer
		_, gerr := app.WriteRemitBundle(&got, bytes.NewReader(data), remit.Options{}, ropts, false)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("errors differ: whole %v, streamed %v", werr, gerr)
		}
		if werr == nil && !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("streamed output differs from the whole-set mapping")
		}
	})
}
