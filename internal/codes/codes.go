// Package codes holds the adjustment knowledge of the 835 findings: CARC
// (claim adjustment reason) and RARC (remittance advice remark) descriptions
// in casebridge's own words, the denial category of each code, and the PLB
// provider adjustment reasons. The tables are data files embedded at build
// time; their headers record the sources and the date they were compiled.
// Two kinds: ours (carc.tsv, rarc.tsv, plb.tsv: categories and our own
// wording) and the official lists (official/*.tsv: code values with start
// and stop dates), which an operator replaces with the current official
// lists at startup (LoadDir, --codes-dir, CASEBRIDGE_CODES_DIR). Remarks
// refine a CARC's category through one table (Refines).
package codes

import (
	"bufio"
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Category groups adjustment reasons by what the office has to do about them.
type Category string

// Denial categories.
const (
	Documentation          Category = "documentation"
	Attachment             Category = "attachment"
	Frequency              Category = "frequency"
	BenefitMax             Category = "benefit_max"
	CodeMismatch           Category = "code_mismatch"
	PriorAuthorization     Category = "prior_authorization"
	Eligibility            Category = "eligibility"
	NotCovered             Category = "not_covered"
	Bundling               Category = "bundling"
	TimelyFiling           Category = "timely_filing"
	Duplicate              Category = "duplicate"
	CoordinationOfBenefits Category = "coordination_of_benefits"
	WrongPayer             Category = "wrong_payer"
	ProviderEligibility    Category = "provider_eligibility"
	MedicalNecessity       Category = "medical_necessity"
	AlternateBenefit       Category = "alternate_benefit"
	Pended                 Category = "pended"
	Other                  Category = "other"
)

// Categories that are not denials.
const (
	Contractual           Category = "contractual"
	PatientResponsibility Category = "patient_responsibility"
	Informational         Category = "informational"
)

// Categories lists every category, the denial categories first, in the order
// reports and tables use.
var Categories = []Category{
	Documentation, Attachment, Frequency, BenefitMax, CodeMismatch,
	PriorAuthorization, Eligibility, NotCovered, Bundling, TimelyFiling,
	Duplicate, CoordinationOfBenefits, WrongPayer, ProviderEligibility,
	MedicalNecessity, AlternateBenefit, Pended, Other,
	Contractual, PatientResponsibility, Informational,
}

// IsDenial reports whether c is one of the denial categories (everything but
// contractual, patient_responsibility and informational).
func (c Category) IsDenial() bool {
	// A switch, not a walk over Categories: the findings ask this for
	// every adjustment (TestCategorySwitches holds both to Categories).
	switch c {
	case Documentation, Attachment, Frequency, BenefitMax, CodeMismatch,
		PriorAuthorization, Eligibility, NotCovered, Bundling, TimelyFiling,
		Duplicate, CoordinationOfBenefits, WrongPayer, ProviderEligibility,
		MedicalNecessity, AlternateBenefit, Pended, Other:
		return true
	}
	return false
}

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool {
	switch c {
	case Contractual, PatientResponsibility, Informational:
		return true
	}
	return c.IsDenial()
}

// Info describes one code.
type Info struct {
	Code        string
	Category    Category // empty for a RARC that decides no category, and for PLB reasons
	Description string   // casebridge's own plain-language wording
	// Official is the code list's own description, when an operator loaded
	// the official list (--codes-dir); empty otherwise. FHIR Coding.display
	// carries only this.
	Official string
	// Start and Stop are the code's first and last effective dates
	// (YYYY-MM-DD) when known; a Stop in the past marks a deactivated code.
	Start, Stop string
}

//go:embed carc.tsv rarc.tsv plb.tsv official/carc.tsv official/rarc.tsv
var embedded embed.FS

// OfficialFiles are the file names an operator may put in the codes
// directory (--codes-dir, CASEBRIDGE_CODES_DIR): the current official lists,
// one "code TAB start TAB stop TAB description" line per code.
var OfficialFiles = []string{"carc.tsv", "rarc.tsv", "plb.tsv"}

// tables is one complete set of code tables.
type tables struct {
	carc, rarc, plb map[string]Info
}

// current holds the tables LoadDir installed; nil means the built-in ones.
var current atomic.Pointer[tables]

// builtin reads the embedded tables on first use, not at start-up: most
// commands never look a code up.
var builtin = sync.OnceValue(func() *tables {
	t, err := build("")
	if err != nil {
		panic("codes: built-in tables: " + err.Error())
	}
	return t
})

// active is the tables in use.
func active() *tables {
	if t := current.Load(); t != nil {
		return t
	}
	return builtin()
}

// LoadDir installs the code tables with the official lists of dir: each of
// carc.tsv, rarc.tsv and plb.tsv present there replaces the built-in list
// of code values and dates (official/*.tsv) and fills Info.Official. Our
// categories and wording stay. Codes only the operator's list knows are
// looked up like the others (category "" → Other for a CARC). dir "" goes
// back to the built-in tables. A missing directory, a directory with none
// of the files or a malformed file is an error naming file and line; the
// tables in use then stay as they were. Call it at startup.
func LoadDir(dir string) error {
	t, err := build(dir)
	if err != nil {
		return err
	}
	current.Store(t)
	return nil
}

// CARC looks up a claim adjustment reason code ("16", "B13"). ok is false
// for a code no table holds; report those raw as category Other.
func CARC(code string) (Info, bool) {
	i, ok := active().carc[code]
	return i, ok
}

// CARCCategory is the category of a CARC on its own: our table's category,
// or Other for a code we have not categorised (unknown, or known only from
// an official list).
func CARCCategory(code string) Category {
	if i, ok := CARC(code); ok && i.Category != "" {
		return i.Category
	}
	return Other
}

// RARC looks up a remittance advice remark code ("M127", "N850").
func RARC(code string) (Info, bool) {
	i, ok := active().rarc[code]
	return i, ok
}

// PLB looks up a provider adjustment reason (PLB03-1, "WO", "L6").
func PLB(code string) (Info, bool) {
	i, ok := active().plb[code]
	return i, ok
}

// Text is the description to show: our wording, else the official one
// (a code only an operator's list knows), else "".
func (i Info) Text() string {
	if i.Description != "" {
		return i.Description
	}
	return i.Official
}

// DeactivatedBefore reports whether the code's stop date is before date
// (YYYY-MM-DD): X12 had deactivated it when the remittance was made. False
// when either date is unknown.
func (i Info) DeactivatedBefore(date string) bool {
	return i.Stop != "" && date != "" && i.Stop < date
}

// refinedBy is the one table of remark refinements: for a CARC's own
// category, the remark categories that may replace it because the remark
// says more precisely what went wrong. nil means any denial category: the
// CARC itself is generic (16 "lacks information", 96 "non-covered", A1
// "denied", 226/227, and codes we have not categorised). Categories not
// listed are already specific and keep their category whatever the remark.
var refinedBy = map[Category][]Category{
	Other:         nil,
	Documentation: nil,
	NotCovered:    nil,
	// 119 "benefit maximum for this time period or occurrence" is a
	// frequency limit only when a remark says so (N411-N417, M86, N640), and
	// a documentation problem when the remark says the limit applies only
	// without support documentation (N435).
	BenefitMax: {Frequency, Documentation},
	// 151 "does not support this many/frequency of services": with N435 the
	// payer says documentation would support it.
	Frequency: {Documentation},
}

// Refines reports whether a remark of category remark refines an
// adjustment whose CARC has category own (see refinedBy). A remark with no
// category, or one that is not a denial category, refines nothing.
func Refines(own, remark Category) bool {
	if remark == "" || !remark.IsDenial() {
		return false
	}
	allowed, ok := refinedBy[own]
	if !ok {
		return false
	}
	return allowed == nil || remark == own || slices.Contains(allowed, remark)
}

// AllCARCs returns the CARC table sorted by code.
func AllCARCs() []Info { return sorted(active().carc) }

// AllRARCs returns the RARC table sorted by code.
func AllRARCs() []Info { return sorted(active().rarc) }

func sorted(m map[string]Info) []Info {
	out := make([]Info, 0, len(m))
	for _, i := range m {
		out = append(out, i)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Code < out[b].Code })
	return out
}

// load reads "code TAB [category TAB] description" lines; '#' starts a comment
// line. Duplicate codes, unknown categories and empty descriptions are errors.
func load(data []byte, withCategory bool) (map[string]Info, error) {
	m := make(map[string]Info)
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		want := 2
		if withCategory {
			want = 3
		}
		f := strings.Split(text, "\t")
		if len(f) != want {
			return nil, fmt.Errorf("line %d: %d columns, want %d", line, len(f), want)
		}
		info := Info{Code: f[0], Description: f[len(f)-1]}
		if withCategory {
			info.Category = Category(f[1])
			if info.Category != "" && !info.Category.Valid() {
				return nil, fmt.Errorf("line %d: unknown category %q", line, f[1])
			}
		}
		if info.Code == "" || info.Description == "" {
			return nil, fmt.Errorf("line %d: empty code or description", line)
		}
		if _, dup := m[info.Code]; dup {
			return nil, fmt.Errorf("line %d: duplicate code %s", line, info.Code)
		}
		m[info.Code] = info
	}
	return m, sc.Err()
}

// build reads our tables and the official lists, from dir where it holds
// them, else the built-in ones.
func build(dir string) (*tables, error) {
	var t tables
	var err error
	ours := []struct {
		name         string
		withCategory bool
		dst          *map[string]Info
	}{{"carc.tsv", true, &t.carc}, {"rarc.tsv", true, &t.rarc}, {"plb.tsv", false, &t.plb}}
	for _, o := range ours {
		data, _ := embedded.ReadFile(o.name)
		if *o.dst, err = load(data, o.withCategory); err != nil {
			return nil, fmt.Errorf("codes: %s: %w", o.name, err)
		}
	}
	found := 0
	for i, name := range OfficialFiles {
		path := "official/" + name
		data, err := embedded.ReadFile(path)
		if err != nil {
			data = nil // no built-in list (plb.tsv)
		}
		if dir != "" {
			p := filepath.Join(dir, name)
			b, err := os.ReadFile(p)
			switch {
			case err == nil:
				data, path = b, p
				found++
			case !errors.Is(err, fs.ErrNotExist):
				return nil, fmt.Errorf("codes: cannot read %s: %w", p, errors.Unwrap(err))
			}
		}
		if err := merge(*ours[i].dst, data); err != nil {
			return nil, fmt.Errorf("codes: %s:%w", path, err)
		}
	}
	if dir != "" && found == 0 {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("codes: codes directory %s does not exist or is not a directory", dir)
		}
		return nil, fmt.Errorf("codes: codes directory %s holds none of %s", dir, strings.Join(OfficialFiles, ", "))
	}
	return &t, nil
}

// merge reads an official list ("code TAB start TAB stop TAB description",
// '#' comment lines, dates YYYY-MM-DD or MM/DD/YYYY, any of them may be
// empty but the code) into m: it sets Official, Start and Stop, and adds
// the codes m does not know. Errors start with the line number.
func merge(m map[string]Info, data []byte) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	seen := map[string]bool{}
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Split(text, "\t")
		if len(f) != 4 {
			return fmt.Errorf("%d: %d columns, want 4 (code, start, stop, description)", line, len(f))
		}
		code := strings.TrimSpace(f[0])
		if !validCode(code) {
			return fmt.Errorf("%d: code is empty or not 1-5 letters and digits", line)
		}
		if seen[code] {
			return fmt.Errorf("%d: duplicate code %s", line, code)
		}
		seen[code] = true
		start, err1 := isoDate(f[1])
		stop, err2 := isoDate(f[2])
		switch {
		case err1 != nil:
			return fmt.Errorf("%d: start date of %s is not YYYY-MM-DD or MM/DD/YYYY", line, code)
		case err2 != nil:
			return fmt.Errorf("%d: stop date of %s is not YYYY-MM-DD or MM/DD/YYYY", line, code)
		case start != "" && stop != "" && stop < start:
			return fmt.Errorf("%d: stop date of %s is before its start date", line, code)
		}
		i := m[code]
		i.Code, i.Start, i.Stop, i.Official = code, start, stop, strings.TrimSpace(f[3])
		m[code] = i
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%d: %v", line+1, err)
	}
	return nil
}

func validCode(c string) bool {
	if c == "" || len(c) > 5 {
		return false
	}
	for _, r := range c {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// isoDate turns "YYYY-MM-DD" or "MM/DD/YYYY" (the WPC pages' form) into
// YYYY-MM-DD; "" stays "".
func isoDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	for _, layout := range []string{"2006-01-02", "01/02/2006"} {
		if d, err := time.Parse(layout, s); err == nil {
			return d.Format("2006-01-02"), nil
		}
	}
	return "", errors.New("bad date")
}
