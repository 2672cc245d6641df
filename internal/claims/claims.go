// Package claims is the one path from a case record to an 837D: scrub, then
// write with the trading-partner profile. internal/app calls it for every use
// case (record, FHIR Claim, batch, stored claim), so the same claim always
// gives the same X12; the edges never import it (see TestLayering).
package claims

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/casebridge/casebridge/internal/profile"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/internal/scrub"
	"github.com/casebridge/casebridge/mapping/claim837"
)

// Options are the envelope choices of one run.
type Options struct {
	// ControlNumber is ISA13/GS06/ST02. When it is 0, Allocate gives one,
	// and only once the record has passed the scrubber, so a refused
	// record never uses up a number.
	ControlNumber       int
	Allocate            func() (int, error)
	At                  time.Time
	NewlineAfterSegment bool
	Usage               string // T or P; empty → the profile's
	// History, when set, adds the problems only a store can find (the
	// patient's other claims: DUPLICATE_SERVICE, FREQUENCY_LIMIT) to the
	// scrubber's, for the record with its defaults filled in. Its errors
	// block the claim like the scrubber's.
	History func(rec *record.Record) record.Problems
	// Buffer, when it has the capacity, holds the 837D (Result.X12 is
	// then Buffer[:n]): a caller that answers many requests reuses its
	// buffers. Without it the 837D gets a buffer of its own.
	Buffer []byte
}

// scratchRecords are the copies Generate fills the defaults into.
var scratchRecords = sync.Pool{New: func() any { return new(record.Record) }}

// releaseScratch empties a copy (no reference to the record's data stays
// in the pool) and pools it with its lists' room.
func releaseScratch(r *record.Record) {
	svc, att := r.Services, r.Attachments
	clear(svc)
	clear(att)
	*r = record.Record{Services: svc[:0], Attachments: att[:0]}
	scratchRecords.Put(r)
}

// MaxControlNumber is the largest ISA13 (nine digits).
const MaxControlNumber = 999999999

// ErrControlNumber wraps a failure of Options.Allocate: the machine's
// fault, not the record's.
var ErrControlNumber = errors.New("claims: no control number could be allocated")

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
// number or usage) or an allocation failure (ErrControlNumber), never for
// record content.
func Generate(rec *record.Record, prof *profile.Profile, opts Options) (*Result, error) {
	// defaults once here (the scrubber and the writer then find them
	// filled), in a pooled copy: nothing of the copy outlives the call
	// (problems and X12 hold no reference to it) unless History keeps it,
	// so it goes back to the pool only without History
	scratch := scratchRecords.Get().(*record.Record)
	if rec = rec.DefaultedInto(scratch); opts.History == nil {
		defer releaseScratch(scratch)
	}
	res := &Result{Problems: Check(rec, prof, opts.At)}
	if opts.History != nil {
		if more := opts.History(rec); len(more) > 0 {
			// errors first, then warnings, as the scrubber orders them
			ps := append(res.Problems.Errors(), more.Errors()...)
			ps = append(ps, res.Problems.Warnings()...)
			res.Problems = append(ps, more.Warnings()...)
		}
	}
	if res.Problems.HasErrors() {
		return res, nil
	}
	if opts.ControlNumber == 0 && opts.Allocate != nil {
		n, err := opts.Allocate()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrControlNumber, err)
		}
		opts.ControlNumber = n
	}
	out, err := claim837.Write(rec, prof, claim837.Options{
		ControlNumber:       opts.ControlNumber,
		At:                  opts.At,
		NewlineAfterSegment: opts.NewlineAfterSegment,
		Usage:               opts.Usage,
		Buffer:              opts.Buffer,
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

// OptionError names an envelope option, given as text, that cannot be
// honoured. Option is control_number, at or usage.
type OptionError struct {
	Option string
	Msg    string
}

func (e *OptionError) Error() string { return e.Option + ": " + e.Msg }

// ParseOptions reads the envelope options as the CLI flags and the query
// parameters give them (empty = not given): the control number (1..Max),
// the creation time (RFC 3339, written in UTC; default now) and the usage
// indicator (T or P; default the profile's). Without a control number the
// caller sets Allocate (internal/app: the store's counter for the tenant and
// ISA06 sender), in test and production usage alike.
func ParseOptions(controlNumber, at, usage string, prof *profile.Profile, now time.Time) (Options, error) {
	var opts Options
	switch usage {
	case "", "T", "P":
		opts.Usage = usage
	default:
		return opts, &OptionError{"usage", "must be T or P"}
	}
	if controlNumber != "" {
		n, err := strconv.Atoi(controlNumber)
		if err != nil || n < 1 || n > MaxControlNumber {
			return opts, &OptionError{"control_number", fmt.Sprintf("must be a whole number from 1 to %d", MaxControlNumber)}
		}
		opts.ControlNumber = n
	}
	t, err := ParseTime(at, now)
	opts.At = t
	return opts, err
}

// ParseTime reads a creation time given as RFC 3339 text, in UTC; empty
// means now.
func ParseTime(at string, now time.Time) (time.Time, error) {
	if at == "" {
		return now.UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, at)
	if err != nil {
		return time.Time{}, &OptionError{"at", "must be an RFC 3339 time such as 2026-11-27T10:00:00Z"}
	}
	return t.UTC(), nil
}
