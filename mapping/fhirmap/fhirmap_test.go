package fhirmap_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/fhir/go/fhirversion"
	"github.com/google/fhir/go/jsonformat"
	bcrpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"
	"google.golang.org/protobuf/proto"

	"github.com/casebridge/casebridge/internal/claims"
	"github.com/casebridge/casebridge/internal/golden"
	"github.com/casebridge/casebridge/internal/profile"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/mapping/fhirmap"
)

// at is the --at of the golden files (the 837D goldens use the same).
var at = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

type goldenRecord struct {
	name string
	path string
	rec  *record.Record
	cn   int // control number of the 837D golden, 0 for our own records
}

// goldenRecords are the valid records of testdata/records (the 837D
// goldens) and testdata/fhir/records (extra shapes for FHIR).
func goldenRecords(t *testing.T) []goldenRecord {
	t.Helper()
	var out []goldenRecord
	for _, dir := range []string{"../../testdata/records", "../../testdata/fhir/records"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			rec := golden.Record(t, f)
			if ps := claims.Check(rec, profile.Default(), at); ps.HasErrors() {
				t.Fatalf("%s is not a valid record: %+v", f, ps.Errors())
			}
			g := goldenRecord{name: strings.TrimSuffix(filepath.Base(f), ".json"), path: f, rec: rec}
			if strings.HasSuffix(dir, "testdata/records") {
				g.cn = golden.ControlNumber(t, g.name)
			}
			out = append(out, g)
		}
	}
	if len(out) == 0 {
		t.Fatal("no golden records")
	}
	return out
}

func marshaller(t testing.TB, pretty bool) *jsonformat.Marshaller {
	t.Helper()
	var m *jsonformat.Marshaller
	var err error
	if pretty {
		m, err = jsonformat.NewPrettyMarshaller(fhirversion.R4)
	} else {
		m, err = jsonformat.NewMarshaller(false, "", "", fhirversion.R4)
	}
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func unmarshaller(t testing.TB) *jsonformat.Unmarshaller {
	t.Helper()
	u, err := jsonformat.NewUnmarshaller("UTC", fhirversion.R4)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func recordJSON(t *testing.T, r *record.Record) string {
	t.Helper()
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func errorIssues(is fhirmap.Issues) fhirmap.Issues {
	var out fhirmap.Issues
	for _, i := range is {
		if i.Severity == fhirmap.SeverityError {
			out = append(out, i)
		}
	}
	return out
}

// TestRoundTrip: Canonical(r) == FromBundle(ToBundle(r)), on the protos and
// through JSON with google/fhir's validating unmarshaller.
func TestRoundTrip(t *testing.T) {
	u := unmarshaller(t)
	m := marshaller(t, false)
	for _, g := range goldenRecords(t) {
		t.Run(g.name, func(t *testing.T) {
			b, err := fhirmap.ToBundle(g.rec, at)
			if err != nil {
				t.Fatal(err)
			}
			want := recordJSON(t, fhirmap.Canonical(g.rec))

			got := fhirmap.FromBundle(b)
			if errs := errorIssues(got.Issues); len(errs) > 0 {
				t.Fatalf("issues: %+v", errs)
			}
			if g := recordJSON(t, got.Record); g != want {
				t.Errorf("proto round trip differs\n got: %s\nwant: %s", g, want)
			}

			data, err := m.MarshalResource(proto.Clone(b))
			if err != nil {
				t.Fatal(err)
			}
			res, err := u.Unmarshal(data)
			if err != nil {
				t.Fatalf("emitted Bundle fails validating unmarshal: %v", err)
			}
			back := fhirmap.FromResource(res.(*bcrpb.ContainedResource))
			if errs := errorIssues(back.Issues); len(errs) > 0 {
				t.Fatalf("issues after JSON: %+v", errs)
			}
			if g := recordJSON(t, back.Record); g != want {
				t.Errorf("JSON round trip differs\n got: %s\nwant: %s", g, want)
			}
		})
	}
}

// TestEveryResourceValidates re-reads each emitted resource on its own.
func TestEveryResourceValidates(t *testing.T) {
	u := unmarshaller(t)
	m := marshaller(t, false)
	for _, g := range goldenRecords(t) {
		b, err := fhirmap.ToBundle(g.rec, at)
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range b.GetEntry() {
			data, err := m.Marshal(proto.Clone(e.GetResource()))
			if err != nil {
				t.Fatalf("%s entry %d: %v", g.name, i, err)
			}
			if _, err := u.Unmarshal(data); err != nil {
				t.Errorf("%s entry %d: %v", g.name, i, err)
			}
		}
	}
}

// TestGoldenBundles pins the emitted JSON (regenerate with -update).
func TestGoldenBundles(t *testing.T) {
	m := marshaller(t, true)
	for _, g := range goldenRecords(t) {
		t.Run(g.name, func(t *testing.T) {
			b, err := fhirmap.ToBundle(g.rec, at)
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.MarshalResource(b)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("../../testdata/fhir/golden", g.name+".bundle.json"), append(got, '\n'))
		})
	}
}

// TestDeterministic: the same record gives the same bytes, ids never
// collide, and every reference resolves inside the Bundle.
func TestDeterministic(t *testing.T) {
	m := marshaller(t, false)
	seen := map[string]string{}
	for _, g := range goldenRecords(t) {
		b1, _ := fhirmap.ToBundle(g.rec, at)
		b2, _ := fhirmap.ToBundle(g.rec.Clone(), at)
		j1, _ := m.MarshalResource(b1)
		j2, _ := m.MarshalResource(b2)
		if !bytes.Equal(j1, j2) {
			t.Errorf("%s: two runs differ", g.name)
		}
		urls := map[string]bool{}
		for _, e := range b1.GetEntry() {
			u := e.GetFullUrl().GetValue()
			if prev, dup := seen[u]; dup {
				t.Errorf("%s: fullUrl %s already used by %s", g.name, u, prev)
			}
			seen[u] = g.name
			urls[u] = true
		}
		var refs []string
		var walk func(v any)
		walk = func(v any) {
			switch x := v.(type) {
			case map[string]any:
				for k, y := range x {
					if s, ok := y.(string); ok && k == "reference" {
						refs = append(refs, s)
					}
					walk(y)
				}
			case []any:
				for _, y := range x {
					walk(y)
				}
			}
		}
		var generic any
		if err := json.Unmarshal(j1, &generic); err != nil {
			t.Fatal(err)
		}
		walk(generic)
		for _, r := range refs {
			if !urls[r] {
				t.Errorf("%s: reference %s does not resolve in the Bundle", g.name, r)
			}
		}
	}
}

// TestX12Identical: record → 837D and record → FHIR → record → 837D give
// the same bytes; for the 837D goldens, the same bytes as the golden file.
func TestX12Identical(t *testing.T) {
	prof := profile.Default()
	for _, g := range goldenRecords(t) {
		t.Run(g.name, func(t *testing.T) {
			cn := g.cn
			if cn == 0 {
				cn = 7
			}
			opts := claims.Options{ControlNumber: cn, At: at, NewlineAfterSegment: true}
			direct, err := claims.Generate(g.rec, prof, opts)
			if err != nil || direct.X12 == nil {
				t.Fatalf("direct: %v %+v", err, direct.Problems.Errors())
			}
			b, err := fhirmap.ToBundle(g.rec, at)
			if err != nil {
				t.Fatal(err)
			}
			via, err := claims.Generate(fhirmap.FromBundle(b).Record, prof, opts)
			if err != nil || via.X12 == nil {
				t.Fatalf("via FHIR: %v %+v", err, via.Problems.Errors())
			}
			if !bytes.Equal(direct.X12, via.X12) {
				t.Errorf("837D differs\ndirect: %s\nvia FHIR: %s", direct.X12, via.X12)
			}
			if g.cn != 0 {
				want, err := os.ReadFile(filepath.Join("../../testdata/837d", g.name+".x12"))
				if err == nil && !bytes.Equal(via.X12, want) {
					t.Errorf("837D via FHIR differs from the 837D golden")
				}
			}
		})
	}
}

func readResource(t *testing.T, path string) *bcrpb.ContainedResource {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := unmarshaller(t).Unmarshal(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return res.(*bcrpb.ContainedResource)
}

// TestClaim100155Refused: the HL7 example oral Claim lacks every piece a
// D9997 837D needs; each is named with its FHIRPath.
func TestClaim100155Refused(t *testing.T) {
	m := fhirmap.FromResource(readResource(t, "../../testdata/fhir/Claim-100155.json"))
	got := map[string]string{}
	for _, i := range m.Issues {
		if i.Severity == fhirmap.SeverityError {
			got[i.Expression] = i.Rule
			if i.Message == "" || i.Code == "" {
				t.Errorf("issue without message or code: %+v", i)
			}
		}
	}
	want := map[string]string{
		"Claim.item[0].productOrService":              "FHIR_CDT_REQUIRED",
		"Claim.provider":                              "FHIR_BILLING_PROVIDER_UNRESOLVED",
		"Claim.insurer":                               "FHIR_PAYER_UNRESOLVED",
		"Claim.insurance[0].coverage":                 "FHIR_COVERAGE_UNRESOLVED",
		"Claim.careTeam[0].provider":                  "FHIR_RENDERING_UNRESOLVED",
		"Claim.diagnosis[0].diagnosisCodeableConcept": "FHIR_ICD10_REQUIRED",
	}
	for expr, rule := range want {
		if got[expr] != rule {
			t.Errorf("missing %s at %s (got %q)", rule, expr, got[expr])
		}
	}
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(got) != len(want) {
		t.Errorf("error expressions: %v", keys)
	}
	// The scrubber adds what the mapping could not see, without repeating
	// the parts the mapping errors already name.
	for _, i := range m.Problems(claims.Check(m.Record, profile.Default(), at)) {
		// the example documents no special needs at all: a finding of its
		// own, not part of what the mapping errors name
		if i.Severity == fhirmap.SeverityError && i.Rule != "SPECIAL_NEEDS_UNDOCUMENTED" {
			t.Errorf("scrub error not hidden by a mapping error: %+v", i)
		}
	}
}
