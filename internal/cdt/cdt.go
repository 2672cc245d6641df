// Package cdt knows the CDT dental case-management family and the codes that
// get mistaken for D9997. Labels are our own short paraphrases (CDT
// descriptors are ADA copyright and are not shipped).
package cdt

import "strings"

// Code facts.
type Code struct {
	Code           string
	Label          string // our own short paraphrase
	CaseManagement bool   // in the set casebridge bills: D9990–D9994, D9997
	LookAlike      string // why it is confused with D9997, for codes outside the set
	Since          string // first date of service the code is valid (YYYY-MM-DD), when known
}

// D9997 is dental case management for patients with special health care needs.
const D9997 = "D9997"

var table = map[string]Code{
	"D9990": {Code: "D9990", Label: "certified translation or sign-language services, per visit", CaseManagement: true, Since: "2017-01-01"},
	"D9991": {Code: "D9991", Label: "case management: addressing appointment compliance barriers", CaseManagement: true, Since: "2017-01-01"},
	"D9992": {Code: "D9992", Label: "case management: care coordination", CaseManagement: true, Since: "2017-01-01"},
	"D9993": {Code: "D9993", Label: "case management: motivational interviewing", CaseManagement: true, Since: "2017-01-01"},
	"D9994": {Code: "D9994", Label: "case management: patient education for oral health literacy", CaseManagement: true, Since: "2017-01-01"},
	"D9997": {Code: "D9997", Label: "case management: patients with special health care needs", CaseManagement: true, Since: "2020-01-01"},

	"D9910": {Code: "D9910", Label: "desensitizing medicament", LookAlike: "a typo look-alike of D9997/D9991 (desensitizing medicament, not case management)"},
	"D9911": {Code: "D9911", Label: "desensitizing resin, per tooth", LookAlike: "a typo look-alike of D9997/D9991 (a per-tooth desensitizing resin, not case management)"},
	"D9912": {Code: "D9912", Label: "pre-visit patient screening", LookAlike: "an adjacent adjunctive code, not case management"},
	"D9920": {Code: "D9920", Label: "behavior management, by report", LookAlike: "behavior management, which payers bundle with D9997; it is not case management"},
	"D9995": {Code: "D9995", Label: "teledentistry, synchronous", LookAlike: "a teledentistry code reported beside a service, not case management"},
	"D9996": {Code: "D9996", Label: "teledentistry, asynchronous", LookAlike: "a teledentistry code reported beside a service, not case management"},
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
