package claims_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/claims"
	"github.com/casebridge/casebridge/internal/golden"
	"github.com/casebridge/casebridge/internal/profile"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/mapping/claim837"
)

// ndjson writes records as NDJSON.
func ndjson(t testing.TB, recs ...*record.Record) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// otherProvider is a second valid billing provider.
func otherProvider(r *record.Record) {
	r.BillingProvider.Name = "Harbor Dental Group"
	r.BillingProvider.NPI = "1346053246"
	r.BillingProvider.TaxID = "987654321"
}

// manyRecords makes n valid records with ids B1…Bn, odd ones billed by the
// benchmark record's provider, even ones by another.
func manyRecords(t testing.TB, n int) []byte {
	t.Helper()
	base := golden.Record(t, benchRecord)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for i := 1; i <= n; i++ {
		r := base.Clone()
		r.RecordID = fmt.Sprintf("B%d", i)
		if i%2 == 0 {
			otherProvider(r)
		}
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// readBack checks the envelope of out and returns its claims and the
// number of claims in each transaction set.
func readBack(t *testing.T, out []byte) (recs []*record.Record, perSet []int) {
	t.Helper()
	segs, err := x12.ReadAll(bytes.NewReader(out), x12.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ec := x12.NewEnvelopeChecker()
	isa := 0
	for _, s := range segs {
		for _, e := range ec.Add(s) {
			t.Errorf("envelope: %v", e)
		}
		switch s.ID {
		case "ISA":
			isa++
		case "ST":
			perSet = append(perSet, 0)
		case "CLM":
			perSet[len(perSet)-1]++
		}
	}
	for _, e := range ec.Finish() {
		t.Errorf("envelope: %v", e)
	}
	if isa != 1 {
		t.Errorf("%d interchanges", isa)
	}
	err = claim837.Read(bytes.NewReader(out), func(r *record.Record) error { recs = append(recs, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return recs, perSet
}

func TestBatchOf10000(t *testing.T) {
	in := manyRecords(t, 10000)
	var out bytes.Buffer
	res, err := claims.Batch(bytes.NewReader(in), int64(len(in)), &out, profile.Default(), claims.BatchOptions{Options: claims.Options{ControlNumber: 77, At: at}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Refused) != 0 || len(res.Accepted) != 10000 {
		t.Fatalf("%d accepted, %d refused: %+v", len(res.Accepted), len(res.Refused), res.Refused[:min(3, len(res.Refused))])
	}
	cn := res.ControlNumbers
	if cn == nil || cn.Interchange != "000000077" || cn.Group != "77" || strings.Join(cn.Transactions, ",") != "0001,0002" {
		t.Errorf("control numbers %+v", cn)
	}
	recs, perSet := readBack(t, out.Bytes())
	if len(recs) != 10000 || len(perSet) != 2 || perSet[0] != 5000 || perSet[1] != 5000 {
		t.Fatalf("%d claims read back in sets of %v", len(recs), perSet)
	}
	// odd records (one provider) fill the first set, even ones the second
	for i, r := range recs {
		want := fmt.Sprintf("B%d", 2*(i%5000)+1+i/5000)
		if r.RecordID != want {
			t.Fatalf("claim %d is %s, want %s", i, r.RecordID, want)
		}
		npi := "1234567893"
		if i >= 5000 {
			npi = "1346053246"
		}
		if r.BillingProvider.NPI != npi {
			t.Fatalf("claim %s under provider %s", r.RecordID, r.BillingProvider.NPI)
		}
	}
	for _, a := range res.Accepted[:4] {
		if want := map[bool]string{true: "0001", false: "0002"}[a.Line%2 == 1]; a.Transaction != want {
			t.Errorf("line %d in set %s, want %s", a.Line, a.Transaction, want)
		}
	}
}

func TestBatchReportsBadLinesAndWritesGoodOnes(t *testing.T) {
	good := golden.Record(t, benchRecord)
	badNPI := good.Clone()
	badNPI.RecordID = "BADNPI"
	badNPI.BillingProvider.NPI = "1234567890"
	other := good.Clone()
	other.RecordID = "OTHER"
	otherProvider(other)
	lines := []string{
		string(bytes.TrimSpace(ndjson(t, good))),   // 1 valid
		`{"record_id": "BROKEN",`,                  // 2 not JSON
		`{"record_id":"SHAPE","colour":"red"}`,     // 3 unknown field
		string(bytes.TrimSpace(ndjson(t, badNPI))), // 4 scrub error
		"   ",                                    // 5 blank: skipped
		string(bytes.TrimSpace(ndjson(t, good))), // 6 same record id as line 1
		string(bytes.TrimSpace(ndjson(t, other))), // 7 valid, another provider
	}
	in := []byte(strings.Join(lines, "\r\n"))
	var out bytes.Buffer
	res, err := claims.Batch(bytes.NewReader(in), int64(len(in)), &out, profile.Default(), claims.BatchOptions{Options: claims.Options{ControlNumber: 5, At: at}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{2: "JSON_SYNTAX", 3: "UNKNOWN_FIELD", 4: "NPI_CHECK_DIGIT", 6: "RECORD_ID_DUPLICATE"}
	wantID := map[int]string{2: "", 3: "SHAPE", 4: "BADNPI", 6: good.RecordID}
	if len(res.Refused) != len(want) {
		t.Errorf("refused %+v", res.Refused)
	}
	for _, r := range res.Refused {
		codes := []string{}
		for _, p := range r.Problems {
			codes = append(codes, p.Code)
		}
		if !strings.Contains(strings.Join(codes, ","), want[r.Line]) || r.RecordID != wantID[r.Line] {
			t.Errorf("line %d (%q): %v, want %s (%q)", r.Line, r.RecordID, codes, want[r.Line], wantID[r.Line])
		}
	}
	if len(res.Accepted) != 2 || res.Accepted[0].Line != 1 || res.Accepted[1].Line != 7 {
		t.Fatalf("accepted %+v", res.Accepted)
	}
	recs, perSet := readBack(t, out.Bytes())
	if len(recs) != 2 || len(perSet) != 1 || recs[0].RecordID != good.RecordID || recs[1].RecordID != "OTHER" {
		t.Fatalf("read back %d claims, sets %v", len(recs), perSet)
	}
	if strings.Count(out.String(), "HL*") != 6 || strings.Count(out.String(), "*20*1~") != 2 {
		t.Errorf("want two provider loops with a dependent's claim each:\n%s", out.String())
	}
}

func TestBatchSplitsProvidersAcrossSets(t *testing.T) {
	in := manyRecords(t, 7) // providers A B A B A B A
	var out bytes.Buffer
	res, err := claims.Batch(bytes.NewReader(in), int64(len(in)), &out, profile.Default(),
		claims.BatchOptions{Options: claims.Options{ControlNumber: 3, At: at, NewlineAfterSegment: true}, ClaimsPerSet: 3})
	if err != nil {
		t.Fatal(err)
	}
	recs, perSet := readBack(t, out.Bytes())
	if len(recs) != 7 || fmt.Sprint(perSet) != "[3 3 1]" {
		t.Fatalf("%d claims in sets %v", len(recs), perSet)
	}
	// A A A | A B B | B: four provider loops
	if n := strings.Count(out.String(), "*20*1~"); n != 4 {
		t.Errorf("%d provider loops, want 4", n)
	}
	if got := res.ControlNumbers.Transactions; fmt.Sprint(got) != "[0001 0002 0003]" {
		t.Errorf("transactions %v", got)
	}
}

func TestBatchWithoutValidRecordsWritesNothing(t *testing.T) {
	calls := 0
	in := []byte("{}\nnot json\n")
	var out bytes.Buffer
	res, err := claims.Batch(bytes.NewReader(in), int64(len(in)), &out, profile.Default(),
		claims.BatchOptions{Options: claims.Options{At: at, Allocate: func() (int, error) { calls++; return 1, nil }}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 || calls != 0 || res.ControlNumbers != nil || len(res.Refused) != 2 || len(res.Accepted) != 0 {
		t.Errorf("wrote %d bytes, %d allocations, %+v", out.Len(), calls, res)
	}
}

func TestBatchLineTooLong(t *testing.T) {
	good := ndjson(t, golden.Record(t, benchRecord))
	in := append([]byte(`{"narrative":"`+strings.Repeat("x", record.MaxRecordBytes)+`"}`+"\n"), good...)
	var out bytes.Buffer
	res, err := claims.Batch(bytes.NewReader(in), int64(len(in)), &out, profile.Default(), claims.BatchOptions{Options: claims.Options{ControlNumber: 1, At: at}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Refused) != 1 || res.Refused[0].Line != 1 || res.Refused[0].Problems[0].Code != "RECORD_TOO_LARGE" || len(res.Accepted) != 1 || res.Accepted[0].Line != 2 {
		t.Errorf("%+v", res)
	}
}

// BenchmarkBatch measures a batch of 1,000 records as sent (NDJSON in, one
// interchange out: both passes, decode, scrub, write), in claims a second.
func BenchmarkBatch(b *testing.B) {
	in := manyRecords(b, 1000)
	prof := profile.Default()
	var out bytes.Buffer
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		out.Reset()
		res, err := claims.Batch(bytes.NewReader(in), int64(len(in)), &out, prof, claims.BatchOptions{Options: claims.Options{ControlNumber: 1, At: at}})
		if err != nil || len(res.Accepted) != 1000 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "claims/s")
}
