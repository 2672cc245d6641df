package fhirmap

import (
	"strings"

	dpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/datatypes_go_proto"
)

// Other identifiers of the code systems an EHR may send. We always write the
// canonical URI (SystemICD10CM, SystemPOS); on input each of these is read
// as the same code system.
const (
	// SystemICD10CMOID is ICD-10-CM by its OID (HL7 THO NamingSystem
	// icd10CM: uri http://hl7.org/fhir/sid/icd-10-cm, oid
	// 2.16.840.1.113883.6.90).
	SystemICD10CMOID = "urn:oid:2.16.840.1.113883.6.90"
	// SystemPOSOID is the CMS Place of Service code set by its OID (HL7 THO
	// NamingSystem CMSPlaceofServiceCodes).
	SystemPOSOID = "urn:oid:2.16.840.1.113883.15.5"
	// SystemPOSLegacyOID is the older OID of the same CMS place-of-service
	// codes (HL7 v3 code system POS), still sent by some EHR exports.
	SystemPOSLegacyOID = "urn:oid:2.16.840.1.113883.6.50"
	// SystemExServicePlace is the code system of R4's example value set
	// http://hl7.org/fhir/ValueSet/service-place
	// (http://hl7.org/fhir/R4/valueset-service-place.html), which Claim.item.
	// location[x] binds by example. Its codes are a subset of the CMS codes
	// with the same meaning; only those are read (exServicePlaceCodes).
	SystemExServicePlace = "http://terminology.hl7.org/CodeSystem/ex-serviceplace"
)

// systemAliases maps each accepted identifier of a code system to the
// canonical URI we read it as.
var systemAliases = map[string]string{
	SystemCDT:      SystemCDT,
	systemCDTNoWWW: SystemCDT,
	systemCDTOID:   SystemCDT,

	SystemICD10CM:    SystemICD10CM,
	SystemICD10CMOID: SystemICD10CM,

	SystemPOS:            SystemPOS,
	SystemPOSOID:         SystemPOS,
	SystemPOSLegacyOID:   SystemPOS,
	SystemExServicePlace: SystemPOS, // restricted to exServicePlaceCodes
}

// exServicePlaceCodes are the 17 codes of R4's example value set
// service-place (ex-serviceplace): 01 Pharmacy, 03 School, 04 Homeless
// Shelter, 05/06 Indian Health Service free-standing / provider-based, 07/08
// Tribal 638 free-standing / provider-based, 09 Prison/Correctional
// Facility, 11 Office, 12 Home, 13 Assisted Living Facility, 14 Group Home,
// 15 Mobile Unit, 19 Off Campus-Outpatient Hospital, 20 Urgent Care
// Facility, 21 Inpatient Hospital, 41 Ambulance—Land. Each is the CMS
// place-of-service code of the same number and meaning. Any other code
// under that system is not read as a place of service.
var exServicePlaceCodes = map[string]bool{
	"01": true, "03": true, "04": true, "05": true, "06": true, "07": true, "08": true, "09": true,
	"11": true, "12": true, "13": true, "14": true, "15": true, "19": true, "20": true, "21": true, "41": true,
}

// CanonicalSystem returns the canonical URI for an accepted identifier of a
// code system (trimmed, compared exactly), or "" and false.
func CanonicalSystem(system string) (string, bool) {
	c, ok := systemAliases[strings.TrimSpace(system)]
	return c, ok
}

// codeInCanonical returns the trimmed code of the first coding of cc whose
// system is any accepted identifier of canonical. A coding of
// ex-serviceplace counts for SystemPOS only with one of its own codes.
func codeInCanonical(cc *dpb.CodeableConcept, canonical string) string {
	for _, c := range cc.GetCoding() {
		sys := strings.TrimSpace(c.GetSystem().GetValue())
		code := strings.TrimSpace(c.GetCode().GetValue())
		if code == "" {
			continue
		}
		if got, ok := systemAliases[sys]; !ok || got != canonical {
			continue
		}
		if sys == SystemExServicePlace && !exServicePlaceCodes[code] {
			continue
		}
		return code
	}
	return ""
}
