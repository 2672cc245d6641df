package app

import (
	"context"
	"encoding/json"
	"time"
)

// Timeline is GET /v1/claims/{id}/timeline: the claim's current status and
// every event in the order it happened.
type Timeline struct {
	ClaimID          string          `json:"claim_id"`
	RecordID         string          `json:"record_id"`
	Status           ClaimStatus     `json:"status"`
	PayerClaimNumber string          `json:"payer_claim_number"`
	Events           []TimelineEvent `json:"events"`
}

// TimelineEvent is one event. Data by kind:
//
//   - "stored": {status (submitted | rejected), source (record | fhir),
//     errors, warnings, error_codes[]};
//   - "837d_generated": {control_numbers{interchange, group, transaction},
//     sender (ISA06), usage (ISA15)};
//   - "remittance": {remittance_id, outcome (the claim's status after it),
//     previous_status, patient_control_number (CLP01), payer_claim_number
//     (CLP07), status_code (CLP02), payer_status, payment_outcome, charge,
//     paid, patient_responsibility, payer{name, id}, payment_date,
//     trace_number, findings[] (as in the findings report), lines[]
//     {line_control_number, service_index (null when unmatched), procedure,
//     charge, paid}};
//   - "correction" (on the original, corrections.go): {claim_id (the
//     replacement's), frequency (replacement | void), status}; the
//     replacement's "stored" event then carries replaces (the original's id).
type TimelineEvent struct {
	Seq  int64           `json:"seq"`
	Kind string          `json:"kind"`
	At   time.Time       `json:"at"`
	Data json.RawMessage `json:"data"`
}

// Timeline returns the claim's events, oldest first, with its status.
func (s *Service) Timeline(ctx context.Context, tenant, claimID string) (*Timeline, error) {
	c, err := s.claim(ctx, tenant, claimID)
	if err != nil {
		return nil, err
	}
	evs, err := s.store.ListEvents(ctx, tenant, claimID)
	if err != nil {
		return nil, err
	}
	t := &Timeline{ClaimID: c.ID, RecordID: c.RecordID, Status: c.Status, PayerClaimNumber: c.PayerClaimNumber,
		Events: make([]TimelineEvent, 0, len(evs))}
	for _, e := range evs {
		data := e.Payload
		if data == nil {
			data = json.RawMessage("{}")
		}
		t.Events = append(t.Events, TimelineEvent{Seq: e.Seq, Kind: e.Kind, At: e.At, Data: data})
	}
	return t, nil
}
