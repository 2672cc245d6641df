package mask

import (
	"strconv"

	"github.com/casebridge/casebridge/internal/record"
)

// Record masks a case record in place with the same kinds as the X12
// positions, so a record and the 837D written from it mask alike where the
// writer keeps the text as is (ids, dates, digits): record_id (CLM01),
// payer_claim_number (REF*F8), prior_authorization (REF*G1), line ids
// (REF*6R), attachment ids (PWK06), the subscriber's and the patient's
// names, member id, street, city and ZIP (state stays), birth dates, dates
// of service, attachment contents, and the free text (narrative, special needs, the lines'
// case-management notes, staff names, who may be relatives). Providers,
// payer, submitter and receiver stay.
func (m *Masker) Record(r *record.Record) {
	for i := range r.Services {
		// the default line id (record.Defaults) made explicit first, so the
		// line's REF*6R masks as it does in the 837D written from the record
		if r.Services[i].LineID == "" && r.RecordID != "" {
			r.Services[i].LineID = r.RecordID + "-" + strconv.Itoa(i+1)
		}
	}
	r.RecordID = m.Value(ID, r.RecordID)
	r.PayerClaimNumber = m.Value(ID, r.PayerClaimNumber)
	r.PriorAuthorization = m.Value(ID, r.PriorAuthorization)
	s := &r.Subscriber
	s.MemberID = m.Value(ID, s.MemberID)
	s.FirstName, s.LastName = m.Value(Name, s.FirstName), m.Value(Name, s.LastName)
	s.BirthDate = m.Value(BirthDate, s.BirthDate)
	m.address(s.Address)
	if p := r.Patient; p != nil {
		p.FirstName, p.LastName = m.Value(Name, p.FirstName), m.Value(Name, p.LastName)
		p.BirthDate = m.Value(BirthDate, p.BirthDate)
		m.address(p.Address)
	}
	if sn := r.SpecialNeeds; sn != nil {
		sn.Condition = m.Value(Text, sn.Condition)
		sn.FunctionalLimitations = m.Value(Text, sn.FunctionalLimitations)
		sn.DeliveryModifications = m.Value(Text, sn.DeliveryModifications)
	}
	r.Narrative = m.Value(Text, r.Narrative)
	for i := range r.Services {
		l := &r.Services[i]
		l.LineID = m.Value(ID, l.LineID)
		l.Date = m.Value(ServiceDate, l.Date)
		l.Reason, l.Actions = m.Value(Text, l.Reason), m.Value(Text, l.Actions)
		l.PatientBenefit, l.FollowUp, l.Note = m.Value(Text, l.PatientBenefit), m.Value(Text, l.FollowUp), m.Value(Text, l.Note)
		if l.Staff != nil {
			l.Staff.Name = m.Value(Name, l.Staff.Name)
		}
	}
	for i := range r.Attachments {
		a := &r.Attachments[i]
		a.ID = m.Value(ID, a.ID)
		a.Title = m.Value(Text, a.Title)
		// the document itself: base64 letters and digits stay letters and
		// digits, '+', '/' and '=' stay, so valid base64 stays valid (the
		// content is noise)
		a.Data = m.Value(Text, a.Data)
	}
}

func (m *Masker) address(a *record.Address) {
	if a == nil {
		return
	}
	a.Line1, a.Line2 = m.Value(Street, a.Line1), m.Value(Street, a.Line2)
	a.City, a.PostalCode = m.Value(City, a.City), m.Value(ZIP, a.PostalCode)
}
