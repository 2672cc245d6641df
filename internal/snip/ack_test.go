package snip

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/golden"
)

var ackAt = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// ackOptions numbers our interchanges 41, 42, …
func ackOptions() AckOptions {
	n := 40
	return AckOptions{Date: ackAt, NewlineAfterSegment: true, ControlNumber: func(*Interchange) (int, error) { n++; return n, nil }}
}

// received is the envelope of our own 837D sample (testdata/837d/self.x12)
// with two sets in its group.
func received(sets ...Set) Report {
	return Report{Valid: true, Types: []Type{Syntax, HIPAASyntax}, Interchanges: []Interchange{{
		ControlNumber: "000000001", Sender: "CASEBRIDGE", SenderQual: "ZZ", Receiver: "CLEARINGHOUSE",
		ReceiverQual: "ZZ", Date: "261127", Time: "1000", Usage: "T",
		Groups: []Group{{FunctionalID: "HC", ControlNumber: "1", Version: "005010X224A2", Sets: sets}},
	}}}
}

func set837(control string) Set {
	return Set{ID: "837", ControlNumber: control, Implementation: "005010X224A2", Segments: 32}
}

func inSet(s int, is Issue) Issue {
	is.Interchange, is.Group, is.Set = 1, 1, s
	return is
}

func ackCases() map[string]Report {
	accepted := received(set837("0001"), set837("0002"))

	withErrors := received(set837("0001"))
	withErrors.Issues = []Issue{inSet(1, Issue{Type: HIPAASyntax, Code: "SEGMENT_ABOVE_MAX_USE", Severity: SeverityWarning,
		Message: "NTE: more than 5 in loop 2300", Segment: 20, SegmentID: "NTE", Loop: "2300", SegmentInSet: 18, IK3: "5"})}

	rejected := received(set837("0001"), set837("0002"))
	rejected.Valid = false
	rejected.Issues = []Issue{
		inSet(1, Issue{Type: Syntax, Code: "ELEMENT_TOO_LONG", Severity: SeverityError, Message: "CLM01 longer than 38",
			Segment: 17, SegmentID: "CLM", Loop: "2300", Element: 1, ElementRef: "1028", SegmentInSet: 15, IK4: "5"}),
		inSet(1, Issue{Type: HIPAASyntax, Code: "CODE_INVALID", Severity: SeverityError, Message: "CLM05-3 not a frequency code",
			Segment: 17, SegmentID: "CLM", Loop: "2300", Element: 5, Component: 3, ElementRef: "1325", SegmentInSet: 15, IK4: "7"}),
		inSet(1, Issue{Type: HIPAASyntax, Code: "SEGMENT_REQUIRED", Severity: SeverityError, Message: "2010BB NM1 missing",
			Segment: 12, SegmentID: "NM1", Loop: "2010BB", SegmentInSet: 10, IK3: "3"}),
		inSet(2, Issue{Type: Syntax, Code: "SE01_COUNT", Severity: SeverityError, Message: "SE01 does not match",
			Segment: 66, SegmentID: "SE", Element: 1, SegmentInSet: 32, IK5: "4"}),
	}

	partial := received(set837("0001"), set837("0002"))
	partial.Valid = false
	partial.Issues = []Issue{inSet(2, Issue{Type: Balancing, Code: "CLAIM_CHARGE_UNBALANCED", Severity: SeverityError,
		Message: "CLM02 is not the sum of SV302", Segment: 50, SegmentID: "CLM", Loop: "2300", Element: 2,
		ElementRef: "782", SegmentInSet: 15, IK3: "8", IK4: "I12"})}

	groupError := received(set837("0001"))
	groupError.Valid = false
	groupError.Issues = []Issue{{Type: Syntax, Code: "GE01_COUNT", Severity: SeverityError, Message: "GE01 does not match",
		Segment: 35, SegmentID: "GE", Element: 1, Interchange: 1, Group: 1, AK9: "5"}}

	ta1 := received(set837("0001"))
	ta1.Valid, ta1.Unusable = false, true
	ta1.Interchanges[0].Groups = nil
	ta1.Issues = []Issue{{Type: Syntax, Code: "IEA02_MISMATCH", Severity: SeverityError, Message: "IEA02 does not match ISA13",
		Segment: 36, SegmentID: "IEA", Element: 2, Interchange: 1, TA1: "001"}}

	ta1Default := received()
	ta1Default.Valid, ta1Default.Unusable = false, true
	ta1Default.Interchanges[0].ControlNumber = "12X"

	return map[string]Report{"accepted": accepted, "accepted_with_errors": withErrors, "rejected": rejected,
		"partially_accepted": partial, "group_rejected": groupError, "ta1_rejected": ta1, "ta1_default_note": ta1Default}
}

// TestWriteAckGolden: one golden acknowledgment per outcome; each reads back
// with adapters/x12 with clean envelopes, and the TA1 is written exactly
// when the envelope is unusable.
func TestWriteAckGolden(t *testing.T) {
	for name, r := range ackCases() {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			kind, err := WriteAck(&b, &r, ackOptions())
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]AckKind{true: AckTA1, false: Ack999}[r.Unusable]; kind != want {
				t.Errorf("kind %s, want %s", kind, want)
			}
			golden.Check(t, filepath.Join("testdata", "ack", name+".x12"), b.Bytes())
			segs := readBack(t, b.Bytes())
			if segs[0].Element(6) != "CLEARINGHOUSE  " || segs[0].Element(8) != "CASEBRIDGE     " || segs[0].Element(15) != "T" {
				t.Errorf("ISA sender/receiver not swapped or usage not kept: %q", segs[0].Elements)
			}
			if segs[0].Element(13) != "000000041" {
				t.Errorf("ISA13 %q, want our number 000000041", segs[0].Element(13))
			}
		})
	}
}

// readBack reads an acknowledgment with adapters/x12 and checks its envelopes.
func readBack(t *testing.T, b []byte) []*x12.Segment {
	t.Helper()
	segs, err := x12.ReadAll(bytes.NewReader(b), x12.ReaderOptions{})
	if err != nil {
		t.Fatalf("our acknowledgment does not read back: %v", err)
	}
	c := x12.NewEnvelopeChecker()
	for _, s := range segs {
		for _, e := range c.Add(s) {
			t.Errorf("envelope: %v", e)
		}
	}
	for _, e := range c.Finish() {
		t.Errorf("envelope: %v", e)
	}
	return segs
}

// TestAckOutcomes pins IK5/AK9 per case, independently of the goldens.
func TestAckOutcomes(t *testing.T) {
	want := map[string][]string{
		"accepted":             {"IK5*A", "IK5*A", "AK9*A*2*2*2"},
		"accepted_with_errors": {"IK3*NTE*18*2300*5", "IK5*E", "AK9*E*1*1*1"},
		"rejected":             {"IK3*NM1*10*2010*3", "IK3*CLM*15*2300*8", "IK4*1*1028*5", "IK4*5:3*1325*7", "IK5*R*I5", "IK5*R*4", "AK9*R*2*2*0"},
		"partially_accepted":   {"IK5*A", "IK3*CLM*15*2300*8", "IK4*2*782*I12", "IK5*R*I5", "AK9*P*2*2*1"},
		"group_rejected":       {"IK5*A", "AK9*R*1*1*1*5"},
		"ta1_rejected":         {"TA1*000000001*261127*1000*R*001"},
		"ta1_default_note":     {"TA1*000000000*261127*1000*R*022"},
	}
	for name, r := range ackCases() {
		var b bytes.Buffer
		if _, err := WriteAck(&b, &r, ackOptions()); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range readBack(t, b.Bytes()) {
			switch s.ID {
			case "IK3", "IK4", "IK5", "AK9", "TA1":
				got = append(got, strings.Join(s.Elements, "*"))
			}
		}
		if strings.Join(got, " ") != strings.Join(want[name], " ") {
			t.Errorf("%s:\n got %q\nwant %q", name, got, want[name])
		}
	}
}

// TestAckNoValues: no IK404 (a copy of the bad value) and the business-unit
// CTX only from the ClaimID hook.
func TestAckNoValues(t *testing.T) {
	r := ackCases()["rejected"]
	o := ackOptions()
	o.ClaimID = func(is Issue) string {
		if strings.HasPrefix(is.Loop, "23") {
			return "CM000123"
		}
		return ""
	}
	var b bytes.Buffer
	if err := Write999(&b, &r, o); err != nil {
		t.Fatal(err)
	}
	segs := readBack(t, b.Bytes())
	ctx := 0
	for i, s := range segs {
		if s.ID == "IK4" && s.Len() > 3 {
			t.Errorf("IK4 with IK404: %q", s.Elements)
		}
		if s.ID == "CTX" {
			ctx++
			if segs[i-1].ID != "IK3" || s.Element(1) != "CLM01:CM000123" || segs[i-1].Element(3) != "2300" {
				t.Errorf("CTX %q after %q", s.Elements, segs[i-1].Elements)
			}
		}
	}
	if ctx != 1 {
		t.Errorf("%d CTX, want 1 (the 2300 IK3 only)", ctx)
	}
}

func TestAckErrors(t *testing.T) {
	var b bytes.Buffer
	if _, err := WriteAck(&b, &Report{Unusable: true}, ackOptions()); !errors.Is(err, ErrNothingToAcknowledge) {
		t.Errorf("no interchange: %v", err)
	}
	r := received(set837("0001"))
	boom := errors.New("store down")
	o := ackOptions()
	o.ControlNumber = func(*Interchange) (int, error) { return 0, boom }
	if err := Write999(&b, &r, o); !errors.Is(err, boom) {
		t.Errorf("control number failure: %v", err)
	}
}

// TestOurAcksValidate: every acknowledgment we write passes our own
// validator (the 999 X231A1 table, the envelope and TA1 rules) with no issue.
func TestOurAcksValidate(t *testing.T) {
	for name, r := range ackCases() {
		var b bytes.Buffer
		if _, err := WriteAck(&b, &r, ackOptions()); err != nil {
			t.Fatal(err)
		}
		rep, err := Validate(bytes.NewReader(b.Bytes()), Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !rep.Valid || len(rep.Issues) > 0 {
			t.Errorf("%s: our acknowledgment has issues: %+v", name, rep.Issues)
		}
	}
}

// TestAckForeignDelimiters: a file written with other delimiters whose
// echoed values hold ours is still acknowledged (those bytes become '?').
func TestAckForeignDelimiters(t *testing.T) {
	in := "ISA|00|          |00|          |ZZ|SND*1          |ZZ|RCV~2          |261127|1000|^|00501|000000001|0|T|>\n" +
		"GS|HC|SND|RCV|20261127|1000|1|X|005010X224A2\nST|837|0:01|005010X224A2\nSE|2|0:01\nGE|1|1\nIEA|1|000000001\n"
	rep, err := Validate(strings.NewReader(in), Options{Types: []Type{Syntax}})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := WriteAck(&b, rep, ackOptions()); err != nil {
		t.Fatalf("not written: %v", err)
	}
	segs := readBack(t, b.Bytes())
	if segs[0].Element(6) != "RCV?2          " || segs[0].Element(8) != "SND?1          " {
		t.Errorf("ISA %q", segs[0].Elements)
	}
	if !strings.Contains(b.String(), "AK2*837*0?01*005010X224A2~") {
		t.Errorf("AK2 not echoed safely:\n%s", b.String())
	}
}
