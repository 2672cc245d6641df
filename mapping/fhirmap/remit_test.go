package fhirmap_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bcrpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"
	"google.golang.org/protobuf/proto"

	"github.com/casebridge/casebridge/internal/golden"
	"github.com/casebridge/casebridge/mapping/fhirmap"
	"github.com/casebridge/casebridge/mapping/remit"
)

// remitBundles maps every transaction set of an 835 file.
func remitBundles(t *testing.T, path string) ([]*bcrpb.Bundle, []remit.Warning) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []*bcrpb.Bundle
	var warns []remit.Warning
	_, err = remit.Read(f, remit.Options{}, func(tx *remit.Transaction) error {
		b, w := fhirmap.RemitBundle(tx, fhirmap.RemitOptions{At: at})
		out = append(out, b)
		warns = append(warns, w...)
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return out, warns
}

// TestRemitBundlesValidate: every readable 835 in testdata maps to Bundles
// that pass google/fhir's validating unmarshal.
func TestRemitBundlesValidate(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/835/*.x12")
	public, _ := filepath.Glob("../../testdata/835/public/*.x12")
	files = append(files, public...)
	if len(files) == 0 {
		t.Skip("no 835 files")
	}
	u := unmarshaller(t)
	m := marshaller(t, false)
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			bundles, _ := remitBundles(t, path)
			if len(bundles) == 0 {
				t.Fatal("no transaction set")
			}
			for _, b := range bundles {
				data, err := m.MarshalResource(proto.Clone(b))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := u.Unmarshal(data); err != nil {
					t.Fatalf("invalid Bundle: %v", err)
				}
			}
		})
	}
}

// TestRemitGolden pins the Bundles of our own 835 files.
func TestRemitGolden(t *testing.T) {
	m := marshaller(t, true)
	for _, name := range []string{"d9997_dental", "reversal_corrected", "two_sets_pipe_crlf", "rarc_rule"} {
		t.Run(name, func(t *testing.T) {
			bundles, _ := remitBundles(t, filepath.Join("../../testdata/835", name+".x12"))
			for i, b := range bundles {
				got, err := m.MarshalResource(b)
				if err != nil {
					t.Fatal(err)
				}
				golden.Check(t, filepath.Join("../../testdata/fhir/golden", fmt.Sprintf("835-%s-%d.bundle.json", name, i+1)), append(got, '\n'))
			}
		})
	}
}

func resourcesOf(t *testing.T, b *bcrpb.Bundle) []map[string]any {
	t.Helper()
	data, err := marshaller(t, false).MarshalResource(proto.Clone(b))
	if err != nil {
		t.Fatal(err)
	}
	var bundle struct {
		Entry []struct {
			Resource map[string]any `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(data, &bundle); err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, e := range bundle.Entry {
		out = append(out, e.Resource)
	}
	return out
}

func TestRemitContent(t *testing.T) {
	bundles, warns := remitBundles(t, "../../testdata/835/d9997_dental.x12")
	if len(bundles) != 1 {
		t.Fatalf("%d bundles", len(bundles))
	}
	if len(warns) != 0 {
		t.Errorf("REF*6R CM-1001-1 style numbers give the sequence; warnings: %+v", warns)
	}
	res := resourcesOf(t, bundles[0])
	if res[0]["resourceType"] != "PaymentReconciliation" || res[0]["paymentAmount"].(map[string]any)["value"].(float64) != 276 {
		t.Errorf("payment: %v", res[0])
	}
	var responses []map[string]any
	for _, r := range res {
		if r["resourceType"] == "ClaimResponse" {
			responses = append(responses, r)
		}
	}
	if len(responses) != 4 {
		t.Fatalf("%d ClaimResponses", len(responses))
	}
	denied := responses[0]
	if denied["outcome"] != "complete" || denied["disposition"] != "Denied" {
		t.Errorf("denied claim: %v %v", denied["outcome"], denied["disposition"])
	}
	if denied["type"].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"] != "oral" {
		t.Errorf("type: %v", denied["type"])
	}
	pat := denied["patient"].(map[string]any)["identifier"].(map[string]any)["value"]
	if pat != "MCM-1001" {
		t.Errorf("patient: %v", pat)
	}
	if denied["created"] != "2026-11-20" {
		t.Errorf("created: %v", denied["created"])
	}
	// CO-16 with N850 on the line: CARC, RARC and our category.
	data, _ := json.Marshal(denied["item"])
	for _, want := range []string{`"code":"16"`, fhirmap.SystemCARC, `"code":"N850"`, fhirmap.SystemRARC, fhirmap.CodeSystemCategory, `"code":"CO"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("denied item lacks %s: %s", want, data)
		}
	}
	// SVC06: billed D9997, adjudicated D9992 → addItem.
	downcoded := responses[2]
	if _, ok := downcoded["addItem"]; !ok {
		t.Errorf("downcoded line has no addItem: %v", downcoded)
	}
	// Two lines, sequences 1 and 2 from REF*6R.
	items := responses[3]["item"].([]any)
	if len(items) != 2 || items[1].(map[string]any)["itemSequence"].(float64) != 2 {
		t.Errorf("items: %v", items)
	}
}

func TestRemitLineOrderWarning(t *testing.T) {
	_, warns := remitBundles(t, "../../testdata/835/public/tigershark_835_dental_example1.x12")
	for _, w := range warns {
		if w.Code != fhirmap.WarnItemSequence || w.SegmentID != "SVC" || w.SegmentNumber == 0 {
			t.Errorf("warning: %+v", w)
		}
	}
}

func TestDefaultLineSequence(t *testing.T) {
	for _, tc := range []struct {
		pcn, lcn string
		n        int
		ok       bool
	}{
		{"CM1", "CM1-2", 2, true}, {"CM1", "3", 3, true}, {"CM1", "CM1-A", 0, false}, {"CM1", "X-2", 0, false}, {"CM1", "0", 0, false},
	} {
		n, ok := fhirmap.DefaultLineSequence(tc.pcn, tc.lcn)
		if n != tc.n || ok != tc.ok {
			t.Errorf("%s %s: %d %v", tc.pcn, tc.lcn, n, ok)
		}
	}
}
