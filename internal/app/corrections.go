package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/casebridge/casebridge/internal/record"
)

// Problem codes of a correction refused before anything is stored.
const (
	CodePayerClaimNumberUnknown = "PAYER_CLAIM_NUMBER_UNKNOWN"
	CodeCorrectionOfRejected    = "CORRECTION_OF_REJECTED"
	CodePatchNotObject          = "PATCH_NOT_OBJECT"
	CodeFrequencyNotCorrection  = "FREQUENCY_NOT_CORRECTION"
)

// CorrectClaim is POST /v1/claims/{id}/corrections: a replacement (or void)
// of a stored claim, built from its record and a JSON merge patch (RFC 7396;
// patch is the request body). The replacement record is the stored one with
// the patch applied, then
//
//   - frequency: "replacement" (CLM05-3 7), or "void" (8) when the patch
//     says so (any other value is refused: FREQUENCY_NOT_CORRECTION);
//   - payer_claim_number: the stored claim's payer claim number, the CLP07
//     of its latest 835 (REF*F8, 005010X224A2 loop 2300 "Payer Claim Control
//     Number", required for frequency 7 and 8), whatever the patch says;
//
// and goes the way of POST /v1/claims (scrub, 837D, FHIR, store), with the
// link to the original: the replacement's "stored" event names it
// ("replaces") and the original gets a "correction" event (history.go). A
// replacement the scrubber refuses is stored as rejected and replaces
// nothing.
//
// Errors: ErrNotFound (another tenant's or no such claim); *CorrectionError
// (422) when the original was rejected or no 835 gave it a payer claim
// number yet, or the patch is not an object or sets another frequency;
// *DecodeError as SubmitRecord for a patch that is not JSON (400) or leaves
// a record of the wrong shape (422).
func (s *Service) CorrectClaim(ctx context.Context, tenant, id string, patch []byte, opts SubmitOptions) (*SubmitResult, error) {
	orig, err := s.claim(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	if orig.Status == StatusRejected {
		return nil, &CorrectionError{Code: CodeCorrectionOfRejected, Pointer: "",
			Msg: "This claim was rejected by the scrubber and never sent: correct the record and submit it with POST /v1/claims (frequency original)."}
	}
	if orig.PayerClaimNumber == "" {
		return nil, &CorrectionError{Code: CodePayerClaimNumberUnknown, Pointer: "/payer_claim_number",
			Msg: "No 835 has given this claim a payer claim number (CLP07) yet; a replacement or void needs it (REF*F8). Wait for the payer's remittance, or send the claim again as an original if it was never received."}
	}
	if !utf8.Valid(patch) {
		se := &record.SyntaxError{Offset: int64(invalidUTF8At(patch)), Msg: "the body is not UTF-8"}
		return nil, &DecodeError{Status: 400, Syntax: se, Err: se}
	}
	p, err := decodeJSONValue(patch)
	if err != nil {
		se := &record.SyntaxError{Msg: "the body is not one JSON value"}
		return nil, &DecodeError{Status: 400, Syntax: se, Err: se}
	}
	po, ok := p.(map[string]any)
	if !ok {
		return nil, &CorrectionError{Code: CodePatchNotObject, Pointer: "",
			Msg: "The body must be a JSON merge patch (RFC 7396) object of the record's fields."}
	}
	freq := record.FrequencyReplacement
	if v, ok := po["frequency"]; ok && v != nil {
		switch v {
		case record.FrequencyReplacement:
		case record.FrequencyVoid:
			freq = record.FrequencyVoid
		default:
			return nil, &CorrectionError{Code: CodeFrequencyNotCorrection, Pointer: "/frequency",
				Msg: "A correction's frequency is replacement (CLM05-3 7) or void (8)."}
		}
	}
	stored, err := decodeJSONValue(orig.Record)
	if err != nil {
		return nil, fmt.Errorf("app: stored record: %w", err)
	}
	merged, ok := MergePatch(stored, po).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("app: stored record is not an object")
	}
	merged["frequency"] = freq
	merged["payer_claim_number"] = orig.PayerClaimNumber
	raw, err := marshalNoEscape(merged)
	if err != nil {
		return nil, fmt.Errorf("app: corrected record: %w", err)
	}
	rec, probs, err := record.DecodeBytes(raw)
	if err != nil {
		return nil, &DecodeError{Status: 422, Problems: record.Problems{{Severity: record.SeverityError, Code: CodePatchNotObject, Pointer: "",
			Message: "The patched record is not a record object."}}}
	}
	if probs.HasErrors() {
		return nil, &DecodeError{Status: 422, Problems: probs}
	}
	opts.replaces = orig.ID
	return s.submit(ctx, tenant, rec, raw, nil, opts)
}

// CorrectionError is a correction refused before anything was stored
// (HTTP 422): a stable code, the record pointer it concerns and a message
// that quotes no data.
type CorrectionError struct {
	Code    string
	Pointer string
	Msg     string
}

func (e *CorrectionError) Error() string { return "app: correction refused: " + e.Code }

// Problems is the error as problem entries.
func (e *CorrectionError) Problems() record.Problems {
	return record.Problems{{Severity: record.SeverityError, Code: e.Code, Pointer: e.Pointer, Message: e.Msg}}
}

// MergePatch applies an RFC 7396 JSON merge patch to target (values as
// decodeJSONValue gives them) and returns the result: a patch that is not an
// object replaces the target; null members delete; object members merge
// recursively. Neither argument is modified.
func MergePatch(target, patch any) any {
	po, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	to, ok := target.(map[string]any)
	out := make(map[string]any, len(to)+len(po))
	if ok {
		for k, v := range to {
			out[k] = v
		}
	}
	for k, v := range po {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = MergePatch(out[k], v)
	}
	return out
}

// decodeJSONValue reads exactly one JSON value, numbers kept as written
// (json.Number: amounts stay exact).
func decodeJSONValue(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data after the JSON value")
	}
	return v, nil
}

func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
