package snip

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readTestdata(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile("../../testdata/" + path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// edit applies replacements (each must apply once) and fixes SE01 to the
// real count, so a test file has exactly the defect it is made for.
func edit(t testing.TB, x string, repl ...string) string {
	t.Helper()
	for i := 0; i+1 < len(repl); i += 2 {
		if strings.Count(x, repl[i]) != 1 {
			t.Fatalf("%q occurs %d times", repl[i], strings.Count(x, repl[i]))
		}
		x = strings.Replace(x, repl[i], repl[i+1], 1)
	}
	st := strings.Index(x, "~\nST*")
	se := strings.Index(x, "~\nSE*") + 2
	n := strings.Count(x[st+1:se], "~") + 1
	end := se + strings.IndexByte(x[se:], '*') + 1
	end2 := end + strings.IndexByte(x[end:], '*')
	return x[:end] + fmt.Sprint(n) + x[end2:]
}

func validate(t testing.TB, x string, types ...Type) *Report {
	t.Helper()
	rep, err := Validate(strings.NewReader(x), Options{Types: types})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// errorsOf lists "CODE@segment:element IK304/IK403" of the errors.
func errorsOf(rep *Report) []string {
	var out []string
	for _, is := range rep.Issues {
		if is.Severity == SeverityError {
			out = append(out, fmt.Sprintf("%s@%d:%s%02d %s %s/%s", is.Code, is.Segment, is.SegmentID, is.Element, is.Loop, is.IK3, is.IK4))
		}
	}
	return out
}

// One defect each, made from casebridge's own 837Ds (valid for SNIP 1-5):
// the engine finds it, positioned, with its 999 codes.
func TestEngineDefects(t *testing.T) {
	self := readTestdata(t, "837d/self.x12")
	repl := readTestdata(t, "837d/replacement.x12")
	line := "LX*1~\nSV3*AD:D9997*120****1*****1:2~\nDTP*472*D8*20261102~\nREF*6R*CM000123-1~\n"
	var lines strings.Builder
	for i := 1; i <= 51; i++ {
		fmt.Fprintf(&lines, "LX*%d~\nSV3*AD:D9997*0****1*****1:2~\n", i)
	}
	cases := []struct {
		name, x string
		want    []string
	}{
		{"valid", self, nil},
		{"valid replacement", repl, nil},
		{"out of order", edit(t, self, "N3*100 MAIN ST~\nN4*ANYTOWN*CA*900010001~", "N4*ANYTOWN*CA*900010001~\nN3*100 MAIN ST~"),
			[]string{"SEGMENT_OUT_OF_ORDER@12:N300 2010AA 7/"}},
		{"not in set", edit(t, self, "REF*6R*CM000123-1~", "REF*6R*CM000123-1~\nZZZ*1~"),
			[]string{"SEGMENT_NOT_IN_SET@34:ZZZ00 2400 6/"}},
		{"unexpected", edit(t, self, "REF*6R*CM000123-1~", "REF*6R*CM000123-1~\nPER*IC*DESK*TE*5555550100~"),
			[]string{"SEGMENT_UNEXPECTED@34:PER00 2400 2/"}},
		{"HL04 promises a child", edit(t, self, "HL*2*1*22*0~", "HL*2*1*22*1~"),
			[]string{"HL_CHILD_CODE_INVALID@14:HL04 2000B 8/7"}},
		{"HL01 numbering", edit(t, self, "HL*2*1*22*0~", "HL*3*1*22*0~"),
			[]string{"HL_NUMBER_INVALID@14:HL01 2000B 8/I12"}},
		{"2400 over 50", edit(t, self, line, lines.String(), "CLM*CM000123*120*", "CLM*CM000123*0*"),
			[]string{"LOOP_OVER_MAX@130:LX00 2400 4/"}},
		{"eleventh PWK", edit(t, self, "PWK*OZ*EL***AC*ATT000123~", strings.Repeat("PWK*OZ*EL***AC*ATT000123~\n", 11)),
			[]string{"SEGMENT_OVER_MAX_USE@32:PWK00 2300 5/"}},
		{"required element", edit(t, self, "CLM*CM000123*120***11:B:1*Y*A*Y*Y~", "CLM*CM000123*120***11:B:1*Y**Y*Y~"),
			[]string{"ELEMENT_REQUIRED_MISSING@21:CLM07 2300 8/1"}},
		{"required component", edit(t, self, "11:B:1*", "11:B*"),
			[]string{"ELEMENT_REQUIRED_MISSING@21:CLM05 2300 8/1"}},
		{"not used element", edit(t, self, "CLM*CM000123*120***", "CLM*CM000123*120*X**"),
			[]string{"ELEMENT_NOT_USED@21:CLM03 2300 8/I10"}},
		{"too many components", edit(t, self, "11:B:1*", "11:B:1:9*"),
			[]string{"TOO_MANY_COMPONENTS@21:CLM05 2300 8/13"}},
		{"repetition separator", edit(t, self, "REF*G1*PA778899~", "REF*G1*PA77^8899~"),
			[]string{"TOO_MANY_REPETITIONS@23:REF02 2300 8/12"}},
		{"component separator in simple element", edit(t, self, "REF*G1*PA778899~", "REF*G1*PA77:8899~"),
			[]string{"INVALID_CHARACTER@23:REF02 2300 8/6"}},
		{"not a number", edit(t, self, "SV3*AD:D9997*120*", "SV3*AD:D9997*12O*", "CLM*CM000123*120*", "CLM*CM000123*12O*"),
			[]string{"INVALID_CHARACTER@21:CLM02 2300 8/6", "INVALID_CHARACTER@31:SV302 2400 8/6"}},
		{"bad time", edit(t, self, "*20261127*1000*CH~", "*20261127*2560*CH~"),
			[]string{"INVALID_TIME@4:BHT05  8/9"}},
		{"too short", edit(t, self, "ST*837*1003*", "ST*837*103*", "SE*32*1003~", "SE*32*103~"),
			[]string{"ELEMENT_TOO_SHORT@3:ST02  8/4", "ELEMENT_TOO_SHORT@34:SE02  8/4"}},
		{"REF*F8 missing on a replacement", edit(t, repl, "REF*F8*", "REF*G3*"),
			[]string{"SITUATIONAL_SEGMENT_MISSING@21:REF00 2300 I6/"}},
		{"DTP*441 missing with SV305 R", edit(t, self, "SV3*AD:D9997*120****1*****1:2~", "SV3*AD:D9997*120***R*1*****1:2~"),
			[]string{"SITUATIONAL_SEGMENT_MISSING@31:DTP00 2400 I6/"}},
		{"DMG missing for a self subscriber", edit(t, self, "DMG*D8*19800101*F~\n", ""),
			[]string{"SITUATIONAL_SEGMENT_MISSING@15:DMG00 2010BA I6/"}},
		{"PWK06 when the attachment is sent", edit(t, self, "PWK*OZ*EL***AC*ATT000123~", "PWK*OZ*EL~"),
			[]string{"SITUATIONAL_ELEMENT_MISSING@22:PWK05 2300 8/I9", "SITUATIONAL_ELEMENT_MISSING@22:PWK06 2300 8/I9"}},
		{"paired NM108/NM109", edit(t, self, "XX*1987654328~", "XX~"),
			[]string{"ELEMENT_CONDITIONAL_MISSING@28:NM109 2310B 8/2"}},
		{"2000C under a self subscriber", edit(t, readTestdata(t, "837d/dependent.x12"), "SBR*P**", "SBR*P*18*"),
			[]string{"SITUATIONAL_SEGMENT_MISSING@15:N300 2010BA I6/", "SITUATIONAL_SEGMENT_MISSING@15:N400 2010BA I6/",
				"SITUATIONAL_SEGMENT_MISSING@15:DMG00 2010BA I6/", "SITUATIONAL_SEGMENT_EXCLUDED@15:HL00 2000B I9/"}},
		{"NPI check digit", edit(t, self, "XX*1234567893~", "XX*1234567890~"),
			[]string{"CODE_SET_INVALID@10:NM109 2010AA 8/I12"}},
		{"state", edit(t, self, "N4*ANYTOWN*CA*90001~", "N4*ANYTOWN*XY*90001~"),
			[]string{"CODE_SET_INVALID@18:N402 2010BA 8/7"}},
		{"ZIP", edit(t, self, "N4*ANYTOWN*CA*90001~", "N4*ANYTOWN*CA*9000~"),
			[]string{"CODE_SET_INVALID@18:N403 2010BA 8/I12"}},
		{"billing ZIP+4", edit(t, self, "N4*ANYTOWN*CA*900010001~", "N4*ANYTOWN*CA*90001~"),
			[]string{"CODE_SET_INVALID@12:N403 2010AA 8/I12"}},
		{"taxonomy", edit(t, self, "PRV*BI*PXC*1223G0001X~", "PRV*BI*PXC*1223G0001~"),
			[]string{"CODE_SET_INVALID@9:PRV03 2000A 8/7"}},
		{"CDT", edit(t, self, "SV3*AD:D9997*", "SV3*AD:9997*"),
			[]string{"CODE_SET_INVALID@31:SV301 2400 8/7"}},
		{"ICD-10-CM", edit(t, self, "HI*ABK:F840*", "HI*ABK:F84.0*"),
			[]string{"CODE_SET_INVALID@27:HI01 2300 8/7"}},
		{"EIN", edit(t, self, "REF*EI*123456789~", "REF*EI*12-3456789~"),
			[]string{"CODE_SET_INVALID@13:REF02 2010AA 8/I12"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := errorsOf(validate(t, tc.x, Syntax, HIPAASyntax, Balancing, Situational, CodeSets))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// Two sets with the same ST02 in a group, and two groups with one GS06.
func TestEngineDuplicateControlNumbers(t *testing.T) {
	self := readTestdata(t, "837d/self.x12")
	st := strings.Index(self, "\nST*") + 1
	ge := strings.Index(self, "\nGE*") + 1
	two := self[:ge] + self[st:ge] + strings.Replace(self[ge:], "GE*1*", "GE*2*", 1)
	got := errorsOf(validate(t, two, Syntax))
	if len(got) != 1 || !strings.HasPrefix(got[0], "ST02_DUPLICATE@35:ST02") {
		t.Errorf("got %v", got)
	}
	gs := strings.Index(self, "\nGS*") + 1
	iea := strings.Index(self, "\nIEA*") + 1
	twoGroups := self[:iea] + self[gs:iea] + strings.Replace(self[iea:], "IEA*1*", "IEA*2*", 1)
	rep := validate(t, twoGroups, Syntax)
	got = errorsOf(rep)
	if len(got) != 1 || !strings.HasPrefix(got[0], "GS06_DUPLICATE@36:GS06") || rep.Issues[0].AK9 != "19" {
		t.Errorf("got %v", got)
	}
}

// The report's envelopes, counts and positions.
func TestEngineReportShape(t *testing.T) {
	rep := validate(t, readTestdata(t, "x12/broken/sixth_nte.x12"))
	if len(rep.Interchanges) != 1 || len(rep.Interchanges[0].Groups) != 1 || len(rep.Interchanges[0].Groups[0].Sets) != 1 {
		t.Fatalf("envelopes: %+v", rep.Interchanges)
	}
	set := rep.Interchanges[0].Groups[0].Sets[0]
	if set.ID != "837" || set.ControlNumber != "1003" || set.Implementation != "005010X224A2" || set.Segments != 35 || set.First != 3 || set.Last != 37 || set.Errors != 1 {
		t.Errorf("set %+v", set)
	}
	is := rep.Issues[0]
	if is.Interchange != 1 || is.Group != 1 || is.Set != 1 || is.SegmentInSet != 27 || is.ControlNumber != "1003" || is.Offset == 0 {
		t.Errorf("issue %+v", is)
	}
	if rep.Valid || rep.Unusable {
		t.Errorf("valid %v unusable %v", rep.Valid, rep.Unusable)
	}
}

func TestEngineUnreadable(t *testing.T) {
	for _, in := range []string{"", "GS*HC~", "\xef\xbb\xbf  hello"} {
		if _, err := Validate(strings.NewReader(in), Options{}); !errors.Is(err, ErrUnreadable) {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func TestDataTypes(t *testing.T) {
	for _, c := range []struct {
		v    string
		f    func(string) bool
		want bool
	}{
		{"20240229", validDate, true}, {"20230229", validDate, false}, {"21000229", validDate, false}, {"20000229", validDate, true},
		{"20261332", validDate, false}, {"261127", validDate, true}, {"2026110", validDate, false}, {"-2026110", validDate, false},
		{"1000", validTime, true}, {"2400", validTime, false}, {"235959", validTime, true}, {"23596", validTime, false}, {"12345678", validTime, true},
		{"-12.50", isDecimal, true}, {".5", isDecimal, true}, {"1.2.3", isDecimal, false}, {"-", isDecimal, false}, {"1E5", isDecimal, false},
		{"-12", isInteger, true}, {"1.0", isInteger, false},
	} {
		if got := c.f(c.v); got != c.want {
			t.Errorf("%q: %v", c.v, got)
		}
	}
	for v, want := range map[string]string{"1234567893": "", "1234567890": "fails", "123456789": "10-digit", "1245319599": ""} {
		if got := runCheck("NPI", v); (want == "" && got != "") || (want != "" && !strings.Contains(got, want)) {
			t.Errorf("NPI %s: %q", v, got)
		}
	}
	for v, ok := range map[string]bool{"K0250": true, "Z7409": true, "F840": true, "F84.0": false, "840": false, "K02501234": false} {
		if (runCheck("ICD10CM", v) == "") != ok {
			t.Errorf("ICD-10-CM %s", v)
		}
	}
	for v, ok := range map[string]bool{"D9997": true, "d9997": false, "D999": false, "9997": false} {
		if (runCheck("CDT", v) == "") != ok {
			t.Errorf("CDT %s", v)
		}
	}
	for v, ok := range map[string]bool{"90001": true, "900010001": true, "9000": false, "K1A0B1": true, "90001-0001": false} {
		if (runCheck("ZIP", v) == "") != ok {
			t.Errorf("ZIP %s", v)
		}
	}
}

func TestParseTypes(t *testing.T) {
	for in, want := range map[string]string{"": "[]", "1": "[1]", "3,1,1": "[1 3]", " 2 , 7 ": "[2 7]"} {
		got, err := ParseTypes(in)
		if err != nil || fmt.Sprint(got) != want && !(want == "[]" && got == nil) {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	for _, bad := range []string{"6", "1,,2", "x", "8"} {
		if _, err := ParseTypes(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// FuzzValidate: mutations of valid and broken files never panic and give
// a report whose every issue is positioned (a segment ordinal, a code, a
// message), or ErrUnreadable.
func FuzzValidate(f *testing.F) {
	for _, g := range []string{"../../testdata/x12/*.x12", "../../testdata/x12/broken/*.x12", "../../testdata/837d/*.x12"} {
		files, _ := filepath.Glob(g)
		for _, p := range files {
			b, err := os.ReadFile(p)
			if err == nil && len(b) < 8<<10 {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		rep, err := Validate(bytes.NewReader(data), Options{})
		if err != nil {
			if !errors.Is(err, ErrUnreadable) {
				t.Fatalf("error that is not ErrUnreadable: %v", err)
			}
			return
		}
		for _, is := range rep.Issues {
			if is.Code == "" || is.Message == "" || is.Segment < 1 || is.Type < Syntax || is.Type > TradingPartner {
				t.Fatalf("unpositioned issue %+v", is)
			}
		}
		if rep.Valid && len(rep.Issues) > 0 {
			for _, is := range rep.Issues {
				if is.Severity == SeverityError {
					t.Fatalf("valid report with an error: %+v", is)
				}
			}
		}
	})
}

// A file of garbage segments lists MaxIssues issues and counts the rest.
func TestEngineIssueCap(t *testing.T) {
	self := readTestdata(t, "837d/self.x12")
	i := strings.Index(self, "REF*6R")
	x := self[:i] + strings.Repeat("ZZZ*1~", MaxIssues+5) + self[i:]
	rep := validate(t, x, Syntax, HIPAASyntax)
	if len(rep.Issues) != MaxIssues || rep.Omitted < 5 || rep.Valid {
		t.Errorf("%d issues, %d omitted, valid %v", len(rep.Issues), rep.Omitted, rep.Valid)
	}
}
