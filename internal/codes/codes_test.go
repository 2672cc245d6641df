package codes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rules is the category table of issue 3, code by code. Every code it names
// must be in carc.tsv with exactly this category and a description.
var rules = map[Category][]string{
	Documentation:          {"16", "150", "226", "227", "251"},
	Attachment:             {"163", "164", "250", "252"},
	Frequency:              {"151", "261", "273"},
	BenefitMax:             {"35", "119", "149"},
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
		"N362": BenefitMax, "N435": Documentation, "M86": Frequency, "N640": Frequency, "N411": Frequency, "N417": Frequency, "N19": Bundling, "N2": AlternateBenefit,
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
	ours := 0
	for _, i := range all {
		if i.Description == "" {
			continue // only in the official list: category Other
		}
		ours++
		if !i.Category.Valid() {
			t.Errorf("CARC %s: category %q", i.Code, i.Category)
		}
	}
	if ours < 80 {
		t.Fatalf("only %d CARCs in our own table", ours)
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

// TestRefines is the refinement table case by case: generic CARCs take
// any remark's category, 119 only a frequency or documentation remark,
// specific ones keep theirs.
func TestRefines(t *testing.T) {
	cases := []struct {
		own, remark Category
		want        bool
	}{
		{Documentation, Attachment, true},     // 16 + N463
		{NotCovered, Eligibility, true},       // 96/204 + N30
		{Other, Duplicate, true},              // A1 + N522
		{BenefitMax, Frequency, true},         // 119 + N411
		{BenefitMax, Documentation, true},     // 119 + N435
		{BenefitMax, BenefitMax, true},        // 119 + N362 stays benefit_max
		{BenefitMax, NotCovered, false},       // 119 + N130
		{Frequency, Documentation, true},      // 151 + N435
		{Frequency, NotCovered, false},        // 151 + N130
		{Attachment, Documentation, false},    // 252 + N850
		{Contractual, NotCovered, false},      // 45 never
		{PatientResponsibility, Other, false}, // PR-1 never
		{Documentation, "", false},            // a remark without category
		{Documentation, Informational, false}, // never a non-denial
		{Pended, Documentation, false},        // 133 waits
	}
	for _, tc := range cases {
		if got := Refines(tc.own, tc.remark); got != tc.want {
			t.Errorf("Refines(%s, %s) = %v, want %v", tc.own, tc.remark, got, tc.want)
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

// TestBuiltInDates: the shipped official lists give start and stop dates,
// no official text (X12 controls it), and deactivated codes stay readable.
func TestBuiltInDates(t *testing.T) {
	i, ok := CARC("42")
	if !ok || i.Stop != "2007-06-01" || i.Start != "1995-01-01" || i.Official != "" || i.Category != Contractual {
		t.Fatalf("CARC 42: %+v %v", i, ok)
	}
	if !i.DeactivatedBefore("2026-11-20") || i.DeactivatedBefore("2007-05-31") || i.DeactivatedBefore("") {
		t.Error("DeactivatedBefore")
	}
	if i, ok := CARC("17"); !ok || i.Stop != "2009-07-01" || CARCCategory("17") != Other || i.Text() != "" {
		t.Errorf("CARC 17 (official list only): %+v %v, category %s", i, ok, CARCCategory("17"))
	}
	if i, _ := RARC("N29"); i.Stop != "2016-03-01" || i.Category != Documentation {
		t.Errorf("N29: %+v", i)
	}
	if i, _ := RARC("N850"); i.Start != "" || i.Category != Documentation {
		t.Errorf("N850 (after the 2016 snapshot): %+v", i)
	}
}

func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadDir(t *testing.T) {
	t.Cleanup(func() { _ = LoadDir("") })
	dir := writeDir(t, map[string]string{
		"carc.tsv": "# operator list\n16\t01/01/1995\t\tOfficial sixteen.\n42\t1995-01-01\t2007-06-01\tOld fee schedule.\n999\t2030-01-01\t\tA code from the future.\n",
		"plb.tsv":  "WO\t\t\tOverpayment recovery (official).\r\n",
	})
	if err := LoadDir(dir); err != nil {
		t.Fatal(err)
	}
	i, _ := CARC("16")
	if i.Official != "Official sixteen." || i.Start != "1995-01-01" || i.Category != Documentation || i.Text() != i.Description {
		t.Errorf("16: %+v", i)
	}
	if i, ok := CARC("999"); !ok || i.Official == "" || i.Text() != i.Official || CARCCategory("999") != Other {
		t.Errorf("operator-only code: %+v %v", i, ok)
	}
	if i, _ := CARC("17"); i.Stop != "" {
		t.Errorf("the operator's carc.tsv replaces the built-in list: 17 %+v", i)
	}
	if i, _ := RARC("N29"); i.Stop != "2016-03-01" {
		t.Errorf("no rarc.tsv in the directory keeps the built-in list: %+v", i)
	}
	if i, _ := PLB("WO"); i.Official != "Overpayment recovery (official)." || i.Description == "" {
		t.Errorf("WO: %+v", i)
	}
	if err := LoadDir(""); err != nil {
		t.Fatal(err)
	}
	if i, _ := CARC("16"); i.Official != "" {
		t.Errorf("LoadDir(\"\") keeps the operator text: %+v", i)
	}
}

func TestLoadDirErrors(t *testing.T) {
	t.Cleanup(func() { _ = LoadDir("") })
	cases := []struct{ name, file, text, want string }{
		{"three columns", "carc.tsv", "# c\n16\t1995-01-01\tx\n", "carc.tsv:2:"},
		{"bad date", "rarc.tsv", "N1\t2001-02-30\t\tx\n", "rarc.tsv:1: start date"},
		{"stop before start", "carc.tsv", "16\t2001-01-01\t2000-01-01\tx\n", "carc.tsv:1: stop date"},
		{"duplicate", "plb.tsv", "WO\t\t\tx\nWO\t\t\ty\n", "plb.tsv:2: duplicate"},
		{"bad code", "carc.tsv", "1 6\t\t\tx\n", "carc.tsv:1: code"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := LoadDir(writeDir(t, map[string]string{tc.file: tc.text}))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if i, _ := CARC("16"); i.Official != "" {
				t.Error("a failed load changed the tables")
			}
		})
	}
	if err := LoadDir(t.TempDir()); err == nil || !strings.Contains(err.Error(), "none of") {
		t.Errorf("empty directory: %v", err)
	}
	if err := LoadDir(filepath.Join(t.TempDir(), "nope")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing directory: %v", err)
	}
}

// TestCategorySwitches holds IsDenial's and Valid's switches to the
// Categories list: the denial categories come first, the three others
// last.
func TestCategorySwitches(t *testing.T) {
	nonDenial := map[Category]bool{Contractual: true, PatientResponsibility: true, Informational: true}
	for _, c := range Categories {
		if !c.Valid() {
			t.Errorf("%s: Valid false", c)
		}
		if c.IsDenial() == nonDenial[c] {
			t.Errorf("%s: IsDenial %v", c, c.IsDenial())
		}
	}
	for _, c := range []Category{"", "Other", "denied", "contractual "} {
		if c.Valid() || c.IsDenial() {
			t.Errorf("%q: Valid %v IsDenial %v", c, c.Valid(), c.IsDenial())
		}
	}
}
