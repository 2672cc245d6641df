package ack

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/adapters/x12"
)

func readFile(t *testing.T, path string) *File {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ReadBytes(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return f
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReadPublic999: the public 999 samples read with their control numbers,
// outcomes and errors.
func TestReadPublic999(t *testing.T) {
	for _, tc := range []struct {
		file string
		ta1  []TA1
		sets string
	}{
		{file: "imsweb_999_accepted.x12",
			sets: `[{"Segment":5,"FunctionalID":"HC","GroupControl":"17456","GroupVersion":"005010X223A2","GroupStatus":"A","GroupCodes":null,"SetID":"837","SetControl":"0001","SetVersion":"005010X223A2","Status":"A","Codes":null,"Errors":null,"ResponseISA13":"000000286"}]`},
		{file: "imsweb_999_rejected.x12",
			sets: `[{"Segment":5,"FunctionalID":"HC","GroupControl":"28","GroupVersion":"005010X223A2","GroupStatus":"R","GroupCodes":null,"SetID":"837","SetControl":"0028","SetVersion":"","Status":"R","Codes":["5"],"Errors":[{"Segment":6,"SegmentID":"NM","Position":17,"Loop":"","Code":"1","ClaimID":"","Elements":null}],"ResponseISA13":"095832987"}]`},
		{file: "imsweb_999_rejected_with_ta1.x12",
			ta1:  []TA1{{Segment: 2, ControlNumber: "101", Date: "241018", Time: "0307", Ack: "A", Note: "000"}},
			sets: `[{"Segment":6,"FunctionalID":"HC","GroupControl":"101","GroupVersion":"005010X222A1","GroupStatus":"R","GroupCodes":null,"SetID":"837","SetControl":"101","SetVersion":"005010X222A1","Status":"R","Codes":["5"],"Errors":[{"Segment":7,"SegmentID":"CLM","Position":289,"Loop":"2010","Code":"6","ClaimID":"","Elements":null},{"Segment":8,"SegmentID":"CLM","Position":381,"Loop":"2010","Code":"6","ClaimID":"","Elements":null}],"ResponseISA13":"000000101"}]`},
	} {
		f := readFile(t, filepath.Join("..", "..", "testdata", "x12", tc.file))
		if f.Kind != Kind999 {
			t.Errorf("%s: kind %s", tc.file, f.Kind)
		}
		if jsonOf(t, f.TA1s) != jsonOf(t, tc.ta1) {
			t.Errorf("%s: TA1 %s", tc.file, jsonOf(t, f.TA1s))
		}
		if got := jsonOf(t, f.Sets); got != tc.sets {
			t.Errorf("%s:\n got %s\nwant %s", tc.file, got, tc.sets)
		}
	}
}

// TestReadOur999: the 999s and TA1s our writer makes (internal/snip
// goldens) read back with their IK3/IK4 positions and the CTX claim id.
func TestReadOur999(t *testing.T) {
	f := readFile(t, "../../internal/snip/testdata/ack/rejected.x12")
	if len(f.Sets) != 2 || f.Sets[0].SetControl != "0001" || f.Sets[0].Status != "R" || f.Sets[1].Codes[0] != "4" {
		t.Fatalf("sets %s", jsonOf(t, f.Sets))
	}
	want := `[{"Segment":6,"SegmentID":"NM1","Position":10,"Loop":"2010","Code":"3","ClaimID":"","Elements":null},{"Segment":7,"SegmentID":"CLM","Position":15,"Loop":"2300","Code":"8","ClaimID":"","Elements":[{"Position":1,"Component":0,"Repetition":0,"Ref":"1028","Code":"5"},{"Position":5,"Component":3,"Repetition":0,"Ref":"1325","Code":"7"}]}]`
	if got := jsonOf(t, f.Sets[0].Errors); got != want {
		t.Errorf("errors\n got %s\nwant %s", got, want)
	}
	g := readFile(t, "../../internal/snip/testdata/ack/group_rejected.x12")
	if len(g.Sets) != 1 || g.Sets[0].GroupStatus != "R" || g.Sets[0].GroupCodes[0] != "5" || g.Sets[0].Status != "A" {
		t.Errorf("group answer %s", jsonOf(t, g.Sets))
	}
	ta := readFile(t, "../../internal/snip/testdata/ack/ta1_rejected.x12")
	if ta.Kind != KindTA1 || len(ta.TA1s) != 1 || ta.TA1s[0].ControlNumber != "000000001" || ta.TA1s[0].Ack != "R" || ta.TA1s[0].Note != "001" {
		t.Errorf("TA1 %s %s", ta.Kind, jsonOf(t, ta.TA1s))
	}
}

const isa = "ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*CASEBRIDGE     *261128*0800*^*00501*000000731*0*T*:~"

func TestReadCTXAndGroupOnly(t *testing.T) {
	f, err := ReadBytes([]byte(isa + "GS*FA*CLEARINGHOUSE*CASEBRIDGE*20261128*0800*731*X*005010X231A1~ST*999*0001*005010X231A1~" +
		"AK1*HC*1003*005010X224A2~AK2*837*1003*005010X224A2~IK3*CLM*22*2300*8~CTX*CLM01:CM000123~IK4*5:3*1325*7~IK5*R*I5~AK9*R*1*1*0~" +
		"SE*9*0001~ST*999*0002*005010X231A1~AK1*HC*1004*005010X224A2~AK9*R*1*0*0*5~SE*4*0002~GE*2*731~IEA*1*000000731~"))
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"Segment":5,"FunctionalID":"HC","GroupControl":"1003","GroupVersion":"005010X224A2","GroupStatus":"R","GroupCodes":null,"SetID":"837","SetControl":"1003","SetVersion":"005010X224A2","Status":"R","Codes":["I5"],"Errors":[{"Segment":6,"SegmentID":"CLM","Position":22,"Loop":"2300","Code":"8","ClaimID":"CM000123","Elements":[{"Position":5,"Component":3,"Repetition":0,"Ref":"1325","Code":"7"}]}],"ResponseISA13":"000000731"},` +
		`{"Segment":13,"FunctionalID":"HC","GroupControl":"1004","GroupVersion":"005010X224A2","GroupStatus":"R","GroupCodes":["5"],"SetID":"","SetControl":"","SetVersion":"","Status":"R","Codes":["5"],"Errors":null,"ResponseISA13":"000000731"}]`
	if got := jsonOf(t, f.Sets); got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
}

// TestRead277CA: claim-level statuses of loop 2200D, with the payer claim
// number; statuses of other levels and of service lines are not the claim's.
func TestRead277CA(t *testing.T) {
	f := readFile(t, "../../testdata/277ca/claims.x12")
	want := `[{"Segment":28,"PatientControlNumber":"CM000123","PayerClaimNumber":"PCN7788990001","ClearinghouseTrace":"CH731-1","Statuses":[{"Category":"A2","Code":"20","Entity":"PR","Action":"WQ"}]},` +
		`{"Segment":39,"PatientControlNumber":"CM000124","PayerClaimNumber":"","ClearinghouseTrace":"CH731-2","Statuses":[{"Category":"A7","Code":"562","Entity":"85","Action":"U"},{"Category":"A7","Code":"187","Entity":"","Action":""}]}]`
	if f.Kind != Kind277CA || jsonOf(t, f.Claims) != want {
		t.Errorf("%s\n got %s\nwant %s", f.Kind, jsonOf(t, f.Claims), want)
	}
}

// TestReadErrors: unusable files fail with a positioned *x12.Error whose
// message quotes no value.
func TestReadErrors(t *testing.T) {
	gs999 := "GS*FA*CLEARINGHOUSE*CASEBRIDGE*20261128*0800*731*X*005010X231A1~"
	for _, tc := range []struct {
		name, in string
		code     x12.Code
		seg, el  int
	}{
		{"empty", "", x12.CodeISAMissing, 1, 0},
		{"not x12", "hello", x12.CodeISAMissing, 1, 0},
		{"truncated", isa + gs999 + "ST*999*0001*005010X231A1~AK1*HC*1", x12.CodeTruncated, 4, 0},
		{"837 not an ack", isa + "GS*HC*A*B*20261128*0800*731*X*005010X224A2~ST*837*0001~SE*2*0001~GE*1*731~IEA*1*000000731~", CodeUnsupported, 2, 1},
		{"277 not CA", isa + "GS*HN*A*B*20261128*0800*731*X*005010X212~ST*277*0001~SE*2*0001~GE*1*731~IEA*1*000000731~", CodeUnsupported, 2, 8},
		{"ST01 mismatch", isa + gs999 + "ST*277*0001*005010X231A1~SE*2*0001~GE*1*731~IEA*1*000000731~", CodeUnsupported, 3, 1},
		{"no IEA", isa + gs999 + "ST*999*0001*005010X231A1~AK1*HC*1~AK9*A*0*0*0~SE*4*0001~GE*1*731~", x12.CodeEnvelopeUnclosed, 1, 0},
		{"empty interchange", isa + "IEA*0*000000731~", CodeEmpty, 2, 0},
		{"AK2 before AK1", isa + gs999 + "ST*999*0001*005010X231A1~AK2*837*0001~IK5*A~SE*4*0001~GE*1*731~IEA*1*000000731~", CodeStructure, 4, 0},
		{"AK102 not a number", isa + gs999 + "ST*999*0001*005010X231A1~AK1*HC*X1~AK9*A*0*0*0~SE*4*0001~GE*1*731~IEA*1*000000731~", CodeElementInvalid, 4, 2},
		{"IK501 bad", isa + gs999 + "ST*999*0001*005010X231A1~AK1*HC*1~AK2*837*0001~IK5*Q~AK9*A*1*1*1~SE*6*0001~GE*1*731~IEA*1*000000731~", CodeElementInvalid, 6, 1},
		{"IK4 without IK3", isa + gs999 + "ST*999*0001*005010X231A1~AK1*HC*1~AK2*837*0001~IK4*1**5~IK5*R~AK9*R*1*1*0~SE*7*0001~GE*1*731~IEA*1*000000731~", CodeStructure, 6, 0},
		{"IK302 bad", isa + gs999 + "ST*999*0001*005010X231A1~AK1*HC*1~AK2*837*0001~IK3*CLM*X~IK5*R~AK9*R*1*1*0~SE*7*0001~GE*1*731~IEA*1*000000731~", CodeElementInvalid, 6, 2},
		{"no AK9", isa + gs999 + "ST*999*0001*005010X231A1~AK1*HC*1~AK2*837*0001~IK5*A~SE*5*0001~GE*1*731~IEA*1*000000731~", CodeStructure, 8, 0},
		{"TA101 not a number", isa + "TA1*7A1*261128*0800*R*022~IEA*0*000000731~", CodeElementInvalid, 2, 1},
		{"TA104 bad", isa + "TA1*000000731*261128*0800*Q*022~IEA*0*000000731~", CodeElementInvalid, 2, 4},
		{"TA105 missing", isa + "TA1*000000731*261128*0800*R~IEA*0*000000731~", CodeElementMissing, 2, 5},
		{"277CA TRN02 missing", isa + "GS*HN*A*B*20261128*0800*731*X*005010X214~ST*277*0001*005010X214~HL*4*3*PT~TRN*2~SE*4*0001~GE*1*731~IEA*1*000000731~", CodeElementMissing, 5, 2},
	} {
		_, err := ReadBytes([]byte(tc.in))
		var xe *x12.Error
		if !errors.As(err, &xe) {
			t.Errorf("%s: %v, want an *x12.Error", tc.name, err)
			continue
		}
		if xe.Code != tc.code || xe.Segment != tc.seg || xe.Element != tc.el {
			t.Errorf("%s: %s at segment %d element %d, want %s at %d/%d (%v)", tc.name, xe.Code, xe.Segment, xe.Element, tc.code, tc.seg, tc.el, err)
		}
		for _, v := range []string{"CLEARINGHOUSE", "X1", "CM000"} {
			if strings.Contains(xe.Msg, v) {
				t.Errorf("%s: message quotes a value: %s", tc.name, xe.Msg)
			}
		}
	}
}

func TestControlNumber(t *testing.T) {
	for in, want := range map[string]int64{"000001003": 1003, "1003": 1003, "0001": 1, "": -1, "12a": -1, "1234567890": -1} {
		n, ok := ControlNumber(in)
		if (want < 0) == ok || (ok && n != want) {
			t.Errorf("ControlNumber(%q) = %d, %v", in, n, ok)
		}
	}
}
