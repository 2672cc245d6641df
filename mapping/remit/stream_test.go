package remit_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/internal/gen835"
	"github.com/casebridge/casebridge/internal/money"
	"github.com/casebridge/casebridge/mapping/remit"
)

// encodeNoEscape is what the CLI and the HTTP API wrote before streaming:
// encoding/json without HTML escaping, indented or compact.
func encodeNoEscape(t testing.TB, v any, indent bool) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func streamJSON(t testing.TB, data []byte, indent bool) ([]byte, error) {
	var buf bytes.Buffer
	_, err := remit.WriteFindings(bytes.NewReader(data), remit.Options{}, remit.NewJSONWriter(&buf, indent))
	return buf.Bytes(), err
}

// TestStreamedJSONMatchesReport: the incremental writer produces exactly
// the bytes encoding/json produces for the whole report, indented (CLI,
// the golden files) and compact (HTTP), for every golden input and both
// generated shapes.
func TestStreamedJSONMatchesReport(t *testing.T) {
	inputs := map[string][]byte{}
	for _, in := range goldenInputs(t) {
		b, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		inputs[in] = b
	}
	for i, cfg := range []gen835.Config{{Sets: 1, ClaimsPerSet: 500, Seed: 5}, {Sets: 7, ClaimsPerSet: 30, Seed: 6}, {Sets: 2, ClaimsPerSet: 0, Seed: 7}} {
		var buf bytes.Buffer
		if _, err := gen835.Write(&buf, cfg); err != nil {
			t.Fatal(err)
		}
		inputs["generated-"+string(rune('a'+i))] = buf.Bytes()
	}
	for name, data := range inputs {
		rep, err := remit.BuildReport(bytes.NewReader(data), remit.Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, indent := range []bool{true, false} {
			got, err := streamJSON(t, data, indent)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if want := encodeNoEscape(t, rep, indent); !bytes.Equal(got, want) {
				t.Errorf("%s (indent %v): streamed JSON differs from the report", name, indent)
			}
		}
		if strings.HasSuffix(name, ".x12") {
			want, err := os.ReadFile(strings.TrimSuffix(name, ".x12") + ".json")
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := streamJSON(t, data, true); !bytes.Equal(got, want) {
				t.Errorf("%s: streamed JSON differs from the golden file", name)
			}
		}
		checkNDJSON(t, name, data, rep)
	}
}

// checkNDJSON: the claim lines hold the report's claims in order, each with
// its remittance's control number; one line per remittance; the summary last.
func checkNDJSON(t *testing.T, name string, data []byte, rep *remit.Report) {
	var buf bytes.Buffer
	nw := remit.NewNDJSONWriter(&buf)
	if err := remit.Findings(bytes.NewReader(data), remit.Options{}, nw); err != nil {
		t.Fatal(err)
	}
	nw.Flush()
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 1<<24)
	ri, ci := 0, 0
	var last map[string]json.RawMessage
	for sc.Scan() {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &obj); err != nil {
			t.Fatalf("%s: line %q: %v", name, sc.Text(), err)
		}
		last = obj
		switch {
		case obj["patient_control_number"] != nil:
			if ri >= len(rep.Remittances) || ci >= len(rep.Remittances[ri].Claims) {
				t.Fatalf("%s: extra claim line", name)
			}
			var cn string
			json.Unmarshal(obj["control_number"], &cn)
			if cn != rep.Remittances[ri].ControlNumber {
				t.Errorf("%s: control_number %q, want %q", name, cn, rep.Remittances[ri].ControlNumber)
			}
			delete(obj, "control_number")
			want, _ := json.Marshal(rep.Remittances[ri].Claims[ci])
			var wantObj map[string]json.RawMessage
			json.Unmarshal(want, &wantObj)
			g, _ := json.Marshal(obj)
			w, _ := json.Marshal(wantObj)
			if !bytes.Equal(g, w) {
				t.Errorf("%s: claim line %d differs", name, ci)
			}
			ci++
		case obj["remittance"] != nil:
			if ci != len(rep.Remittances[ri].Claims) {
				t.Errorf("%s: remittance line after %d claims, want %d", name, ci, len(rep.Remittances[ri].Claims))
			}
			ri, ci = ri+1, 0
		case obj["summary"] != nil:
			want, _ := json.Marshal(rep.Summary)
			if !bytes.Equal(obj["summary"], want) || string(obj["warnings"]) != strconvItoa(len(rep.Warnings)) {
				t.Errorf("%s: final line %s", name, sc.Text())
			}
		default:
			t.Errorf("%s: unknown line %s", name, sc.Text())
		}
	}
	if ri != len(rep.Remittances) || last["summary"] == nil {
		t.Errorf("%s: %d remittance lines of %d, or no summary last", name, ri, len(rep.Remittances))
	}
}

func strconvItoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestStreamedErrorAfterOutput: a read error after the first claim ends the
// JSON with an "error" member (still one valid document) and the ndjson with
// an error line; before the first claim nothing is written.
func TestStreamedErrorAfterOutput(t *testing.T) {
	var gen bytes.Buffer
	if _, err := gen835.Write(&gen, gen835.Config{Sets: 1, ClaimsPerSet: 400, Seed: 9}); err != nil {
		t.Fatal(err)
	}
	good := gen.Bytes()
	cut := good[:bytes.LastIndex(good, []byte("SE*"))]
	out, err := streamJSON(t, cut, true)
	if err == nil {
		t.Fatal("no error for a truncated file")
	}
	var doc struct {
		Remittances []json.RawMessage `json:"remittances"`
		Error       remit.ErrorReport `json:"error"`
	}
	if jerr := json.Unmarshal(out, &doc); jerr != nil {
		t.Fatalf("not one JSON document: %v\n%s", jerr, out)
	}
	if doc.Error.Code != "TRUNCATED" || doc.Error.SegmentNumber == 0 || len(doc.Remittances) != 1 {
		t.Errorf("error member %+v, %d remittances", doc.Error, len(doc.Remittances))
	}
	if out, err := streamJSON(t, good[:1000], true); err == nil || len(out) != 0 {
		t.Errorf("error before the first claim: %d bytes written, err %v", len(out), err)
	}
	// Before the first 64 KiB went out, nothing is written either.
	small, _ := os.ReadFile(testdata + "/d9997_dental.x12")
	if out, err := streamJSON(t, small[:bytes.LastIndex(small, []byte("SE*"))], true); err == nil || len(out) != 0 {
		t.Errorf("error within the buffered output: %d bytes written, err %v", len(out), err)
	}
	var nd bytes.Buffer
	if _, err := remit.WriteFindings(bytes.NewReader(cut), remit.Options{}, remit.NewNDJSONWriter(&nd)); err == nil {
		t.Fatal("no error")
	}
	lines := bytes.Split(bytes.TrimSpace(nd.Bytes()), []byte("\n"))
	if last := lines[len(lines)-1]; !bytes.HasPrefix(last, []byte(`{"error":{"code":"TRUNCATED"`)) {
		t.Errorf("last ndjson line %s", last)
	}
}

// TestCountedKeepsExponent: the compact store of a claim's totals gives
// back amounts with their decimal places, so sums print as before.
func TestCountedKeepsExponent(t *testing.T) {
	x := wrap(body("CLP*A*1*100.500*0**12*ICN", "SVC*AD:D9997*100.500*0", "CAS*CO*16*100.500",
		"CLP*A*22*-100.500*0**12*ICN", "SVC*AD:D9997*-100.500*0", "CAS*CO*16*-100.500",
		"CLP*B*1*10.25*0**12*ICN2", "SVC*AD:D9997*10.25*0", "CAS*CO*16*10.25")...)
	rep, err := remit.BuildReport(strings.NewReader(x), remit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Summary.DeniedAmount.String(); got != "10.250" && got != "10.25" {
		t.Fatalf("denied %s", got)
	}
	want := money.MustParse("10.25").Add(money.MustParse("100.500")).Sub(money.MustParse("100.500")).String()
	if got := rep.Summary.DeniedAmount.String(); got != want {
		t.Errorf("denied %s, want %s", got, want)
	}
}

// TestStreamSameAsRead: the claims Stream hands out (recycled storage) give
// the same report as Read's whole sets, for shapes that exercise the
// look-ahead: claims before the payee, a reversal across an LX and a payee
// change, PLB after the claims.
func TestStreamSameAsRead(t *testing.T) {
	x := wrap("BPR*I*0*C*CHK************20261120", "TRN*1*T1*1999999999", "N1*PR*PLAN", "LX*1",
		"CLP*A*1*100*80**12*ICN1", "CAS*CO*45*20", "CLP*B*4*50*0**12*ICN2", "SVC*AD:D9997*50*0", "CAS*CO*16*50", "LQ*HE*N211",
		"N1*PE*DENTIST*XX*1234567893", "CLP*A*22*-100*-80**12*ICN1", "CAS*CO*45*-20", "LX*2", "CLP*A*1*100*90**12*ICN3", "CAS*CO*45*10",
		"N1*PE*OTHER*XX*1234567893", "CLP*C*1*10*10**12*ICN4", "PLB*1234567893*20261231*WO:ICN4*-10")
	rep, err := remit.BuildReport(strings.NewReader(x), remit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var claims []remit.Claim
	if _, err := remit.Read(strings.NewReader(x), remit.Options{}, func(tx *remit.Transaction) error {
		claims = append(claims, tx.Claims...)
		if tx.Payee.Name != "DENTIST" {
			t.Errorf("payee %q", tx.Payee.Name)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	r := rep.Remittances[0]
	if r.Payee.Name != "DENTIST" || len(r.Claims) != len(claims) || len(claims) != 5 {
		t.Fatalf("payee %q, %d claims, Read %d", r.Payee.Name, len(r.Claims), len(claims))
	}
	for i, c := range r.Claims {
		if c.PatientControlNumber != claims[i].PatientControlNumber || !c.Paid.Equal(claims[i].Paid) || len(c.Lines) != len(claims[i].Lines) {
			t.Errorf("claim %d differs", i)
		}
	}
	if f := r.Claims[2].Findings[0].Explanation; !strings.Contains(f, "corrected claim follows") {
		t.Errorf("reversal does not see its correction across the LX: %s", f)
	}
}
