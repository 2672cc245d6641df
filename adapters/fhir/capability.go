package fhir

import (
	"time"

	cpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/codes_go_proto"
	dpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/datatypes_go_proto"
	cspb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/capability_statement_go_proto"
	vspb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/valuesets_go_proto"

	"github.com/casebridge/casebridge/mapping/fhirmap"
)

// CapabilityDate is the date of the CapabilityStatement: the day its
// content last changed (bump it with the content).
var CapabilityDate = time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)

// OperationX12 is the canonical URL of the $x12 operation.
const OperationX12 = fhirmap.Base + "OperationDefinition/Claim-x12"

const restDocumentation = `casebridge turns dental case-management claims (CDT D9997 and D9990-D9994) into X12 837D (005010X224A2) and keeps them: it is the service of record for the claims it writes and the 835s that answer them.

* ` + "`POST [base]/Claim`" + ` - create: a Claim with its resources contained, or a collection Bundle whose first entry is the Claim. 201 with Location ` + "`[base]/Claim/{id}/_history/1`" + ` and the stored Claim only when the claim is accepted; a claim with scrub errors is stored as rejected (it has no FHIR form; see /v1/claims) and answered 422 with the issues; a Claim the D9997 mapping refuses is 422 and not stored. Conditional with ` + "`If-None-Exist: identifier=[system]|value`" + ` (one match: 200 with it; several: 412).
* ` + "`GET [base]/Claim/{id}`" + ` - read: the stored Claim, its other resources contained, meta.versionId 1 (stored Claims are never updated); ` + "`GET [base]/Claim/{id}/_history/1`" + ` - vread of that one version.
* ` + "`GET [base]/Claim?identifier=&_count=`" + ` - search, newest first, ` + "`_count`" + ` up to 500 (default 50), a next link with an opaque cursor. Unknown parameters are 400 unless ` + "`Prefer: handling=lenient`" + `. patient is not supported: a stored Claim's Patient is contained in it.
* ` + "`GET [base]/ClaimResponse?request=Claim/{id}`" + ` - search: one ClaimResponse per 835 claim (CLP) reconciled to the Claim.
* ` + "`POST [base]/Claim/$x12`" + ` - the same input as create; the 837D (application/edi-x12) out, nothing stored, or an OperationOutcome (400 unreadable, 415 media type, 422 invalid or incomplete claim).
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
				Interaction: []*cspb.CapabilityStatement_Rest_Resource_ResourceInteraction{
					interaction(vspb.TypeRestfulInteractionValueSet_CREATE, "Stored when accepted (201); conditional with If-None-Exist identifier=[system]|value."),
					interaction(vspb.TypeRestfulInteractionValueSet_READ, "The stored Claim, its other resources contained."),
					interaction(vspb.TypeRestfulInteractionValueSet_VREAD, "Version 1, the only one (stored Claims are never updated): the Location of a create."),
					interaction(vspb.TypeRestfulInteractionValueSet_SEARCH_TYPE, "Newest first; _count up to 500 (default 50); a next link with an opaque cursor."),
				},
				Versioning:        &cspb.CapabilityStatement_Rest_Resource_VersioningCode{Value: cpb.ResourceVersionPolicyCode_VERSIONED},
				ReadHistory:       &dpb.Boolean{Value: false},
				UpdateCreate:      &dpb.Boolean{Value: false},
				ConditionalCreate: &dpb.Boolean{Value: true},
				SearchParam: []*cspb.CapabilityStatement_Rest_Resource_SearchParam{
					searchParam("identifier", "http://hl7.org/fhir/SearchParameter/Claim-identifier", cpb.SearchParamTypeCode_TOKEN,
						"Claim.identifier is "+fhirmap.SystemRecordID+"|record_id: another system matches nothing. One value (no comma lists)."),
				},
				Operation: []*cspb.CapabilityStatement_Rest_Resource_Operation{
					{Name: &dpb.String{Value: "x12"}, Definition: &dpb.Canonical{Value: OperationX12},
						Documentation: &dpb.Markdown{Value: "Claim or Bundle in, X12 837D out."}},
					{Name: &dpb.String{Value: "validate"}, Definition: &dpb.Canonical{Value: "http://hl7.org/fhir/OperationDefinition/Resource-validate"},
						Documentation: &dpb.Markdown{Value: "Claim or Bundle in, OperationOutcome out; the resource is sent as the body, not in a Parameters resource."}},
				},
			}, {
				Type:          &cspb.CapabilityStatement_Rest_Resource_TypeCode{Value: cpb.ResourceTypeCode_CLAIM_RESPONSE},
				Documentation: &dpb.Markdown{Value: "Built from the stored 835s (one per CLP reconciled to a stored Claim); search by request only."},
				Interaction: []*cspb.CapabilityStatement_Rest_Resource_ResourceInteraction{
					interaction(vspb.TypeRestfulInteractionValueSet_SEARCH_TYPE, "request is required."),
				},
				SearchParam: []*cspb.CapabilityStatement_Rest_Resource_SearchParam{
					searchParam("request", "http://hl7.org/fhir/SearchParameter/ClaimResponse-request", cpb.SearchParamTypeCode_REFERENCE,
						"Claim/{id} of a stored Claim."),
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

func interaction(code vspb.TypeRestfulInteractionValueSet_Value, doc string) *cspb.CapabilityStatement_Rest_Resource_ResourceInteraction {
	return &cspb.CapabilityStatement_Rest_Resource_ResourceInteraction{
		Code:          &cspb.CapabilityStatement_Rest_Resource_ResourceInteraction_CodeType{Value: code},
		Documentation: &dpb.Markdown{Value: doc},
	}
}

func searchParam(name, definition string, typ cpb.SearchParamTypeCode_Value, doc string) *cspb.CapabilityStatement_Rest_Resource_SearchParam {
	return &cspb.CapabilityStatement_Rest_Resource_SearchParam{
		Name:          &dpb.String{Value: name},
		Definition:    &dpb.Canonical{Value: definition},
		Type:          &cspb.CapabilityStatement_Rest_Resource_SearchParam_TypeCode{Value: typ},
		Documentation: &dpb.Markdown{Value: doc},
	}
}
