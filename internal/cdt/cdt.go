// Package cdt knows the CDT dental case-management family, the codes that
// may travel beside it on the same claim, and the codes that get mistaken for
// D9997. Labels are our own short paraphrases (CDT descriptors are ADA
// copyright and are not shipped).
//
// Nomenclatures and first years, checked 2026-12-02:
//   - D9991–D9994: CDT 2017 (spec x12.md §7; ADA News, 2016-09-08, "Code D9994
//     recommended for documenting interpreter and translator services":
//     D9994 is new "beginning in January" 2017 and is what the ADA then
//     recommended for language assistance).
//   - D9995, D9996: CDT 2018 (CDA, 2017-11-15, "Prepare for CDT 2018 dental
//     code additions": 18 new codes effective 2018-01-01; ADA/KDA 2017-07-18 on
//     the teledentistry guide: "new codes that will first appear in CDT 2018").
//   - D9990 (certified translation or sign-language services, per visit):
//     CDT 2019. It is not in CDT 2017 (the ADA pointed interpreter services to
//     D9994 for 2017) nor in the CDA list of the 18 CDT 2018 additions; the
//     CDT 2019 revision added 15 codes effective 2019-01-01 (Pediatric
//     Dentistry Today, March 2019, "CDT 2019 Revisions"). It was listed here
//     as 2017, which let 2017–2018 dates of service through.
//   - D9997: CDT 2020 (spec x12.md §7, from IHS RPMS ADE patch 34).
//   - D9920 behavior management, by report: long-standing (before 2017); no
//     first date is enforced.
package cdt

import "strings"

// Code facts.
type Code struct {
	Code           string
	Label          string // our own short paraphrase
	CaseManagement bool   // in the set casebridge bills: D9990–D9994, D9997
	// Companion codes are not case management but may travel as additional
	// lines of a case-management claim (behavior management, teledentistry).
	Companion bool
	LookAlike string // why it is confused with D9997, for codes outside the set
	Since     string // first date of service the code is valid (YYYY-MM-DD), when known
}

// D9997 is dental case management for patients with special health care needs.
const D9997 = "D9997"

// D9920 is behavior management, which payers bundle with D9997 on one date.
const D9920 = "D9920"

var table = map[string]Code{
	"D9990": {Code: "D9990", Label: "certified translation or sign-language services, per visit", CaseManagement: true, Since: "2019-01-01"},
	"D9991": {Code: "D9991", Label: "case management: addressing appointment compliance barriers", CaseManagement: true, Since: "2017-01-01"},
	"D9992": {Code: "D9992", Label: "case management: care coordination", CaseManagement: true, Since: "2017-01-01"},
	"D9993": {Code: "D9993", Label: "case management: motivational interviewing", CaseManagement: true, Since: "2017-01-01"},
	"D9994": {Code: "D9994", Label: "case management: patient education for oral health literacy", CaseManagement: true, Since: "2017-01-01"},
	"D9997": {Code: "D9997", Label: "case management: patients with special health care needs", CaseManagement: true, Since: "2020-01-01"},

	"D9910": {Code: "D9910", Label: "desensitizing medicament", LookAlike: "a typo look-alike of D9997/D9991 (desensitizing medicament, not case management)"},
	"D9911": {Code: "D9911", Label: "desensitizing resin, per tooth", LookAlike: "a typo look-alike of D9997/D9991 (a per-tooth desensitizing resin, not case management)"},
	"D9912": {Code: "D9912", Label: "pre-visit patient screening", LookAlike: "an adjacent adjunctive code, not case management"},
	"D9920": {Code: "D9920", Label: "behavior management, by report", Companion: true},
	"D9995": {Code: "D9995", Label: "teledentistry, synchronous (real-time encounter)", Companion: true, Since: "2018-01-01"},
	"D9996": {Code: "D9996", Label: "teledentistry, asynchronous (stored and forwarded for later review)", Companion: true, Since: "2018-01-01"},
	"D9970": {Code: "D9970", Label: "enamel microabrasion", LookAlike: "a one-digit transposition of D9997 (enamel microabrasion)"},
	"D9971": {Code: "D9971", Label: "odontoplasty", LookAlike: "a one-digit transposition of D9997 (odontoplasty)"},
	"D9972": {Code: "D9972", Label: "external bleaching, per arch", LookAlike: "a one-digit transposition of D9997 (bleaching)"},
	"D9973": {Code: "D9973", Label: "external bleaching, per tooth", LookAlike: "a one-digit transposition of D9997 (bleaching)"},
	"D9974": {Code: "D9974", Label: "internal bleaching, per tooth", LookAlike: "a one-digit transposition of D9997 (bleaching)"},
	"D9975": {Code: "D9975", Label: "external bleaching for home application", LookAlike: "a one-digit transposition of D9997 (bleaching)"},
	"D9999": {Code: "D9999", Label: "unspecified adjunctive procedure, by report", LookAlike: "the by-report code used before D9997 existed; not for dates of service from 2020 on"},
}

// Lookup returns what casebridge knows of a code (case-insensitive).
func Lookup(code string) (Code, bool) {
	c, ok := table[strings.ToUpper(strings.TrimSpace(code))]
	return c, ok
}

// MoreSpecific maps a case-management activity type to the code that
// describes it more precisely than D9997.
var MoreSpecific = map[string]string{
	"interpreter_services": "D9990",
	"transportation":       "D9991",
	"care_coordination":    "D9992",
}
