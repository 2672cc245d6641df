package fhirmap

import (
	"time"

	cpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/codes_go_proto"
	dpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/datatypes_go_proto"
	bcrpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"
	compb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/communication_go_proto"
)

// SystemV2CertificationCategory is HL7 v2 table 0922, "Certification
// Category Code" (added in v2.8), as a FHIR code system; its code RA is
// "Request for Appeal" (terminology.hl7.org, CodeSystem v2-0922; also
// published with FHIR R4 at hl7.org/fhir/R4/v2/0922/index.html).
const SystemV2CertificationCategory = "http://terminology.hl7.org/CodeSystem/v2-0922"

// Appeal is what the FHIR side of an appeal packet says.
type Appeal struct {
	ID              string // the Communication's id
	ClaimID         string // the stored claim (Claim/{id} as GET /fhir/Claim/{id} serves it)
	ClaimResponseID string // the ClaimResponse of the denying 835 claim ("" when none is served)
	PDF             []byte // the letter
	Title           string // the attachment's title
	Created         time.Time
}

// AppealCommunication builds the R4 Communication of an appeal packet
// (hl7.org/fhir/R4/communication.html):
//
//   - status "preparation" (EventStatus, hl7.org/fhir/R4/valueset-event-status.html:
//     "some staging activities have begun"): casebridge drafts the packet,
//     the office sends it, so it is not "completed" and has no sent time;
//   - category v2-0922#RA "Request for Appeal", text "appeal";
//   - about: the Claim and the ClaimResponse it appeals
//     (Communication.about, Reference(Any));
//   - payload[0].contentAttachment: the letter as application/pdf, inline
//     (Attachment.data, base64 in JSON), with its title and creation time.
func AppealCommunication(a Appeal) *bcrpb.ContainedResource {
	about := []*dpb.Reference{{Reference: &dpb.Reference_ClaimId{ClaimId: &dpb.ReferenceId{Value: a.ClaimID}}}}
	if a.ClaimResponseID != "" {
		about = append(about, &dpb.Reference{Reference: &dpb.Reference_ClaimResponseId{ClaimResponseId: &dpb.ReferenceId{Value: a.ClaimResponseID}}})
	}
	cat := concept(SystemV2CertificationCategory, "RA", "Request for Appeal")
	cat.Text = fstr("appeal")
	att := &dpb.Attachment{
		ContentType: &dpb.Attachment_ContentTypeCode{Value: "application/pdf"},
		Data:        &dpb.Base64Binary{Value: a.PDF},
		Creation:    dateTime(a.Created),
	}
	if a.Title != "" {
		att.Title = fstr(a.Title)
	}
	c := &compb.Communication{
		Id:       &dpb.Id{Value: a.ID},
		Meta:     &dpb.Meta{LastUpdated: instant(a.Created)},
		Status:   &compb.Communication_StatusCode{Value: cpb.EventStatusCode_PREPARATION},
		Category: []*dpb.CodeableConcept{cat},
		About:    about,
		Payload: []*compb.Communication_Payload{{Content: &compb.Communication_Payload_ContentX{
			Choice: &compb.Communication_Payload_ContentX_Attachment{Attachment: att}}}},
	}
	return &bcrpb.ContainedResource{OneofResource: &bcrpb.ContainedResource_Communication{Communication: c}}
}
