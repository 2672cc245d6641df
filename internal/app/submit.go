package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/casebridge/casebridge/adapters/fhir"
	"github.com/casebridge/casebridge/internal/claims"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/mapping/claim837"
	"github.com/casebridge/casebridge/mapping/fhirmap"
)

// Event kinds of a claim's timeline.
const (
	EventStored     = "stored"         // the claim was stored (submitted or rejected)
	EventGenerated  = "837d_generated" // the 837D was written, with its control numbers
	EventRemittance = "remittance"     // an 835 claim (CLP) matched this claim
	sourceRecord    = "record"
	sourceFHIR      = "fhir"
)

// SubmitOptions are the envelope choices of POST /v1/claims (the query
// parameters profile, at, usage and newlines). There is no control number:
// it always comes from the store's counter for the tenant and the profile's
// ISA06 sender, so it never repeats.
type SubmitOptions struct {
	Profile             string    // "" → the profile source's default
	At                  time.Time // envelope time and the scrubber's today; zero → the clock
	Usage               string    // "", T or P (the profile's when "")
	NewlineAfterSegment bool
	// IdempotencyKey is the request's Idempotency-Key ("" for none). It is
	// stored on the claim in the claim's transaction; a claim already stored
	// under it (a retry after a crash, see idemreplay.go) is answered again
	// instead of being stored twice.
	IdempotencyKey string

	// replaces is the claim a correction replaces or voids (corrections.go).
	replaces string
}

// Problem is one scrub (or FHIR mapping) finding in a submit answer: the
// record's problem, plus, for a FHIR submission, the FHIRPath of the element
// in what the EHR sent.
type Problem struct {
	Severity   string `json:"severity"`
	Code       string `json:"code"`
	Pointer    string `json:"pointer"`
	Expression string `json:"expression,omitempty"`
	Message    string `json:"message"`
}

// SubmitResult is the body of POST /v1/claims: 201 when the claim is clean
// (status submitted), 422 when it was stored as rejected. HTTPStatus and
// Location give the rest of the answer.
type SubmitResult struct {
	ID             string                   `json:"id"`
	Status         ClaimStatus              `json:"status"`
	RecordID       string                   `json:"record_id"`
	ControlNumbers *claim837.ControlNumbers `json:"control_numbers"` // null when rejected
	Problems       []Problem                `json:"problems"`
}

// HTTPStatus is 201 for a submitted claim, 422 for a rejected one.
func (r *SubmitResult) HTTPStatus() int {
	if r.Status == StatusRejected {
		return 422
	}
	return 201
}

// Location is the claim's URL path, /v1/claims/{id}.
func (r *SubmitResult) Location() string { return ClaimPath(r.ID) }

// ClaimPath is the URL path of a stored claim.
func ClaimPath(id string) string { return "/v1/claims/" + id }

// SubmitRecord is POST /v1/claims with a case record (JSON). The record is
// decoded, scrubbed and stored with its scrub report; when it has no errors,
// also with its FHIR Bundle and its 837D, written with a control number drawn
// from the store (tenant, ISA06 sender of the profile). A record with errors
// is stored with status rejected and draws no number.
//
// Errors: *DecodeError when the body is not one JSON object (400, Syntax) or
// does not have the record's shape (422, Problems), or has no record_id to
// store it under (422, Problems); *OptionError for an unknown profile
// or usage; store errors otherwise.
func (s *Service) SubmitRecord(ctx context.Context, tenant string, recordJSON []byte, opts SubmitOptions) (*SubmitResult, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	if !utf8.Valid(recordJSON) {
		// RFC 8259 JSON is UTF-8, and the store keeps the record as text
		se := &record.SyntaxError{Offset: int64(invalidUTF8At(recordJSON)), Msg: "the body is not UTF-8"}
		return nil, &DecodeError{Status: 400, Syntax: se, Err: se}
	}
	rec, probs, err := record.DecodeBytes(recordJSON)
	if err != nil {
		var se *record.SyntaxError
		errors.As(err, &se)
		return nil, &DecodeError{Status: 400, Syntax: se, Err: err}
	}
	if probs.HasErrors() {
		return nil, &DecodeError{Status: 422, Problems: probs}
	}
	return s.submit(ctx, tenant, rec, json.RawMessage(recordJSON), nil, opts)
}

// SubmitFHIR is POST /v1/claims with a FHIR Claim (contained resources) or a
// Bundle with the Claim first: the path of POST /fhir/Claim/$x12
// (adapters/fhir.Parse, fhirmap.FromResource), then the same as
// SubmitRecord. The stored record is the mapped case record (JSON); the
// stored Bundle is casebridge's own, written from it.
//
// Errors: *DecodeError with FHIR set (an OperationOutcome's issues, with
// FHIRPath expressions) when the body is not FHIR JSON (400), not a Claim or
// Bundle (400), invalid FHIR (422) or a Claim the D9997 mapping refuses (422,
// with the scrub problems it could still find, as $x12 answers); nothing is
// stored then.
func (s *Service) SubmitFHIR(ctx context.Context, tenant string, fhirJSON []byte, opts SubmitOptions) (*SubmitResult, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	res, st, out := fhir.Parse(fhirJSON)
	if st != fhir.Parsed {
		return nil, &DecodeError{Status: st.HTTPStatus(), FHIR: out}
	}
	m := fhirmap.FromResource(res)
	out.AddMapped(m.Issues)
	if m.Record == nil {
		return nil, &DecodeError{Status: 400, FHIR: out}
	}
	if m.Issues.HasErrors() {
		prof, err := s.profile(ctx, tenant, opts.Profile)
		if err != nil {
			return nil, err
		}
		out.AddMapped(m.Problems(claims.Check(m.Record, prof, s.at(opts))))
		return nil, &DecodeError{Status: 422, FHIR: out}
	}
	raw, err := json.Marshal(m.Record)
	if err != nil {
		return nil, fmt.Errorf("app: mapped record: %w", err)
	}
	return s.submit(ctx, tenant, m.Record, raw, m, opts)
}

func (s *Service) at(opts SubmitOptions) time.Time {
	if !opts.At.IsZero() {
		return opts.At.UTC()
	}
	return s.now().UTC()
}

// submit scrubs, writes and stores one decoded record. m is the FHIR mapping
// for a FHIR submission (nil for a record).
func (s *Service) submit(ctx context.Context, tenant string, rec *record.Record, raw json.RawMessage, m *fhirmap.Mapped, opts SubmitOptions) (*SubmitResult, error) {
	switch opts.Usage {
	case "", "T", "P":
	default:
		return nil, &OptionError{Option: "usage", Msg: "must be T or P"}
	}
	prof, err := s.profile(ctx, tenant, opts.Profile)
	if err != nil {
		return nil, err
	}
	if err := s.ensureTenant(ctx, tenant); err != nil {
		return nil, err
	}
	// a retry of a request whose claim is stored: its answer, nothing new
	// (and no control number drawn)
	if old, ok, err := s.claimByKey(ctx, s.store, tenant, opts.IdempotencyKey, raw); err != nil || ok {
		if err != nil {
			return nil, err
		}
		return storedResult(old, m)
	}
	history, err := s.historyCheck(ctx, tenant, prof, rec, opts.replaces) // history.go
	if err != nil {
		return nil, err
	}
	at := s.at(opts)
	sender := prof.Interchange.SenderID
	// The number is drawn outside the transaction (adapters/store: keeps the
	// counter row's lock short) and only once the record is clean
	// (claims.Generate calls Allocate after the scrubber).
	var drawn int64
	gen, err := claims.Generate(rec, prof, claims.Options{
		At: at, Usage: opts.Usage, NewlineAfterSegment: opts.NewlineAfterSegment,
		History: history,
		Allocate: func() (int, error) {
			n, err := s.store.NextControlNumber(ctx, tenant, sender)
			drawn = n
			return int(n), err
		},
	})
	if err != nil {
		return nil, fmt.Errorf("app: 837D: %w", err)
	}
	problems := submitProblems(gen.Problems, m)
	if !storableID(rec.RecordID) {
		// nothing to store it (and reconcile it) under: no record id, or
		// one no index should hold (the scrubber's errors say why)
		return nil, &DecodeError{Status: 422, Problems: gen.Problems}
	}
	report, err := json.Marshal(claims.NewReport(rec.RecordID, gen.Problems))
	if err != nil {
		return nil, fmt.Errorf("app: scrub report: %w", err)
	}
	c := Claim{
		ID: NewID(), Tenant: tenant, RecordID: rec.RecordID, Status: StatusRejected,
		Record: raw, ScrubReport: report, CreatedAt: s.now(), IdempotencyKey: opts.IdempotencyKey,
	}
	var cn *claim837.ControlNumbers
	if gen.X12 != nil {
		bundle, err := fhirmap.ToBundle(rec, at)
		if err != nil {
			return nil, fmt.Errorf("app: FHIR bundle: %w", err)
		}
		if c.FHIRBundle, err = fhir.Marshal(bundle, false); err != nil {
			return nil, fmt.Errorf("app: FHIR bundle: %w", err)
		}
		c.Status, c.X12 = StatusSubmitted, gen.X12
		c.Control = &ControlNumbers{Interchange: drawn, Group: drawn, Transaction: drawn}
		v := gen.ControlNumbers
		cn = &v
	}
	source := sourceRecord
	if m != nil {
		source = sourceFHIR
	}
	err = s.store.WithTx(ctx, func(tx Store) error {
		var err error
		if c, err = tx.CreateClaim(ctx, c); err != nil {
			return err
		}
		errs := len(gen.Problems.Errors())
		if _, err := tx.AppendEvent(ctx, tenant, Event{ClaimID: c.ID, Kind: EventStored, At: c.CreatedAt,
			Payload: mustJSON(storedEvent{Status: c.Status, Source: source, Errors: errs,
				Warnings: len(gen.Problems) - errs, ErrorCodes: codesOf(gen.Problems.Errors()), Replaces: opts.replaces})}); err != nil {
			return err
		}
		if err := s.linkClaim(ctx, tx, tenant, c, rec, opts.replaces); err != nil { // history.go
			return err
		}
		if cn != nil {
			if _, err := tx.AppendEvent(ctx, tenant, Event{ClaimID: c.ID, Kind: EventGenerated, At: c.CreatedAt,
				Payload: mustJSON(generatedEvent{ControlNumbers: *cn, Sender: sender, Usage: usageOf(opts.Usage, prof.Interchange.Usage)})}); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, ErrConflict) && opts.IdempotencyKey != "" {
		// another request with the key stored its claim meanwhile (rolled
		// back: nothing of this one is kept; its control number is skipped)
		if old, ok, err := s.claimByKey(ctx, s.store, tenant, opts.IdempotencyKey, raw); err != nil || ok {
			if err != nil {
				return nil, err
			}
			return storedResult(old, m)
		}
	}
	if err != nil {
		return nil, err
	}
	return &SubmitResult{ID: c.ID, Status: c.Status, RecordID: c.RecordID, ControlNumbers: cn, Problems: problems}, nil
}

func usageOf(asked, profile string) string {
	if asked != "" {
		return asked
	}
	return profile
}

// storedEvent is the payload of a "stored" event: counts and codes, no data.
type storedEvent struct {
	Status     ClaimStatus `json:"status"`
	Source     string      `json:"source"` // record | fhir
	Errors     int         `json:"errors"`
	Warnings   int         `json:"warnings"`
	ErrorCodes []string    `json:"error_codes"`
	Replaces   string      `json:"replaces,omitempty"` // the claim a correction replaces or voids
}

// generatedEvent is the payload of an "837d_generated" event.
type generatedEvent struct {
	ControlNumbers claim837.ControlNumbers `json:"control_numbers"`
	Sender         string                  `json:"sender"` // ISA06
	Usage          string                  `json:"usage"`  // ISA15
}

func codesOf(ps record.Problems) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.Code)
	}
	return out
}

// submitProblems are the answer's problems: the scrubber's, located in the
// FHIR input too for a FHIR submission (with its mapping warnings first).
func submitProblems(ps record.Problems, m *fhirmap.Mapped) []Problem {
	out := []Problem{}
	if m != nil {
		for _, i := range m.Issues {
			if i.Message == "" || i.Severity == fhirmap.SeverityInformation {
				continue
			}
			out = append(out, Problem{Severity: i.Severity, Code: i.Rule, Pointer: i.Pointer, Expression: i.Expression, Message: i.Message})
		}
	}
	for _, p := range ps {
		q := Problem{Severity: p.Severity, Code: p.Code, Pointer: p.Pointer, Message: p.Message}
		if m != nil {
			q.Expression = m.Expression(p.Pointer)
		}
		out = append(out, q)
	}
	return out
}

// MaxStoredID is the longest record id or CLP01/CLP07 the store indexes
// (a record id may have at most 20 characters; a longer one is still stored
// as rejected up to this length).
const MaxStoredID = 100

// storableID tells whether s can be a stored, indexed id: 1..MaxStoredID
// bytes of UTF-8 without NUL (PostgreSQL text refuses NUL and bad UTF-8).
func storableID(s string) bool {
	return s != "" && len(s) <= MaxStoredID && utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// invalidUTF8At is the offset of the first byte that is not UTF-8.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// mustJSON marshals what cannot fail to marshal (our own payload types).
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
