package profile

import (
	"fmt"
	"math"
)

// Payer terms. A payer is keyed by its payer id: the record's payer.id,
// which casebridge writes to 2010BB NM109 (005010X224A2 loop 2010BB, NM108=PI)
// and which the payer sends back as its identifier in the 835's N1*PR N104
// (005010X221A1 loop 1000A; the same PI/XV payer id). Matching is exact.
//
// The defaults, for a payer the profile does not list (or a field it leaves
// at 0):
//
//   - appeal_days 180: the common commercial window, and the one the ACA
//     internal-appeal rule sets for group health plans (29 CFR
//     2560.503-1(h)(3)(i), 45 CFR 147.136(b)); a payer's contract may say
//     otherwise;
//   - filing_days 365: the longest common dental timely-filing limit (many
//     carriers allow 90-180 days; Medicare's, 42 CFR 424.44, is 12 months);
//   - d9997_frequency: none (no FREQUENCY_LIMIT warning).
const (
	DefaultAppealDays         = 180
	DefaultFilingDays         = 365
	DefaultPaidRatioThreshold = 0.5
)

// Frequency periods of d9997_frequency.per.
const (
	PerYear    = "year"
	PerQuarter = "quarter"
	PerMonth   = "month"
)

// Payer is one payer's terms.
type Payer struct {
	ID             string     `json:"id" yaml:"id"`
	AppealDays     int        `json:"appeal_days,omitempty" yaml:"appeal_days,omitempty"`
	FilingDays     int        `json:"filing_days,omitempty" yaml:"filing_days,omitempty"`
	D9997Frequency *Frequency `json:"d9997_frequency,omitempty" yaml:"d9997_frequency,omitempty"`
}

// Frequency is how many D9997 services a payer covers per period (calendar
// year, quarter or month of the service date).
type Frequency struct {
	Count int    `json:"count" yaml:"count"`
	Per   string `json:"per" yaml:"per"`
}

// Analytics holds the payer-analytics settings.
type Analytics struct {
	// PaidRatioThreshold: a payer whose D9997 paid/billed ratio is below it is
	// flagged (0 means the default, 0.5).
	PaidRatioThreshold float64 `json:"paid_ratio_threshold,omitempty" yaml:"paid_ratio_threshold,omitempty"`
}

// Terms are a payer's effective terms, defaults applied.
type Terms struct {
	PayerID        string
	Listed         bool // the profile names the payer
	AppealDays     int
	FilingDays     int
	D9997Frequency *Frequency // nil: no limit
}

// PayerTerms returns the terms for a payer id, defaults applied.
func (p *Profile) PayerTerms(id string) Terms {
	t := Terms{PayerID: id, AppealDays: DefaultAppealDays, FilingDays: DefaultFilingDays}
	for _, py := range p.Payers {
		if py.ID != id {
			continue
		}
		t.Listed = true
		if py.AppealDays > 0 {
			t.AppealDays = py.AppealDays
		}
		if py.FilingDays > 0 {
			t.FilingDays = py.FilingDays
		}
		if py.D9997Frequency != nil {
			f := *py.D9997Frequency
			t.D9997Frequency = &f
		}
		break
	}
	return t
}

// PaidRatioThreshold is analytics.paid_ratio_threshold, default applied.
func (p *Profile) PaidRatioThreshold() float64 {
	if p.Analytics.PaidRatioThreshold > 0 {
		return p.Analytics.PaidRatioThreshold
	}
	return DefaultPaidRatioThreshold
}

// validatePayers checks payers[] and analytics.
func (p *Profile) validatePayers() error {
	bad := func(field, msg string) error { return &Error{Source: p.Name, Field: field, Msg: msg} }
	seen := map[string]bool{}
	for i, py := range p.Payers {
		f := fmt.Sprintf("payers[%d]", i)
		switch {
		case py.ID == "" || len(py.ID) > 80:
			return bad(f+".id", "must be the payer id (2010BB NM109, 835 N1*PR N104) of 1-80 characters")
		case seen[py.ID]:
			return bad(f+".id", "is listed twice")
		case py.AppealDays < 0 || py.AppealDays > 3650:
			return bad(f+".appeal_days", "must be 1-3650 (or left out for the default 180)")
		case py.FilingDays < 0 || py.FilingDays > 3650:
			return bad(f+".filing_days", "must be 1-3650 (or left out for the default 365)")
		}
		seen[py.ID] = true
		if fr := py.D9997Frequency; fr != nil {
			if fr.Count < 1 || fr.Count > 1000 {
				return bad(f+".d9997_frequency.count", "must be 1-1000")
			}
			if fr.Per != PerYear && fr.Per != PerQuarter && fr.Per != PerMonth {
				return bad(f+".d9997_frequency.per", "must be year, quarter or month")
			}
		}
	}
	if t := p.Analytics.PaidRatioThreshold; t < 0 || t > 1 || math.IsNaN(t) {
		return bad("analytics.paid_ratio_threshold", "must be between 0 and 1")
	}
	return nil
}
