package app

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/casebridge/casebridge/adapters/fhir"
	"github.com/casebridge/casebridge/internal/claims"
	"github.com/casebridge/casebridge/internal/profile"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/mapping/claim837"
	"github.com/casebridge/casebridge/mapping/fhirmap"
)

// The stateless use cases: nothing is stored, and the same input gives the
// same output (with an explicit control number and time). The routes and
// commands they are made for:
//
//	POST /v1/records/check, casebridge check        CheckRecord → Report
//	POST /v1/claims/837d, casebridge 837d           Generate837D → Generated
//	POST /v1/claims/batch, casebridge 837d --batch  Batch → BatchResult
//	POST /v1/claims/fhir, casebridge fhir           RecordToBundle
//	POST /fhir/Claim/$x12, casebridge 837d --from-fhir  ClaimToX12 → fhir.Response
//	POST /fhir/Claim/$validate                      ValidateClaim → fhir.Response
//
// Edges read the envelope options with ParseEnvelope and the profile with
// LoadProfile (CLI: a name or a file) or ProfileByName (HTTP: names only).

// Profile is a trading-partner profile (edges hold one between
// LoadProfile/ProfileByName and the use case).
type Profile = profile.Profile

// Envelope are the envelope choices of one 837D run: the control number
// (0 → Allocate gives one, only once the record passed the scrubber), the
// creation time, the usage indicator and newlines.
type Envelope = claims.Options

// BatchOptions are the choices of one batch: its Envelope and the claims per
// transaction set (0 → MaxClaimsPerSet).
type BatchOptions = claims.BatchOptions

// Results of the stateless use cases (their JSON is the wire format).
type (
	Report              = claims.Report              // the scrub report
	BatchResult         = claims.BatchResult         // what a batch did
	Accepted            = claims.Accepted            // a record of a batch written
	Refused             = claims.Refused             // a record of a batch left out
	BatchControlNumbers = claims.BatchControlNumbers // a batch interchange's numbers
	OptionError         = claims.OptionError         // an option that cannot be honoured (400, exit 64)
	X12ControlNumbers   = claim837.ControlNumbers    // an 837D's ISA13, GS06 and ST02 as written
)

// MaxClaimsPerSet is the most claims a batch puts in one transaction set.
const MaxClaimsPerSet = claims.MaxClaimsPerSet

var (
	// ErrControlNumber wraps a failure to allocate a control number: the
	// machine's fault (HTTP 500, exit 70), never the record's.
	ErrControlNumber = claims.ErrControlNumber
	// ErrBatchInput wraps a failure to read a batch's input (exit 2).
	ErrBatchInput = claims.ErrBatchInput
)

// ParseEnvelope reads the envelope options as the CLI flags and the query
// parameters give them (empty = not given): control number (1..999999999),
// creation time (RFC 3339, UTC; default now) and usage (T or P; default the
// profile's). A bad value is an *OptionError naming the option.
func ParseEnvelope(controlNumber, at, usage string, prof *profile.Profile, now time.Time) (Envelope, error) {
	return claims.ParseOptions(controlNumber, at, usage, prof, now)
}

// ParseTime reads a creation time given as RFC 3339 text, in UTC; empty
// means now. A bad value is an *OptionError (option "at").
func ParseTime(at string, now time.Time) (time.Time, error) { return claims.ParseTime(at, now) }

// LoadProfile loads a trading-partner profile for the CLI: a name in dir, a
// .json/.yaml file, or "default". The error names the profile, never data.
func LoadProfile(nameOrFile, dir string) (*profile.Profile, error) {
	return profile.Load(nameOrFile, dir)
}

// ProfileByName loads a profile by name only (never a path), as the HTTP
// routes' ?profile= does; an unknown or malformed name is an *OptionError
// (option "profile").
func ProfileByName(name, dir string) (*profile.Profile, error) {
	if reProfileName.MatchString(name) {
		if prof, err := profile.LoadNamed(name, dir); err == nil {
			return prof, nil
		}
	}
	return nil, &OptionError{Option: "profile", Msg: "unknown trading-partner profile (a name of 1-64 letters, digits, '-' or '_')"}
}

// decodeRecord decodes one record strictly: a *DecodeError (400 with Syntax
// when it is not one JSON object, 422 with Problems for the wrong shape).
func decodeRecord(data []byte) (*record.Record, error) {
	rec, probs, err := record.DecodeBytes(data)
	if err != nil {
		var se *record.SyntaxError
		errors.As(err, &se)
		return nil, &DecodeError{Status: 400, Syntax: se, Err: err}
	}
	if probs.HasErrors() {
		return nil, &DecodeError{Status: 422, Problems: probs}
	}
	return rec, nil
}

// CheckRecord is the scrub report of a record (JSON). The error is a
// *record.SyntaxError when data is not one JSON object; shape problems are
// in the report like scrub problems.
func CheckRecord(data []byte, prof *profile.Profile, today time.Time) (*Report, error) {
	return claims.CheckBytes(data, prof, today)
}

// Generated is an 837D run's result. X12 is nil when Problems has errors.
type Generated struct {
	claims.Result
	Lines int // service lines of the record (for the log)
}

// Generate837D decodes a record (JSON), scrubs it and, when it has no
// errors, writes the 837D (the number from opts, or opts.Allocate's).
// Errors: *DecodeError for a body that is not a record (nothing
// allocated); ErrControlNumber (wrapped) when allocation failed; any
// other error is an envelope option that cannot be honoured.
func Generate837D(recordJSON []byte, prof *profile.Profile, opts Envelope) (*Generated, error) {
	rec, err := decodeRecord(recordJSON)
	if err != nil {
		return nil, err
	}
	rec.FillDefaults() // rec is ours: defaults in place, not in a copy per request
	res, err := claims.Generate(rec, prof, opts)
	if err != nil {
		return nil, err
	}
	return &Generated{Result: *res, Lines: len(rec.Services)}, nil
}

// Batch reads NDJSON records from in (size bytes) and writes the valid ones
// to out as one interchange (see claims.Batch). Errors: ErrBatchInput
// (wrapped) for the input, ErrControlNumber (wrapped) for the allocation,
// others for the output or an option.
func Batch(in io.ReaderAt, size int64, out io.Writer, prof *profile.Profile, opts BatchOptions) (*BatchResult, error) {
	return claims.Batch(in, size, out, prof, opts)
}

// RecordToBundle is POST /v1/claims/fhir and `casebridge fhir`: a case
// record (JSON) becomes the collection Bundle, Claim.created and
// Bundle.timestamp at. err is a *DecodeError when the body is not a record;
// probs are the scrub problems, and when they have errors out is nil.
func RecordToBundle(recordJSON []byte, prof *profile.Profile, at time.Time, indent bool) (out []byte, probs record.Problems, err error) {
	rec, err := decodeRecord(recordJSON)
	if err != nil {
		return nil, nil, err
	}
	probs = claims.Check(rec, prof, at)
	if probs.HasErrors() {
		return nil, probs, nil
	}
	b, err := fhirmap.ToBundle(rec, at)
	if err != nil {
		return nil, probs, err
	}
	out, err = fhir.Marshal(b, indent)
	return out, probs, err
}

// readClaim parses a FHIR body and maps the Claim or Bundle to a record. A
// nil Mapped comes with the response to send.
func readClaim(body []byte, contentType string) (*fhirmap.Mapped, *fhir.Outcome, *fhir.Response) {
	if !fhir.AcceptableContentType(contentType) {
		r := fhir.UnsupportedType()
		return nil, nil, &r
	}
	res, st, out := fhir.Parse(body)
	if st != fhir.Parsed {
		r := fhir.ParseFailed(st, out)
		return nil, nil, &r
	}
	m := fhirmap.FromResource(res)
	out.AddMapped(m.Issues)
	if m.Record == nil {
		r := fhir.OutcomeResponse(400, out)
		return nil, nil, &r
	}
	return m, out, nil
}

// ClaimToX12 is POST /fhir/Claim/$x12 and `casebridge 837d --from-fhir`: a
// Claim with contained resources, or a collection Bundle with the Claim
// first, becomes the 837D through the same scrubber, writer and profile as
// a case record. Success is 200 with application/edi-x12; otherwise an
// OperationOutcome: 415 wrong media type, 400 not JSON / not FHIR / not a
// Claim or Bundle, 422 invalid FHIR or a claim the D9997 mapping or the
// scrubber refuses, 400 an envelope option, 500 no control number (Cause).
func ClaimToX12(body []byte, contentType string, prof *profile.Profile, opts Envelope) fhir.Response {
	m, out, resp := readClaim(body, contentType)
	if resp != nil {
		return *resp
	}
	if m.Issues.HasErrors() {
		out.AddMapped(m.Problems(claims.Check(m.Record, prof, opts.At)))
		return fhir.OutcomeResponse(422, out)
	}
	res, err := claims.Generate(m.Record, prof, opts)
	if errors.Is(err, ErrControlNumber) {
		out.Add(fhir.Issue{Severity: "fatal", Code: "exception", Rule: "CONTROL_NUMBER", Details: "No control number could be allocated."})
		r := fhir.OutcomeResponse(500, out)
		r.Cause = err
		return r
	}
	if err != nil {
		out.Add(fhir.Issue{Severity: "error", Code: "processing", Rule: "ENVELOPE_OPTIONS", Details: err.Error()})
		return fhir.OutcomeResponse(400, out)
	}
	out.AddMapped(m.Problems(res.Problems))
	if res.X12 == nil {
		return fhir.OutcomeResponse(422, out)
	}
	return fhir.Response{Status: 200, ContentType: fhir.ContentTypeX12, Body: res.X12, Outcome: out}
}

// ValidateClaim is POST /fhir/Claim/$validate: 200 with an OperationOutcome
// whenever validation ran (FHIR errors, mapping issues and scrub problems
// are all issues in it); 415 for a wrong media type, 400 when the body is
// not JSON at all and 413 when it is over fhir.MaxBodyBytes.
func ValidateClaim(body []byte, contentType string, prof *profile.Profile, today time.Time) fhir.Response {
	if !fhir.AcceptableContentType(contentType) {
		return fhir.UnsupportedType()
	}
	res, st, out := fhir.Parse(body)
	switch st {
	case fhir.NotJSON, fhir.TooLarge:
		return fhir.ParseFailed(st, out)
	case fhir.Parsed:
		m := fhirmap.FromResource(res)
		out.AddMapped(m.Issues)
		if m.Record != nil {
			out.AddMapped(m.Problems(claims.Check(m.Record, prof, today)))
		}
	}
	return fhir.OutcomeResponse(200, out)
}

// CheckTenant refuses an unusable tenant id (ErrInvalid): 1-64 letters,
// digits, '.', '_' or '-', starting with a letter or digit.
func CheckTenant(tenant string) error { return checkTenant(tenant) }

// ControlNumbers is the allocator (Envelope.Allocate) of the stateless 837D
// use cases for a tenant: each call draws a number of the store's counter
// for the tenant and the profile's ISA06 sender, the counter POST /v1/claims
// draws from too, so a number is never handed out twice, across processes
// and restarts. With Options.ControlNumberBlock > 1 (serve) the service
// reserves that many numbers at once and hands them out in order from
// memory: a process that ends loses the rest of its block (a gap, never a
// repeat). Otherwise (the CLI) one number a call, no block held, so a run
// uses exactly the numbers it writes. An error (the store's,
// ErrControlNumbersExhausted) names the tenant and sender, never record data.
func (s *Service) ControlNumbers(ctx context.Context, tenant string, prof *Profile) func() (int, error) {
	sender := prof.Interchange.SenderID
	return func() (int, error) {
		if err := s.ensureTenant(ctx, tenant); err != nil {
			return 0, err
		}
		if s.opts.ControlNumberBlock > 1 {
			return s.fromBlock(ctx, tenant, sender)
		}
		n, err := s.store.NextControlNumber(ctx, tenant, sender)
		if err != nil {
			return 0, err
		}
		return int(n), nil
	}
}

// controlBlock is the reserved, not yet used numbers next..last of one
// tenant and sender in this process.
type controlBlock struct {
	mu         sync.Mutex
	next, last int64
}

// fromBlock hands out the next number of the tenant's and sender's block,
// reserving a new block from the store when it is used up. Near
// MaxControlNumber, where a whole block no longer fits, it draws the
// remaining numbers one a call.
func (s *Service) fromBlock(ctx context.Context, tenant, sender string) (int, error) {
	v, _ := s.blocks.LoadOrStore(tenant+"\x00"+sender, &controlBlock{})
	b := v.(*controlBlock)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.next == 0 || b.next > b.last {
		r, err := s.store.ReserveControlNumbers(ctx, tenant, sender, s.opts.ControlNumberBlock)
		if errors.Is(err, ErrControlNumbersExhausted) {
			r.First, err = s.store.NextControlNumber(ctx, tenant, sender)
			r.Last = r.First
		}
		if err != nil {
			return 0, err
		}
		b.next, b.last = r.First, r.Last
	}
	n := b.next
	b.next++
	return int(n), nil
}
