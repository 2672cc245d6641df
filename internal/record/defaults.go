package record

import (
	"strconv"
	"strings"
)

// Defaults of the contract.
const (
	DefaultPlaceOfService = "11"
	DefaultCode           = "D9997"
	DefaultReportType     = "OZ"
	DefaultTransmission   = "EL"
)

// WithDefaults returns a deep copy of r with every contract default filled
// in: frequency, place of service, line ids, codes, units, attachment report
// type and transmission. Mappers and the scrubber work on this form.
func (r *Record) WithDefaults() *Record {
	c := r.Clone()
	c.fillDefaults()
	return c
}

// Defaulted is WithDefaults for readers: the record and its service and
// attachment lists are copies (the defaults are filled there), everything
// else (parties, addresses, amounts) is shared with r; when r has every
// default already it is r itself. Do not modify what it returns.
func (r *Record) Defaulted() *Record {
	if r.hasDefaults() {
		return r
	}
	c := *r
	c.Services = append([]Service(nil), r.Services...)
	c.Attachments = append([]Attachment(nil), r.Attachments...)
	c.fillDefaults()
	return &c
}

// DefaultedInto is Defaulted with the copy made in *into, whose service
// and attachment lists are reused when they have the room: a caller that
// keeps into for the next record (a pool) copies without allocating. It
// returns r itself when r has every default already; into must not be r
// and must not be used by anyone else meanwhile.
func (r *Record) DefaultedInto(into *Record) *Record {
	if r.hasDefaults() {
		return r
	}
	svc, att := into.Services[:0], into.Attachments[:0]
	*into = *r
	into.Services, into.Attachments = nil, nil
	if r.Services != nil {
		into.Services = append(svc, r.Services...)
	}
	if r.Attachments != nil {
		into.Attachments = append(att, r.Attachments...)
	}
	into.fillDefaults()
	return into
}

// FillDefaults fills the contract defaults into r itself, as WithDefaults
// does into a copy. Only for a caller that owns r and has no use for it as
// sent (a record just decoded for one 837D): Defaulted of r is then r, and
// no copy is made per request.
func (r *Record) FillDefaults() {
	if !r.hasDefaults() {
		r.fillDefaults()
	}
}

// hasDefaults reports whether fillDefaults would change nothing.
func (r *Record) hasDefaults() bool {
	if r.Frequency == "" || r.PlaceOfService == "" {
		return false
	}
	for _, s := range r.Services {
		if s.LineID == "" || s.Code == "" || s.Units == 0 || strings.ToUpper(s.Code) != s.Code {
			return false
		}
	}
	for _, a := range r.Attachments {
		if a.ReportType == "" || a.Transmission == "" {
			return false
		}
	}
	return true
}

func (r *Record) fillDefaults() {
	c := r
	if c.Frequency == "" {
		c.Frequency = FrequencyOriginal
	}
	if c.PlaceOfService == "" {
		c.PlaceOfService = DefaultPlaceOfService
	}
	for i := range c.Services {
		s := &c.Services[i]
		if s.LineID == "" {
			s.LineID = c.RecordID + "-" + strconv.Itoa(i+1)
		}
		if s.Code == "" {
			s.Code = DefaultCode
		}
		s.Code = strings.ToUpper(s.Code)
		if s.Units == 0 {
			s.Units = 1
		}
	}
	for i := range c.Attachments {
		a := &c.Attachments[i]
		if a.ReportType == "" {
			a.ReportType = DefaultReportType
		}
		if a.Transmission == "" {
			a.Transmission = DefaultTransmission
		}
	}
}

// Clone returns a deep copy.
func (r *Record) Clone() *Record {
	c := *r
	c.Submitter = clonePtr(r.Submitter)
	c.Receiver = clonePtr(r.Receiver)
	c.BillingProvider.Address = clonePtr(r.BillingProvider.Address)
	c.RenderingProvider = clonePtr(r.RenderingProvider)
	if r.ServiceFacility != nil {
		f := *r.ServiceFacility
		f.Address = clonePtr(r.ServiceFacility.Address)
		c.ServiceFacility = &f
	}
	c.Subscriber.Address = clonePtr(r.Subscriber.Address)
	if r.Patient != nil {
		p := *r.Patient
		p.Address = clonePtr(r.Patient.Address)
		c.Patient = &p
	}
	c.SpecialNeeds = clonePtr(r.SpecialNeeds)
	c.Diagnoses = append([]string(nil), r.Diagnoses...)
	if r.Services != nil {
		c.Services = make([]Service, len(r.Services))
		for i, s := range r.Services {
			s.Charge = clonePtr(s.Charge)
			s.Staff = clonePtr(s.Staff)
			c.Services[i] = s
		}
	}
	c.Attachments = append([]Attachment(nil), r.Attachments...)
	return &c
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// NormalizeDiagnosis removes the dot and upper-cases an ICD-10-CM code.
func NormalizeDiagnosis(code string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), ".", ""))
}
