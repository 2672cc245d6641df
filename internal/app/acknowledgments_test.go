package app_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/app"
)

// ackEvent is the acknowledgment event as the timeline contract has it.
type ackEvent struct {
	AcknowledgmentID string `json:"acknowledgment_id"`
	Type             string `json:"type"`
	Outcome          string `json:"outcome"`
	ControlNumber    string `json:"control_number"`
	Errors           []struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		SegmentID string `json:"segment_id"`
		Loop      string `json:"loop"`
		Element   string `json:"element"`
		Fix       string `json:"fix"`
	} `json:"errors"`
	Status []struct {
		Category     string `json:"category"`
		CategoryText string `json:"category_text"`
		Code         string `json:"code"`
		CodeText     string `json:"code_text"`
		Entity       string `json:"entity"`
	} `json:"status"`
}

func ackEvents(t *testing.T, svc *app.Service, tenant, claimID string) []ackEvent {
	t.Helper()
	tl := must(svc.Timeline(ctx, tenant, claimID))(t)
	var out []ackEvent
	for _, e := range tl.Events {
		if e.Kind != app.EventAcknowledgment {
			continue
		}
		var a ackEvent
		if err := json.Unmarshal(e.Data, &a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

const ackISA = "ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*CASEBRIDGE     *261128*0800*^*00501*000000731*0*T*:~"

// ack999 answers our sets (GS06 = ST02 number = n, as casebridge writes
// them): accepted ones with IK5*A, rejected ones with a CLM05-3 error.
func ack999(accepted, rejected []int) []byte {
	var b strings.Builder
	b.WriteString(ackISA + "GS*FA*CLEARINGHOUSE*CASEBRIDGE*20261128*0800*731*X*005010X231A1~")
	st := 0
	one := func(n int, body string, ak9 string) {
		st++
		segs := fmt.Sprintf("AK1*HC*%d*005010X224A2~AK2*837*%04d*005010X224A2~%sAK9*%s~", n, n, body, ak9)
		b.WriteString(fmt.Sprintf("ST*999*%04d*005010X231A1~%sSE*%d*%04d~", st, segs, strings.Count(segs, "~")+2, st))
	}
	for _, n := range accepted {
		one(n, "IK5*A~", "A*1*1*1")
	}
	for _, n := range rejected {
		one(n, "IK3*CLM*22*2300*8~IK4*5:3*1325*7~IK5*R*I5~", "R*1*1*0")
	}
	b.WriteString(fmt.Sprintf("GE*%d*731~IEA*1*000000731~", st))
	return []byte(b.String())
}

func ctlOf(t *testing.T, r *app.SubmitResult) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(r.ControlNumbers.Group, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAcknowledgment999: each 999 set lands on the claim whose 837D it
// answers, with the outcome and the errors' fixes; an unknown set is
// unmatched; another tenant's claim with the same numbers is never touched.
func TestAcknowledgment999(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newService(t, st)
		self := submitted(t, svc, "t1", "self.json")
		dep := submitted(t, svc, "t1", "dependent.json")
		other := submitted(t, svc, "t2", "self.json") // t2's counter: the same numbers as t1's first claim
		if ctlOf(t, other) != ctlOf(t, self) {
			t.Fatalf("tenants' first control numbers differ: %d, %d", ctlOf(t, other), ctlOf(t, self))
		}

		res := must(svc.SubmitAcknowledgment(ctx, "t1", ack999([]int{ctlOf(t, self)}, []int{ctlOf(t, dep), 999})))(t)
		if res.Type != "999" || res.Matched != 2 || res.Unmatched != 1 || len(res.Claims) != 2 ||
			res.Claims[0] != (app.AcknowledgedClaim{ClaimID: self.ID, Outcome: "accepted"}) ||
			res.Claims[1] != (app.AcknowledgedClaim{ClaimID: dep.ID, Outcome: "rejected"}) ||
			len(res.UnmatchedItems) != 1 || res.UnmatchedItems[0].Transaction != "0999" {
			t.Fatalf("result %+v", res)
		}
		evs := ackEvents(t, svc, "t1", self.ID)
		if len(evs) != 1 || evs[0].Outcome != "accepted" || evs[0].AcknowledgmentID != res.ID || evs[0].Type != "999" ||
			evs[0].ControlNumber != self.ControlNumbers.Transaction || len(evs[0].Errors) != 0 {
			t.Errorf("accepted event %+v", evs)
		}
		evs = ackEvents(t, svc, "t1", dep.ID)
		if len(evs) != 1 || evs[0].Outcome != "rejected" || len(evs[0].Errors) != 1 {
			t.Fatalf("rejected event %+v", evs)
		}
		e := evs[0].Errors[0]
		if e.Code != "IK4-7" || e.SegmentID != "CLM" || e.Loop != "2300" || e.Element != "CLM05-3" ||
			!strings.HasPrefix(e.Fix, "Use a code value the implementation guide allows in CLM05-3.") ||
			e.Message != "Invalid code value: CLM05-3 (data element 1325), CLM segment at position 22 of the transaction set, loop 2300." {
			t.Errorf("error %+v", e)
		}
		if evs := ackEvents(t, svc, "t2", other.ID); len(evs) != 0 {
			t.Errorf("another tenant's claim got %d events", len(evs))
		}
		// the claim's status is unchanged: the timeline tells the rejection
		if c := must(svc.Timeline(ctx, "t1", dep.ID))(t); c.Status != app.StatusSubmitted {
			t.Errorf("status %s", c.Status)
		}
	})
}

// TestAcknowledgmentTA1 matches by ISA13 and 277CA by patient control number
// (then payer claim number), keeping the payer claim number on the claim.
func TestAcknowledgmentTA1And277CA(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newService(t, st)
		self := submitted(t, svc, "t1", "self.json")
		dep := submitted(t, svc, "t1", "dependent.json")
		submitted(t, svc, "t2", "dependent.json")

		ta1 := ackISA + "TA1*" + self.ControlNumbers.Interchange + "*261127*1000*R*022~IEA*0*000000731~"
		res := must(svc.SubmitAcknowledgment(ctx, "t1", []byte(ta1)))(t)
		if res.Type != "TA1" || res.Matched != 1 || res.Claims[0].ClaimID != self.ID || res.Claims[0].Outcome != "rejected" {
			t.Fatalf("TA1 result %+v", res)
		}
		evs := ackEvents(t, svc, "t1", self.ID)
		if len(evs) != 1 || evs[0].ControlNumber != self.ControlNumbers.Interchange || evs[0].Errors[0].Code != "TA1-022" {
			t.Errorf("TA1 event %+v", evs)
		}

		res = must(svc.SubmitAcknowledgment(ctx, "t1", testdata(t, "277ca/claims.x12")))(t)
		if res.Type != "277CA" || res.Matched != 2 || res.Unmatched != 0 ||
			res.Claims[0] != (app.AcknowledgedClaim{ClaimID: self.ID, Outcome: "accepted"}) ||
			res.Claims[1] != (app.AcknowledgedClaim{ClaimID: dep.ID, Outcome: "rejected"}) {
			t.Fatalf("277CA result %+v", res)
		}
		evs = ackEvents(t, svc, "t1", dep.ID)
		if len(evs) != 1 || len(evs[0].Status) != 2 || evs[0].Status[0].Category != "A7" || evs[0].Status[0].Code != "562" ||
			evs[0].Status[0].CategoryText == "" || evs[0].Status[0].CodeText == "" || evs[0].Status[0].Entity != "85" ||
			len(evs[0].Errors) != 2 || evs[0].Errors[0].Code != "STC-A7:562" || !strings.Contains(evs[0].Errors[0].Fix, "NPI") {
			t.Errorf("277CA rejected event %+v", evs)
		}
		if tl := must(svc.Timeline(ctx, "t1", self.ID))(t); tl.PayerClaimNumber != "PCN7788990001" {
			t.Errorf("payer claim number %q", tl.PayerClaimNumber)
		}
		// by payer claim number when the patient control number is unknown
		raw := strings.Replace(string(testdata(t, "277ca/claims.x12")), "TRN*2*CM000123~", "TRN*2*ZZ999~", 1)
		res = must(svc.SubmitAcknowledgment(ctx, "t1", []byte(raw)))(t)
		if res.Matched != 2 || res.Claims[0].ClaimID != self.ID {
			t.Errorf("by payer claim number %+v", res)
		}
		// t2 has only dependent.json: the self claim is unmatched there
		res = must(svc.SubmitAcknowledgment(ctx, "t2", testdata(t, "277ca/claims.x12")))(t)
		if res.Matched != 1 || res.Unmatched != 1 || res.UnmatchedItems[0].PatientControlNumber != "CM000123" {
			t.Errorf("t2 %+v", res)
		}
	})
}

func TestAcknowledgmentIdempotencyAndErrors(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newService(t, st)
		self := submitted(t, svc, "t1", "self.json")
		body := ack999([]int{ctlOf(t, self)}, nil)
		first := must(svc.SubmitAcknowledgment(ctx, "t1", body, app.AcknowledgmentOptions{IdempotencyKey: "k"}))(t)
		again := must(svc.SubmitAcknowledgment(ctx, "t1", body, app.AcknowledgmentOptions{IdempotencyKey: "k"}))(t)
		if again.ID != first.ID || len(ackEvents(t, svc, "t1", self.ID)) != 1 {
			t.Errorf("replay stored twice: %s %s", first.ID, again.ID)
		}
		_, err := svc.SubmitAcknowledgment(ctx, "t1", ack999(nil, []int{ctlOf(t, self)}), app.AcknowledgmentOptions{IdempotencyKey: "k"})
		wantErr(t, err, app.ErrIdempotencyKeyReused, "same key, another body")

		_, err = svc.SubmitAcknowledgment(ctx, "t1", []byte(ackISA+"GS*HC*A*B*20261128*0800*1*X*005010X224A2~ST*837*0001~SE*2*0001~GE*1*1~IEA*1*000000731~"))
		var de *app.DecodeError
		var xe *x12.Error
		if !errors.As(err, &de) || de.Status != 422 || !errors.As(err, &xe) || xe.Segment != 2 || xe.Element != 1 {
			t.Errorf("an 837 as acknowledgment: %v", err)
		}
		if len(ackEvents(t, svc, "t1", self.ID)) != 1 {
			t.Error("a refused file added events")
		}
	})
}

// TestAcknowledgmentSenders: control numbers are counted per ISA06 sender,
// so two claims of a tenant may carry the same numbers; a 999 answers the
// one whose 837D its ISA08 addresses.
func TestAcknowledgmentSenders(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newService(t, st)
		if _, err := st.EnsureTenant(ctx, app.Tenant{ID: "t1", Name: "t1"}); err != nil {
			t.Fatal(err)
		}
		isa := func(sender string) []byte {
			return []byte(fmt.Sprintf("ISA*00*          *00*          *ZZ*%-15s*ZZ*CLEARINGHOUSE  *261127*1000*^*00501*000000005*0*T*:~", sender))
		}
		var ids []string
		for _, sender := range []string{"CASEBRIDGE", "OTHERSENDER"} {
			c := must(st.CreateClaim(ctx, app.Claim{Tenant: "t1", RecordID: "R-" + sender, Status: app.StatusSubmitted,
				Record: json.RawMessage(`{}`), ScrubReport: json.RawMessage(`{"valid":true,"problems":[]}`), X12: isa(sender),
				Control: &app.ControlNumbers{Interchange: 5, Group: 5, Transaction: 5}}))(t)
			ids = append(ids, c.ID)
		}
		body := strings.Replace(string(ack999([]int{5}, nil)), "*ZZ*CASEBRIDGE     *", "*ZZ*OTHERSENDER    *", 1)
		res := must(svc.SubmitAcknowledgment(ctx, "t1", []byte(body)))(t)
		if res.Matched != 1 || res.Claims[0].ClaimID != ids[1] {
			t.Errorf("addressed to OTHERSENDER: %+v", res)
		}
		// addressed to neither: both (the numbers are all there is)
		body = strings.Replace(string(ack999([]int{5}, nil)), "*ZZ*CASEBRIDGE     *", "*ZZ*NOBODY         *", 1)
		if res := must(svc.SubmitAcknowledgment(ctx, "t1", []byte(body)))(t); res.Matched != 2 {
			t.Errorf("addressed to neither: %+v", res)
		}
	})
}
