package remit_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/codes"
	"github.com/casebridge/casebridge/internal/money"
	"github.com/casebridge/casebridge/mapping/remit"
)

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readAll collects the transaction sets of an input.
func readAll(t *testing.T, data []byte) ([]*remit.Transaction, []remit.Warning) {
	t.Helper()
	var txs []*remit.Transaction
	ws, err := remit.Read(bytes.NewReader(data), remit.Options{}, func(tx *remit.Transaction) error {
		txs = append(txs, tx)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return txs, ws
}

// TestPublicKnownDefects pins, per public sample, every warning (code and
// segment) and the balanced flag of each set: the defects SOURCES.md lists
// must show, and nothing else may.
func TestPublicKnownDefects(t *testing.T) {
	cases := []struct {
		file     string
		warnings []string // "CODE@segment"
		balanced []bool
	}{
		// ST02 0001 vs SE02 0003; PLB pairs net -14 while BPR02 = 0; ISA13 vs IEA02;
		// two more N1*PE groups between claims.
		{"databricks_835_plb_sample.x12", []string{"PAYEE_CHANGED@24", "PAYEE_CHANGED@34", "SE02_MISMATCH@48", "TRANSACTION_UNBALANCED@4", "IEA02_MISMATCH@50"}, []bool{false}},
		// GE01 = 3 with one ST; ISA13 vs IEA02. PLB 90 balances BPR02.
		{"databricks_835_sample_services.x12", []string{"GE01_COUNT@34", "IEA02_MISMATCH@35"}, []bool{true}},
		// Date in BPR15 instead of BPR16; SVC01 uses '>' while ISA16 is ':'.
		{"lfh_835_cob_contractural_adjustment.x12", []string{"ELEMENT_MISSING@4", "ELEMENT_MISSING@21"}, []bool{true}},
		// BPR16 = 20002316 is not a date.
		{"lfh_835_managed_care.x12", []string{"ELEMENT_INVALID@4"}, []bool{true}},
		{"lfh_835_medicare_part_a.x12", nil, []bool{true}},
		{"lfh_835_secondary_payment.x12", []string{"ELEMENT_MISSING@4", "ELEMENT_MISSING@29", "ELEMENT_MISSING@34"}, []bool{true}},
		// SVC*HC*24599.00*... has no code, so its elements are shifted.
		{"lfh_835_tertiary_payment.x12", []string{"ELEMENT_MISSING@4", "ELEMENT_MISSING@20", "ELEMENT_INVALID@20", "LINE_UNBALANCED@20"}, []bool{false}},
		// Claim 1 off by 0.01.
		{"moov_835_sample1.x12", []string{"CLAIM_UNBALANCED@18"}, []bool{false, true}},
		// BPR16 20990080 is not a date; the claim does not balance.
		{"moov_835_sample2.x12", []string{"ELEMENT_INVALID@4", "CLAIM_UNBALANCED@19"}, []bool{false}},
		{"tigershark_835_dental_example1.x12", nil, []bool{true}},
		// ST02 1234 vs SE02 0001.
		{"tigershark_835_example2.x12", []string{"SE02_MISMATCH@54"}, []bool{true}},
		{"tigershark_835_example3.x12", nil, []bool{true}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			txs, ws := readAll(t, readFile(t, "public/"+tc.file))
			var got []string
			for _, w := range ws {
				got = append(got, w.Code+"@"+strconv.Itoa(w.SegmentNumber))
				if w.Message == "" || w.SegmentID == "" {
					t.Errorf("warning without message or segment id: %+v", w)
				}
			}
			want := append([]string(nil), tc.warnings...)
			sort.Strings(got)
			sort.Strings(want)
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("warnings\n got  %v\n want %v", got, want)
			}
			if len(txs) != len(tc.balanced) {
				t.Fatalf("%d transaction sets, want %d", len(txs), len(tc.balanced))
			}
			for i, tx := range txs {
				if tx.Balanced != tc.balanced[i] {
					t.Errorf("set %d balanced = %v, want %v", i+1, tx.Balanced, tc.balanced[i])
				}
			}
		})
	}
}

func amt(s string) money.Amount { return money.MustParse(s) }

func TestModelKeepsWhatTheFileSays(t *testing.T) {
	txs, _ := readAll(t, readFile(t, "public/tigershark_835_example3.x12"))
	tx := txs[0]
	if tx.ControlNumber != "0001" || tx.GroupControlNumber != "45920001" || tx.Version != "005010X221A1" ||
		tx.InterchangeControlNumber != "000004592" || tx.Segment != 3 || tx.SegmentCount != 45 {
		t.Errorf("envelope: %+v", tx)
	}
	p := tx.Payment
	if p.Handling != "I" || !p.Amount.Equal(amt("57.44")) || p.Method != "CHK" || p.Date != "2011-09-30" ||
		p.TraceNumber != "123456789" || p.TraceOriginator != "1123456789" || p.Segment != 4 {
		t.Errorf("payment: %+v", p)
	}
	if tx.ProductionDate != "2011-09-30" || tx.Payer.Name != "PAYER NAME" || tx.Payee.ID != "1122334455" || tx.Payee.Ref("TJ") != "123456789" {
		t.Errorf("header: %q %+v %+v", tx.ProductionDate, tx.Payer, tx.Payee)
	}
	c := tx.Claims[0]
	if c.PatientControlNumber != "EDI DENIAL" || c.StatusCode != "1" || !c.Charge.Equal(amt("1088")) || !c.Paid.IsZero() ||
		!c.PatientResponsibility.Equal(amt("1088")) || !c.HasPatientResp || c.FilingIndicator != "HM" ||
		c.PayerClaimControlNo != "CLAIMNUMBER1" || c.FacilityType != "21" || c.HeaderNumber != "1" {
		t.Errorf("CLP: %+v", c)
	}
	if n := c.Patient(); n == nil || n.Last != "LAST" || n.ID != "1A2A1A2A1A2A" {
		t.Errorf("patient: %+v", n)
	}
	if c.MemberID() != "BBB1A2A1A2A1A2A" || c.Insured().Middle != "G" || c.Name("82").ID != "1234567898" {
		t.Errorf("insured/member id: %q", c.MemberID())
	}
	if c.Ref("EA") != "11223344" || c.Date("232") != "2009-01-13" || c.Date("050") != "2011-09-08" {
		t.Errorf("claim REF/DTM: %+v %+v", c.References, c.Dates)
	}
	l := c.Lines[0]
	if l.Procedure.Qualifier != "HC" || l.Procedure.Code != "00220" || l.Procedure.String() != "00220:P2" ||
		l.Units != "8" || l.OriginalUnits != "76" || l.ServiceFrom != "2009-01-13" || l.ServiceTo != "2009-01-13" {
		t.Errorf("SVC: %+v", l)
	}
	if len(l.Adjustments) != 1 || l.Adjustments[0].Code() != "PR-29" || !l.Adjustments[0].Amount.Equal(amt("1088")) {
		t.Errorf("CAS: %+v", l.Adjustments)
	}
	l2 := tx.Claims[1].Lines[0]
	if l2.Allowed == nil || !l2.Allowed.Equal(amt("87.44")) || len(l2.Adjustments) != 2 {
		t.Errorf("AMT*B6 / two CAS: %+v", l2)
	}
}

func TestModelRemarksAndProviderAdjustments(t *testing.T) {
	txs, _ := readAll(t, readFile(t, "public/lfh_835_medicare_part_a.x12"))
	tx := txs[0]
	if got := tx.Claims[1].Remarks; len(got) != 1 || got[0].Code != "MA02" || got[0].Source != "MOA03" || got[0].Segment != 27 {
		t.Errorf("MOA remarks: %+v", got)
	}
	if pa := tx.ProviderAdjustments; len(pa) != 1 || pa[0].Reason != "CV" || pa[0].Reference != "CP" ||
		!pa[0].Amount.Equal(amt("-1.27")) || pa[0].FiscalPeriodDate != "2002-12-31" || pa[0].ProviderID != "6543210903" {
		t.Errorf("PLB: %+v", pa)
	}
	if q := tx.Claims[0].Quantities; len(q) != 1 || q[0].Qualifier != "CA" || q[0].Value != "8" {
		t.Errorf("QTY: %+v", q)
	}

	txs, _ = readAll(t, readFile(t, "rarc_rule.x12"))
	mia := txs[0].Claims[7]
	if len(mia.Remarks) != 1 || mia.Remarks[0].Code != "N850" || mia.Remarks[0].Source != "MIA05" {
		t.Errorf("MIA remarks: %+v", mia.Remarks)
	}
	lq := txs[0].Claims[1].Lines[0].Remarks
	if len(lq) != 2 || lq[0].Code != "N211" || lq[1].Code != "N362" || lq[1].Qualifier != "HE" {
		t.Errorf("LQ remarks: %+v", lq)
	}

	txs, _ = readAll(t, readFile(t, "public/databricks_835_plb_sample.x12"))
	pa := txs[0].ProviderAdjustments
	if len(pa) != 3 || pa[0].Reason != "72" || pa[1].Reason != "WO" || pa[2].Pair != 3 ||
		pa[1].Reference != "0202309NN08956B0X.5520NN142" || !pa[1].Amount.Equal(amt("14")) {
		t.Errorf("PLB pairs: %+v", pa)
	}
	// Each claim keeps the payee of its N1*PE group; the set keeps the first.
	claims := txs[0].Claims
	if txs[0].Payee.Name != "SUMMER" || claims[0].Payee.Name != "SUMMER" || claims[1].Payee.Name != "VALLEY" ||
		claims[2].Payee.Name != "SILVER" || claims[2].Payee.Ref("TJ") != "666666666" {
		t.Errorf("payees: %q %q %q %q", txs[0].Payee.Name, claims[0].Payee.Name, claims[1].Payee.Name, claims[2].Payee.Name)
	}
}

func TestOwnFiles(t *testing.T) {
	// '|' elements, '>' components, CRLF after every terminator, two sets.
	data := readFile(t, "two_sets_pipe_crlf.x12")
	if !bytes.Contains(data, []byte("SVC|AD>D9997|")) || !bytes.Contains(data, []byte("~\r\n")) {
		t.Fatal("fixture lost its delimiters")
	}
	txs, ws := readAll(t, data)
	if len(ws) != 0 || len(txs) != 2 || txs[0].ControlNumber != "0001" || txs[1].ControlNumber != "0002" {
		t.Fatalf("sets %d, warnings %v", len(txs), ws)
	}
	if l := txs[1].Claims[0].Lines[0]; l.Procedure.Qualifier != "AD" || l.Procedure.Code != "D9997" || l.ControlNumber != "1" {
		t.Errorf("pipe file line: %+v", l.Procedure)
	}

	// Claim-level vs line-level CAS, six triplets in one CAS.
	txs, _ = readAll(t, readFile(t, "claim_vs_line_cas.x12"))
	c1 := txs[0].Claims[0]
	if len(c1.Adjustments) != 1 || c1.Adjustments[0].Code() != "CO-45" || len(c1.Lines[0].Adjustments) != 1 || c1.Lines[0].Adjustments[0].Code() != "PR-3" {
		t.Errorf("claim vs line CAS: %+v / %+v", c1.Adjustments, c1.Lines[0].Adjustments)
	}
	six := txs[0].Claims[3].Lines[0].Adjustments
	if len(six) != 6 || six[5].Reason != "Z9" || six[5].Triplet != 6 || six[1].Quantity != "1" || six[5].Group != "CO" {
		t.Errorf("six triplets: %+v", six)
	}

	// Reversal and the corrected claim, PLB interest and recoupment.
	txs, _ = readAll(t, readFile(t, "reversal_corrected.x12"))
	rev := txs[0].Claims[0]
	if !rev.Reversal() || !rev.Paid.Equal(amt("-100")) || !rev.Lines[0].Adjustments[0].Amount.Equal(amt("-20")) {
		t.Errorf("reversal: %+v", rev)
	}
	if !txs[0].Balanced || !txs[0].Payment.Amount.Equal(amt("177.50")) {
		t.Errorf("reversal set balance: %v %s", txs[0].Balanced, txs[0].Payment.Amount)
	}

	// SVC06: the code billed when the payer changed it.
	txs, _ = readAll(t, readFile(t, "d9997_dental.x12"))
	l := txs[0].Claims[2].Lines[0]
	if l.SubmittedProcedure == nil || l.SubmittedProcedure.Code != "D9997" || l.Procedure.Code != "D9992" {
		t.Errorf("SVC06: %+v", l)
	}
}

func TestReadStreamsEachSet(t *testing.T) {
	var seen []string
	_, err := remit.Read(bytes.NewReader(readFile(t, "public/moov_835_sample1.x12")), remit.Options{}, func(tx *remit.Transaction) error {
		seen = append(seen, tx.ControlNumber)
		return nil
	})
	if err != nil || strings.Join(seen, ",") != "0001,0002" {
		t.Fatalf("sets %v, err %v", seen, err)
	}
	stop := errors.New("stop")
	n := 0
	_, err = remit.Read(bytes.NewReader(readFile(t, "public/moov_835_sample1.x12")), remit.Options{}, func(*remit.Transaction) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("fn error: %v after %d calls", err, n)
	}
}

// mustFail reads input and returns the *x12.Error it must produce; no
// report may come with it.
func mustFail(t *testing.T, input string) *x12.Error {
	t.Helper()
	rep, err := remit.BuildReport(strings.NewReader(input), remit.Options{})
	if err == nil {
		t.Fatalf("no error; report %+v", rep)
	}
	if rep != nil {
		t.Fatal("a report came with the error")
	}
	var xe *x12.Error
	if !errors.As(err, &xe) {
		t.Fatalf("error %T %v is not *x12.Error", err, err)
	}
	return xe
}

const isa = "ISA*00*          *00*          *ZZ*DENTALPLAN     *ZZ*SMILECARE      *261120*1200*^*00501*000000101*0*T*:~"

func wrap(body ...string) string {
	set := append([]string{"ST*835*0001"}, body...)
	set = append(set, "SE*"+strconv.Itoa(len(set)+1)+"*0001")
	return isa + "GS*HP*A*B*20261120*1200*1*X*005010X221A1~" + strings.Join(set, "~") + "~GE*1*1~IEA*1*000000101~"
}

var header = []string{"BPR*I*100*C*CHK************20261120", "TRN*1*T1*1999999999", "N1*PR*PLAN", "N1*PE*DENTIST*XX*1234567893", "LX*1"}

func body(extra ...string) []string { return append(append([]string(nil), header...), extra...) }

func TestNegative(t *testing.T) {
	good := "CLP*A*1*100*100**12*ICN"
	cases := []struct {
		name    string
		input   string
		code    x12.Code
		segment int
		id      string
		element int
		loop    string
	}{
		{"empty input", "", x12.CodeISAMissing, 1, "", 0, ""},
		{"no ISA", "GS*HP*A*B*20261120*1200*1*X*005010X221A1~ST*835*0001~", x12.CodeISAMissing, 1, "", 0, ""},
		{"837 given as 835 (GS01)", string(readFile(t, "invalid/837d_given_as_835-invalid.x12")), remit.CodeNot835, 2, "GS", 1, ""},
		{"ST01 not 835", strings.Replace(wrap(body(good)...), "ST*835", "ST*837", 1), remit.CodeNot835, 3, "ST", 1, ""},
		{"CLP before BPR", wrap(good), remit.CodeSegmentUnexpected, 4, "CLP", 0, ""},
		{"TRN before BPR", wrap("TRN*1*T1*1"), remit.CodeSegmentUnexpected, 4, "TRN", 0, ""},
		{"SVC outside a claim", wrap(body("SVC*AD:D9997*100*100")...), remit.CodeSegmentUnexpected, 9, "SVC", 0, "2000"},
		{"CLP after PLB", wrap(body(good, "PLB*1*20261231*L6*-1", good)...), remit.CodeSegmentUnexpected, 11, "CLP", 0, ""},
		{"claim data outside a set", isa + "GS*HP*A*B*20261120*1200*1*X*005010X221A1~" + good + "~", remit.CodeSegmentUnexpected, 3, "CLP", 0, ""},
		{"unknown segment in a claim", wrap(body(good, "XYZ*1")...), remit.CodeSegmentUnexpected, 10, "XYZ", 0, "2100"},
		{"LQ at claim level", wrap(body(good, "LQ*HE*N850")...), remit.CodeSegmentUnexpected, 10, "LQ", 0, "2100"},
		{"N1 other than PR/PE", wrap(body(good, "N1*ZZ*X")...), remit.CodeSegmentUnexpected, 10, "N1", 0, "2100"},
		{"bad CLP03", wrap(body("CLP*A*1*12,50*0**12*ICN")...), remit.CodeAmountInvalid, 9, "CLP", 3, "2000"},
		{"bad CAS second amount", wrap(body(good, "CAS*CO*45*10**97*abc")...), remit.CodeAmountInvalid, 10, "CAS", 6, "2100"},
		{"bad SVC03", wrap(body(good, "SVC*AD:D9997*100*1e2")...), remit.CodeAmountInvalid, 10, "SVC", 3, "2100"},
		{"missing BPR02", wrap("BPR*I**C*CHK"), remit.CodeElementMissing, 4, "BPR", 2, ""},
		{"bad PLB amount", wrap(body(good, "PLB*1*20261231*WO:X*+5")...), remit.CodeAmountInvalid, 10, "PLB", 4, ""},
		{"bad AMT*B6", wrap(body(good, "SVC*AD:D9997*100*100", "AMT*B6*ten")...), remit.CodeAmountInvalid, 11, "AMT", 2, "2110"},
		{"CAS without group", wrap(body(good, "CAS**45*10")...), remit.CodeElementMissing, 10, "CAS", 1, "2100"},
		{"missing CLP02", wrap(body("CLP*A**100*100")...), remit.CodeElementMissing, 9, "CLP", 2, "2000"},
		{"4010 group (GS08)", strings.Replace(wrap(body(good)...), "005010X221A1", "004010X091A1", 1), remit.CodeVersionUnsupported, 2, "GS", 8, ""},
		{"empty GS08", strings.Replace(wrap(body(good)...), "*005010X221A1", "*", 1), remit.CodeVersionUnsupported, 2, "GS", 8, ""},
		{"ST03 filled with another version", strings.Replace(wrap(body(good)...), "ST*835*0001", "ST*835*0001*005010X221", 1), remit.CodeVersionUnsupported, 3, "ST", 3, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			xe := mustFail(t, tc.input)
			if xe.Code != tc.code || xe.Segment != tc.segment || xe.SegmentID != tc.id || xe.Element != tc.element || xe.Loop != tc.loop {
				t.Errorf("got %s seg %d %s el %d loop %q; want %s seg %d %s el %d loop %q (%v)",
					xe.Code, xe.Segment, xe.SegmentID, xe.Element, xe.Loop, tc.code, tc.segment, tc.id, tc.element, tc.loop, xe)
			}
		})
	}
}

// TestVersion: GS08 must be 005010X221A1 and the message names the version
// found; ST03 is optional in the 835 and checked only when filled.
func TestVersion(t *testing.T) {
	xe := mustFail(t, strings.Replace(wrap(body("CLP*A*1*100*100**12*ICN")...), "005010X221A1", "004010X091A1", 1))
	if !strings.Contains(xe.Error(), `"004010X091A1"`) || !strings.Contains(xe.Error(), "005010X221A1") {
		t.Errorf("message does not name the version found and the one read: %v", xe)
	}
	for _, st := range []string{"ST*835*0001", "ST*835*0001*", "ST*835*0001*005010X221A1"} {
		in := strings.Replace(wrap(body("CLP*A*1*100*100**12*ICN")...), "ST*835*0001", st, 1)
		if _, ws := readAll(t, []byte(in)); len(ws) != 0 {
			t.Errorf("%s: warnings %+v", st, ws)
		}
	}
}

func TestErrorKeepsValuesOut(t *testing.T) {
	xe := mustFail(t, wrap(body("CLP*SMITH-JOHN*1*SECRET99*0**12*ICN")...))
	if msg := xe.Error(); strings.Contains(msg, "SECRET99") || strings.Contains(msg, "SMITH") {
		t.Fatalf("error text leaks data: %s", msg)
	}
	if xe.Offset <= 0 {
		t.Fatalf("no byte offset: %+v", xe)
	}
}

func TestTruncated(t *testing.T) {
	full := string(readFile(t, "d9997_dental.x12"))
	cut := func(before string) string {
		i := strings.Index(full, before)
		if i < 0 {
			t.Fatalf("%q not in fixture", before)
		}
		return full[:i]
	}
	for _, tc := range []struct {
		name, input, want, loop string
		segment                 int
	}{
		{"before SE", cut("SE*51"), "SE", "2110", 53},
		{"before GE", cut("GE*1"), "GE", "", 54},
		{"before IEA", cut("IEA*1"), "IEA", "", 55},
		{"inside a segment", cut("SE*51") + "SE*5", "SE", "2110", 53},
	} {
		t.Run(tc.name, func(t *testing.T) {
			xe := mustFail(t, tc.input)
			if xe.Code != x12.CodeTruncated || xe.SegmentID != tc.want || xe.Segment != tc.segment || xe.Loop != tc.loop {
				t.Errorf("got %s %s seg %d loop %q, want TRUNCATED %s seg %d loop %q", xe.Code, xe.SegmentID, xe.Segment, xe.Loop, tc.want, tc.segment, tc.loop)
			}
		})
	}
}

func TestWarningsAreNotFatal(t *testing.T) {
	// Wrong SE01, ST02 ≠ SE02, GE01 and IEA02 wrong, a claim off by a cent,
	// an invalid date and quantity: all warnings, the report still comes.
	input := isa + "GS*HP*A*B*20261120*1200*1*X*005010X221A1~ST*835*0001~" + strings.Join(body(
		"CLP*A*1*100*99.99**12*ICN", "SVC*AD:D9997*100*100*x*one", "DTM*472*20261332"), "~") +
		"~SE*99*0002~GE*7*1~IEA*1*000000999~"
	rep, err := remit.BuildReport(strings.NewReader(input), remit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range rep.Warnings {
		got = append(got, w.Code+":"+w.Element)
	}
	want := "ELEMENT_INVALID:SVC05 ELEMENT_INVALID:DTM02 SE01_COUNT:SE01 SE02_MISMATCH:SE02 CLAIM_UNBALANCED:CLP04 TRANSACTION_UNBALANCED:BPR02 GE01_COUNT:GE01 IEA02_MISMATCH:IEA02"
	if strings.Join(got, " ") != want {
		t.Errorf("warnings\n got  %s\n want %s", strings.Join(got, " "), want)
	}
	if rep.Remittances[0].Balanced || rep.Remittances[0].Claims[0].Lines[0].Units != "1" {
		t.Errorf("balanced %v, units %s", rep.Remittances[0].Balanced, rep.Remittances[0].Claims[0].Lines[0].Units)
	}
}

func TestConcatenatedInterchangesAndMissingGS(t *testing.T) {
	one := readFile(t, "d9997_dental.x12")
	txs, ws := readAll(t, append(append([]byte(nil), one...), one...))
	if len(txs) != 2 || len(ws) != 0 {
		t.Fatalf("two interchanges: %d sets, warnings %+v", len(txs), ws)
	}
	// An ST straight after the ISA is read; the envelope checker reports it.
	noGS := isa + "ST*835*0001~" + strings.Join(body("CLP*A*1*100*100**12*ICN"), "~") + "~SE*8*0001~IEA*0*000000101~"
	txs, ws = readAll(t, []byte(noGS))
	if len(txs) != 1 || len(ws) != 1 || ws[0].Code != string(x12.CodeEnvelopeUnexpected) || txs[0].GroupControlNumber != "" {
		t.Fatalf("ST without GS: %d sets, warnings %+v", len(txs), ws)
	}
}

// TestIndentedFile: spaces, tabs and line breaks between segments are
// read, with one WHITESPACE_BETWEEN_SEGMENTS warning at the first indented
// segment; a byte-order mark stays silent.
func TestIndentedFile(t *testing.T) {
	plain := readFile(t, "d9997_dental.x12")
	indented := "\xEF\xBB\xBF" + strings.NewReplacer("\nCLP", "\r\n  CLP", "\nSVC", "\n\t\tSVC", "\nCAS", "\n\t\t\tCAS").Replace(string(plain))
	want, _ := readAll(t, plain)
	got, ws := readAll(t, []byte(indented))
	if len(ws) != 1 || ws[0].Code != remit.WarnWhitespaceBetweenSegments || ws[0].SegmentID != "CLP" {
		t.Fatalf("warnings %+v", ws)
	}
	if len(got) != len(want) || len(got[0].Claims) != len(want[0].Claims) || got[0].Claims[0].Lines[0].Charge.String() != want[0].Claims[0].Lines[0].Charge.String() {
		t.Fatalf("indented file read differently")
	}
	if _, ws := readAll(t, append([]byte("\xEF\xBB\xBF"), plain...)); len(ws) != 0 {
		t.Fatalf("BOM: warnings %+v", ws)
	}
}

func TestCLPWithoutLX(t *testing.T) {
	input := wrap("BPR*I*100*C*CHK************20261120", "TRN*1*T1*1", "N1*PR*PLAN", "N1*PE*DENTIST", "CLP*A*1*100*100**12*ICN")
	_, ws := readAll(t, []byte(input))
	if len(ws) != 1 || ws[0].Code != remit.WarnLXMissing || ws[0].SegmentNumber != 8 {
		t.Fatalf("warnings %+v", ws)
	}
}

// TestDeactivatedCodes: a code whose stop date is before the remittance's
// date (DTM*405, else BPR16) is read, categorised and marked deactivated.
func TestDeactivatedCodes(t *testing.T) {
	claim := []string{"CLP*A*1*100*0**12*ICN", "SVC*AD:D9997*100*0", "CAS*CO*119*100", "LQ*HE*N411"}
	for _, tc := range []struct {
		name, bpr string
		extra     []string
		want      bool
	}{
		{"BPR16 after the stop dates", "BPR*I*0*C*NON************20261120", nil, true},
		{"BPR16 before them", "BPR*I*0*C*NON************20081231", nil, false},
		{"DTM*405 wins over BPR16", "BPR*I*0*C*NON************20261120", []string{"DTM*405*20080101"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			segs := append([]string{tc.bpr, "TRN*1*T1*1999999999"}, tc.extra...)
			segs = append(segs, "N1*PR*PLAN", "N1*PE*DENTIST*XX*1234567893", "LX*1")
			rep, err := remit.BuildReport(strings.NewReader(wrap(append(segs, claim...)...)), remit.Options{})
			if err != nil {
				t.Fatal(err)
			}
			l := rep.Remittances[0].Claims[0].Lines[0]
			if l.Remarks[0].Deactivated != tc.want || l.Adjustments[0].Deactivated {
				t.Fatalf("N411 deactivated %v (stop %q), CO-119 %v", l.Remarks[0].Deactivated, l.Remarks[0].StopDate, l.Adjustments[0].Deactivated)
			}
			if tc.want && l.Remarks[0].StopDate != "2009-02-01" {
				t.Errorf("stop date %q", l.Remarks[0].StopDate)
			}
			if l.Adjustments[0].Category != "frequency" {
				t.Errorf("CO-119 + deactivated N411: %s", l.Adjustments[0].Category)
			}
		})
	}
}

// TestSummaryTotals: denied_amount counts denials only; OA-133 goes to
// pended_amount and leaves it when the claim is reversed in the same
// report (the corrected claim counts instead); a CLP02=23 claim goes to
// forwarded_amount; a 19 claim is paid, counted normally and says it was
// forwarded.
func TestSummaryTotals(t *testing.T) {
	rep := buildReport(t, filepath.Join(testdata, "summary_totals.x12"))
	s := rep.Summary
	got := strings.Join([]string{s.DeniedAmount.String(), s.PendedAmount.String(), s.ForwardedAmount.String(), s.ReversedAmount.String()}, " ")
	if got != "220.00 60.00 90.00 0.00" {
		t.Errorf("denied pended forwarded reversed = %s, want 220.00 60.00 90.00 0.00", got)
	}
	if len(s.DeniedByCategory) != 2 || s.DeniedByCategory["documentation"].String() != "120.00" || s.DeniedByCategory["timely_filing"].String() != "100.00" {
		t.Errorf("denied_by_category %v", s.DeniedByCategory)
	}
	fwd := rep.Remittances[0].Claims[4]
	if fwd.Status != remit.StatusPaid || !strings.Contains(fwd.StatusNote, "forwarded to another payer") || !strings.Contains(fwd.StatusNote, "SECOND DENTAL PLAN") {
		t.Errorf("CLP02 19: status %s, note %q", fwd.Status, fwd.StatusNote)
	}
	if n := rep.Remittances[0].Claims[0].StatusNote; n != "" {
		t.Errorf("CLP02 1: note %q", n)
	}
}

// TestReversalByREFF8: a reversal with its own CLP07 that names the
// original in REF*F8 takes the original's pended amount out too.
func TestReversalByREFF8(t *testing.T) {
	in := wrap(body(
		"CLP*P1*1*100*0**12*ICN-A", "SVC*AD:D9997*100*0", "CAS*OA*133*100",
		"CLP*P1*22*-100*0**12*ICN-B", "REF*F8*ICN-A", "SVC*AD:D9997*-100*0", "CAS*OA*133*-100",
	)...)
	in = strings.Replace(in, "BPR*I*100*", "BPR*I*0*", 1)
	rep, err := remit.BuildReport(strings.NewReader(in), remit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s := rep.Summary; !s.PendedAmount.IsZero() || !s.DeniedAmount.IsZero() {
		t.Errorf("pended %s denied %s, want 0 after the reversal", s.PendedAmount, s.DeniedAmount)
	}
}

// TestOperatorListMarksPLB: stop dates from an operator's plb.tsv mark
// provider adjustments too, and its text describes a code we do not know.
func TestOperatorListMarksPLB(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "plb.tsv"), []byte("WO\t1995-01-01\t2020-01-01\tOfficial WO.\nZZ\t2021-01-01\t\tOfficial ZZ.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := codes.LoadDir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = codes.LoadDir("") })
	rep, err := remit.BuildReport(strings.NewReader(wrap(body("CLP*A*1*100*100**12*ICN", "PLB*1*20261231*WO:X*5*ZZ:Y*-5")...)), remit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pa := rep.Remittances[0].ProviderAdjustments
	if !pa[0].Deactivated || pa[0].StopDate != "2020-01-01" || pa[1].Deactivated || pa[1].Description != "Official ZZ." {
		t.Errorf("provider adjustments %+v", pa)
	}
}
