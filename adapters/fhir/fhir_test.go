package fhir_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	bcrpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"

	"github.com/casebridge/casebridge/adapters/fhir"
	"github.com/casebridge/casebridge/internal/golden"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/mapping/fhirmap"
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
