package fhir_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	bcrpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"

	"github.com/casebridge/casebridge/adapters/fhir"
	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/golden"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/mapping/fhirmap"
	"github.com/casebridge/casebridge/mapping/remit"
)

var at = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func read(t testing.TB, path string) []byte { return golden.Read(t, path) }

func TestCapabilityStatement(t *testing.T) {
	data, err := fhir.CapabilityStatement("https://gateway.example/fhir", "0.4.0")
	if err != nil {
		t.Fatal(err)
	}
	res, st, out := fhir.Parse(data)
	if st != fhir.Parsed || res.GetCapabilityStatement() == nil {
		t.Fatalf("invalid CapabilityStatement: %+v", out.Issues)
	}
	var cs struct {
		FhirVersion string   `json:"fhirVersion"`
		Kind        string   `json:"kind"`
		Format      []string `json:"format"`
		Rest        []struct {
			Mode     string `json:"mode"`
			Resource []struct {
				Type        string `json:"type"`
				Interaction []struct {
					Code string `json:"code"`
				} `json:"interaction"`
				SearchParam []struct {
					Name, Type string
				} `json:"searchParam"`
				ConditionalCreate bool             `json:"conditionalCreate"`
				Operation         []map[string]any `json:"operation"`
			} `json:"resource"`
		} `json:"rest"`
	}
	if err := json.Unmarshal(data, &cs); err != nil {
		t.Fatal(err)
	}
	if cs.FhirVersion != "4.0.1" || cs.Kind != "instance" || len(cs.Rest) != 1 || cs.Rest[0].Mode != "server" {
		t.Errorf("header: %+v", cs)
	}
	// exactly the interactions adapters/http serves (routesFHIRREST)
	var got []string
	for _, r := range cs.Rest[0].Resource {
		var codes, params []string
		for _, i := range r.Interaction {
			codes = append(codes, i.Code)
		}
		for _, p := range r.SearchParam {
			params = append(params, p.Name+":"+p.Type)
		}
		got = append(got, fmt.Sprintf("%s %v %v conditional=%v", r.Type, codes, params, r.ConditionalCreate))
	}
	want := []string{"Claim [create read vread search-type] [identifier:token] conditional=true", "ClaimResponse [search-type] [request:reference] conditional=false"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Fatalf("resources: %v", got)
	}
	var ops []string
	for _, o := range cs.Rest[0].Resource[0].Operation {
		ops = append(ops, o["name"].(string))
	}
	if strings.Join(ops, ",") != "x12,validate" {
		t.Errorf("operations %v", ops)
	}
}

// TestConcurrentMarshal: Marshal clones, so one Bundle can be written from
// many goroutines (run with -race).
func TestConcurrentMarshal(t *testing.T) {
	rec, _, err := record.DecodeBytes(read(t, "../../testdata/records/self.json"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := fhirmap.ToBundle(rec, at)
	if err != nil {
		t.Fatal(err)
	}
	first, err := fhir.Marshal(b, false)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := fhir.Marshal(b, false)
			if err != nil || !bytes.Equal(out, first) {
				t.Errorf("concurrent marshal differs: %v", err)
			}
		}()
	}
	wg.Wait()
	cr := &bcrpb.ContainedResource{OneofResource: &bcrpb.ContainedResource_Bundle{Bundle: b}}
	if out, err := fhir.Marshal(cr, false); err != nil || !bytes.Equal(out, first) {
		t.Errorf("ContainedResource marshal differs: %v", err)
	}
}

func TestAcceptableContentType(t *testing.T) {
	for ct, want := range map[string]bool{
		"": true, "application/fhir+json": true, "application/fhir+json; fhirVersion=4.0": true,
		"application/json; charset=utf-8": true, "application/xml": false, "application/fhir+xml": false, "text/plain": false, "bogus;;": false,
	} {
		if got := fhir.AcceptableContentType(ct); got != want {
			t.Errorf("%q: %v", ct, got)
		}
	}
}

func TestRemit(t *testing.T) {
	ropts := fhirmap.RemitOptions{At: at}
	f, err := os.Open("../../testdata/835/two_sets_pipe_crlf.x12")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	if _, err := fhir.RemitBundles(f, remit.Options{}, ropts, false, func(b []byte) error {
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

	out, _, err := fhir.RemitToBundle(bytes.NewReader(read(t, "../../testdata/835/d9997_dental.x12")), remit.Options{}, ropts, false)
	if err != nil {
		t.Fatal(err)
	}
	res, st, _ := fhir.Parse(out)
	if st != fhir.Parsed || len(res.GetBundle().GetEntry()) != 1 || res.GetBundle().GetEntry()[0].GetResource().GetBundle() == nil {
		t.Fatalf("outer Bundle: %s", out)
	}

	bad := read(t, "../../testdata/835/invalid/837d_given_as_835-invalid.x12")
	out, _, err = fhir.RemitToBundle(bytes.NewReader(bad), remit.Options{}, ropts, false)
	var xe *x12.Error
	if out != nil || !errors.As(err, &xe) {
		t.Errorf("an 837 read as 835: out=%v err=%v", out != nil, err)
	}
}
