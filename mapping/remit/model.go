package remit

import "github.com/casebridge/casebridge/internal/money"

// Transaction is one ST/SE transaction set of an 835: one payment (or
// notification) from one payer to one payee, with its claims and provider
// adjustments. Everything the findings and the FHIR ClaimResponse mapping
// need is kept; segment ordinals (ISA = 1) give positions.
type Transaction struct {
	InterchangeControlNumber string // ISA13
	GroupControlNumber       string // GS06, "" when the set is outside a group
	Version                  string // GS08, e.g. 005010X221A1
	ControlNumber            string // ST02
	Segment                  int    // ordinal of ST
	SegmentCount             int    // segments ST..SE inclusive, as read

	Payment        Payment
	ProductionDate string // DTM*405, YYYY-MM-DD
	Payer          Party  // 1000A N1*PR
	Payee          Party  // 1000B N1*PE (the first one of the set)

	Claims              []Claim
	ProviderAdjustments []ProviderAdjustment

	// Balanced is true when every line, claim and the set itself balance
	// (see Read); each failure is also a Warning.
	Balanced bool
}

// Payment is BPR and TRN.
type Payment struct {
	Handling        string       // BPR01: C, D, H, I, P, U, X
	Amount          money.Amount // BPR02 total actual provider payment (may be 0 or, in practice, negative)
	CreditDebit     string       // BPR03: C or D
	Method          string       // BPR04: ACH, CHK, FWT, BOP, NON
	Format          string       // BPR05: CCP, CTX
	SenderRouting   string       // BPR07
	SenderAccount   string       // BPR09
	PayerID         string       // BPR10
	ReceiverRouting string       // BPR13
	ReceiverAccount string       // BPR15
	Date            string       // BPR16 check issue or EFT effective date, YYYY-MM-DD
	TraceType       string       // TRN01
	TraceNumber     string       // TRN02 check or EFT trace number
	TraceOriginator string       // TRN03 payer identifier (1 + EIN)
	TraceSupplement string       // TRN04
	Segment         int          // ordinal of BPR
}

// Party is a payer (N1*PR) or payee (N1*PE) with its address and REF ids.
type Party struct {
	Name        string // N102
	IDQualifier string // N103: XV, XX, FI, ...
	ID          string // N104
	Address     []string
	City        string
	State       string
	PostalCode  string
	References  []Reference
	Segment     int // ordinal of N1
}

// Ref returns the value of the first REF with qualifier q, or "".
func (p *Party) Ref(q string) string { return refValue(p.References, q) }

// Claim is one 2100 loop (CLP and what follows it up to the next CLP, LX,
// N1*PE, PLB or SE).
type Claim struct {
	HeaderNumber          string       // LX01 of the enclosing 2000 loop, "" without LX
	PatientControlNumber  string       // CLP01 = 837 CLM01
	StatusCode            string       // CLP02
	Charge                money.Amount // CLP03
	Paid                  money.Amount // CLP04
	PatientResponsibility money.Amount // CLP05 (zero when absent)
	HasPatientResp        bool         // CLP05 was present
	FilingIndicator       string       // CLP06
	PayerClaimControlNo   string       // CLP07 (ICN)
	FacilityType          string       // CLP08
	Frequency             string       // CLP09
	DRG                   string       // CLP11

	Payee       Party  // the payee in effect for this claim (N1*PE groups may change it)
	Names       []Name // every NM1 of the claim: QC patient, IL insured, 74 corrected, 82 rendering, TT, PR, GB
	Adjustments []Adjustment
	Remarks     []Remark // MOA03-07 and MIA05/20-23
	References  []Reference
	Dates       []Date // DTM 232, 233, 036, 050, ...
	Amounts     []QualifiedAmount
	Quantities  []Quantity
	Lines       []Line
	Segment     int // ordinal of CLP
}

// Name returns the first NM1 with entity code entity (NM101), or nil.
func (c *Claim) Name(entity string) *Name {
	for i := range c.Names {
		if c.Names[i].Entity == entity {
			return &c.Names[i]
		}
	}
	return nil
}

// Patient is NM1*QC.
func (c *Claim) Patient() *Name { return c.Name("QC") }

// Insured is NM1*IL (present when the insured is not the patient).
func (c *Claim) Insured() *Name { return c.Name("IL") }

// MemberID is the insured's id when given, else the patient's.
func (c *Claim) MemberID() string {
	if n := c.Insured(); n != nil && n.ID != "" {
		return n.ID
	}
	if n := c.Patient(); n != nil {
		return n.ID
	}
	return ""
}

// Date returns the date of the first DTM with qualifier q, or "".
func (c *Claim) Date(q string) string { return dateValue(c.Dates, q) }

// Ref returns the value of the first REF with qualifier q, or "".
func (c *Claim) Ref(q string) string { return refValue(c.References, q) }

// Amount returns the first AMT with qualifier q.
func (c *Claim) Amount(q string) (money.Amount, bool) { return amountValue(c.Amounts, q) }

// Reversal reports CLP02 = 22.
func (c *Claim) Reversal() bool { return c.StatusCode == "22" }

// Line is one 2110 service line.
type Line struct {
	Procedure          Procedure     // SVC01 adjudicated code
	Charge             money.Amount  // SVC02
	Paid               money.Amount  // SVC03
	RevenueCode        string        // SVC04
	Units              string        // SVC05 paid units, shortest decimal form; "" when absent (means 1)
	SubmittedProcedure *Procedure    // SVC06 code as billed, when the payer changed it
	OriginalUnits      string        // SVC07
	ControlNumber      string        // REF*6R = 837 line item control number
	Allowed            *money.Amount // AMT*B6
	ServiceFrom        string        // DTM*472 or DTM*150, YYYY-MM-DD
	ServiceTo          string        // DTM*472 or DTM*151, YYYY-MM-DD

	Adjustments []Adjustment
	Remarks     []Remark // LQ
	References  []Reference
	Dates       []Date
	Amounts     []QualifiedAmount
	Quantities  []Quantity
	Segment     int // ordinal of SVC
}

// Ref returns the value of the first REF with qualifier q, or "".
func (l *Line) Ref(q string) string { return refValue(l.References, q) }

// Procedure is an SVC01 or SVC06 composite.
type Procedure struct {
	Qualifier   string   // AD (CDT), HC, NU, ...
	Code        string   // e.g. D9997
	Modifiers   []string // components 3-6
	Description string   // component 7
}

// String is the code with its modifiers, "D9997" or "00220:P2".
func (p Procedure) String() string {
	s := p.Code
	for _, m := range p.Modifiers {
		if m != "" {
			s += ":" + m
		}
	}
	return s
}

// Name is an NM1 segment of the 2100 loop.
type Name struct {
	Entity      string // NM101: QC, IL, 74, 82, TT, PR, GB
	Type        string // NM102: 1 person, 2 organisation
	Last        string // NM103 (or organisation name)
	First       string // NM104
	Middle      string // NM105
	Suffix      string // NM107
	IDQualifier string // NM108: MI, HN, II, XX, C, ...
	ID          string // NM109 (member id for QC/IL)
	Segment     int
}

// Adjustment is one CAS triplet: the group of its segment, the reason code,
// the signed amount and the optional quantity.
type Adjustment struct {
	Group    string       // CAS01: CO, OA, PI, PR (CR in old files)
	Reason   string       // CARC
	Amount   money.Amount // signed; negated on reversals
	Quantity string       // shortest decimal form, "" when absent
	Segment  int          // ordinal of CAS
	Triplet  int          // 1-6 within the segment
}

// Code is "GROUP-REASON", e.g. "CO-16".
func (a Adjustment) Code() string { return a.Group + "-" + a.Reason }

// Remark is a remark code: an RARC from MOA, MIA or LQ*HE, or an NCPDP code
// from LQ*RX.
type Remark struct {
	Qualifier string // HE (RARC) or RX (NCPDP); HE for MOA/MIA
	Code      string
	Source    string // element it came from: "LQ02", "MOA03", "MIA05", ...
	Segment   int
}

// Reference is a REF segment.
type Reference struct {
	Qualifier string
	Value     string
	Segment   int
}

// Date is a DTM segment, converted to YYYY-MM-DD ("" when it was invalid).
type Date struct {
	Qualifier string
	Date      string
	Segment   int
}

// QualifiedAmount is an AMT segment.
type QualifiedAmount struct {
	Qualifier string
	Amount    money.Amount
	Segment   int
}

// Quantity is a QTY segment (value in shortest decimal form).
type Quantity struct {
	Qualifier string
	Value     string
	Segment   int
}

// ProviderAdjustment is one PLB reason/amount pair.
type ProviderAdjustment struct {
	ProviderID       string       // PLB01
	FiscalPeriodDate string       // PLB02, YYYY-MM-DD
	Reason           string       // PLBnn-1, e.g. WO, L6, FB
	Reference        string       // PLBnn-2, often the claim the money belongs to
	Amount           money.Amount // positive reduces the payment, negative adds to it
	Segment          int
	Pair             int // 1-6 within the segment
}

func refValue(refs []Reference, q string) string {
	for _, r := range refs {
		if r.Qualifier == q {
			return r.Value
		}
	}
	return ""
}

func dateValue(ds []Date, q string) string {
	for _, d := range ds {
		if d.Qualifier == q {
			return d.Date
		}
	}
	return ""
}

func amountValue(as []QualifiedAmount, q string) (money.Amount, bool) {
	for _, a := range as {
		if a.Qualifier == q {
			return a.Amount, true
		}
	}
	return money.Zero, false
}
