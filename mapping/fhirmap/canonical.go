package fhirmap

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/casebridge/casebridge/internal/money"
	"github.com/casebridge/casebridge/internal/record"
)

// Canonical returns the form of r that FHIR carries: a deep copy with the
// contract defaults filled (record.WithDefaults) and these normalisations,
// none of which changes the 837D:
//   - amounts in report form ("85" → "85.00");
//   - dates re-formatted YYYY-MM-DD when they parse;
//   - attachment data re-encoded as standard padded base64 when it decodes
//     (URL-safe, unpadded or wrapped input);
//   - ICD-10-CM codes trimmed, upper-cased and dotted after the third
//     character ("z9189" → "Z91.89"), as FHIR writes them;
//   - empty optional objects (submitter, receiver, addresses, rendering
//     provider, service facility, special needs, staff) and empty lists
//     dropped;
//   - the payer claim number dropped on an original claim (it only means
//     something for a replacement or void, and the 837D ignores it there);
//   - tax_id_type ein written as the empty default.
//
// FromBundle(ToBundle(r)) equals Canonical(r) for every record the scrubber
// accepts.
func Canonical(r *record.Record) *record.Record {
	c := r.WithDefaults()
	if c.Frequency == record.FrequencyOriginal {
		c.PayerClaimNumber = ""
	}
	if s := c.Submitter; s != nil && *s == (record.Submitter{}) {
		c.Submitter = nil
	}
	if rc := c.Receiver; rc != nil && *rc == (record.Receiver{}) {
		c.Receiver = nil
	}
	c.BillingProvider.Address = canonicalAddress(c.BillingProvider.Address)
	if c.BillingProvider.TaxIDType == record.TaxIDEIN {
		c.BillingProvider.TaxIDType = ""
	}
	if f := c.ServiceFacility; f != nil {
		f.Address = canonicalAddress(f.Address)
		if *f == (record.ServiceFacility{}) {
			c.ServiceFacility = nil
		}
	}
	if rp := c.RenderingProvider; rp != nil && *rp == (record.RenderingProvider{}) {
		c.RenderingProvider = nil
	}
	c.Subscriber.Address = canonicalAddress(c.Subscriber.Address)
	c.Subscriber.BirthDate = canonicalDate(c.Subscriber.BirthDate)
	if p := c.Patient; p != nil {
		p.Address = canonicalAddress(p.Address)
		p.BirthDate = canonicalDate(p.BirthDate)
	}
	if sn := c.SpecialNeeds; sn != nil && *sn == (record.SpecialNeeds{}) {
		c.SpecialNeeds = nil
	}
	if len(c.Diagnoses) == 0 {
		c.Diagnoses = nil
	}
	for i, d := range c.Diagnoses {
		c.Diagnoses[i] = CanonicalDiagnosis(d)
	}
	if len(c.Services) == 0 {
		c.Services = nil
	}
	for i := range c.Services {
		s := &c.Services[i]
		s.Date = canonicalDate(s.Date)
		if s.Charge != nil {
			a := canonicalAmount(*s.Charge)
			s.Charge = &a
		}
		if st := s.Staff; st != nil && *st == (record.Staff{}) {
			s.Staff = nil
		}
	}
	if len(c.Attachments) == 0 {
		c.Attachments = nil
	}
	for i := range c.Attachments {
		c.Attachments[i].Data = canonicalBase64(c.Attachments[i].Data)
	}
	return c
}

// CanonicalDiagnosis writes an ICD-10-CM code the FHIR way: upper case, with
// the dot after the category (three characters) when more follow.
func CanonicalDiagnosis(code string) string {
	n := record.NormalizeDiagnosis(code)
	if len(n) > 3 {
		return n[:3] + "." + n[3:]
	}
	return n
}

func canonicalAddress(a *record.Address) *record.Address {
	if a == nil || *a == (record.Address{}) {
		return nil
	}
	return a
}

func canonicalDate(s string) string {
	if t, err := time.Parse(time.DateOnly, strings.TrimSpace(s)); err == nil {
		return t.Format(time.DateOnly)
	}
	return s
}

func canonicalAmount(a money.Amount) money.Amount {
	if c, err := money.Parse(a.String()); err == nil {
		return c
	}
	return a
}

// canonicalBase64 re-encodes data as standard padded base64 when it decodes
// in any of the common variants; otherwise it leaves it for the scrubber.
func canonicalBase64(data string) string {
	if data == "" {
		return ""
	}
	compact := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, data)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err := enc.DecodeString(compact); err == nil {
			return base64.StdEncoding.EncodeToString(raw)
		}
	}
	return data
}
