package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/casebridge/casebridge/mapping/ack"
)

// EventAcknowledgment is the timeline kind of a TA1, 999 or 277CA answer
// matched to a claim.
const EventAcknowledgment = "acknowledgment"

// The acknowledgment outcomes (the "outcome" of an acknowledgment event).
const (
	AckAccepted           = "accepted"
	AckAcceptedWithErrors = "accepted_with_errors"
	AckRejected           = "rejected"
	AckPended             = "pended"
	AckPaid               = "paid"
	AckFinalized          = "finalized"
)

// AcknowledgmentResult is the body of POST /v1/acknowledgments (201): the
// stored acknowledgment's id and type, how many claims its answers matched,
// how many answers matched no stored claim, each matched claim with the
// outcome it was given, and (beyond the shared contract) what each
// unmatched answer referred to.
type AcknowledgmentResult struct {
	ID             string               `json:"id"`
	Type           string               `json:"type"` // TA1, 999, 277CA
	Matched        int                  `json:"matched"`
	Unmatched      int                  `json:"unmatched"`
	Claims         []AcknowledgedClaim  `json:"claims"`
	UnmatchedItems []UnmatchedAckAnswer `json:"unmatched_items"`
}

// AcknowledgedClaim is one claim an acknowledgment answered.
type AcknowledgedClaim struct {
	ClaimID string `json:"claim_id"`
	Outcome string `json:"outcome"`
}

// UnmatchedAckAnswer is one answer that matched no stored claim of the
// tenant: a TA1's ISA13, a 999 set's GS06 and ST02, a 277CA claim's patient
// control number (CLM01, the record id we sent) and payer claim number.
type UnmatchedAckAnswer struct {
	Interchange          string `json:"interchange_control_number,omitempty"`
	Group                string `json:"group_control_number,omitempty"`
	Transaction          string `json:"transaction_control_number,omitempty"`
	PatientControlNumber string `json:"patient_control_number,omitempty"`
	PayerClaimNumber     string `json:"payer_claim_number,omitempty"`
	Outcome              string `json:"outcome"`
}

// AcknowledgmentOptions are SubmitAcknowledgment's optional settings.
type AcknowledgmentOptions struct {
	// IdempotencyKey is the request's Idempotency-Key ("" for none), stored
	// with the acknowledgment (see claimByKey).
	IdempotencyKey string
}

// acknowledgmentEvent is the data of an "acknowledgment" timeline event
// (the shared timeline contract). It carries codes, positions, the control
// numbers we sent and our own wording: never names, member ids or values.
type acknowledgmentEvent struct {
	AcknowledgmentID     string      `json:"acknowledgment_id"`
	Type                 string      `json:"type"`
	Outcome              string      `json:"outcome"`
	ControlNumber        string      `json:"control_number"` // TA1: the ISA13, 999: the ST02 it answered; 277CA: ""
	PatientControlNumber string      `json:"patient_control_number,omitempty"`
	PayerClaimNumber     string      `json:"payer_claim_number,omitempty"`
	Errors               []AckError  `json:"errors"`
	Status               []AckStatus `json:"status,omitempty"` // 277CA only
}

// AckError is one error an acknowledgment reports, with what to fix.
type AckError struct {
	Code            string `json:"code"` // the acknowledgment's code, prefixed by where it came from: IK3-8, IK4-7, IK5-I5, AK9-5, TA1-001, STC-A7:562
	Message         string `json:"message"`
	SegmentID       string `json:"segment_id,omitempty"`
	SegmentPosition int    `json:"segment_position,omitempty"` // IK302: position in the set we sent (ST = 1)
	Loop            string `json:"loop,omitempty"`
	Element         string `json:"element,omitempty"` // e.g. CLM05-3
	Fix             string `json:"fix"`
}

// AckStatus is one 277CA claim status (STC01, STC10, STC11) with its
// meaning.
type AckStatus struct {
	Category     string `json:"category"`
	CategoryText string `json:"category_text"`
	Code         string `json:"code"`
	CodeText     string `json:"code_text"`
	Entity       string `json:"entity"`
}

// answer is one answer of an acknowledgment file, ready to be matched.
type answer struct {
	match   func(ctx context.Context, tx Store, tenant string) ([]Claim, error)
	event   acknowledgmentEvent
	payerNo string // 277CA REF*1K: kept on the claim when it has none
	miss    UnmatchedAckAnswer
}

// SubmitAcknowledgment is POST /v1/acknowledgments: reads a TA1, 999 or
// 277CA (mapping/ack), stores it as received and, in one transaction,
// appends an "acknowledgment" event to every stored claim of the tenant it
// answers:
//
//   - a TA1 answers the claims whose 837D had ISA13 = TA101 (a TA1 that
//     comes with a 999 adds an event only when it is not A: the 999 says
//     the rest);
//   - a 999 set (AK2) answers the claims whose 837D had GS06 = AK102 and
//     ST02 = AK202; a group answered without AK2, those with GS06 = AK102.
//     Outcome from IK501 (A accepted, E accepted_with_errors, else
//     rejected), rejected whenever AK901 rejects the group;
//   - a 277CA claim (2200D) answers the claim whose record id is TRN02 (of
//     several, the one with payer claim number REF*1K, else the newest
//     that was not rejected by the scrubber), else the claim whose payer
//     claim number is REF*1K; the claim keeps REF*1K as its payer claim
//     number when it has none. Outcome from the first STC01 category.
//
// The claim's status is not changed: a front-end rejection is read from
// the timeline (its latest acknowledgment). Answers that match no claim are
// counted and listed. Errors: *DecodeError (422, wrapping the positioned
// *x12.Error) for a file that is not a readable TA1, 999 or 277CA; nothing
// is stored then.
func (s *Service) SubmitAcknowledgment(ctx context.Context, tenant string, raw []byte, opts ...AcknowledgmentOptions) (*AcknowledgmentResult, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	var key string
	for _, o := range opts {
		key = o.IdempotencyKey
	}
	f, err := ack.ReadBytes(raw)
	if err != nil {
		return nil, &DecodeError{Status: 422, Err: err}
	}
	if err := s.ensureTenant(ctx, tenant); err != nil {
		return nil, err
	}
	if old, ok, err := acknowledgmentByKey(ctx, s.store, tenant, key, raw); err != nil || ok {
		return old, err
	}
	now := s.now()
	a := Acknowledgment{ID: NewID(), Tenant: tenant, Type: string(f.Kind), Raw: raw, IdempotencyKey: key, CreatedAt: now}
	answers := answersOf(f)
	var res *AcknowledgmentResult
	err = s.store.WithTx(ctx, func(tx Store) error {
		res = &AcknowledgmentResult{ID: a.ID, Type: a.Type, Claims: []AcknowledgedClaim{}, UnmatchedItems: []UnmatchedAckAnswer{}}
		for _, an := range answers {
			claims, err := an.match(ctx, tx, tenant)
			if err != nil {
				return err
			}
			if len(claims) == 0 {
				res.Unmatched++
				res.UnmatchedItems = append(res.UnmatchedItems, an.miss)
				continue
			}
			ev := an.event
			ev.AcknowledgmentID = a.ID
			for _, c := range claims {
				res.Matched++
				res.Claims = append(res.Claims, AcknowledgedClaim{ClaimID: c.ID, Outcome: ev.Outcome})
				if an.payerNo != "" && c.PayerClaimNumber == "" {
					pn := an.payerNo
					if _, err := tx.UpdateClaim(ctx, tenant, c.ID, ClaimUpdate{PayerClaimNumber: &pn, At: now}); err != nil {
						return err
					}
				}
				if _, err := tx.AppendEvent(ctx, tenant, Event{ClaimID: c.ID, Kind: EventAcknowledgment, At: now, Payload: mustJSON(ev)}); err != nil {
					return err
				}
			}
		}
		a.Matched, a.Unmatched, a.Result = res.Matched, res.Unmatched, mustJSON(res)
		_, err := tx.CreateAcknowledgment(ctx, a)
		return err
	})
	if errors.Is(err, ErrConflict) && key != "" {
		// another request with the key stored its acknowledgment meanwhile
		if old, ok, err := acknowledgmentByKey(ctx, s.store, tenant, key, raw); err != nil || ok {
			return old, err
		}
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// acknowledgmentByKey is the tenant's acknowledgment created under key, if
// any, answered as it was the first time; one stored from another body is
// ErrIdempotencyKeyReused.
func acknowledgmentByKey(ctx context.Context, st Store, tenant, key string, raw []byte) (*AcknowledgmentResult, bool, error) {
	if key == "" {
		return nil, false, nil
	}
	a, err := st.AcknowledgmentByIdempotencyKey(ctx, tenant, key)
	if errors.Is(err, ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if !bytes.Equal(a.Raw, raw) {
		return nil, false, fmt.Errorf("app: acknowledgment %s: %w", a.ID, ErrIdempotencyKeyReused)
	}
	var res AcknowledgmentResult
	if err := json.Unmarshal(a.Result, &res); err != nil {
		return nil, false, fmt.Errorf("app: acknowledgment %s: result: %w", a.ID, err)
	}
	return &res, true, nil
}

// answersOf lists a file's answers in file order: TA1s first, then 999 sets
// or 277CA claims.
func answersOf(f *ack.File) []answer {
	var out []answer
	for _, t := range f.TA1s {
		if f.Kind != ack.KindTA1 && t.Ack == "A" {
			continue
		}
		out = append(out, ta1Answer(t))
	}
	for _, sa := range f.Sets {
		out = append(out, setAnswer(sa))
	}
	for _, c := range f.Claims {
		out = append(out, claimStatusAnswer(c))
	}
	return out
}

func noClaims(context.Context, Store, string) ([]Claim, error) { return nil, nil }

// byControl matches on envelope numbers; a number that is not one (or is
// zero) matches nothing. Control numbers are counted per tenant and ISA06
// sender, so when claims of several senders carry the numbers, those whose
// 837D was sent by the acknowledgment's addressee (its ISA08) are kept.
func byControl(m ControlMatch, ok bool, addressee string) func(ctx context.Context, tx Store, tenant string) ([]Claim, error) {
	if !ok {
		return noClaims
	}
	return func(ctx context.Context, tx Store, tenant string) ([]Claim, error) {
		cs, err := tx.ClaimsByControlNumber(ctx, tenant, m)
		if err != nil || len(cs) < 2 || addressee == "" {
			return cs, err
		}
		var same []Claim
		for _, c := range cs {
			if isaSender(c.X12) == addressee {
				same = append(same, c)
			}
		}
		if len(same) == 0 {
			return cs, nil
		}
		return same, nil
	}
}

// isaSender is ISA06 (trimmed) of a stored 837D: the fixed-width ISA puts
// it at bytes 35-49 between element separators (X12 005010 ISA).
func isaSender(x []byte) string {
	if len(x) < 106 || string(x[:3]) != "ISA" {
		return ""
	}
	return strings.TrimSpace(string(x[35:50]))
}

func ta1Answer(t ack.TA1) answer {
	isa, ok := ack.ControlNumber(t.ControlNumber)
	outcome := map[string]string{"A": AckAccepted, "E": AckAcceptedWithErrors}[t.Ack]
	if outcome == "" {
		outcome = AckRejected
	}
	ev := acknowledgmentEvent{Type: "TA1", Outcome: outcome, ControlNumber: t.ControlNumber, Errors: []AckError{}}
	if t.Note != "000" {
		ev.Errors = append(ev.Errors, AckError{Code: "TA1-" + t.Note, Message: "Interchange: " + textOr(ack.NoteText, t.Note),
			SegmentID: "ISA", Fix: "Correct the interchange envelope (ISA/IEA) of the 837D and send it again with a new interchange control number; " +
				"the claims in it never reached the payer."})
	}
	return answer{match: byControl(ControlMatch{Interchange: isa}, ok && isa > 0, t.Addressee), event: ev,
		miss: UnmatchedAckAnswer{Interchange: t.ControlNumber, Outcome: outcome}}
}

func setAnswer(sa ack.SetAck) answer {
	gs, okG := ack.ControlNumber(sa.GroupControl)
	m := ControlMatch{Group: gs}
	ok := okG && gs > 0
	if sa.SetControl != "" {
		st, okS := ack.ControlNumber(sa.SetControl)
		m.Transaction, ok = st, ok && okS && st > 0
	}
	outcome := AckRejected
	switch sa.Status {
	case "A":
		outcome = AckAccepted
	case "E":
		outcome = AckAcceptedWithErrors
	}
	switch sa.GroupStatus {
	case "R", "M", "W", "X":
		outcome = AckRejected
	}
	control := sa.SetControl
	if control == "" {
		control = sa.GroupControl
	}
	ev := acknowledgmentEvent{Type: "999", Outcome: outcome, ControlNumber: control, Errors: setErrors(sa)}
	return answer{match: byControl(m, ok, sa.Addressee), event: ev,
		miss: UnmatchedAckAnswer{Group: sa.GroupControl, Transaction: sa.SetControl, Outcome: outcome}}
}

// resubmit ends every fix of a front-end rejection: the claim never reached
// adjudication, so it goes again as an original (frequency 1), not as a
// replacement (a replacement needs the payer's claim number, which a
// rejected claim never got).
const resubmit = " Then submit the claim again as a new original claim (frequency 1): a claim rejected before adjudication has nothing to replace."

// setErrors explains a 999 set's IK3/IK4 errors, IK5 codes and the group's
// AK9 codes (code meanings: 005010X231A1 code lists, mapping/ack/codes.go).
func setErrors(sa ack.SetAck) []AckError {
	out := []AckError{}
	for _, se := range sa.Errors {
		where := fmt.Sprintf("%s segment at position %d of the transaction set", se.SegmentID, se.Position)
		if se.Loop != "" {
			where += ", loop " + se.Loop
		}
		if len(se.Elements) == 0 || (se.Code != "" && se.Code != "8") {
			out = append(out, AckError{Code: "IK3-" + se.Code, Message: capital(textOr(ack.SegmentErrorText, se.Code)) + ": " + where + ".",
				SegmentID: se.SegmentID, SegmentPosition: se.Position, Loop: se.Loop, Fix: segmentFix(se) + resubmit})
		}
		for _, el := range se.Elements {
			name := elementName(se.SegmentID, el)
			msg := capital(textOr(ack.ElementErrorText, el.Code)) + ": " + name
			if el.Ref != "" {
				msg += " (data element " + el.Ref + ")"
			}
			out = append(out, AckError{Code: "IK4-" + el.Code, Message: msg + ", " + where + ".", SegmentID: se.SegmentID,
				SegmentPosition: se.Position, Loop: se.Loop, Element: name, Fix: elementFix(name, el.Code) + resubmit})
		}
	}
	for _, c := range sa.Codes {
		if c == "5" || c == "I5" { // "one or more segments in error": the IK3s say which
			if len(sa.Errors) > 0 {
				continue
			}
		}
		out = append(out, AckError{Code: "IK5-" + c, Message: "Transaction set: " + textOr(ack.SetErrorText, c) + ".", SegmentID: "ST",
			Fix: "Correct the transaction set envelope (ST/SE) of the 837D." + resubmit})
	}
	for _, c := range sa.GroupCodes {
		out = append(out, AckError{Code: "AK9-" + c, Message: "Functional group: " + textOr(ack.GroupErrorText, c) + ".", SegmentID: "GS",
			Fix: "Correct the functional group envelope (GS/GE) of the 837D." + resubmit})
	}
	return out
}

// elementName is e.g. CLM05-3 (the X12 reference designator, with the
// component position).
func elementName(seg string, el ack.ElementError) string {
	name := fmt.Sprintf("%s%02d", seg, el.Position)
	if el.Component > 0 {
		name += "-" + strconv.Itoa(el.Component)
	}
	return name
}

func segmentFix(se ack.SegmentError) string {
	loop := ""
	if se.Loop != "" {
		loop = " of loop " + se.Loop
	}
	switch se.Code {
	case "3", "I6", "I7", "I8":
		return "Add the missing " + se.SegmentID + " segment" + loop + "."
	case "1", "2", "6", "I4", "I9":
		return "Remove the " + se.SegmentID + " segment" + loop + " (position " + strconv.Itoa(se.Position) + ")."
	case "4", "5":
		return "Send no more " + se.SegmentID + " segments" + loop + " than the implementation guide allows."
	case "7":
		return "Put the " + se.SegmentID + " segment" + loop + " in its place in the segment order."
	}
	return "Correct the " + se.SegmentID + " segment" + loop + "."
}

func elementFix(name, code string) string {
	switch code {
	case "1", "2", "I9":
		return "Fill in " + name + "."
	case "4":
		return "Lengthen " + name + " to its minimum length."
	case "5":
		return "Shorten " + name + " to its maximum length."
	case "6":
		return "Remove the characters " + name + " may not hold."
	case "7", "I6":
		return "Use a code value the implementation guide allows in " + name + "."
	case "8":
		return "Give " + name + " as a valid date (CCYYMMDD)."
	case "9":
		return "Give " + name + " as a valid time (HHMM)."
	case "3", "10", "I10", "I13":
		return "Remove " + name + "."
	case "12", "I11":
		return "Send " + name + " as many times as the implementation guide allows."
	case "13":
		return "Send " + name + " with no more components than it has."
	case "I12":
		return "Correct the format of " + name + "."
	}
	return "Correct " + name + "."
}

// claimStatusAnswer is a 277CA claim. Outcome from the first STC01
// category (Health Care Claim Status Category Codes, X12 code source 507):
// A0 A1 A2 A5 accepted; A3 A4 A6 A7 A8 E0 E3 E4 D0 rejected; F1 paid;
// other F finalized; P, R, E1, E2 pended.
func claimStatusAnswer(c ack.ClaimAck) answer {
	outcome := AckPended
	if len(c.Statuses) > 0 {
		outcome = categoryOutcome(c.Statuses[0].Category)
	}
	ev := acknowledgmentEvent{Type: "277CA", Outcome: outcome, PatientControlNumber: c.PatientControlNumber,
		PayerClaimNumber: c.PayerClaimNumber, Errors: []AckError{}, Status: []AckStatus{}}
	for _, st := range c.Statuses {
		as := AckStatus{Category: st.Category, CategoryText: ack.CategoryText[st.Category], Code: st.Code,
			CodeText: ack.StatusText[st.Code], Entity: st.Entity}
		ev.Status = append(ev.Status, as)
		if outcome != AckRejected {
			continue
		}
		code := st.Category
		if st.Code != "" {
			code += ":" + st.Code
		}
		msg := capital(textOr(ack.CategoryText, st.Category))
		if st.Code != "" {
			msg += "; status " + st.Code
			if t := ack.StatusText[st.Code]; t != "" {
				msg += " (" + t + ")"
			}
		}
		what := "the data the payer names"
		if t := ack.StatusText[st.Code]; t != "" {
			what = "the " + t
		}
		if e := ack.EntityText[st.Entity]; e != "" {
			msg += ", entity " + e
			what += " of the " + e
		}
		ev.Errors = append(ev.Errors, AckError{Code: "STC-" + code, Message: msg + ".", SegmentID: "STC", Loop: "2200D",
			Element: "STC01", Fix: "Correct " + what + " in the claim record." + resubmit})
	}
	pcn, payerNo := c.PatientControlNumber, c.PayerClaimNumber
	if !storableID(payerNo) {
		payerNo = ""
	}
	return answer{
		match: func(ctx context.Context, tx Store, tenant string) ([]Claim, error) {
			cl, ok, err := matchClaim(ctx, tx, tenant, pcn, payerNo)
			if err != nil || !ok {
				return nil, err
			}
			return []Claim{cl}, nil
		},
		event: ev, payerNo: payerNo,
		miss: UnmatchedAckAnswer{PatientControlNumber: storedText(pcn), PayerClaimNumber: payerNo, Outcome: outcome},
	}
}

func categoryOutcome(cat string) string {
	switch cat {
	case "A0", "A1", "A2", "A5":
		return AckAccepted
	case "A3", "A4", "A6", "A7", "A8", "E0", "E3", "E4", "D0":
		return AckRejected
	case "F1":
		return AckPaid
	}
	if len(cat) > 0 && cat[0] == 'F' {
		return AckFinalized
	}
	return AckPended
}

func textOr(m map[string]string, code string) string {
	if t := m[code]; t != "" {
		return t
	}
	return "code " + code
}

func capital(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// Acknowledgment is GET /v1/acknowledgments/{id}: the answer POST
// /v1/acknowledgments gave for it, as stored (an AcknowledgmentResult).
// Another tenant's acknowledgment is ErrNotFound.
func (s *Service) Acknowledgment(ctx context.Context, tenant, id string) (json.RawMessage, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	if !storableID(id) {
		return nil, fmt.Errorf("app: acknowledgment: %w", ErrNotFound)
	}
	a, err := s.store.GetAcknowledgment(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	return a.Result, nil
}
