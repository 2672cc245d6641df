package app_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/gen835"
	"github.com/casebridge/casebridge/mapping/fhirmap"
	"github.com/casebridge/casebridge/mapping/remit"
)

// TestWriteRemitBundleMatchesWhole: the streamed outer Bundle is byte for
// byte what marshalling the whole Bundle gives, indented and compact, for
// every readable 835 of testdata and a generated many-set file.
func TestWriteRemitBundleMatchesWhole(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/835/*.x12")
	pub, _ := filepath.Glob("../../testdata/835/public/*.x12")
	inputs := map[string][]byte{}
	for _, f := range append(files, pub...) {
		inputs[f] = read(t, f)
	}
	var g bytes.Buffer
	if _, err := gen835.Write(&g, gen835.Config{Sets: 5, ClaimsPerSet: 20, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	inputs["generated"] = g.Bytes()
	ropts := fhirmap.RemitOptions{At: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	for name, data := range inputs {
		for _, indent := range []bool{true, false} {
			want, _, werr := app.RemitToBundleWhole(bytes.NewReader(data), remit.Options{}, ropts, indent)
			var got bytes.Buffer
			st, gerr := app.WriteRemitBundle(&got, bytes.NewReader(data), remit.Options{}, ropts, indent)
			if (werr == nil) != (gerr == nil) {
				t.Fatalf("%s: errors %v / %v", name, werr, gerr)
			}
			if werr != nil {
				continue
			}
			if !bytes.Equal(got.Bytes(), want) {
				os.WriteFile("/tmp/got.json", got.Bytes(), 0o644)
				os.WriteFile("/tmp/want.json", want, 0o644)
				t.Fatalf("%s (indent %v): streamed Bundle differs (%d sets)", name, indent, st.Sets)
			}
		}
	}
}
