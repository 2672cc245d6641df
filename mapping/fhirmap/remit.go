package fhirmap

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	cpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/codes_go_proto"
	dpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/datatypes_go_proto"
	bcrpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"
	crpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/claim_response_go_proto"
	orgpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/organization_go_proto"
	prpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/payment_reconciliation_go_proto"

	"github.com/casebridge/casebridge/internal/codes"
	"github.com/casebridge/casebridge/internal/money"
	"github.com/casebridge/casebridge/mapping/remit"
)

// More systems of the 835 side.
const (
	SystemPaymentType    = "http://terminology.hl7.org/CodeSystem/payment-type"
	SystemExPaymentType  = "http://terminology.hl7.org/CodeSystem/ex-paymenttype"
	SystemPLBReason      = "https://codesystem.x12.org/005010/426"
	SystemClaimStatusX12 = "https://codesystem.x12.org/005010/1029"
	SystemTraceNumber    = Base + "sid/eft-trace-number"
)

// WarnItemSequence is the warning code of a service line whose Claim item
// sequence could not be read from REF*6R and was taken from line order.
const WarnItemSequence = "FHIR_ITEM_SEQUENCE_FROM_ORDER"

// RemitOptions tune the 835 → ClaimResponse mapping.
type RemitOptions struct {
	// At is Bundle.timestamp, and created where BPR16 is missing.
	At time.Time
	// LineSequence finds the Claim item sequence of a service line from its
	// claim's patient control number (CLP01) and its line item control number
	// (REF*6R). Nil uses DefaultLineSequence.
	LineSequence func(patientControlNumber, lineControlNumber string) (int, bool)
	// Warnings, if not nil, collects the mapping's warnings (one collector
	// for every set of a file, in bounded memory: the first
	// remit.MaxWarningsPerCode of a code, the rest counted); nil gives each
	// RemitSet its own.
	Warnings *remit.Warnings
}

// DefaultLineSequence reads the sequence from the line control numbers
// casebridge writes by default ("<record_id>-<n>") or from a plain number.
func DefaultLineSequence(pcn, lcn string) (int, bool) {
	if n, err := strconv.Atoi(lcn); err == nil && n > 0 {
		return n, true
	}
	if rest, ok := strings.CutPrefix(lcn, pcn+"-"); ok && pcn != "" {
		if n, err := strconv.Atoi(rest); err == nil && n > 0 {
			return n, true
		}
	}
	return 0, false
}

// RemitBundle maps one parsed 835 transaction set (ST/SE) to a collection
// Bundle: a PaymentReconciliation for BPR/TRN whose details are each
// claim's payment and each provider adjustment (PLB), a ClaimResponse per
// CLP loop (PLBs that name the claim also in its payment.adjustment), and
// the payer and payee Organizations they reference. Ids are UUIDv5 over the set's
// control numbers and trace number. The warnings say where an item sequence
// had to be taken from line order. It is RemitSet over a set held whole.
func RemitBundle(tx *remit.Transaction, opts RemitOptions) (*bcrpb.Bundle, []remit.Warning) {
	s := NewRemitSet(tx, opts)
	defer s.Close()
	each := func(fn func(i int, c *remit.Claim) error) error {
		for i := range tx.Claims {
			if err := fn(i, &tx.Claims[i]); err != nil {
				return err
			}
		}
		return nil
	}
	_ = each(func(i int, c *remit.Claim) error { s.Claim(i, c); return nil })
	_ = s.Finish(tx, each)
	pr := s.Reconciliation()
	_ = each(func(i int, c *remit.Claim) error { pr.Detail = append(pr.Detail, s.ClaimDetail(i, c)); return nil })
	pr.Detail = append(pr.Detail, s.AdjustmentDetails()...)
	b := s.Shell()
	add := func(id string, cr *bcrpb.ContainedResource) {
		b.Entry = append(b.Entry, &bcrpb.Bundle_Entry{FullUrl: furi("urn:uuid:" + id), Resource: cr})
	}
	add(s.ReconciliationID(), ContainedReconciliation(pr))
	_ = each(func(i int, c *remit.Claim) error {
		cr := s.ClaimResponse(i, c)
		add(cr.GetId().GetValue(), ContainedClaimResponse(cr))
		return nil
	})
	for _, o := range s.Organizations() {
		add(o.GetId().GetValue(), ContainedOrganization(o))
	}
	return b, s.Warnings()
}

// ContainedReconciliation, ContainedClaimResponse and ContainedOrganization
// wrap a resource of a set for a Bundle entry.
func ContainedReconciliation(pr *prpb.PaymentReconciliation) *bcrpb.ContainedResource {
	return &bcrpb.ContainedResource{OneofResource: &bcrpb.ContainedResource_PaymentReconciliation{PaymentReconciliation: pr}}
}

func ContainedClaimResponse(cr *crpb.ClaimResponse) *bcrpb.ContainedResource {
	return &bcrpb.ContainedResource{OneofResource: &bcrpb.ContainedResource_ClaimResponse{ClaimResponse: cr}}
}

func ContainedOrganization(o *orgpb.Organization) *bcrpb.ContainedResource {
	return &bcrpb.ContainedResource{OneofResource: &bcrpb.ContainedResource_Organization{Organization: o}}
}

// RemitSet maps one transaction set piece by piece, for sets too large to
// hold (one set of a million claims): the caller hands it each claim as it
// is read (Claim: running sums and the set's reversals), then at SE
// (Finish) a way to replay the claims in order (the PLB references are
// resolved in one pass, only when the set has some), and can then write
// the set's Bundle one resource at a time, in RemitBundle's order: the
// Reconciliation (ClaimDetail per claim, then AdjustmentDetails), each
// ClaimResponse, the Organizations. What it keeps grows only with the
// PLBs and the distinct payees, never with the claims (the set's
// reversals are kept in bounded memory: remit_reversals.go). Close
// releases it.
type RemitSet struct {
	tx       *remit.Transaction
	opts     RemitOptions
	ids      idMaker
	orgs     map[string]string // party key → Organization id
	orgList  []*orgpb.Organization
	warnings *remit.Warnings
	payerID  string
	prID     string

	claims   int          // claims seen
	paid     money.Amount // Σ CLP04
	revs     reversals    // CLP02 22 claims with a CLP07
	plbClaim []int        // per provider adjustment, the index of its claim or -1
	tied     map[int][]int
}

// NewRemitSet starts the mapping of a set; tx's header (Begin of
// remit.Stream) is complete, its claims need not be.
func NewRemitSet(tx *remit.Transaction, opts RemitOptions) *RemitSet {
	if opts.LineSequence == nil {
		opts.LineSequence = DefaultLineSequence
	}
	if opts.Warnings == nil {
		opts.Warnings = &remit.Warnings{}
	}
	s := &RemitSet{tx: tx, opts: opts, orgs: map[string]string{}, warnings: opts.Warnings,
		ids: idMaker{npi: "835", recordID: strings.Join([]string{tx.InterchangeControlNumber, tx.GroupControlNumber,
			tx.ControlNumber, tx.Payment.TraceNumber, tx.Payment.TraceOriginator}, "/")}}
	s.payerID = s.org(tx.Payer, rolePayer)
	s.prID = s.ids.id("PaymentReconciliation", "payment", "")
	return s
}

// BundleID is the id of the set's Bundle.
func (s *RemitSet) BundleID() string { return s.ids.id("Bundle", roleBundle, "") }

// Shell is the set's Bundle without its entries.
func (s *RemitSet) Shell() *bcrpb.Bundle {
	id := s.BundleID()
	return &bcrpb.Bundle{
		Id:         &dpb.Id{Value: id},
		Identifier: identifier(SystemURI, "urn:uuid:"+id),
		Type:       &bcrpb.Bundle_TypeCode{Value: cpb.BundleTypeCode_COLLECTION},
		Timestamp:  instant(s.opts.At),
	}
}

// ReconciliationID is the id of the set's PaymentReconciliation.
func (s *RemitSet) ReconciliationID() string { return s.prID }

// Claim takes claim i (0-based, in file order) as it is read; c is not kept.
func (s *RemitSet) Claim(i int, c *remit.Claim) {
	s.claims = i + 1
	s.paid = s.paid.Add(c.Paid)
	if c.Reversal() && c.PayerClaimControlNo != "" {
		s.revs.add(c.PayerClaimControlNo, i)
	}
}

// Finish is called once every claim was given to Claim, with tx's
// ProviderAdjustments complete (End of remit.Stream). each replays the
// claims in order; it is called only when a PLB names a reference. An
// error of each is returned.
func (s *RemitSet) Finish(tx *remit.Transaction, each func(fn func(i int, c *remit.Claim) error) error) error {
	s.tx = tx
	s.revs.finish()
	s.plbClaim = make([]int, len(tx.ProviderAdjustments))
	s.tied = nil
	type match struct{ icnN, icnAt, pcnN, pcnAt int }
	refs := map[string]*match{}
	for k, pa := range tx.ProviderAdjustments {
		s.plbClaim[k] = -1
		if ref := strings.TrimSpace(pa.Reference); ref != "" {
			refs[ref] = &match{}
		}
	}
	if len(refs) == 0 {
		return nil
	}
	count := func(n, at *int, i int) {
		if *n == 0 {
			*at = i
		}
		*n++
	}
	if err := each(func(i int, c *remit.Claim) error {
		if m := refs[strings.TrimSpace(c.PayerClaimControlNo)]; m != nil {
			count(&m.icnN, &m.icnAt, i)
		}
		if m := refs[strings.TrimSpace(c.PatientControlNumber)]; m != nil {
			count(&m.pcnN, &m.pcnAt, i)
		}
		return nil
	}); err != nil {
		return err
	}
	// claimOfPLB: the claim whose CLP07 (ICN) equals the reference, else
	// the one whose CLP01 does; a reference that fits more than one
	// belongs to none.
	for k, pa := range tx.ProviderAdjustments {
		m := refs[strings.TrimSpace(pa.Reference)]
		switch {
		case m == nil:
		case m.icnN == 1:
			s.plbClaim[k] = m.icnAt
		case m.icnN == 0 && m.pcnN == 1:
			s.plbClaim[k] = m.pcnAt
		}
		if c := s.plbClaim[k]; c >= 0 {
			if s.tied == nil {
				s.tied = map[int][]int{}
			}
			s.tied[c] = append(s.tied[c], k)
		}
	}
	return nil
}

func (s *RemitSet) claimResponseID(i int) string {
	return s.ids.id("ClaimResponse", "claim", strconv.Itoa(i+1))
}

// ClaimDetail is the PaymentReconciliation detail of claim i: one per
// claim, also at zero, so that every ClaimResponse of the 835 is linked
// to the payment.
func (s *RemitSet) ClaimDetail(i int, c *remit.Claim) *prpb.PaymentReconciliation_Details {
	return &prpb.PaymentReconciliation_Details{
		Type:     concept(SystemPaymentType, "payment", ""),
		Response: urnRef(s.claimResponseID(i)),
		Amount:   usd(c.Paid),
	}
}

// AdjustmentDetails are the details after the claims' (after Finish).
// Every PLB amount is a detail of type adjustment (payment-type:
// "an adjustment regarding claims already paid";
// http://hl7.org/fhir/R4/codesystem-payment-type.html), signed as its
// effect on the payment (PLB04 positive reduces it, x12.md §4.5); one
// tied to a claim also references that claim's ClaimResponse. R4
// PaymentReconciliation.detail is the "distribution of the payment
// amount" (http://hl7.org/fhir/R4/paymentreconciliation-definitions.html#PaymentReconciliation.detail),
// so with them the details sum to paymentAmount; when the 835 does not
// balance, one more detail holds the difference (see Reconciliation).
func (s *RemitSet) AdjustmentDetails() []*prpb.PaymentReconciliation_Details {
	var out []*prpb.PaymentReconciliation_Details
	for k, pa := range s.tx.ProviderAdjustments {
		reason, text := plbReason(pa.Reason)
		d := &prpb.PaymentReconciliation_Details{
			Type:   &dpb.CodeableConcept{Coding: codings(coding(SystemPaymentType, "adjustment", ""), reason)},
			Amount: usd(pa.Amount.Neg()),
		}
		if text != "" {
			d.Type.Text = fstr(text)
		}
		if pa.Reference != "" {
			d.Identifier = &dpb.Identifier{Value: fstr(pa.Reference)}
		}
		if day, ok := fhirDate(pa.FiscalPeriodDate); ok {
			d.Date = day
		}
		if c := s.plbClaim[k]; c >= 0 {
			d.Response = urnRef(s.claimResponseID(c))
		}
		out = append(out, d)
	}
	if _, diff := s.unexplained(); !diff.IsZero() {
		out = append(out, &prpb.PaymentReconciliation_Details{
			Type:   &dpb.CodeableConcept{Coding: codings(coding(SystemPaymentType, "adjustment", "")), Text: fstr("Unexplained difference: the remittance does not balance")},
			Amount: usd(diff),
		})
	}
	return out
}

// unexplained is Σ CLP04 − Σ PLB04, and BPR02 less that.
func (s *RemitSet) unexplained() (sum, diff money.Amount) {
	sum = s.paid
	for _, pa := range s.tx.ProviderAdjustments {
		sum = sum.Sub(pa.Amount)
	}
	return sum, s.tx.Payment.Amount.Sub(sum)
}

// Organizations are the Organizations the set's resources made so far, in
// the order they were first referenced.
func (s *RemitSet) Organizations() []*orgpb.Organization { return s.orgList }

// Warnings are the mapping's warnings so far (those of opts.Warnings when
// it was set), bounded as remit.Warnings.List.
func (s *RemitSet) Warnings() []remit.Warning { return s.warnings.List() }

// Err is the first I/O error of the reversals' temporary file: the
// ClaimResponses mapped since may miss a cancellation.
func (s *RemitSet) Err() error { return s.revs.err }

// Close releases the reversals' temporary file, if one was made.
func (s *RemitSet) Close() { s.revs.close() }

// created is BPR16 (day precision) or At.
func (m *RemitSet) created() *dpb.DateTime {
	if d, ok := fhirDate(m.tx.Payment.Date); ok {
		return &dpb.DateTime{ValueUs: d.GetValueUs(), Precision: dpb.DateTime_DAY, Timezone: "UTC"}
	}
	return dateTime(m.opts.At)
}

func (m *RemitSet) paymentDate() *dpb.Date {
	if d, ok := fhirDate(m.tx.Payment.Date); ok {
		return d
	}
	at := m.opts.At.UTC()
	return &dpb.Date{ValueUs: time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC).UnixMicro(), Precision: dpb.Date_DAY, Timezone: "UTC"}
}

func (m *RemitSet) traceIdentifier() *dpb.Identifier {
	if t := m.tx.Payment.TraceNumber; t != "" {
		return identifier(SystemTraceNumber, t)
	}
	return nil
}

// Reconciliation is the set's PaymentReconciliation without its details
// (after Finish): paymentAmount stays BPR02, the amount of the financial
// instrument. When the 835 does not balance (BPR02 ≠ Σ CLP04 − Σ PLB04;
// the reader warns TRANSACTION_UNBALANCED) the difference is a detail of
// its own (AdjustmentDetails), so the details still sum to paymentAmount,
// and a note says so.
func (m *RemitSet) Reconciliation() *prpb.PaymentReconciliation {
	tx, id := m.tx, m.prID
	pr := &prpb.PaymentReconciliation{
		Id:                &dpb.Id{Value: id},
		Status:            &prpb.PaymentReconciliation_StatusCode{Value: cpb.FinancialResourceStatusCode_ACTIVE},
		Created:           m.created(),
		PaymentIssuer:     urnRef(m.payerID),
		Outcome:           &prpb.PaymentReconciliation_OutcomeCode{Value: cpb.ClaimProcessingCode_COMPLETE},
		PaymentDate:       m.paymentDate(),
		PaymentAmount:     usd(tx.Payment.Amount),
		PaymentIdentifier: m.traceIdentifier(),
	}
	if tx.Payee.Name != "" || tx.Payee.ID != "" {
		pr.Requestor = urnRef(m.org(tx.Payee, "payee"))
	}
	if tx.Payment.Method != "" {
		pr.Disposition = fstr(fmt.Sprintf("835 payment, method %s", tx.Payment.Method))
	}
	if tx.ControlNumber != "" {
		pr.Identifier = []*dpb.Identifier{{Value: fstr(tx.ControlNumber), Type: &dpb.CodeableConcept{Text: fstr("ST02 transaction set control number")}}}
	}
	if sum, diff := m.unexplained(); !diff.IsZero() {
		msg := fmt.Sprintf("The 835 does not balance: BPR02 %s is not the claim payments less the provider adjustments (%s); the difference %s is not explained by the remittance.",
			tx.Payment.Amount, sum, diff)
		pr.ProcessNote = append(pr.ProcessNote, &prpb.PaymentReconciliation_Notes{
			Type: &prpb.PaymentReconciliation_Notes_TypeCode{Value: cpb.NoteTypeCode_DISPLAY}, Text: fstr(msg)})
	}
	return pr
}

// org returns the id of the Organization for an 835 party, adding it once.
func (m *RemitSet) org(p remit.Party, role string) string {
	key := role + "\x00" + p.IDQualifier + "\x00" + p.ID + "\x00" + p.Name
	if id, ok := m.orgs[key]; ok {
		return id
	}
	id := m.ids.id("Organization", role, strconv.Itoa(len(m.orgs)+1))
	m.orgs[key] = id
	o := &orgpb.Organization{Id: &dpb.Id{Value: id}}
	if p.Name != "" {
		o.Name = fstr(p.Name)
	}
	addID := func(system, value, typeSystem, typeCode string) {
		if value == "" {
			return
		}
		i := identifier(system, value)
		if typeCode != "" {
			i.Type = concept(typeSystem, typeCode, "")
		}
		o.Identifier = append(o.Identifier, i)
	}
	switch {
	case role == rolePayer:
		payerID := p.ID
		if payerID == "" {
			payerID = p.Ref("2U")
		}
		addID(SystemPayerID, payerID, SystemC4BBIDType, "payerid")
	case p.IDQualifier == "XX":
		addID(SystemNPI, p.ID, "", "")
	case p.IDQualifier == "FI":
		addID(SystemTIN, p.ID, SystemIdentifierType, "TAX")
	case p.ID != "":
		o.Identifier = append(o.Identifier, &dpb.Identifier{Value: fstr(p.ID), Type: &dpb.CodeableConcept{Text: fstr("N103 " + p.IDQualifier)}})
	}
	if tin := p.Ref("TJ"); tin != "" && p.IDQualifier != "FI" {
		addID(SystemTIN, tin, SystemIdentifierType, "TAX")
	}
	if len(p.Address) > 0 || p.City != "" || p.State != "" || p.PostalCode != "" {
		o.Address = []*dpb.Address{fhirAddress(p.Address, p.City, p.State, p.PostalCode)}
	}
	if o.Name == nil && len(o.Identifier) == 0 && len(o.Address) == 0 {
		o.Name = fstr("unnamed " + role)
	}
	m.orgList = append(m.orgList, o)
	return id
}

var claimStatusText = map[string]string{
	"1":  "Processed as primary",
	"2":  "Processed as secondary",
	"3":  "Processed as tertiary",
	"4":  "Denied",
	"19": "Processed as primary, forwarded to additional payer(s)",
	"20": "Processed as secondary, forwarded to additional payer(s)",
	"21": "Processed as tertiary, forwarded to additional payer(s)",
	"22": "Reversal of previous payment",
	"23": "Not our claim, forwarded to additional payer(s)",
	"25": "Predetermination pricing only, no payment",
}

// claimType is the Claim type from the first service line's code
// qualifier: AD (CDT) oral, HC and other procedure codes professional, a
// revenue code institutional; oral when the claim has no line.
func claimType(c *remit.Claim) string {
	if len(c.Lines) == 0 {
		return "oral"
	}
	l := c.Lines[0]
	switch q := l.Procedure.Qualifier; {
	case q == "AD":
		return "oral"
	case q == "NU" || (q == "" && l.RevenueCode != ""):
		return "institutional"
	case q == "N4":
		return "pharmacy"
	}
	return "professional"
}

// ClaimResponse maps claim i (after Finish); c is not kept.
func (m *RemitSet) ClaimResponse(i int, c *remit.Claim) *crpb.ClaimResponse {
	cr := &crpb.ClaimResponse{
		Id:      &dpb.Id{Value: m.claimResponseID(i)},
		Status:  &crpb.ClaimResponse_StatusCode{Value: cpb.FinancialResourceStatusCode_ACTIVE},
		Type:    concept(SystemClaimType, claimType(c), ""),
		Use:     &crpb.ClaimResponse_UseCode{Value: cpb.UseCode_CLAIM},
		Patient: m.patient(c),
		Created: m.created(),
		Insurer: urnRef(m.payerID),
		Outcome: &crpb.ClaimResponse_OutcomeCode{Value: cpb.ClaimProcessingCode_COMPLETE},
	}
	if c.StatusCode == "25" {
		cr.Use.Value = cpb.UseCode_PREDETERMINATION
	}
	if remit.Status(c.StatusCode) == remit.StatusPended {
		cr.Outcome.Value = cpb.ClaimProcessingCode_QUEUED
	}
	if m.reversedLater(i, c) {
		cr.Status.Value = cpb.FinancialResourceStatusCode_CANCELLED
	}
	disp := claimStatusText[c.StatusCode]
	if disp == "" {
		disp = "Pended or unknown claim status"
	}
	cr.Disposition = fstr(disp)
	if reCode.MatchString(c.StatusCode) {
		cr.Extension = append(cr.Extension, extCoding(ExtClaimStatus, SystemClaimStatusX12, c.StatusCode))
	}
	if c.Payee.Name != "" || c.Payee.ID != "" {
		cr.Requestor = urnRef(m.org(c.Payee, "payee"))
	}
	if c.PatientControlNumber != "" {
		cr.Request = &dpb.Reference{Type: furi("Claim"), Identifier: identifier(SystemRecordID, c.PatientControlNumber)}
	}
	if icn := c.PayerClaimControlNo; icn != "" {
		id := identifier(SystemPayerClaimNumber, icn)
		id.Type = concept(SystemC4BBIDType, "uc", "")
		id.Assigner = urnRef(m.payerID)
		cr.Identifier = []*dpb.Identifier{id}
	}

	cr.Total = []*crpb.ClaimResponse_Total{
		{Category: concept(SystemAdjudication, "submitted", ""), Amount: usd(c.Charge)},
		{Category: concept(SystemAdjudication, "benefit", ""), Amount: usd(c.Paid)},
	}
	if c.HasPatientResp {
		cr.Total = append(cr.Total, &crpb.ClaimResponse_Total{Category: concept(SystemC4BBAdjudicate, "memberliability", ""), Amount: usd(c.PatientResponsibility)})
	}

	claimCats, lineCats := remit.Categories(c)
	notes := &noteList{}
	for i, a := range c.Adjustments {
		cr.Adjudication = append(cr.Adjudication, adjustment(a, claimCats[i]))
	}
	for _, r := range c.Remarks {
		cr.Adjudication = append(cr.Adjudication, remark(r))
		notes.add(r)
	}

	seen := map[int]bool{}
	for li := range c.Lines {
		l := &c.Lines[li]
		seq, ok := 0, false
		if l.ControlNumber != "" {
			seq, ok = m.opts.LineSequence(c.PatientControlNumber, l.ControlNumber)
		}
		if !ok || seen[seq] {
			seq = li + 1
			m.warnings.Add(remit.Warning{Code: WarnItemSequence, SegmentNumber: l.Segment, SegmentID: "SVC",
				Message: "The service line's item sequence is not given by its line item control number (REF*6R); line order is used."})
		}
		seen[seq] = true
		adj := []*crpb.ClaimResponse_Item_Adjudication{
			{Category: concept(SystemAdjudication, "submitted", ""), Amount: usd(l.Charge)},
			{Category: concept(SystemAdjudication, "benefit", ""), Amount: usd(l.Paid)},
		}
		if l.Allowed != nil {
			adj = append(adj, &crpb.ClaimResponse_Item_Adjudication{Category: concept(SystemAdjudication, "eligible", ""), Amount: usd(*l.Allowed)})
		}
		for i, a := range l.Adjustments {
			adj = append(adj, adjustment(a, lineCats[li][i]))
		}
		var noteNumbers []*dpb.PositiveInt
		for _, r := range l.Remarks {
			adj = append(adj, remark(r))
			noteNumbers = append(noteNumbers, fpos(notes.add(r)))
		}
		item := &crpb.ClaimResponse_Item{ItemSequence: fpos(seq), NoteNumber: noteNumbers}
		if l.ControlNumber != "" {
			item.Extension = []*dpb.Extension{extString(ExtLineItemControlNumber, l.ControlNumber)}
		}
		if l.SubmittedProcedure != nil {
			// The payer adjudicated another code than the one billed: the
			// billed item keeps what was submitted, the adjudication goes
			// with the code the payer used.
			item.Adjudication = adj[:1]
			cr.AddItem = append(cr.AddItem, &crpb.ClaimResponse_AddedItem{
				ItemSequence:     []*dpb.PositiveInt{fpos(seq)},
				ProductOrService: procedureConcept(l.Procedure),
				NoteNumber:       noteNumbers,
				Adjudication:     adj,
			})
		} else {
			item.Adjudication = adj
		}
		cr.Item = append(cr.Item, item)
	}
	cr.ProcessNote = notes.notes

	cr.Payment = m.payment(i, c)
	return cr
}

// payment is ClaimResponse.payment (R4,
// http://hl7.org/fhir/R4/claimresponse-definitions.html#ClaimResponse.payment):
//   - adjustment: "Total amount of all adjustments to this payment included
//     in this transaction which are not related to this claim's
//     adjudication" — the PLB amounts whose PLB03-2 names this claim
//     (claimOfPLB), signed as their effect on the payment (−PLB04: an
//     overpayment recovery is negative, interest positive);
//   - adjustmentReason: their PLB reason (coded when they share one reason,
//     in text only when they differ; each stays coded in its
//     PaymentReconciliation.detail);
//   - amount: "Benefits payable less any payment adjustment" = CLP04 +
//     adjustment (negative for a reversal, CLP02 = 22, which takes money
//     back);
//   - type: complete ("Complete (final) payment of the benefit under the
//     Claim less any adjustments", ex-paymenttype) for the finalized claims
//     of an 835, partial only for a pended claim (outcome queued) that
//     still moved money.
//
// A claim that moved no money (CLP04 = 0, no PLB of its own: a denial, a
// zero-paid claim, a predetermination) has no payment.
func (m *RemitSet) payment(i int, c *remit.Claim) *crpb.ClaimResponse_Payment {
	adjustment := money.Zero
	var tied []remit.ProviderAdjustment
	for _, k := range m.tied[i] {
		pa := m.tx.ProviderAdjustments[k]
		tied = append(tied, pa)
		adjustment = adjustment.Sub(pa.Amount)
	}
	if c.Paid.IsZero() && len(tied) == 0 {
		return nil
	}
	pay := &crpb.ClaimResponse_Payment{
		Type:       concept(SystemExPaymentType, "complete", ""),
		Amount:     usd(c.Paid.Add(adjustment)),
		Date:       m.paymentDate(),
		Identifier: m.traceIdentifier(),
	}
	if remit.Status(c.StatusCode) == remit.StatusPended {
		pay.Type = concept(SystemExPaymentType, "partial", "")
	}
	if len(tied) == 0 {
		return pay
	}
	pay.Adjustment = usd(adjustment)
	var reasons []string
	var texts []string
	for _, pa := range tied {
		_, text := plbReason(pa.Reason)
		if !slices.Contains(reasons, pa.Reason) {
			reasons = append(reasons, pa.Reason)
			if text == "" {
				text = pa.Reason
			} else if len(tied) > 1 {
				text = pa.Reason + ": " + text
			}
			texts = append(texts, text)
		}
	}
	rc := &dpb.CodeableConcept{Text: fstr(strings.Join(texts, "; "))}
	if len(reasons) == 1 {
		coded, text := plbReason(reasons[0])
		rc.Coding = codings(coded)
		if text != "" {
			rc.Text = fstr(text)
		}
	}
	if len(rc.Coding) > 0 || rc.GetText().GetValue() != "" {
		pay.AdjustmentReason = rc
	}
	return pay
}

// reversedLater reports whether a later claim of the set reverses claim i
// (CLP02 = 22 with the same payer claim number).
func (m *RemitSet) reversedLater(i int, c *remit.Claim) bool {
	if c.Reversal() || c.PayerClaimControlNo == "" {
		return false
	}
	last, ok := m.revs.last(c.PayerClaimControlNo)
	return ok && last > i
}

// patient is a logical reference by member id (NM1*IL, else NM1*QC).
func (m *RemitSet) patient(c *remit.Claim) *dpb.Reference {
	if id := c.MemberID(); id != "" {
		i := &dpb.Identifier{Value: fstr(id), Type: concept(SystemIdentifierType, "MB", "")}
		return &dpb.Reference{Type: furi("Patient"), Identifier: i}
	}
	return &dpb.Reference{Type: furi("Patient"), Extension: []*dpb.Extension{{Url: furi(SystemDataAbsent),
		Value: &dpb.Extension_ValueX{Choice: &dpb.Extension_ValueX_Code{Code: fcode("unknown")}}}}}
}

func procedureConcept(p remit.Procedure) *dpb.CodeableConcept {
	if p.Qualifier == "AD" && reCode.MatchString(p.Code) {
		return concept(SystemCDT, p.Code, "")
	}
	cc := &dpb.CodeableConcept{Text: fstr(p.Qualifier + ":" + p.String())}
	if p.Code != "" && reCode.MatchString(p.Code) {
		cc.Coding = []*dpb.Coding{{Code: fcode(p.Code)}}
	}
	return cc
}

// adjustmentCategory is the CARIN/base adjudication category of a CAS
// triplet: PR-1 deductible, PR-2 coinsurance, PR-3 copay, else
// adjustmentreason.
func adjustmentCategory(a remit.Adjustment) *dpb.CodeableConcept {
	if a.Group == "PR" {
		switch a.Reason {
		case "1":
			return concept(SystemAdjudication, "deductible", "")
		case "2":
			return concept(SystemC4BBAdjudicate, "coinsurance", "")
		case "3":
			return concept(SystemAdjudication, "copay", "")
		}
	}
	return concept(SystemC4BBDiscrim, "adjustmentreason", "")
}

// adjustment maps a CAS triplet: the category above, the CARC and our
// category as the reason, the amount, the quantity as value, and the group
// code (CO, PR, OA, PI) in the adjustment-group extension.
func adjustment(a remit.Adjustment, cat codes.Category) *crpb.ClaimResponse_Item_Adjudication {
	info, _ := lookupCARC(a.Reason)
	out := &crpb.ClaimResponse_Item_Adjudication{
		Category: adjustmentCategory(a),
		Reason: codeText(info,
			safeCoding(SystemCARC, a.Reason, info.Official),
			safeCoding(CodeSystemCategory, string(cat), ""),
		),
		Amount: usd(a.Amount),
	}
	if a.Quantity != "" {
		out.Value = &dpb.Decimal{Value: a.Quantity}
	}
	if a.Group != "" {
		if reCode.MatchString(a.Group) {
			out.Extension = []*dpb.Extension{extCoding(ExtAdjustmentGroup, SystemCASGroup, a.Group)}
		}
	}
	return out
}

// remark maps a remark code to an adjudication without amount.
func remark(r remit.Remark) *crpb.ClaimResponse_Item_Adjudication {
	reason := &dpb.CodeableConcept{}
	if r.Qualifier == "HE" {
		info, _ := lookupRARC(r.Code)
		reason = codeText(info, safeCoding(SystemRARC, r.Code, info.Official), safeCoding(CodeSystemCategory, string(info.Category), ""))
	}
	if len(reason.Coding) == 0 {
		reason.Text = fstr(strings.TrimSpace(r.Qualifier + " remark " + r.Code))
	}
	return &crpb.ClaimResponse_Item_Adjudication{Category: concept(SystemC4BBDiscrim, "adjustmentreason", ""), Reason: reason}
}

// noteList numbers the remark texts of a ClaimResponse (processNote).
type noteList struct {
	notes []*crpb.ClaimResponse_Note
	index map[string]int
}

func (n *noteList) add(r remit.Remark) int {
	key := r.Qualifier + ":" + r.Code
	if i, ok := n.index[key]; ok {
		return i
	}
	if n.index == nil {
		n.index = map[string]int{}
	}
	text := r.Code
	if info, ok := lookupRARC(r.Code); ok && r.Qualifier == "HE" && info.Description != "" {
		text = r.Code + ": " + info.Description
	}
	num := len(n.notes) + 1
	n.notes = append(n.notes, &crpb.ClaimResponse_Note{Number: fpos(num),
		Type: &crpb.ClaimResponse_Note_TypeCode{Value: cpb.NoteTypeCode_DISPLAY}, Text: fstr(text)})
	n.index[key] = num
	return num
}

// Lookups of the CARC, RARC and PLB tables (internal/codes). A variable so
// that tests can stand in a table with official descriptions.
var (
	lookupCARC = codes.CARC
	lookupRARC = codes.RARC
	lookupPLB  = codes.PLB
)

// codeText is a CodeableConcept of the codings (nil ones dropped) whose
// text is our own plain-language wording of the code (info.Description),
// when the table has the code. The X12 code's Coding.display carries only
// the code list's official description (info.Official, loaded by the
// operator) or nothing: R4 Coding.display is "a representation of the
// meaning of the code in the system, following the rules of the system",
// while CodeableConcept.text is "a human language representation of the
// concept as seen/selected/uttered by the user who entered the data and/or
// which represents the intended meaning of the user"
// (http://hl7.org/fhir/R4/datatypes-definitions.html#Coding.display,
// #CodeableConcept.text).
func codeText(info codes.Info, cs ...*dpb.Coding) *dpb.CodeableConcept {
	cc := &dpb.CodeableConcept{Coding: codings(cs...)}
	if info.Description != "" {
		cc.Text = fstr(info.Description)
	}
	return cc
}

// plbReason is the PLB03-1/05-1 reason as a coding (display = official
// description, if loaded) and our wording.
func plbReason(code string) (*dpb.Coding, string) {
	info, _ := lookupPLB(code)
	return safeCoding(SystemPLBReason, code, info.Official), info.Description
}

// safeCoding is a coding, or nil when code is not a valid FHIR code (835
// text is not checked against FHIR's code syntax).
func safeCoding(system, code, display string) *dpb.Coding {
	if !reCode.MatchString(code) {
		return nil
	}
	return coding(system, code, display)
}

func codings(cs ...*dpb.Coding) []*dpb.Coding {
	var out []*dpb.Coding
	for _, c := range cs {
		if c != nil {
			out = append(out, c)
		}
	}
	return out
}
