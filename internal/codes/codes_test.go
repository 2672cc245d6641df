package codes

import (
	"strings"
	"testing"
)

// rules is the category table of issue 3, code by code. Every code it names
// must be in carc.tsv with exactly this category and a description.
var rules = map[Category][]string{
	Documentation:          {"16", "150", "226", "227", "251"},
	Attachment:             {"163", "164", "250", "252"},
	Frequency:              {"119", "151", "261", "273"},
	BenefitMax:             {"35", "149"},
	CodeMismatch:           {"4", "5", "6", "7", "9", "10", "11", "146", "181", "182"},
	PriorAuthorization:     {"15", "39", "197", "198", "243"},
	Eligibility:            {"26", "27", "31", "32", "177", "179", "200"},
	NotCovered:             {"49", "96", "167", "204", "256", "272"},
	Bundling:               {"97", "234", "236", "B15"},
	TimelyFiling:           {"29"},
	Duplicate:              {"18", "B13"},
	CoordinationOfBenefits: {"22", "129"},
	WrongPayer:             {"109", "254", "270"},
	ProviderEligibility:    {"8", "170", "185", "B7"},
	MedicalNecessity:       {"50"},
	AlternateBenefit:       {"169"},
	Pended:                 {"133"},
	Other:                  {"A1"},
	Contractual:            {"45"},
	PatientResponsibility:  {"1", "2", "3"},
	Informational:          {"23", "59", "94", "101", "253", "A2"},
}

func TestCategoryRules(t *testing.T) {
	for cat, list := range rules {
		for _, code := range list {
			info, ok := CARC(code)
			if !ok {
				t.Errorf("CARC %s (rule %s) missing from carc.tsv", code, cat)
				continue
			}
			if info.Category != cat {
				t.Errorf("CARC %s: category %q, the rules say %q", code, info.Category, cat)
			}
			if len(info.Description) < 10 {
				t.Errorf("CARC %s: description %q too short", code, info.Description)
			}
		}
	}
}

// The codes spec/x12.md §5 names must all be described.
func TestSpecCodesPresent(t *testing.T) {
	carcList := strings.Fields(`1 2 3 4 5 6 8 11 15 16 18 22 23 26 27 29 31 32 35 39 45 49 50 59 94 96
		97 101 107 109 119 129 133 146 149 150 151 163 164 167 169 170 177 179 181 182 185 197 198
		200 204 206 226 227 234 236 242 243 250 251 252 253 254 256 261 270 272 273 A1 A2 B7 B13 B15`)
	for _, c := range carcList {
		if i, ok := CARC(c); !ok || i.Description == "" || i.Category == "" {
			t.Errorf("CARC %s: %+v, %v", c, i, ok)
		}
	}
	rarcList := strings.Fields(`M15 M51 M76 M80 M86 M127 MA04 MA130 N2 N4 N10 N19 N20 N29 N30 N37
		N54 N56 N102 N130 N179 N183 N211 N225 N346 N350 N362 N381 N384 N401 N402 N411 N412 N413 N414
		N415 N416 N417 N435 N457 N458 N463 N464 N477 N479 N489 N517 N522 N640 N657 N705 N706 N729
		N730 N753 N785 N786 N822 N849 N850`)
	for _, c := range rarcList {
		if i, ok := RARC(c); !ok || i.Description == "" {
			t.Errorf("RARC %s: %+v, %v", c, i, ok)
		}
	}
	for _, c := range strings.Fields(`50 51 72 90 AH AM AP B2 B3 BD BN C5 CR CS CT CV CW DM E3 FB FC GO
		HM IP IR IS J1 L3 L6 LE LS OA OB PI PL RA RE SL TL WO WU`) {
		if i, ok := PLB(c); !ok || i.Description == "" {
			t.Errorf("PLB %s: %+v, %v", c, i, ok)
		}
	}
}

func TestRARCCategories(t *testing.T) {
	want := map[string]Category{
		"M127": Documentation, "N850": Documentation, "N706": Documentation, "N29": Documentation,
		"N130": NotCovered, "N381": NotCovered, "N30": Eligibility, "N54": PriorAuthorization,
		"N362": Frequency, "M86": Frequency, "N19": Bundling, "N2": AlternateBenefit,
		"N753": Attachment, "N522": Duplicate, "N211": "", "MA02": "", "N142": "",
	}
	for code, cat := range want {
		i, ok := RARC(code)
		if !ok || i.Category != cat {
			t.Errorf("RARC %s: got %q (%v), want %q", code, i.Category, ok, cat)
		}
	}
	// A remark only ever hands a denial category to CARC 16/96/A1/226.
	for _, i := range AllRARCs() {
		if i.Category != "" && !i.Category.IsDenial() {
			t.Errorf("RARC %s has non-denial category %q", i.Code, i.Category)
		}
	}
}

func TestEveryCARCHasCategory(t *testing.T) {
	all := AllCARCs()
	if len(all) < 80 {
		t.Fatalf("only %d CARCs loaded", len(all))
	}
	for _, i := range all {
		if !i.Category.Valid() {
			t.Errorf("CARC %s: category %q", i.Code, i.Category)
		}
	}
}

func TestUnknownCode(t *testing.T) {
	if _, ok := CARC("Z99"); ok {
		t.Fatal("Z99 should be unknown")
	}
	if got := CARCCategory("Z99"); got != Other {
		t.Fatalf("unknown CARC category %q, want other", got)
	}
	if _, ok := RARC("N9999"); ok {
		t.Fatal("N9999 should be unknown")
	}
}

func TestCategories(t *testing.T) {
	if len(Categories) != 21 {
		t.Fatalf("%d categories, want 21", len(Categories))
	}
	denials := 0
	for _, c := range Categories {
		if c.IsDenial() {
			denials++
		}
	}
	if denials != 18 {
		t.Fatalf("%d denial categories, want 18", denials)
	}
	if Category("frequency_limit").Valid() || Category("frequency_limit").IsDenial() {
		t.Fatal("spec long names are not categories")
	}
}

func TestRemarkDecides(t *testing.T) {
	for _, c := range []string{"16", "96", "A1", "226"} {
		if !RemarkDecides(c) {
			t.Errorf("%s should take its category from the remark", c)
		}
	}
	for _, c := range []string{"45", "97", "252"} {
		if RemarkDecides(c) {
			t.Errorf("%s keeps its own category", c)
		}
	}
}

func TestLoadRejectsBadTables(t *testing.T) {
	bad := []string{
		"16\tdocumentation\tx\n16\tdocumentation\ty\n", // duplicate
		"16\tfrequency_limit\tx\n",                     // unknown category
		"16\tdocumentation\n",                          // missing column
		"16\tdocumentation\t\n",                        // empty description
	}
	for _, b := range bad {
		if _, err := load([]byte(b), true); err == nil {
			t.Errorf("load(%q) accepted a bad table", b)
		}
	}
	m, err := load([]byte("# comment\r\nWO\tRecovery.\r\n"), false)
	if err != nil || m["WO"].Description != "Recovery." {
		t.Fatalf("CRLF table: %v %+v", err, m)
	}
}
