package fhirmap

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strconv"
	"time"

	cpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/codes_go_proto"
	dpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/datatypes_go_proto"
	bcrpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"
	claimpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/claim_go_proto"
	covpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/coverage_go_proto"
	docpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/document_reference_go_proto"
	locpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/location_go_proto"
	orgpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/organization_go_proto"
	patpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/patient_go_proto"
	practpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/practitioner_go_proto"
	rppb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/related_person_go_proto"

	"github.com/casebridge/casebridge/internal/money"
	"github.com/casebridge/casebridge/internal/record"
)

// MappingError says why a record cannot be expressed in FHIR. It only
// happens for records the scrubber would refuse (a bad date, a missing
// charge, a code with spaces); the message never holds record values.
type MappingError struct {
	Pointer string // RFC 6901 pointer into the record
	Msg     string
}

func (e *MappingError) Error() string {
	return fmt.Sprintf("fhirmap: %s: %s", e.Pointer, e.Msg)
}

// reCode is the FHIR code datatype: no leading, trailing or double spaces.
var reCode = regexp.MustCompile(`^[^\s]+( [^\s]+)*$`)

// ToBundle maps a record to a collection Bundle: Claim first, then Patient,
// the subscriber (RelatedPerson) when the patient is a dependent, Coverage,
// the billing provider (an Organization, or a Practitioner for an individual
// dentist: Claim.provider allows both in R4), the payer Organization, the
// service facility (Location, Claim.facility) when there is one, the
// rendering dentist and the case-management staff (Practitioner), and one
// DocumentReference per attachment. Ids are UUIDv5 (see idMaker) and every reference is the
// urn:uuid fullUrl of its target. Claim.created and Bundle.timestamp are at,
// in UTC, to the second. The record is first put in Canonical form.
func ToBundle(rec *record.Record, at time.Time) (*bcrpb.Bundle, error) {
	r := Canonical(rec)
	b := &bundler{
		r:   r,
		at:  at,
		ids: idMaker{npi: r.BillingProvider.NPI, recordID: r.RecordID, frequency: r.Frequency},
	}
	return b.build()
}

type bundler struct {
	r       *record.Record
	at      time.Time
	ids     idMaker
	entries []*bcrpb.Bundle_Entry
	err     error

	patientID, subscriberID, coverageID, billingID, payerID, renderingID, facilityID string
}

func (b *bundler) fail(ptr, msg string) {
	if b.err == nil {
		b.err = &MappingError{Pointer: ptr, Msg: msg}
	}
}

func (b *bundler) code(ptr, v string) string {
	if !reCode.MatchString(v) {
		b.fail(ptr, "not a valid code (spaces or empty)")
	}
	return v
}

func (b *bundler) date(ptr, v string) *dpb.Date {
	d, ok := fhirDate(v)
	if !ok {
		b.fail(ptr, "not a date written YYYY-MM-DD")
	}
	return d
}

func (b *bundler) add(id string, cr *bcrpb.ContainedResource) {
	b.entries = append(b.entries, &bcrpb.Bundle_Entry{FullUrl: furi("urn:uuid:" + id), Resource: cr})
}

func (b *bundler) build() (*bcrpb.Bundle, error) {
	r := b.r
	b.patientID = b.ids.id("Patient", rolePatient, "")
	b.subscriberID = b.patientID
	if r.Patient != nil {
		b.subscriberID = b.ids.id("RelatedPerson", roleSubscriber, "")
	}
	b.coverageID = b.ids.id("Coverage", roleCoverage, "")
	if r.BillingProvider.Individual() {
		b.billingID = b.ids.id("Practitioner", roleBilling, "")
	} else {
		b.billingID = b.ids.id("Organization", roleBilling, "")
	}
	if r.ServiceFacility != nil {
		b.facilityID = b.ids.id("Location", roleFacility, "")
	}
	b.payerID = b.ids.id("Organization", rolePayer, "")
	if r.RenderingProvider != nil {
		b.renderingID = b.ids.id("Practitioner", roleRendering, "")
	}

	claimID := b.ids.id("Claim", roleClaim, "")
	claim, practitioners, docs := b.claim(claimID)
	b.add(claimID, &bcrpb.ContainedResource{OneofResource: &bcrpb.ContainedResource_Claim{Claim: claim}})
	b.add(b.patientID, &bcrpb.ContainedResource{OneofResource: &bcrpb.ContainedResource_Patient{Patient: b.patient()}})
	if r.Patient != nil {
		b.add(b.subscriberID, &bcrpb.ContainedResource{OneofResource: &bcrpb.ContainedResource_RelatedPerson{RelatedPerson: b.subscriber()}})
	}
	b.add(b.coverageID, &bcrpb.ContainedResource{OneofResource: &bcrpb.ContainedResource_Coverage{Coverage: b.coverage()}})
	if r.BillingProvider.Individual() {
		b.add(b.billingID, &bcrpb.ContainedResource{OneofResource: &bcrpb.ContainedResource_Practitioner{Practitioner: b.billingDentist()}})
	} else {
		b.add(b.billingID, &bcrpb.ContainedResource{OneofResource: &bcrpb.ContainedResource_Organization{Organization: b.billing()}})
	}
	b.add(b.payerID, &bcrpb.ContainedResource{OneofResource: &bcrpb.ContainedResource_Organization{Organization: b.payer()}})
	if r.ServiceFacility != nil {
		b.add(b.facilityID, &bcrpb.ContainedResource{OneofResource: &bcrpb.ContainedResource_Location{Location: b.facility()}})
	}
	for _, p := range practitioners {
		b.add(p.GetId().GetValue(), &bcrpb.ContainedResource{OneofResource: &bcrpb.ContainedResource_Practitioner{Practitioner: p}})
	}
	for _, d := range docs {
		b.add(d.GetId().GetValue(), &bcrpb.ContainedResource{OneofResource: &bcrpb.ContainedResource_DocumentReference{DocumentReference: d}})
	}
	if b.err != nil {
		return nil, b.err
	}
	bundleID := b.ids.id("Bundle", roleBundle, "")
	return &bcrpb.Bundle{
		Id:         &dpb.Id{Value: bundleID},
		Identifier: identifier(SystemURI, "urn:uuid:"+bundleID),
		Type:       &bcrpb.Bundle_TypeCode{Value: cpb.BundleTypeCode_COLLECTION},
		Timestamp:  instant(b.at),
		Entry:      b.entries,
	}, nil
}

// claim builds the Claim and returns with it the Practitioners of the care
// team and the DocumentReferences of the attachments.
func (b *bundler) claim(id string) (*claimpb.Claim, []*practpb.Practitioner, []*docpb.DocumentReference) {
	r := b.r
	c := &claimpb.Claim{
		Id:         &dpb.Id{Value: id},
		Identifier: []*dpb.Identifier{identifier(SystemRecordID, r.RecordID)},
		Status:     &claimpb.Claim_StatusCode{Value: cpb.FinancialResourceStatusCode_ACTIVE},
		Type:       concept(SystemClaimType, "oral", "Oral"),
		Use:        &claimpb.Claim_UseCode{Value: cpb.UseCode_CLAIM},
		Patient:    urnRef(b.patientID),
		Created:    dateTime(b.at),
		Insurer:    urnRef(b.payerID),
		Provider:   urnRef(b.billingID),
		Priority:   concept(SystemPriority, "normal", ""),
	}
	if b.facilityID != "" {
		c.Facility = urnRef(b.facilityID)
	}
	if r.RecordID == "" {
		b.fail(record.Pointer("record_id"), "required")
	}
	c.Extension = append(c.Extension, submitterExt(r.Submitter)...)
	c.Extension = append(c.Extension, receiverExt(r.Receiver)...)

	switch r.Frequency {
	case record.FrequencyOriginal:
	case record.FrequencyReplacement, record.FrequencyVoid:
		if r.Frequency == record.FrequencyVoid {
			c.Status.Value = cpb.FinancialResourceStatusCode_CANCELLED
		}
		if r.PayerClaimNumber == "" {
			b.fail(record.Pointer("payer_claim_number"), "required for a replacement or void")
			break
		}
		c.Related = []*claimpb.Claim_RelatedClaim{{
			Relationship: concept(SystemRelatedClaim, "prior", ""),
			Reference:    &dpb.Identifier{Value: fstr(r.PayerClaimNumber)},
		}}
	default:
		b.fail(record.Pointer("frequency"), "unknown frequency")
	}

	ins := &claimpb.Claim_Insurance{Sequence: fpos(1), Focal: &dpb.Boolean{Value: true}, Coverage: urnRef(b.coverageID)}
	if r.PriorAuthorization != "" {
		ins.PreAuthRef = []*dpb.String{fstr(r.PriorAuthorization)}
	}
	c.Insurance = []*claimpb.Claim_Insurance{ins}

	var dxSeq []*dpb.PositiveInt
	for i, d := range r.Diagnoses {
		c.Diagnosis = append(c.Diagnosis, &claimpb.Claim_Diagnosis{
			Sequence: fpos(i + 1),
			Diagnosis: &claimpb.Claim_Diagnosis_DiagnosisX{Choice: &claimpb.Claim_Diagnosis_DiagnosisX_CodeableConcept{
				CodeableConcept: concept(SystemICD10CM, b.code(record.Pointer("diagnoses", i), d), "")}},
		})
		dxSeq = append(dxSeq, fpos(i+1))
	}

	// Supporting information: narrative, special-needs facts, each line's
	// details, then the attachments.
	info := func(code string) *claimpb.Claim_SupportingInformation {
		si := &claimpb.Claim_SupportingInformation{
			Sequence: fpos(len(c.SupportingInfo) + 1),
			Category: concept(SystemInfoCategory, "info", ""),
		}
		if code != "" {
			si.Code = concept(CodeSystemInfo, code, "")
		}
		c.SupportingInfo = append(c.SupportingInfo, si)
		return si
	}
	text := func(code, v string) *dpb.PositiveInt {
		if v == "" {
			return nil
		}
		si := info(code)
		si.Value = &claimpb.Claim_SupportingInformation_ValueX{Choice: &claimpb.Claim_SupportingInformation_ValueX_StringValue{StringValue: fstr(v)}}
		return si.Sequence
	}
	text("", r.Narrative)
	var needs []*dpb.PositiveInt
	if sn := r.SpecialNeeds; sn != nil {
		for _, f := range []struct{ code, v string }{
			{InfoCondition, sn.Condition}, {InfoLimitations, sn.FunctionalLimitations}, {InfoModifications, sn.DeliveryModifications},
		} {
			if seq := text(f.code, f.v); seq != nil {
				needs = append(needs, seq)
			}
		}
	}

	// Care team: the rendering dentist, then each distinct staff member.
	var practitioners []*practpb.Practitioner
	if rp := r.RenderingProvider; rp != nil {
		ct := &claimpb.Claim_CareTeam{Sequence: fpos(1), Provider: urnRef(b.renderingID), Role: concept(SystemCareTeamRole, "primary", "")}
		if rp.Taxonomy != "" {
			ct.Qualification = concept(SystemNUCC, b.code(record.Pointer("rendering_provider", "taxonomy"), rp.Taxonomy), "")
		}
		c.CareTeam = append(c.CareTeam, ct)
		practitioners = append(practitioners, b.rendering())
	}
	staffSeq := map[record.Staff]int{}

	var total money.Amount
	for i, s := range r.Services {
		at := func(f string) string { return record.Pointer("services", i, f) }
		item := &claimpb.Claim_Item{
			Sequence:         fpos(i + 1),
			ProductOrService: concept(SystemCDT, b.code(at("code"), s.Code), ""),
			Location: &claimpb.Claim_Item_LocationX{Choice: &claimpb.Claim_Item_LocationX_CodeableConcept{
				CodeableConcept: concept(SystemPOS, b.code(record.Pointer("place_of_service"), r.PlaceOfService), "")}},
			Quantity:          &dpb.SimpleQuantity{Value: &dpb.Decimal{Value: strconv.Itoa(s.Units)}},
			DiagnosisSequence: dxSeq,
		}
		if s.LineID != "" {
			item.Extension = []*dpb.Extension{extString(ExtLineItemControlNumber, s.LineID)}
		}
		if d := b.date(at("date"), s.Date); d != nil {
			item.Serviced = &claimpb.Claim_Item_ServicedX{Choice: &claimpb.Claim_Item_ServicedX_Date{Date: d}}
		}
		if s.Units < 1 {
			b.fail(at("units"), "must be at least 1")
		}
		if s.Charge == nil {
			b.fail(at("charge"), "required")
		} else {
			item.Net = usd(*s.Charge)
			total = total.Add(*s.Charge)
			if unit, ok := s.Charge.Div(money.FromInt(int64(s.Units))); ok {
				item.UnitPrice = usd(canonicalAmount(unit))
			}
		}
		if r.RenderingProvider != nil {
			item.CareTeamSequence = append(item.CareTeamSequence, fpos(1))
		}
		if st := s.Staff; st != nil {
			seq, ok := staffSeq[*st]
			if !ok {
				seq = len(c.CareTeam) + 1
				staffSeq[*st] = seq
				pid := b.ids.id("Practitioner", roleStaff, strconv.Itoa(len(staffSeq)))
				p := &practpb.Practitioner{Id: &dpb.Id{Value: pid}}
				if st.Name != "" {
					p.Name = []*dpb.HumanName{{Text: fstr(st.Name)}}
				}
				practitioners = append(practitioners, p)
				ct := &claimpb.Claim_CareTeam{Sequence: fpos(seq), Provider: urnRef(pid), Role: concept(SystemCareTeamRole, "other", "")}
				if st.Credential != "" {
					ct.Qualification = &dpb.CodeableConcept{Text: fstr(st.Credential)}
				}
				if st.Role != "" {
					ct.Extension = []*dpb.Extension{extString(ExtStaffRole, st.Role)}
				}
				c.CareTeam = append(c.CareTeam, ct)
			}
			item.CareTeamSequence = append(item.CareTeamSequence, fpos(seq))
		}

		item.InformationSequence = append(item.InformationSequence, needs...)
		if t := s.CaseManagementType; t != "" {
			si := info("")
			si.Code = concept(CodeSystemActivity, b.code(at("case_management_type"), t), activityDisplay[t])
			item.InformationSequence = append(item.InformationSequence, si.Sequence)
		}
		if s.Minutes != 0 {
			si := info(InfoMinutes)
			si.Value = &claimpb.Claim_SupportingInformation_ValueX{Choice: &claimpb.Claim_SupportingInformation_ValueX_Quantity{
				Quantity: &dpb.Quantity{Value: &dpb.Decimal{Value: strconv.Itoa(s.Minutes)}, Unit: fstr("min"), System: furi(SystemUCUM), Code: fcode("min")}}}
			item.InformationSequence = append(item.InformationSequence, si.Sequence)
		}
		for _, f := range []struct{ code, v string }{
			{InfoReason, s.Reason}, {InfoActions, s.Actions}, {InfoPatientBenefit, s.PatientBenefit},
			{InfoFollowUp, s.FollowUp}, {InfoNote, s.Note},
		} {
			if seq := text(f.code, f.v); seq != nil {
				item.InformationSequence = append(item.InformationSequence, seq)
			}
		}
		c.Item = append(c.Item, item)
	}
	if len(r.Services) == 0 {
		b.fail(record.Pointer("services"), "at least one service line is required")
	}
	c.Total = usd(total)

	var docs []*docpb.DocumentReference
	for i, a := range r.Attachments {
		did := b.ids.id("DocumentReference", roleAttachment, strconv.Itoa(i+1))
		docs = append(docs, b.document(i, did, a))
		si := &claimpb.Claim_SupportingInformation{
			Sequence: fpos(len(c.SupportingInfo) + 1),
			Category: concept(SystemInfoCategory, "attachment", ""),
			Value:    &claimpb.Claim_SupportingInformation_ValueX{Choice: &claimpb.Claim_SupportingInformation_ValueX_Reference{Reference: urnRef(did)}},
			Extension: []*dpb.Extension{
				extCoding(ExtAttachmentReportType, SystemPWK01, b.code(record.Pointer("attachments", i, "report_type"), a.ReportType)),
				extCoding(ExtAttachmentTransmission, SystemPWK02, b.code(record.Pointer("attachments", i, "transmission"), a.Transmission)),
			},
		}
		c.SupportingInfo = append(c.SupportingInfo, si)
	}
	return c, practitioners, docs
}

func submitterExt(s *record.Submitter) []*dpb.Extension {
	if s == nil {
		return nil
	}
	ext := &dpb.Extension{Url: furi(ExtSubmitter)}
	for _, f := range []struct{ url, v string }{
		{"name", s.Name}, {"id", s.ID}, {"contact-name", s.ContactName}, {"phone", s.Phone}, {"email", s.Email},
	} {
		if f.v != "" {
			ext.Extension = append(ext.Extension, extString(f.url, f.v))
		}
	}
	return []*dpb.Extension{ext}
}

func receiverExt(rc *record.Receiver) []*dpb.Extension {
	if rc == nil {
		return nil
	}
	ext := &dpb.Extension{Url: furi(ExtReceiver)}
	for _, f := range []struct{ url, v string }{{"name", rc.Name}, {"id", rc.ID}} {
		if f.v != "" {
			ext.Extension = append(ext.Extension, extString(f.url, f.v))
		}
	}
	return []*dpb.Extension{ext}
}

func humanName(first, last string) []*dpb.HumanName {
	if first == "" && last == "" {
		return nil
	}
	n := &dpb.HumanName{}
	if last != "" {
		n.Family = fstr(last)
	}
	if first != "" {
		n.Given = []*dpb.String{fstr(first)}
	}
	return []*dpb.HumanName{n}
}

func address(a *record.Address) []*dpb.Address {
	if a == nil {
		return nil
	}
	return []*dpb.Address{fhirAddress([]string{a.Line1, a.Line2}, a.City, a.State, a.PostalCode)}
}

// fhirAddress builds an Address, leaving out empty parts.
func fhirAddress(lines []string, city, state, postal string) *dpb.Address {
	out := &dpb.Address{}
	for _, l := range lines {
		if l != "" {
			out.Line = append(out.Line, fstr(l))
		}
	}
	if city != "" {
		out.City = fstr(city)
	}
	if state != "" {
		out.State = fstr(state)
	}
	if postal != "" {
		out.PostalCode = fstr(postal)
	}
	return out
}

// person holds the demographics the Patient and the RelatedPerson share.
type person struct {
	first, last, birth, gender string
	addr                       *record.Address
	ptr                        string
}

func (b *bundler) demographics(p person) (names []*dpb.HumanName, birth *dpb.Date, gender cpb.AdministrativeGenderCode_Value, addr []*dpb.Address) {
	names = humanName(p.first, p.last)
	if p.birth != "" {
		birth = b.date(p.ptr+record.Pointer("birth_date"), p.birth)
	}
	if p.gender != "" {
		g, ok := genderToFHIR[p.gender]
		if !ok {
			b.fail(p.ptr+record.Pointer("gender"), "gender must be F, M or U")
		}
		gender = g
	}
	return names, birth, gender, address(p.addr)
}

func (b *bundler) patient() *patpb.Patient {
	r := b.r
	p := person{first: r.Subscriber.FirstName, last: r.Subscriber.LastName, birth: r.Subscriber.BirthDate,
		gender: r.Subscriber.Gender, addr: r.Subscriber.Address, ptr: record.Pointer("subscriber")}
	if pt := r.Patient; pt != nil {
		p = person{first: pt.FirstName, last: pt.LastName, birth: pt.BirthDate, gender: pt.Gender, addr: pt.Address, ptr: record.Pointer("patient")}
	}
	names, birth, gender, addr := b.demographics(p)
	out := &patpb.Patient{Id: &dpb.Id{Value: b.patientID}, Name: names, BirthDate: birth, Address: addr}
	if gender != cpb.AdministrativeGenderCode_INVALID_UNINITIALIZED {
		out.Gender = &patpb.Patient_GenderCode{Value: gender}
	}
	return out
}

// relatedPersonRole is the subscriber's role toward a dependent patient.
var relatedPersonRole = map[string]struct{ code, display string }{
	"child":  {"PRN", "parent"},
	"spouse": {"SPS", "spouse"},
}

func (b *bundler) subscriber() *rppb.RelatedPerson {
	s := b.r.Subscriber
	names, birth, gender, addr := b.demographics(person{first: s.FirstName, last: s.LastName, birth: s.BirthDate,
		gender: s.Gender, addr: s.Address, ptr: record.Pointer("subscriber")})
	out := &rppb.RelatedPerson{Id: &dpb.Id{Value: b.subscriberID}, Patient: urnRef(b.patientID), Name: names, BirthDate: birth, Address: addr}
	if gender != cpb.AdministrativeGenderCode_INVALID_UNINITIALIZED {
		out.Gender = &rppb.RelatedPerson_GenderCode{Value: gender}
	}
	if role, ok := relatedPersonRole[b.r.Patient.Relationship]; ok {
		out.Relationship = []*dpb.CodeableConcept{concept(SystemRoleCode, role.code, role.display)}
	}
	return out
}

func (b *bundler) coverage() *covpb.Coverage {
	r := b.r
	c := &covpb.Coverage{
		Id:          &dpb.Id{Value: b.coverageID},
		Status:      &covpb.Coverage_StatusCode{Value: cpb.FinancialResourceStatusCode_ACTIVE},
		Subscriber:  urnRef(b.subscriberID),
		Beneficiary: urnRef(b.patientID),
		Payor:       []*dpb.Reference{urnRef(b.payerID)},
	}
	if r.Subscriber.MemberID != "" {
		c.SubscriberId = fstr(r.Subscriber.MemberID)
	}
	rel := "self"
	if r.Patient != nil {
		rel = r.Patient.Relationship
		switch rel {
		case "", "spouse", "child", "other":
		default:
			b.fail(record.Pointer("patient", "relationship"), "relationship must be spouse, child or other")
		}
	}
	if rel != "" {
		c.Relationship = concept(SystemSubscriberRel, rel, "")
	}
	if g := r.Subscriber.GroupNumber; g != "" {
		c.ClassValue = []*covpb.Coverage_Class{{Type: concept(SystemCoverageClass, "group", ""), Value: fstr(g)}}
	}
	return c
}

func (b *bundler) billing() *orgpb.Organization {
	bp := b.r.BillingProvider
	o := &orgpb.Organization{Id: &dpb.Id{Value: b.billingID}, Address: address(bp.Address)}
	if bp.Name != "" {
		o.Name = fstr(bp.Name)
	}
	if bp.NPI != "" {
		o.Identifier = append(o.Identifier, identifier(SystemNPI, bp.NPI))
	}
	if id := taxIdentifier(bp); id != nil {
		o.Identifier = append(o.Identifier, id)
	}
	if bp.Taxonomy != "" {
		o.Type = []*dpb.CodeableConcept{concept(SystemNUCC, b.code(record.Pointer("billing_provider", "taxonomy"), bp.Taxonomy), "")}
	}
	return o
}

// taxIdentifier is the billing provider's tax id: an EIN (TIN OID, type
// TAX) or, for tax_id_type ssn, a social security number (us-ssn, type SS).
func taxIdentifier(bp record.BillingProvider) *dpb.Identifier {
	if bp.TaxID == "" {
		return nil
	}
	if bp.TaxIDType == record.TaxIDSSN {
		id := identifier(SystemSSN, bp.TaxID)
		id.Type = concept(SystemIdentifierType, "SS", "")
		return id
	}
	id := identifier(SystemTIN, bp.TaxID)
	id.Type = concept(SystemIdentifierType, "TAX", "")
	return id
}

// billingDentist is an individual billing dentist (2010AA NM102=1) as a
// Practitioner: name, NPI, tax id, address, and the taxonomy as a
// qualification.
func (b *bundler) billingDentist() *practpb.Practitioner {
	bp := b.r.BillingProvider
	p := &practpb.Practitioner{Id: &dpb.Id{Value: b.billingID}, Name: humanName(bp.FirstName, bp.LastName), Address: address(bp.Address)}
	if bp.NPI != "" {
		p.Identifier = append(p.Identifier, identifier(SystemNPI, bp.NPI))
	}
	if id := taxIdentifier(bp); id != nil {
		p.Identifier = append(p.Identifier, id)
	}
	if bp.Taxonomy != "" {
		p.Qualification = []*practpb.Practitioner_Qualification{{
			Code: concept(SystemNUCC, b.code(record.Pointer("billing_provider", "taxonomy"), bp.Taxonomy), "")}}
	}
	return p
}

// facility is the service facility (2310C) as a Location.
func (b *bundler) facility() *locpb.Location {
	f := b.r.ServiceFacility
	l := &locpb.Location{Id: &dpb.Id{Value: b.facilityID}}
	if f.Name != "" {
		l.Name = fstr(f.Name)
	}
	if f.NPI != "" {
		l.Identifier = []*dpb.Identifier{identifier(SystemNPI, f.NPI)}
	}
	if a := address(f.Address); len(a) > 0 {
		l.Address = a[0]
	}
	return l
}

func (b *bundler) payer() *orgpb.Organization {
	p := b.r.Payer
	o := &orgpb.Organization{Id: &dpb.Id{Value: b.payerID}}
	if p.Name != "" {
		o.Name = fstr(p.Name)
	}
	if p.ID != "" {
		id := identifier(SystemPayerID, p.ID)
		id.Type = concept(SystemC4BBIDType, "payerid", "")
		o.Identifier = []*dpb.Identifier{id}
	}
	return o
}

func (b *bundler) rendering() *practpb.Practitioner {
	rp := b.r.RenderingProvider
	p := &practpb.Practitioner{Id: &dpb.Id{Value: b.renderingID}, Name: humanName(rp.FirstName, rp.LastName)}
	if rp.NPI != "" {
		p.Identifier = []*dpb.Identifier{identifier(SystemNPI, rp.NPI)}
	}
	return p
}

func (b *bundler) document(i int, id string, a record.Attachment) *docpb.DocumentReference {
	att := &dpb.Attachment{}
	if a.ContentType != "" {
		att.ContentType = &dpb.Attachment_ContentTypeCode{Value: b.code(record.Pointer("attachments", i, "content_type"), a.ContentType)}
	}
	if a.Title != "" {
		att.Title = fstr(a.Title)
	}
	if a.Data != "" {
		raw, err := base64.StdEncoding.DecodeString(a.Data)
		if err != nil {
			b.fail(record.Pointer("attachments", i, "data"), "not standard base64")
		}
		att.Data = &dpb.Base64Binary{Value: raw}
	}
	if att.ContentType == nil && att.Title == nil && att.Data == nil {
		// An element needs a value or children; say why there is none.
		att.Extension = []*dpb.Extension{{Url: furi(SystemDataAbsent), Value: &dpb.Extension_ValueX{
			Choice: &dpb.Extension_ValueX_Code{Code: fcode("unknown")}}}}
	}
	d := &docpb.DocumentReference{
		Id:      &dpb.Id{Value: id},
		Status:  &docpb.DocumentReference_StatusCode{Value: cpb.DocumentReferenceStatusCode_CURRENT},
		Subject: urnRef(b.patientID),
		Content: []*docpb.DocumentReference_Content{{Attachment: att}},
	}
	if a.ID != "" {
		d.Identifier = []*dpb.Identifier{identifier(SystemAttachmentID, a.ID)}
	} else {
		b.fail(record.Pointer("attachments", i, "id"), "required")
	}
	return d
}
