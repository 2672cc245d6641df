// Package claims is the one path from a case record to an 837D: scrub, then
// write with the trading-partner profile. The CLI, the HTTP gateway and the
// FHIR adapter all call Generate, so the same claim always gives the same X12.
package claims

import (
	"encoding/json"
	"time"

	"github.com/casebridge/casebridge/internal/profile"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/internal/scrub"
	"github.com/casebridge/casebridge/mapping/claim837"
)

// Options are the envelope choices of one run.
type Options struct {
	ControlNumber       int
	At                  time.Time
	NewlineAfterSegment bool
	Usage               string // T or P; empty → the profile's
}

// Result is what Generate produced. X12 is nil when Problems has errors.
type Result struct {
	X12            []byte
	Problems       record.Problems
	ControlNumbers claim837.ControlNumbers
}

// Check scrubs rec against the profile.
func Check(rec *record.Record, prof *profile.Profile, today time.Time) record.Problems {
	return scrub.Check(rec, scrub.Options{AttachmentDelivery: prof.AttachmentDelivery, Today: today})
}

// Generate scrubs rec and, when it has no errors, writes the 837D.
// The error is for envelope options that cannot be honoured (a bad control
// number or usage), never for record content.
func Generate(rec *record.Record, prof *profile.Profile, opts Options) (*Result, error) {
	res := &Result{Problems: Check(rec, prof, opts.At)}
	if res.Problems.HasErrors() {
		return res, nil
	}
	out, err := claim837.Write(rec, prof, claim837.Options{
		ControlNumber:       opts.ControlNumber,
		At:                  opts.At,
		NewlineAfterSegment: opts.NewlineAfterSegment,
		Usage:               opts.Usage,
	})
	if err != nil {
		return nil, err
	}
	res.X12 = out
	res.ControlNumbers = claim837.ControlNumbersFor(opts.ControlNumber)
	return res, nil
}

// Report is the scrub report: the JSON of `casebridge check` and
// POST /v1/records/check.
type Report struct {
	RecordID     string          `json:"record_id"`
	Valid        bool            `json:"valid"`
	ErrorCount   int             `json:"error_count"`
	WarningCount int             `json:"warning_count"`
	Problems     record.Problems `json:"problems"`
}

// NewReport summarises problems.
func NewReport(recordID string, ps record.Problems) *Report {
	if ps == nil {
		ps = record.Problems{}
	}
	errs := len(ps.Errors())
	return &Report{RecordID: recordID, Valid: errs == 0, ErrorCount: errs, WarningCount: len(ps) - errs, Problems: ps}
}

// CheckBytes decodes and scrubs a record. The error is a *record.SyntaxError
// when data is not a JSON object; shape problems (unknown fields, wrong
// types) are in the report like scrub problems.
func CheckBytes(data []byte, prof *profile.Profile, today time.Time) (*Report, error) {
	rec, probs, err := record.DecodeBytes(data)
	if err != nil {
		return nil, err
	}
	if probs.HasErrors() {
		return NewReport(recordIDOf(data), probs), nil
	}
	return NewReport(rec.RecordID, Check(rec, prof, today)), nil
}

// recordIDOf pulls record_id from a record that did not decode, for the report.
func recordIDOf(data []byte) string {
	var v struct {
		RecordID any `json:"record_id"`
	}
	if json.Unmarshal(data, &v) == nil {
		if s, ok := v.RecordID.(string); ok {
			return s
		}
	}
	return ""
}
