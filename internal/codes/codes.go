// Package codes holds the adjustment knowledge of the 835 findings: CARC
// (claim adjustment reason) and RARC (remittance advice remark) descriptions
// in casebridge's own words, the denial category of each code, and the PLB
// provider adjustment reasons. The tables are data files embedded at build
// time; their headers record the sources and the date they were compiled.
package codes

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"sort"
	"strings"
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
	switch c {
	case Contractual, PatientResponsibility, Informational:
		return false
	}
	return c.Valid()
}

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool {
	for _, k := range Categories {
		if k == c {
			return true
		}
	}
	return false
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

//go:embed carc.tsv
var carcData []byte

//go:embed rarc.tsv
var rarcData []byte

//go:embed plb.tsv
var plbData []byte

var (
	carcs = mustLoad("carc.tsv", carcData, true)
	rarcs = mustLoad("rarc.tsv", rarcData, true)
	plbs  = mustLoad("plb.tsv", plbData, false)
)

// CARC looks up a claim adjustment reason code ("16", "B13"). ok is false
// for a code the table does not hold; report those raw as category Other.
func CARC(code string) (Info, bool) {
	i, ok := carcs[code]
	return i, ok
}

// CARCCategory is the category of a CARC on its own: the table's category,
// or Other for an unknown code.
func CARCCategory(code string) Category {
	if i, ok := carcs[code]; ok {
		return i.Category
	}
	return Other
}

// RARC looks up a remittance advice remark code ("M127", "N850").
func RARC(code string) (Info, bool) {
	i, ok := rarcs[code]
	return i, ok
}

// PLB looks up a provider adjustment reason (PLB03-1, "WO", "L6").
func PLB(code string) (Info, bool) {
	i, ok := plbs[code]
	return i, ok
}

// RemarkDecides reports whether a CARC's meaning lives in its remark code
// (16, 96, A1, 226): such an adjustment takes the category of the first
// categorised RARC on the same line, else on the claim, else its own.
func RemarkDecides(carc string) bool {
	switch carc {
	case "16", "96", "A1", "226":
		return true
	}
	return false
}

// AllCARCs returns the CARC table sorted by code.
func AllCARCs() []Info { return sorted(carcs) }

// AllRARCs returns the RARC table sorted by code.
func AllRARCs() []Info { return sorted(rarcs) }

func sorted(m map[string]Info) []Info {
	out := make([]Info, 0, len(m))
	for _, i := range m {
		out = append(out, i)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Code < out[b].Code })
	return out
}

func mustLoad(name string, data []byte, withCategory bool) map[string]Info {
	m, err := load(data, withCategory)
	if err != nil {
		panic(fmt.Sprintf("codes: %s: %v", name, err))
	}
	return m
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
