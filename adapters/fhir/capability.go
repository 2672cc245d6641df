package fhir

import (
	"time"

	cpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/codes_go_proto"
	dpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/datatypes_go_proto"
	cspb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/capability_statement_go_proto"

	"github.com/casebridge/casebridge/mapping/fhirmap"
)

// CapabilityDate is the date of the CapabilityStatement: the day its
// content last changed (bump it with the content).
var CapabilityDate = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// OperationX12 is the canonical URL of the $x12 operation.
const OperationX12 = fhirmap.Base + "OperationDefinition/Claim-x12"

const restDocumentation = `casebridge turns dental case-management claims (CDT D9997 and D9990-D9994) into X12 837D (005010X224A2).
Nothing is stored: there are no read, search, create or update interactions yet.

* ` + "`POST [base]/Claim/$x12`" + ` - a Claim with its resources contained, or a collection Bundle whose first entry is the Claim, in; the 837D (application/edi-x12) out, or an OperationOutcome (400 unreadable, 415 media type, 422 invalid or incomplete claim).
* ` + "`POST [base]/Claim/$validate`" + ` - the same input; an OperationOutcome with every FHIR, mapping and D9997 scrub issue (200 whenever validation ran).

Outside this FHIR base, ` + "`POST /v1/claims/fhir`" + ` turns a casebridge case record into a collection Bundle and ` + "`POST /v1/remittances/findings?format=fhir`" + ` turns an 835 into ClaimResponse Bundles.
Extensions and code systems of casebridge live under ` + fhirmap.Base + `.`

// CapabilityStatement is GET /fhir/metadata: exactly what the FHIR side
// supports. baseURL is the FHIR base the server answers on ("" to leave
// implementation out); version is the software version.
func CapabilityStatement(baseURL, version string) ([]byte, error) {
	day := &dpb.DateTime{ValueUs: CapabilityDate.UnixMicro(), Precision: dpb.DateTime_DAY, Timezone: "UTC"}
	cs := &cspb.CapabilityStatement{
		Url:         &dpb.Uri{Value: fhirmap.Base + "CapabilityStatement/casebridge"},
		Name:        &dpb.String{Value: "CasebridgeClaims"},
		Title:       &dpb.String{Value: "casebridge dental case-management claims gateway"},
		Status:      &cspb.CapabilityStatement_StatusCode{Value: cpb.PublicationStatusCode_ACTIVE},
		Date:        day,
		Publisher:   &dpb.String{Value: "casebridge"},
		Kind:        &cspb.CapabilityStatement_KindCode{Value: cpb.CapabilityStatementKindCode_INSTANCE},
		Software:    &cspb.CapabilityStatement_Software{Name: &dpb.String{Value: "casebridge"}},
		FhirVersion: &cspb.CapabilityStatement_FhirVersionCode{Value: cpb.FHIRVersionCode_V_4_0_1},
		Format: []*cspb.CapabilityStatement_FormatCode{
			{Value: ContentTypeFHIR}, {Value: "json"},
		},
		Rest: []*cspb.CapabilityStatement_Rest{{
			Mode:          &cspb.CapabilityStatement_Rest_ModeCode{Value: cpb.RestfulCapabilityModeCode_SERVER},
			Documentation: &dpb.Markdown{Value: restDocumentation},
			Resource: []*cspb.CapabilityStatement_Rest_Resource{{
				Type: &cspb.CapabilityStatement_Rest_Resource_TypeCode{Value: cpb.ResourceTypeCode_CLAIM},
				Documentation: &dpb.Markdown{Value: "Claim.type oral, Claim.use claim, status active (original or, with related.relationship prior, a replacement) or cancelled (a void). " +
					"CDT codes in " + fhirmap.SystemCDT + " (http://ada.org/cdt and the OID are accepted), ICD-10-CM diagnoses, NPIs in " + fhirmap.SystemNPI + "."},
				Operation: []*cspb.CapabilityStatement_Rest_Resource_Operation{
					{Name: &dpb.String{Value: "x12"}, Definition: &dpb.Canonical{Value: OperationX12},
						Documentation: &dpb.Markdown{Value: "Claim or Bundle in, X12 837D out."}},
					{Name: &dpb.String{Value: "validate"}, Definition: &dpb.Canonical{Value: "http://hl7.org/fhir/OperationDefinition/Resource-validate"},
						Documentation: &dpb.Markdown{Value: "Claim or Bundle in, OperationOutcome out; the resource is sent as the body, not in a Parameters resource."}},
				},
			}},
		}},
	}
	if version != "" {
		cs.Software.Version = &dpb.String{Value: version}
		cs.Version = &dpb.String{Value: version}
	}
	if baseURL != "" {
		cs.Implementation = &cspb.CapabilityStatement_Implementation{
			Description: &dpb.String{Value: "casebridge FHIR R4 endpoint"},
			Url:         &dpb.Url{Value: baseURL},
		}
	}
	return Marshal(cs, true)
}
