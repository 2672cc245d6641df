package app_test

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/casebridge/casebridge/adapters/fhir"
	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/mapping/fhirmap"
	"github.com/casebridge/casebridge/mapping/remit"
)

func TestRemit(t *testing.T) {
	ropts := fhirmap.RemitOptions{At: at}
	f, err := os.Open("../../testdata/835/two_sets_pipe_crlf.x12")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	if _, err := app.RemitBundles(f, remit.Options{}, ropts, false, func(b []byte) error {
		n++
		res, st, out := fhir.Parse(b)
		if st != fhir.Parsed || res.GetBundle() == nil {
			t.Errorf("set %d: not a valid Bundle: %+v", n, out.Issues)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("%d Bundles, want 2", n)
	}

	out, _, err := app.RemitToBundle(bytes.NewReader(read(t, "../../testdata/835/d9997_dental.x12")), remit.Options{}, ropts, false)
	if err != nil {
		t.Fatal(err)
	}
	res, st, _ := fhir.Parse(out)
	if st != fhir.Parsed || len(res.GetBundle().GetEntry()) != 1 || res.GetBundle().GetEntry()[0].GetResource().GetBundle() == nil {
		t.Fatalf("outer Bundle: %s", out)
	}

	bad := read(t, "../../testdata/835/invalid/837d_given_as_835-invalid.x12")
	out, _, err = app.RemitToBundle(bytes.NewReader(bad), remit.Options{}, ropts, false)
	var xe *x12.Error
	if out != nil || !errors.As(err, &xe) {
		t.Errorf("an 837 read as 835: out=%v err=%v", out != nil, err)
	}
}
