// Package record is the internal dental case-management record: the JSON
// contract an office system sends to casebridge, decoded strictly (unknown
// fields are errors, money is decimal, every problem carries a JSON pointer).
package record

import "github.com/casebridge/casebridge/internal/money"

// Frequencies (CLM05-3).
const (
	FrequencyOriginal    = "original"
	FrequencyReplacement = "replacement"
	FrequencyVoid        = "void"
)

// Case-management activity types.
const (
	TypeTreatmentDeliveryModification = "treatment_delivery_modification"
	TypeCareCoordination              = "care_coordination"
	TypeInterpreterServices           = "interpreter_services"
	TypeTransportation                = "transportation"
	TypeFinancialBarrier              = "financial_barrier"
	TypeSpecialtyScheduling           = "specialty_scheduling"
	TypeOther                         = "other"
)

// CaseManagementTypes lists the accepted case_management_type values.
var CaseManagementTypes = []string{
	TypeTreatmentDeliveryModification, TypeCareCoordination, TypeInterpreterServices,
	TypeTransportation, TypeFinancialBarrier, TypeSpecialtyScheduling, TypeOther,
}

// Record is one case-management claim record.
type Record struct {
	RecordID           string             `json:"record_id"`
	Frequency          string             `json:"frequency,omitempty"`
	PayerClaimNumber   string             `json:"payer_claim_number,omitempty"`
	Submitter          *Submitter         `json:"submitter,omitempty"`
	Receiver           *Receiver          `json:"receiver,omitempty"`
	BillingProvider    BillingProvider    `json:"billing_provider"`
	RenderingProvider  *RenderingProvider `json:"rendering_provider,omitempty"`
	ServiceFacility    *ServiceFacility   `json:"service_facility,omitempty"`
	Payer              Payer              `json:"payer"`
	Subscriber         Subscriber         `json:"subscriber"`
	Patient            *Patient           `json:"patient"`
	SpecialNeeds       *SpecialNeeds      `json:"special_needs,omitempty"`
	PlaceOfService     string             `json:"place_of_service,omitempty"`
	PriorAuthorization string             `json:"prior_authorization,omitempty"`
	Diagnoses          []string           `json:"diagnoses,omitempty"`
	Narrative          string             `json:"narrative,omitempty"`
	Services           []Service          `json:"services"`
	Attachments        []Attachment       `json:"attachments,omitempty"`
}

// Submitter is loop 1000A.
type Submitter struct {
	Name        string `json:"name,omitempty"`
	ID          string `json:"id,omitempty"`
	ContactName string `json:"contact_name,omitempty"`
	Phone       string `json:"phone,omitempty"`
	Email       string `json:"email,omitempty"`
}

// Receiver is loop 1000B.
type Receiver struct {
	Name string `json:"name,omitempty"`
	ID   string `json:"id,omitempty"`
}

// Address is a postal address (N3/N4).
type Address struct {
	Line1      string `json:"line1,omitempty"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city,omitempty"`
	State      string `json:"state,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
}

// Tax id kinds of the billing provider (2010AA REF01).
// An empty tax_id_type means ein.
const (
	TaxIDEIN = "ein" // REF*EI, the default
	TaxIDSSN = "ssn" // REF*SY, an individual dentist billing under a social security number
)

// BillingProvider is loop 2000A/2010AA: an organization (Name, NM102=2) or
// an individual dentist (FirstName/LastName, NM102=1).
type BillingProvider struct {
	Name      string   `json:"name,omitempty"`
	FirstName string   `json:"first_name,omitempty"`
	LastName  string   `json:"last_name,omitempty"`
	NPI       string   `json:"npi"`
	TaxID     string   `json:"tax_id,omitempty"`
	TaxIDType string   `json:"tax_id_type,omitempty"`
	Taxonomy  string   `json:"taxonomy,omitempty"`
	Address   *Address `json:"address,omitempty"`
}

// Individual reports whether the billing provider is a person (NM102=1):
// it has a last name and no organization name.
func (b BillingProvider) Individual() bool { return b.Name == "" && b.LastName != "" }

// RenderingProvider is loop 2310B.
type RenderingProvider struct {
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name"`
	NPI       string `json:"npi"`
	Taxonomy  string `json:"taxonomy,omitempty"`
}

// ServiceFacility is loop 2310C: where care happened when that is not the
// billing provider's address.
type ServiceFacility struct {
	Name    string   `json:"name"`
	NPI     string   `json:"npi,omitempty"`
	Address *Address `json:"address,omitempty"`
}

// Payer is loop 2010BB.
type Payer struct {
	Name string `json:"name"`
	ID   string `json:"id"`
}

// Subscriber is loop 2000B/2010BA.
type Subscriber struct {
	MemberID    string   `json:"member_id"`
	GroupNumber string   `json:"group_number,omitempty"`
	FirstName   string   `json:"first_name,omitempty"`
	LastName    string   `json:"last_name"`
	BirthDate   string   `json:"birth_date,omitempty"`
	Gender      string   `json:"gender,omitempty"`
	Address     *Address `json:"address,omitempty"`
}

// Patient is loop 2000C/2010CA, present only when the patient is not the subscriber.
type Patient struct {
	FirstName    string   `json:"first_name,omitempty"`
	LastName     string   `json:"last_name"`
	BirthDate    string   `json:"birth_date,omitempty"`
	Gender       string   `json:"gender,omitempty"`
	Relationship string   `json:"relationship"`
	Address      *Address `json:"address,omitempty"`
}

// SpecialNeeds documents why D9997 applies.
type SpecialNeeds struct {
	Condition             string `json:"condition,omitempty"`
	FunctionalLimitations string `json:"functional_limitations,omitempty"`
	DeliveryModifications string `json:"delivery_modifications,omitempty"`
}

// Staff is the staff member who performed the activity.
type Staff struct {
	Name       string `json:"name,omitempty"`
	Credential string `json:"credential,omitempty"`
	Role       string `json:"role,omitempty"`
}

// Service is one service line (loop 2400).
type Service struct {
	LineID             string        `json:"line_id,omitempty"`
	Date               string        `json:"date"`
	Code               string        `json:"code,omitempty"`
	Charge             *money.Amount `json:"charge"`
	Units              int           `json:"units,omitempty"`
	Minutes            int           `json:"minutes,omitempty"`
	CaseManagementType string        `json:"case_management_type,omitempty"`
	Staff              *Staff        `json:"staff,omitempty"`
	Reason             string        `json:"reason,omitempty"`
	Actions            string        `json:"actions,omitempty"`
	PatientBenefit     string        `json:"patient_benefit,omitempty"`
	FollowUp           string        `json:"follow_up,omitempty"`
	Note               string        `json:"note,omitempty"`
}

// Attachment is one supporting document (PWK).
type Attachment struct {
	ID           string `json:"id"`
	Title        string `json:"title,omitempty"`
	ContentType  string `json:"content_type,omitempty"`
	Data         string `json:"data,omitempty"`
	ReportType   string `json:"report_type,omitempty"`
	Transmission string `json:"transmission,omitempty"`
}
