package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

const multi837 = "../../mapping/claim837/testdata/multi.x12"

func TestCLIRead(t *testing.T) {
	code, out, errOut := runCLI(t, "", "read", multi837)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var claims []struct {
		Record struct {
			RecordID string `json:"record_id"`
		} `json:"record"`
		Source struct {
			Interchange, Group, Set string
			Segment                 int
		} `json:"source"`
		OtherPayers []json.RawMessage `json:"other_payers"`
		NotMapped   []struct {
			SegmentID string `json:"segment_id"`
			Loop      string `json:"loop"`
			Segment   int    `json:"segment"`
		} `json:"not_mapped"`
	}
	if err := json.Unmarshal([]byte(out), &claims); err != nil {
		t.Fatalf("not a JSON array: %v", err)
	}
	if len(claims) != 6 || claims[0].Record.RecordID != "CLAIM-A1" || claims[5].Source.Interchange != "000000202" ||
		len(claims[0].OtherPayers) != 1 || len(claims[0].NotMapped) == 0 || claims[0].NotMapped[0].Segment == 0 {
		t.Errorf("claims read: %+v", claims)
	}
	// stdin, and an empty result is an empty array
	data, _ := os.ReadFile("../../testdata/837d/self.x12")
	if code, out, _ := runCLI(t, string(data), "read", "-"); code != exitOK || !strings.HasPrefix(out, "[\n  {") {
		t.Errorf("stdin: exit %d", code)
	}
}

func TestCLIReadFHIR(t *testing.T) {
	code, out, errOut := runCLI(t, "", "read", "--format", "fhir", "--at", "2026-11-27T10:00:00Z", "../../testdata/837d/self.x12")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// a claim that cannot be a Bundle (an AA attachment has no PWK06, the
	// Bundle needs an id) is named on stderr by its segment: exit 1
	if code, _, errOut := runCLI(t, "", "read", "--format", "fhir", "../../testdata/837d/dependent.x12"); code != exitInvalid || !strings.Contains(errOut, "claim at segment 24") || !strings.Contains(errOut, "/attachments/2/id") {
		t.Errorf("unmappable claim: exit %d: %s", code, errOut)
	}
	var bundles []struct {
		ResourceType string `json:"resourceType"`
		Type         string `json:"type"`
		Entry        []json.RawMessage
	}
	if err := json.Unmarshal([]byte(out), &bundles); err != nil || len(bundles) != 1 || bundles[0].ResourceType != "Bundle" || len(bundles[0].Entry) < 3 {
		t.Fatalf("bundles %v (%v)", bundles, err)
	}
}

func TestCLIReadExitCodes(t *testing.T) {
	data, _ := os.ReadFile("../../testdata/837d/dependent.x12")
	badDate := strings.Replace(string(data), "DMG*D8*2015", "DMG*D8*X015", 1)
	cases := []struct {
		name, stdin string
		args        []string
		code        int
	}{
		{"not X12", "hello", []string{"read", "-"}, exitUnread},
		{"truncated", string(data[:len(data)/2]), []string{"read", "-"}, exitUnread},
		{"not an 837", strings.Replace(string(data), "ST*837*", "ST*835*", 1), []string{"read", "-"}, exitUnread},
		{"bad birth date", badDate, []string{"read", "-"}, exitInvalid},
		{"bad format", "", []string{"read", "--format", "xml", "-"}, exitUsage},
		{"no file", "", []string{"read"}, exitUsage},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.stdin, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, errOut)
			}
			if code != exitOK && out != "" {
				t.Errorf("output on failure: %q", out)
			}
			if strings.Contains(errOut, "X015") {
				t.Errorf("stderr quotes the input: %s", errOut)
			}
			if tc.name == "bad birth date" && !strings.Contains(errOut, "DMG02") {
				t.Errorf("error not positioned: %s", errOut)
			}
		})
	}
}

// phiOf837 are values of the sample 837Ds that masking must remove.
var phiOf837 = []string{"MBR100200", "DOE", "CM000123", "MEM0001", "RIVERA", "NGUYEN", "OTHERMEM9", "CLAIM-A1", "19800214", "12 ELM ST"}

func TestCLIReadMask(t *testing.T) {
	for _, f := range []string{"../../testdata/837d/self.x12", multi837} {
		code, out, errOut := runCLI(t, "", "read", "--mask", f)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, v := range phiOf837 {
			// A short value is looked for as a whole JSON string: the
			// random masks of other values hold a given three letters
			// often enough to fail a substring search now and then.
			if len(v) < 6 {
				v = `"` + v + `"`
			}
			if strings.Contains(out, v) {
				t.Errorf("%s: masked read still shows an original value of %d characters", f, len(v))
			}
		}
		_, plain, _ := runCLI(t, "", "read", f)
		if strings.Count(out, `"record_id"`) != strings.Count(plain, `"record_id"`) || strings.Count(out, `"charge": "`) != strings.Count(plain, `"charge": "`) {
			t.Errorf("%s: masked read has other claims or lines", f)
		}
	}
}

func TestCLIMask(t *testing.T) {
	for _, f := range []string{"../../testdata/837d/self.x12", multi837, "../../testdata/835/d9997_dental.x12"} {
		orig, _ := os.ReadFile(f)
		code, out, errOut := runCLI(t, "", "mask", "--mask-key", "k1", f)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", f, code, errOut)
		}
		if strings.Count(out, "~") != strings.Count(string(orig), "~") || len(out) != len(orig) {
			t.Errorf("%s: masked file has another shape (%d bytes, was %d)", f, len(out), len(orig))
		}
		phi := phiOf837
		if strings.Contains(f, "835") {
			phi = append(phi, "MCM-1001", "JANE")
		}
		for _, v := range phi {
			if strings.Contains(out, v) {
				t.Errorf("%s: masked file still holds an original value of %d characters", f, len(v))
			}
		}
		// a key gives the same masks every run (env or flag); no key, a random one
		t.Setenv("CASEBRIDGE_MASK_KEY", "k1")
		if _, again, _ := runCLI(t, "", "mask", f); again != out {
			t.Errorf("%s: CASEBRIDGE_MASK_KEY does not reproduce --mask-key", f)
		}
		t.Setenv("CASEBRIDGE_MASK_KEY", "")
		_, r1, _ := runCLI(t, "", "mask", f)
		_, r2, _ := runCLI(t, "", "mask", f)
		if r1 == r2 {
			t.Errorf("%s: two runs without a key mask alike", f)
		}
	}
	// a record
	code, out, errOut := runCLI(t, "", "mask", "../../testdata/records/dependent.json")
	if code != exitOK {
		t.Fatalf("record: exit %d: %s", code, errOut)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatalf("masked record is not JSON: %v", err)
	}
	for _, v := range []string{"Nguyen", "MBR555001", "CM000124", "2015-09-14", "22 Oak Ave"} {
		if strings.Contains(out, v) {
			t.Errorf("masked record still holds an original value of %d characters", len(v))
		}
	}
	if code, _, _ := runCLI(t, "", "mask", "../../testdata/records/dependent.json", "extra"); code != exitUsage {
		t.Errorf("two inputs: exit %d", code)
	}
	if code, out, _ := runCLI(t, "ISA*00*trunc", "mask", "-"); code != exitUnread || out != "" {
		t.Errorf("unreadable X12: exit %d, output %q", code, out)
	}
	if code, out, _ := runCLI(t, `{"record_id": 5}`, "mask", "-"); code == exitOK || out != "" {
		t.Errorf("a bad record: exit %d, output %q", code, out)
	}
}

func TestCLI835Mask(t *testing.T) {
	f := "../../testdata/835/d9997_dental.x12"
	code, out, errOut := runCLI(t, "", "835", "--mask", f)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	_, plain, _ := runCLI(t, "", "835", f)
	for _, v := range []string{"MCM-1001", "CM-1001"} {
		if strings.Contains(out, v) {
			t.Errorf("masked findings still show an original id of %d characters", len(v))
		}
	}
	var a, b struct{ Summary json.RawMessage }
	if json.Unmarshal([]byte(out), &a) != nil || json.Unmarshal([]byte(plain), &b) != nil || string(a.Summary) != string(b.Summary) {
		t.Errorf("masked findings have another summary:\n%s\n%s", a.Summary, b.Summary)
	}
	if code, out, _ := runCLI(t, "ISA*00*trunc", "835", "--mask", "-"); code != exitUnread || out != "" {
		t.Errorf("unreadable: exit %d, output %q", code, out)
	}
}

func TestCLI837dMask(t *testing.T) {
	args := []string{"837d", "--control-number", "5", "--at", "2026-11-27T10:00:00Z", rec + "self.json"}
	code, plain, _ := runCLI(t, "", args...)
	if code != exitOK {
		t.Fatal("837d failed")
	}
	code, out, errOut := runCLI(t, "", append(args, "--mask", "--mask-key", "k")...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if len(out) != len(plain) || strings.Contains(out, "MBR100200") || strings.Contains(out, "CLM*CM000123*") || !strings.Contains(out, "ISA*00*") {
		t.Errorf("masked 837D:\n%s", out)
	}
	// a batch: the interchange and the report's record ids masked alike
	self, _ := os.ReadFile(rec + "self.json")
	dep, _ := os.ReadFile(rec + "dependent.json")
	ndjson := strings.ReplaceAll(string(self), "\n", " ") + "\n" + strings.ReplaceAll(string(dep), "\n", " ") + "\n{\"record_id\": \"BAD-1\"}\n"
	code, out, errOut = runCLI(t, ndjson, "837d", "--batch", "--mask", "--mask-key", "k", "--control-number", "6", "-")
	if code != exitInvalid {
		t.Fatalf("batch: exit %d: %s", code, errOut)
	}
	for _, v := range []string{"CM000123", "CM000124", "BAD-1", "MBR100200"} {
		if strings.Contains(out, v) || strings.Contains(errOut, v) {
			t.Errorf("batch --mask still shows an original id of %d characters", len(v))
		}
	}
	var report struct {
		Accepted []struct {
			RecordID string `json:"record_id"`
		} `json:"accepted"`
	}
	if err := json.Unmarshal([]byte(errOut[strings.Index(errOut, "{"):]), &report); err != nil || len(report.Accepted) != 2 {
		t.Fatalf("report %q (%v)", errOut, err)
	}
	for _, a := range report.Accepted {
		if !strings.Contains(out, "CLM*"+a.RecordID+"*") {
			t.Errorf("the report's masked record id is not the masked 837D's CLM01")
		}
	}
}
