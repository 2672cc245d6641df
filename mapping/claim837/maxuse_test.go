package claim837_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/money"
	"github.com/casebridge/casebridge/internal/profile"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/internal/scrub"
	"github.com/casebridge/casebridge/mapping/claim837"
)

// X224A2 repeat counts ("max use") of every segment and loop the writer
// emits. Sources, cited per row:
//
//	spec   /work/shared/spec/x12.md §3 (our restatement of the 837D TR3;
//	       "rep" column, the loop map of §3.1 and the §10 NTE re-check)
//	TS     zentist/TigerShark branch update/ZEN-21440,
//	       tigershark/parsers/M837_5010_X224_A2/loops/loop_*.py (Properties
//	       repeat="..." of each Segment and Loop), read 2026-12-02
//	OD     Open Dental OpenDentBusiness/X12/X837_5010.cs, as cited by spec §10
//	       (dental NTE: up to 5 × 80)
//
// Where they disagree: moov-io's X224A2 rules give no NTE repeat count,
// which spec §10 shows is no evidence for 1 (they omit counts the guide
// clearly allows); we follow TS and OD (5). TS lists the 2310B REF as
// rep 4 and the 2310C REF as rep 3; spec §3.9 gives 2310B REF rep 4 and no
// count for 2310C REF. We write neither. Nowhere else did the sources we
// read differ for the segments below. EdiFabric's template was not read
// for this table.
type maxUse struct {
	loop   string
	seg    string
	quals  []string // first-element qualifiers sharing the slot; nil = any
	max    int
	source string
}

var maxUses = []maxUse{
	{"ST", "ST", nil, 1, "spec §3.12; TS __init__"},
	{"ST", "BHT", nil, 1, "spec §3.2; TS __init__"},
	{"ST", "SE", nil, 1, "spec §3.12; TS __init__"},
	{"1000A", "NM1", []string{"41"}, 1, "spec §3.2; TS loop_1000A"},
	{"1000A", "PER", nil, 2, "spec §3.2 (PER rep 2); TS loop_1000A"},
	{"1000B", "NM1", []string{"40"}, 1, "spec §3.2; TS loop_1000B"},
	{"2000A", "HL", nil, 1, "spec §3.1; TS loop_2000A"},
	{"2000A", "PRV", nil, 1, "TS loop_2000A (PRV rep 1)"},
	{"2010AA", "NM1", []string{"85"}, 1, "spec §3.3; TS loop_2010AA"},
	{"2010AA", "N3", nil, 1, "TS loop_2010AA"},
	{"2010AA", "N4", nil, 1, "TS loop_2010AA"},
	// EI and SY fill the one tax identification slot
	{"2010AA", "REF", []string{"EI", "SY"}, 1, "spec §3.3 (REF*EI|SY); TS loop_2010AA (Tax Identification, rep 1)"},
	{"2000B", "HL", nil, 1, "spec §3.1; TS loop_2000B"},
	{"2000B", "SBR", nil, 1, "spec §3.4; TS loop_2000B"},
	{"2010BA", "NM1", []string{"IL"}, 1, "spec §3.4; TS loop_2010BA"},
	{"2010BA", "N3", nil, 1, "TS loop_2010BA"},
	{"2010BA", "N4", nil, 1, "TS loop_2010BA"},
	{"2010BA", "DMG", nil, 1, "spec §3.4; TS loop_2010BA"},
	{"2010BB", "NM1", []string{"PR"}, 1, "spec §3.4; TS loop_2010BB"},
	{"2000C", "HL", nil, 1, "spec §3.5; TS loop_2000C"},
	{"2000C", "PAT", nil, 1, "spec §3.5; TS loop_2000C"},
	{"2010CA", "NM1", []string{"QC"}, 1, "spec §3.5; TS loop_2010CA"},
	{"2010CA", "N3", nil, 1, "TS loop_2010CA"},
	{"2010CA", "N4", nil, 1, "TS loop_2010CA"},
	{"2010CA", "DMG", nil, 1, "spec §3.5; TS loop_2010CA"},
	{"2300", "CLM", nil, 1, "spec §3.6; TS loop_2300"},
	{"2300", "DTP", []string{"472"}, 1, "spec §3.7; TS loop_2300 (Service Date, rep 1)"},
	{"2300", "PWK", nil, 10, "spec §3.7 (PWK rep 10); TS loop_2300"},
	{"2300", "REF", []string{"F8"}, 1, "spec §3.8; TS loop_2300 (Payer Claim Control Number, rep 1)"},
	{"2300", "REF", []string{"G1"}, 1, "spec §3.8; TS loop_2300 (Prior Authorization, rep 1)"},
	{"2300", "NTE", nil, 5, "spec §3.8 and §10 (re-checked: OD, TS repeat=\"5\", EdiFabric per spec §10)"},
	{"2300", "HI", nil, 1, "TS loop_2300 (HI rep 1; four diagnoses are four composites of one HI, spec §3.8)"},
	{"2310B", "NM1", []string{"82"}, 1, "spec §3.9; TS loop_2310B"},
	{"2310B", "PRV", nil, 1, "spec §3.9; TS loop_2310B"},
	{"2310C", "NM1", []string{"77"}, 1, "spec §3.9; TS loop_2310C"},
	{"2310C", "N3", nil, 1, "spec §3.9; TS loop_2310C"},
	{"2310C", "N4", nil, 1, "spec §3.9; TS loop_2310C"},
	{"2400", "LX", nil, 1, "spec §3.11; TS loop_2400"},
	{"2400", "SV3", nil, 1, "spec §3.11; TS loop_2400"},
	{"2400", "DTP", []string{"472"}, 1, "spec §3.11; TS loop_2400 (Date - Service Date, rep 1)"},
	{"2400", "REF", []string{"6R"}, 1, "spec §3.11; TS loop_2400 (Line Item Control Number, rep 1)"},
}

// loopDefs: each loop's parent and how often it may repeat inside one
// parent (0 = ">1", no fixed limit).
var loopDefs = map[string]struct {
	parent string
	max    int
	source string
}{
	"1000A":  {"ST", 1, "spec §3.1; TS loop_1000A"},
	"1000B":  {"ST", 1, "spec §3.1; TS loop_1000B"},
	"2000A":  {"ST", 0, "spec §3.1 (rep >1); TS loop_2000A"},
	"2010AA": {"2000A", 1, "TS loop_2010AA"},
	"2000B":  {"2000A", 0, "spec §3.1 (rep >1); TS loop_2000B"},
	"2010BA": {"2000B", 1, "TS loop_2010BA"},
	"2010BB": {"2000B", 1, "TS loop_2010BB"},
	"2000C":  {"2000B", 0, "TS loop_2000C"},
	"2010CA": {"2000C", 1, "TS loop_2010CA"},
	"2300":   {"HL", 100, "spec §3.1 (rep 100); TS loop_2300"},
	"2310B":  {"2300", 1, "TS loop_2310B"},
	"2310C":  {"2300", 1, "TS loop_2310C"},
	"2400":   {"2300", 50, "spec §3.11 (at most 50 lines); TS loop_2400"},
}

// checkMaxUse walks one 837D we wrote and reports every segment or loop
// that repeats more often than X224A2 allows, and every segment the table
// does not know (so the table keeps up with the writer).
func checkMaxUse(data []byte) []string {
	segs, err := x12.ReadAll(bytes.NewReader(data), x12.ReaderOptions{})
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	instance := map[string]int{} // current instance number of each loop
	counts := map[string]int{}
	loop := ""
	enter := func(l string) {
		loop = l
		instance[l]++
		def, ok := loopDefs[l]
		if !ok {
			return
		}
		key := fmt.Sprintf("%s#%d>%s", def.parent, instance[def.parent], l)
		counts[key]++
		if def.max > 0 && counts[key] > def.max {
			problems = append(problems, fmt.Sprintf("loop %s repeats %d times, X224A2 allows %d (%s)", l, counts[key], def.max, def.source))
		}
	}
	for _, s := range segs {
		switch s.ID {
		case "ISA", "GS", "GE", "IEA":
			continue
		case "ST":
			enter("ST")
		case "HL":
			instance["HL"]++
			enter(map[string]string{"20": "2000A", "22": "2000B", "23": "2000C"}[s.Element(3)])
		case "CLM":
			enter("2300")
		case "LX":
			enter("2400")
		case "NM1":
			if l, ok := map[string]string{"41": "1000A", "40": "1000B", "85": "2010AA", "IL": "2010BA", "PR": "2010BB",
				"QC": "2010CA", "82": "2310B", "77": "2310C"}[s.Element(1)]; ok {
				enter(l)
			}
		case "SE":
			loop = "ST"
		}
		i := slices.IndexFunc(maxUses, func(m maxUse) bool {
			return m.loop == loop && m.seg == s.ID && (m.quals == nil || slices.Contains(m.quals, s.Element(1)))
		})
		if i < 0 {
			problems = append(problems, fmt.Sprintf("%s*%s in loop %s has no max-use entry", s.ID, s.Element(1), loop))
			continue
		}
		m := maxUses[i]
		key := fmt.Sprintf("%s#%d/%d", loop, instance[loop], i)
		counts[key]++
		if counts[key] > m.max {
			problems = append(problems, fmt.Sprintf("%s (%s) in loop %s repeats %d times, X224A2 allows %d (%s)",
				s.ID, strings.Join(m.quals, "|"), loop, counts[key], m.max, m.source))
		}
	}
	return problems
}

func TestMaxUseGoldens(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/837d/*.x12")
	if len(files) < 5 {
		t.Fatalf("goldens missing: %v", files)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range checkMaxUse(data) {
				t.Error(p)
			}
		})
	}
}

func TestMaxUseRecords(t *testing.T) {
	for name, rec := range records(t) {
		t.Run(name, func(t *testing.T) {
			out, err := claim837.Write(rec, profile.Default(), claim837.Options{ControlNumber: 9, At: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range checkMaxUse(out) {
				t.Error(p)
			}
		})
	}
}

// TestMaxUseAtScrubLimits: a record at every limit the scrubber allows
// (lines, attachments, diagnoses, narrative) still fits X224A2.
func TestMaxUseAtScrubLimits(t *testing.T) {
	rec := records(t)["dependent.json"]
	rec.Narrative = strings.Repeat("word ", 200)
	rec.Diagnoses = []string{"F84.0", "G80.0", "Z74.09", "F70"}
	rec.Attachments = nil
	for i := range scrub.MaxAttachments {
		rec.Attachments = append(rec.Attachments, record.Attachment{ID: fmt.Sprintf("ATT%03d", i), ReportType: "OZ", Transmission: "FX"})
	}
	line := rec.Services[0]
	rec.Services = nil
	for i := range scrub.MaxServices {
		l := line
		l.LineID = ""
		l.Date = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format(time.DateOnly)
		c := money.MustParse("10")
		l.Charge = &c
		rec.Services = append(rec.Services, l)
	}
	rec.ServiceFacility = &record.ServiceFacility{Name: "Oak Care", Address: &record.Address{Line1: "1 Oak", City: "Anytown", State: "CA", PostalCode: "90001"}}
	rec.PlaceOfService = "31"
	if probs := scrub.Check(rec, scrub.Options{AttachmentDelivery: "275"}); probs.HasErrors() {
		t.Fatalf("the limit record does not pass the scrubber: %+v", probs.Errors())
	}
	out, err := claim837.Write(rec, profile.Default(), claim837.Options{ControlNumber: 9, At: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range checkMaxUse(out) {
		t.Error(p)
	}
	// and the check does catch an excess
	over := bytes.Replace(out, []byte("HI*"), []byte("NTE*ADD*SIXTH~HI*"), 1)
	if len(checkMaxUse(over)) == 0 {
		t.Error("a sixth NTE was not caught")
	}
}
