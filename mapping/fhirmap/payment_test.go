package fhirmap_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	dpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/datatypes_go_proto"
	bcrpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"
	crpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/claim_response_go_proto"
	prpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/payment_reconciliation_go_proto"

	"github.com/casebridge/casebridge/internal/money"
	"github.com/casebridge/casebridge/mapping/fhirmap"
	"github.com/casebridge/casebridge/mapping/remit"
)

// readable835s returns every file under testdata (all directories) that the
// 835 reader accepts, with its transaction sets.
func readable835s(t *testing.T) map[string][]*remit.Transaction {
	t.Helper()
	out := map[string][]*remit.Transaction{}
	err := filepath.WalkDir("../../testdata", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		var txs []*remit.Transaction
		if _, err := remit.Read(f, remit.Options{}, func(tx *remit.Transaction) error {
			txs = append(txs, tx)
			return nil
		}); err == nil && len(txs) > 0 {
			out[path] = txs
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 10 {
		t.Fatalf("only %d readable 835 files under testdata", len(out))
	}
	return out
}

func amountOf(t *testing.T, m *dpb.Money) money.Amount {
	t.Helper()
	if m == nil {
		return money.Zero
	}
	a, err := money.Parse(m.GetValue().GetValue())
	if err != nil {
		t.Fatalf("amount %q: %v", m.GetValue().GetValue(), err)
	}
	return a
}

func splitBundle(b *bcrpb.Bundle) (*prpb.PaymentReconciliation, map[string]*crpb.ClaimResponse, []*crpb.ClaimResponse) {
	var pr *prpb.PaymentReconciliation
	byURL := map[string]*crpb.ClaimResponse{}
	var list []*crpb.ClaimResponse
	for _, e := range b.GetEntry() {
		if p := e.GetResource().GetPaymentReconciliation(); p != nil {
			pr = p
		}
		if cr := e.GetResource().GetClaimResponse(); cr != nil {
			byURL[e.GetFullUrl().GetValue()] = cr
			list = append(list, cr)
		}
	}
	return pr, byURL, list
}

// TestPaymentDetailsSum (issue 7 item 13): for every 835 in testdata the
// reader accepts, PaymentReconciliation.paymentAmount is BPR02 and the
// details sum to it; the details of each ClaimResponse sum to its
// payment.amount (0 when it has no payment), and payment.amount is the
// benefit (CLP04) plus payment.adjustment.
func TestPaymentDetailsSum(t *testing.T) {
	for path, txs := range readable835s(t) {
		for _, tx := range txs {
			t.Run(strings.TrimPrefix(path, "../../testdata/")+"#"+tx.ControlNumber, func(t *testing.T) {
				b, _ := fhirmap.RemitBundle(tx, fhirmap.RemitOptions{At: at})
				pr, byURL, _ := splitBundle(b)
				if got := amountOf(t, pr.GetPaymentAmount()); !got.Equal(tx.Payment.Amount) {
					t.Errorf("paymentAmount %s, BPR02 %s", got, tx.Payment.Amount)
				}
				sum := money.Zero
				perResponse := map[string]money.Amount{}
				for _, d := range pr.GetDetail() {
					a := amountOf(t, d.GetAmount())
					sum = sum.Add(a)
					if ref := d.GetResponse().GetUri().GetValue(); ref != "" {
						if byURL[ref] == nil {
							t.Errorf("detail response %s is no ClaimResponse of the Bundle", ref)
						}
						perResponse[ref] = perResponse[ref].Add(a)
					}
				}
				if !sum.Equal(tx.Payment.Amount) {
					t.Errorf("details sum to %s, paymentAmount (BPR02) is %s", sum, tx.Payment.Amount)
				}
				for url, cr := range byURL {
					pay := cr.GetPayment()
					if got := amountOf(t, pay.GetAmount()); !got.Equal(perResponse[url]) {
						t.Errorf("%s: payment.amount %s, its details sum to %s", url, got, perResponse[url])
					}
					if pay == nil {
						continue
					}
					var benefit money.Amount
					for _, tot := range cr.GetTotal() {
						if tot.GetCategory().GetCoding()[0].GetCode().GetValue() == "benefit" {
							benefit = amountOf(t, tot.GetAmount())
						}
					}
					if want := benefit.Add(amountOf(t, pay.GetAdjustment())); !amountOf(t, pay.GetAmount()).Equal(want) {
						t.Errorf("%s: payment.amount %s, benefit + adjustment %s", url, amountOf(t, pay.GetAmount()), want)
					}
				}
			})
		}
	}
}

func responseByRequest(t *testing.T, list []*crpb.ClaimResponse, pcn string, n int) *crpb.ClaimResponse {
	t.Helper()
	for _, cr := range list {
		if cr.GetRequest().GetIdentifier().GetValue().GetValue() == pcn {
			if n == 0 {
				return cr
			}
			n--
		}
	}
	t.Fatalf("no ClaimResponse %d for %s", n, pcn)
	return nil
}

func paymentType(cr *crpb.ClaimResponse) string {
	return cr.GetPayment().GetType().GetCoding()[0].GetCode().GetValue()
}

// TestClaimResponsePayment (issue 7 item 13): complete for a finalized
// payment, no payment for a zero-paid claim, a PLB that names the claim in
// payment.adjustment with its reason, reversals negative.
func TestClaimResponsePayment(t *testing.T) {
	bundles, _ := remitBundles(t, "../../testdata/835/d9997_dental.x12")
	_, _, list := splitBundle(bundles[0])
	if p := responseByRequest(t, list, "CM-1001", 0).GetPayment(); p != nil {
		t.Errorf("zero-paid denial has a payment: %v", p)
	}
	partial := responseByRequest(t, list, "CM-1003", 0) // paid 60 of 150
	if paymentType(partial) != "complete" || !amountOf(t, partial.GetPayment().GetAmount()).Equal(money.MustParse("60")) {
		t.Errorf("finalized payment: %v", partial.GetPayment())
	}
	if partial.GetPayment().GetAdjustment() != nil {
		t.Errorf("adjustment without a PLB: %v", partial.GetPayment())
	}

	bundles, _ = remitBundles(t, "../../testdata/835/reversal_corrected.x12")
	pr, _, list := splitBundle(bundles[0])
	// PLB*…*L6:ICN-PAY-2*-2.50: interest added to PAY-2's payment.
	pay2 := responseByRequest(t, list, "PAY-2", 0).GetPayment()
	if !amountOf(t, pay2.GetAdjustment()).Equal(money.MustParse("2.50")) || !amountOf(t, pay2.GetAmount()).Equal(money.MustParse("302.50")) {
		t.Errorf("PAY-2 payment: %v", pay2)
	}
	if cs := pay2.GetAdjustmentReason().GetCoding(); len(cs) != 1 || cs[0].GetCode().GetValue() != "L6" || cs[0].GetSystem().GetValue() != fhirmap.SystemPLBReason {
		t.Errorf("PAY-2 adjustment reason: %v", pay2.GetAdjustmentReason())
	}
	if pay2.GetAdjustmentReason().GetText().GetValue() == "" {
		t.Errorf("PAY-2 adjustment reason has no text")
	}
	// CLP02 = 22: the money taken back is a negative, complete payment.
	rev := responseByRequest(t, list, "REV-1", 0)
	if paymentType(rev) != "complete" || !amountOf(t, rev.GetPayment().GetAmount()).Equal(money.MustParse("-100")) {
		t.Errorf("reversal payment: %v", rev.GetPayment())
	}
	// PLB WO:ICN-OLD-7 names no claim of this 835: a detail of its own.
	found := false
	for _, d := range pr.GetDetail() {
		if d.GetIdentifier().GetValue().GetValue() == "ICN-OLD-7" {
			found = true
			if d.GetResponse() != nil || !amountOf(t, d.GetAmount()).Equal(money.MustParse("-15")) {
				t.Errorf("WO detail: %v", d)
			}
		}
	}
	if !found {
		t.Error("no detail for the WO recovery")
	}
}

// TestPaymentUnbalanced: when BPR02 is not Σ CLP04 − Σ PLB04 the difference
// is a detail of its own and a process note says so.
func TestPaymentUnbalanced(t *testing.T) {
	bundles, _ := remitBundles(t, "../../testdata/835/public/databricks_835_plb_sample.x12")
	pr, _, _ := splitBundle(bundles[0])
	if len(pr.GetProcessNote()) == 0 {
		t.Errorf("no process note on an unbalanced 835")
	}
	last := pr.GetDetail()[len(pr.GetDetail())-1]
	if last.GetResponse() != nil || last.GetType().GetText().GetValue() == "" {
		t.Errorf("difference detail: %v", last)
	}
}

// TestPLBClaimMatchUnambiguous: a PLB reference that fits more than one
// claim stays on the PaymentReconciliation.
func TestPLBClaimMatchUnambiguous(t *testing.T) {
	tx := &remit.Transaction{
		Payment: remit.Payment{Amount: money.MustParse("95")},
		Claims: []remit.Claim{
			{PatientControlNumber: "A", StatusCode: "22", Charge: money.MustParse("-100"), Paid: money.MustParse("-100"), PayerClaimControlNo: "ICN1"},
			{PatientControlNumber: "A", StatusCode: "1", Charge: money.MustParse("100"), Paid: money.MustParse("100"), PayerClaimControlNo: "ICN2"},
			{PatientControlNumber: "B", StatusCode: "1", Charge: money.MustParse("100"), Paid: money.MustParse("100"), PayerClaimControlNo: "ICN3"},
		},
		ProviderAdjustments: []remit.ProviderAdjustment{
			{Reason: "CS", Reference: "A", Amount: money.MustParse("3")},    // two claims have CLP01 A
			{Reason: "WO", Reference: "ICN3", Amount: money.MustParse("2")}, // CLP07 of B
		},
	}
	b, _ := fhirmap.RemitBundle(tx, fhirmap.RemitOptions{At: at})
	_, _, list := splitBundle(b)
	for i, cr := range list {
		adj := cr.GetPayment().GetAdjustment()
		switch i {
		case 0, 1:
			if adj != nil {
				t.Errorf("claim %d took the ambiguous PLB: %v", i, cr.GetPayment())
			}
		case 2:
			if !amountOf(t, adj).Equal(money.MustParse("-2")) || !amountOf(t, cr.GetPayment().GetAmount()).Equal(money.MustParse("98")) {
				t.Errorf("claim B: %v", cr.GetPayment())
			}
		}
	}
}
