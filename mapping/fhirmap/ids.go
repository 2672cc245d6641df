package fhirmap

import (
	"strings"

	"github.com/google/uuid"
)

// namespace is the UUIDv5 namespace of casebridge FHIR ids.
var namespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte(Base))

// Roles of the resources a Bundle holds; part of every id.
const (
	roleBundle     = "bundle"
	roleClaim      = "claim"
	rolePatient    = "patient"
	roleSubscriber = "subscriber"
	roleCoverage   = "coverage"
	roleBilling    = "billing-provider"
	rolePayer      = "payer"
	roleRendering  = "rendering-provider"
	roleFacility   = "service-facility"
	roleStaff      = "staff"
	roleAttachment = "attachment"
)

// idMaker derives resource ids from the claim's identity: UUIDv5 over
// (billing NPI, record id, frequency, resource type, role, key). The parts are
// joined with NUL, which no record value holds, so no two tuples collide.
type idMaker struct{ npi, recordID, frequency string }

func (m idMaker) id(resourceType, role, key string) string {
	name := strings.Join([]string{m.npi, m.recordID, m.frequency, resourceType, role, key}, "\x00")
	return uuid.NewSHA1(namespace, []byte(name)).String()
}
