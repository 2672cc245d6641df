package remit

import (
	"fmt"

	"github.com/casebridge/casebridge/internal/money"
)

// balanceClaim and balanceSet check the three equations of spec/x12.md
// §4.7 that issue 3 asks for, add a Warning per failure and set
// tx.Balanced:
//
//	line:        SVC02 − Σ line CAS = SVC03
//	claim:       CLP03 − Σ claim CAS − Σ line CAS = CLP04
//	transaction: BPR02 = Σ CLP04 − Σ PLB amounts
//
// Amounts are signed and compared exactly. balanceClaim runs as each claim
// is handed out and keeps only the running sum of CLP04; its warnings wait
// for the set's SE so they come in the same place as before streaming.
func (p *parser) balanceClaim(c *Claim) {
	p.sumPaid = p.sumPaid.Add(c.Paid)
	expected := c.Charge.Sub(sumAdjustments(c.Adjustments))
	for j := range c.Lines {
		l := &c.Lines[j]
		lineAdj := sumAdjustments(l.Adjustments)
		expected = expected.Sub(lineAdj)
		if want := l.Charge.Sub(lineAdj); !want.Equal(l.Paid) {
			p.balanced = false
			p.deferred.Add(Warning{
				Code: WarnLineUnbalanced, SegmentNumber: l.Segment, SegmentID: "SVC", Element: "SVC03",
				Message: fmt.Sprintf("line charge %s minus line adjustments %s is %s, but the line paid %s (difference %s)",
					l.Charge, lineAdj, want, l.Paid, want.Sub(l.Paid)),
			})
		}
	}
	if !expected.Equal(c.Paid) {
		p.balanced = false
		p.deferred.Add(Warning{
			Code: WarnClaimUnbalanced, SegmentNumber: c.Segment, SegmentID: "CLP", Element: "CLP04",
			Message: fmt.Sprintf("claim charge %s minus claim and line adjustments is %s, but the claim paid %s (difference %s)",
				c.Charge, expected, c.Paid, expected.Sub(c.Paid)),
		})
	}
}

// balanceSet checks the transaction equation at SE, after every claim has
// been through balanceClaim.
func (p *parser) balanceSet(tx *Transaction) {
	p.warnings.Merge(&p.deferred)
	p.deferred.Reset()
	tx.Balanced = p.balanced
	sumPLB := money.Zero
	for _, a := range tx.ProviderAdjustments {
		sumPLB = sumPLB.Add(a.Amount)
	}
	if want := p.sumPaid.Sub(sumPLB); !want.Equal(tx.Payment.Amount) {
		tx.Balanced = false
		p.warnings.Add(Warning{
			Code: WarnTransactionUnbalanced, SegmentNumber: tx.Payment.Segment, SegmentID: "BPR", Element: "BPR02",
			Message: fmt.Sprintf("claim payments %s minus provider adjustments %s is %s, but the payment is %s (difference %s)",
				p.sumPaid, sumPLB, want, tx.Payment.Amount, want.Sub(tx.Payment.Amount)),
		})
	}
}

func sumAdjustments(as []Adjustment) money.Amount {
	s := money.Zero
	for _, a := range as {
		s = s.Add(a.Amount)
	}
	return s
}
