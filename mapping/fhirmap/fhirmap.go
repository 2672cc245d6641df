// Package fhirmap maps between the case record and FHIR R4 resources held as
// google/fhir/go protos: record → collection Bundle (Claim first), Claim or
// Bundle → record, and a parsed 835 → ClaimResponse Bundles.
//
// The package never reads or writes JSON: adapters/fhir is the jsonformat
// edge. Everything here is deterministic — the same record and the same time
// always give the same protos, with UUIDv5 resource ids.
package fhirmap

import (
	"time"

	cpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/codes_go_proto"
	dpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/datatypes_go_proto"

	"github.com/casebridge/casebridge/internal/money"
)

// Base is the one URL base of everything casebridge defines for FHIR.
const Base = "https://casebridge.dev/fhir/"

// Extensions of ours (README.md, "Extensions, code systems and identifier systems", lists them).
const (
	ExtensionBase              = Base + "StructureDefinition/"
	ExtSubmitter               = ExtensionBase + "submitter"
	ExtReceiver                = ExtensionBase + "receiver"
	ExtLineItemControlNumber   = ExtensionBase + "line-item-control-number"
	ExtAttachmentReportType    = ExtensionBase + "attachment-report-type"
	ExtAttachmentTransmission  = ExtensionBase + "attachment-transmission"
	ExtAttachmentControlNumber = ExtensionBase + "attachment-control-number"
	ExtStaffRole               = ExtensionBase + "staff-role"
	ExtAdjustmentGroup         = ExtensionBase + "adjustment-group"
	ExtClaimStatus             = ExtensionBase + "claim-status"
)

// Identifier and code systems of ours.
const (
	SystemRecordID         = Base + "sid/record-id"
	SystemAttachmentID     = Base + "sid/attachment-control-number"
	SystemPayerID          = Base + "sid/payer-id"
	SystemPayerClaimNumber = Base + "sid/payer-claim-number"
	CodeSystemInfo         = Base + "CodeSystem/case-management-info"
	CodeSystemActivity     = Base + "CodeSystem/case-management-type"
	CodeSystemCategory     = Base + "CodeSystem/adjustment-category"
	CodeSystemRule         = Base + "CodeSystem/rule"
)

// External systems (spec/fhir.md §1).
const (
	SystemCDT            = "http://www.ada.org/cdt"
	systemCDTNoWWW       = "http://ada.org/cdt"
	systemCDTOID         = "urn:oid:2.16.840.1.113883.6.13"
	SystemICD10CM        = "http://hl7.org/fhir/sid/icd-10-cm"
	SystemNPI            = "http://hl7.org/fhir/sid/us-npi"
	SystemTIN            = "urn:oid:2.16.840.1.113883.4.4"
	SystemSSN            = "http://hl7.org/fhir/sid/us-ssn"
	SystemNUCC           = "http://nucc.org/provider-taxonomy"
	SystemPOS            = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
	SystemCARC           = "https://x12.org/codes/claim-adjustment-reason-codes"
	SystemRARC           = "https://x12.org/codes/remittance-advice-remark-codes"
	SystemCASGroup       = "https://codesystem.x12.org/005010/1033"
	SystemPWK01          = "https://codesystem.x12.org/005010/755"
	SystemPWK02          = "https://codesystem.x12.org/005010/756"
	SystemClaimType      = "http://terminology.hl7.org/CodeSystem/claim-type"
	SystemInfoCategory   = "http://terminology.hl7.org/CodeSystem/claiminformationcategory"
	SystemCareTeamRole   = "http://terminology.hl7.org/CodeSystem/claimcareteamrole"
	SystemC4BBRole       = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimCareTeamRole"
	SystemPriority       = "http://terminology.hl7.org/CodeSystem/processpriority"
	SystemRelatedClaim   = "http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship"
	SystemSubscriberRel  = "http://terminology.hl7.org/CodeSystem/subscriber-relationship"
	SystemCoverageClass  = "http://terminology.hl7.org/CodeSystem/coverage-class"
	SystemIdentifierType = "http://terminology.hl7.org/CodeSystem/v2-0203"
	SystemC4BBIDType     = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBIdentifierType"
	SystemC4BBAdjudicate = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication"
	SystemC4BBDiscrim    = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudicationDiscriminator"
	SystemAdjudication   = "http://terminology.hl7.org/CodeSystem/adjudication"
	SystemRoleCode       = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
	SystemUCUM           = "http://unitsofmeasure.org"
	SystemDataAbsent     = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
	SystemURI            = "urn:ietf:rfc:3986"
)

// Codes of CodeSystemInfo: what a supportingInfo entry of category info holds.
const (
	InfoCondition      = "special-needs-condition"
	InfoLimitations    = "functional-limitations"
	InfoModifications  = "delivery-modifications"
	InfoMinutes        = "minutes"
	InfoReason         = "reason"
	InfoActions        = "actions"
	InfoPatientBenefit = "patient-benefit"
	InfoFollowUp       = "follow-up"
	InfoNote           = "note"
)

// NormalizeCDTSystem returns SystemCDT for every accepted form of the CDT
// system URI (http://www.ada.org/cdt, http://ada.org/cdt, the OID), and ok
// false for anything else. Comparison is exact after trimming.
func NormalizeCDTSystem(system string) (string, bool) {
	if c, ok := CanonicalSystem(system); ok && c == SystemCDT {
		return SystemCDT, true
	}
	return "", false
}

// Small constructors. Empty strings are never emitted: FHIR forbids them.

func fstr(s string) *dpb.String { return &dpb.String{Value: s} }
func furi(s string) *dpb.Uri    { return &dpb.Uri{Value: s} }
func fcode(s string) *dpb.Code  { return &dpb.Code{Value: s} }
func fpos(n int) *dpb.PositiveInt {
	return &dpb.PositiveInt{Value: uint32(n)}
}

func coding(system, code, display string) *dpb.Coding {
	c := &dpb.Coding{System: furi(system), Code: fcode(code)}
	if display != "" {
		c.Display = fstr(display)
	}
	return c
}

func concept(system, code, display string) *dpb.CodeableConcept {
	return &dpb.CodeableConcept{Coding: []*dpb.Coding{coding(system, code, display)}}
}

func usd(a money.Amount) *dpb.Money {
	return &dpb.Money{Value: &dpb.Decimal{Value: a.String()}, Currency: &dpb.Money_CurrencyCode{Value: "USD"}}
}

func urnRef(u string) *dpb.Reference {
	return &dpb.Reference{Reference: &dpb.Reference_Uri{Uri: fstr("urn:uuid:" + u)}}
}

func extString(url, v string) *dpb.Extension {
	return &dpb.Extension{Url: furi(url), Value: &dpb.Extension_ValueX{
		Choice: &dpb.Extension_ValueX_StringValue{StringValue: fstr(v)}}}
}

func extCoding(url, system, code string) *dpb.Extension {
	return &dpb.Extension{Url: furi(url), Value: &dpb.Extension_ValueX{
		Choice: &dpb.Extension_ValueX_Coding{Coding: coding(system, code, "")}}}
}

func identifier(system, value string) *dpb.Identifier {
	return &dpb.Identifier{System: furi(system), Value: fstr(value)}
}

func dateTime(t time.Time) *dpb.DateTime {
	t = t.UTC().Truncate(time.Second)
	return &dpb.DateTime{ValueUs: t.UnixMicro(), Precision: dpb.DateTime_SECOND, Timezone: "Z"}
}

func instant(t time.Time) *dpb.Instant {
	t = t.UTC().Truncate(time.Second)
	return &dpb.Instant{ValueUs: t.UnixMicro(), Precision: dpb.Instant_SECOND, Timezone: "Z"}
}

// fhirDate turns a record date (YYYY-MM-DD) into a FHIR date.
func fhirDate(s string) (*dpb.Date, bool) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || len(s) != 10 {
		return nil, false
	}
	return &dpb.Date{ValueUs: t.UnixMicro(), Precision: dpb.Date_DAY, Timezone: "UTC"}, true
}

// recordDate formats a FHIR date of day precision as YYYY-MM-DD in the
// date's own zone (spec/fhir.md §10.5 #8).
func recordDate(d *dpb.Date) (string, bool) {
	if d == nil || d.GetPrecision() != dpb.Date_DAY {
		return "", false
	}
	return time.UnixMicro(d.GetValueUs()).In(zone(d.GetTimezone())).Format(time.DateOnly), true
}

// zone resolves the Timezone string of a google/fhir date: "", "Z", "UTC",
// an offset like "+01:00", or an IANA name.
func zone(tz string) *time.Location {
	switch tz {
	case "", "Z", "UTC", "+00:00", "-00:00":
		return time.UTC
	}
	if len(tz) == 6 && (tz[0] == '+' || tz[0] == '-') && tz[3] == ':' {
		if t, err := time.Parse("-07:00", tz); err == nil {
			_, off := t.Zone()
			return time.FixedZone(tz, off)
		}
	}
	if loc, err := time.LoadLocation(tz); err == nil {
		return loc
	}
	return time.UTC
}

// Gender codes: the record's F/M/U and FHIR's administrative gender.
var genderToFHIR = map[string]cpb.AdministrativeGenderCode_Value{
	"F": cpb.AdministrativeGenderCode_FEMALE,
	"M": cpb.AdministrativeGenderCode_MALE,
	"U": cpb.AdministrativeGenderCode_UNKNOWN,
}

func genderFromFHIR(v cpb.AdministrativeGenderCode_Value) (g string, exact bool) {
	switch v {
	case cpb.AdministrativeGenderCode_FEMALE:
		return "F", true
	case cpb.AdministrativeGenderCode_MALE:
		return "M", true
	case cpb.AdministrativeGenderCode_UNKNOWN:
		return "U", true
	case cpb.AdministrativeGenderCode_OTHER:
		return "U", false
	}
	return "", true
}

// activityDisplay names the case-management activity types.
var activityDisplay = map[string]string{
	"treatment_delivery_modification": "Treatment delivery modification",
	"care_coordination":               "Care coordination",
	"interpreter_services":            "Interpreter services",
	"transportation":                  "Transportation",
	"financial_barrier":               "Financial barrier",
	"specialty_scheduling":            "Specialty scheduling",
	"other":                           "Other",
}
