// Package snip validates X12 interchanges (837D 005010X224A2, 835
// 005010X221A1, 999 005010X231A1) by WEDI SNIP type, from rules kept as data,
// and turns what it finds into acknowledgments (999, TA1).
//
// This file is the contract between the validator and the acknowledgment
// writer: the Report a validation produces and every Issue in it. Positions
// are what a 999 needs (segment position in the transaction set, loop id,
// element and component position) and what a person needs (segment ordinal
// in the file, byte offset). Messages never quote element values: they name
// the position and the rule, so a report of a real file carries no PHI.
package snip

// Type is a WEDI SNIP validation type.
type Type int

// The SNIP types casebridge checks. Type 6 (product types or lines of
// service) is not one of them: for a dental-only gateway it is type 2.
const (
	Syntax         Type = 1 // EDI syntax integrity: delimiters, element types and lengths, envelopes
	HIPAASyntax    Type = 2 // implementation guide: loops, HL, order, usage, max use, code values
	Balancing      Type = 3 // amounts that must add up
	Situational    Type = 4 // inter-segment situational rules
	CodeSets       Type = 5 // external code sets (NPI, ICD-10-CM, CDT, taxonomy, state, ZIP)
	TradingPartner Type = 7 // trading-partner rules: casebridge's D9997 edits
)

// Severity of an issue: errors reject (IK5/AK9 "R" or "E" per the set's
// worst issue), warnings only inform.
type Severity string

// The severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Issue is one finding, positioned.
type Issue struct {
	Type     Type     `json:"snip_type"`
	Code     string   `json:"code"` // stable, upper snake case, e.g. ELEMENT_TOO_LONG
	Severity Severity `json:"severity"`
	Message  string   `json:"message"` // PHI-free: positions and rules, never values

	// Where, in the file.
	Segment    int    `json:"segment"`               // 1-based ordinal of the segment in the file (ISA is 1); 0 when not tied to one
	Offset     int64  `json:"offset"`                // byte offset of the segment's first byte
	SegmentID  string `json:"segment_id,omitempty"`  // e.g. "CLM"
	Loop       string `json:"loop,omitempty"`        // implementation loop id, e.g. "2300"; "" for envelopes
	Element    int    `json:"element,omitempty"`     // 1-based element position; 0 for the whole segment
	Component  int    `json:"component,omitempty"`   // 1-based component position in a composite; 0 for none
	Repetition int    `json:"repetition,omitempty"`  // 1-based repetition; 0 when the element does not repeat
	ElementRef string `json:"element_ref,omitempty"` // data element reference number (IK402), e.g. "1028"

	// Where, in the envelopes (for the 999's AK2/IK3 and the TA1).
	Interchange     int    `json:"interchange,omitempty"`    // 1-based ISA ordinal in the file
	Group           int    `json:"group,omitempty"`          // 1-based GS ordinal in the interchange; 0 for ISA/IEA issues
	Set             int    `json:"set,omitempty"`            // 1-based ST ordinal in the group; 0 for group-level issues
	SegmentInSet    int    `json:"segment_in_set,omitempty"` // IK302: position counted from ST = 1; 0 outside a set
	ControlNumber   string `json:"control_number,omitempty"` // ST02 of the set (or GS06 / ISA13 for envelope issues)
	ImplementationR string `json:"implementation,omitempty"` // ST03 / GS08, e.g. 005010X224A2

	// The acknowledgment codes this issue maps onto (X12 005010X231A1 code
	// lists; "" when the level does not apply).
	TA1 string `json:"ta1_note_code,omitempty"`  // TA105 interchange note code, e.g. "022" invalid control structure
	AK9 string `json:"ak9_error_code,omitempty"` // AK905.. functional group error code
	IK5 string `json:"ik5_error_code,omitempty"` // IK502.. implementation transaction set error code
	IK3 string `json:"ik3_error_code,omitempty"` // IK304 implementation segment syntax error code
	IK4 string `json:"ik4_error_code,omitempty"` // IK403 implementation element syntax error code
}

// Report is the result of validating one file.
type Report struct {
	Valid        bool          `json:"valid"` // no issue of SeverityError
	Types        []Type        `json:"snip_types"`
	Interchanges []Interchange `json:"interchanges"`
	Issues       []Issue       `json:"issues"`
	// Unusable: the interchange envelope could not be read (no usable ISA,
	// IEA missing or mismatched): answer with a TA1, not a 999.
	Unusable bool `json:"envelope_unusable"`
	// Omitted counts the issues found beyond MaxIssues and not listed (a
	// file that is not what it claims to be would otherwise give one issue
	// per segment, without bound).
	Omitted int `json:"issues_omitted,omitempty"`

	omittedErrors int
}

// MaxIssues is the most issues a Report lists.
const MaxIssues = 10000

// Interchange describes one ISA..IEA as read.
type Interchange struct {
	ControlNumber string  `json:"control_number"` // ISA13
	Sender        string  `json:"sender"`         // ISA06, trimmed
	SenderQual    string  `json:"sender_qualifier"`
	Receiver      string  `json:"receiver"` // ISA08, trimmed
	ReceiverQual  string  `json:"receiver_qualifier"`
	Date          string  `json:"date"`  // ISA09 YYMMDD
	Time          string  `json:"time"`  // ISA10 HHMM
	Usage         string  `json:"usage"` // ISA15
	Groups        []Group `json:"groups"`
}

// Group describes one GS..GE.
type Group struct {
	FunctionalID  string `json:"functional_id"`  // GS01, e.g. HC, HP, FA
	ControlNumber string `json:"control_number"` // GS06
	Version       string `json:"version"`        // GS08
	Sets          []Set  `json:"sets"`
}

// Set describes one ST..SE.
type Set struct {
	ID             string `json:"id"`             // ST01, e.g. 837
	ControlNumber  string `json:"control_number"` // ST02
	Implementation string `json:"implementation"` // ST03 (or the group's GS08 when ST03 is empty)
	Segments       int    `json:"segments"`       // counted ST..SE
	First          int    `json:"first_segment"`  // file ordinal of the ST
	Last           int    `json:"last_segment"`   // file ordinal of the SE (of the last segment read when SE is missing)
	Errors         int    `json:"errors"`
	Warnings       int    `json:"warnings"`
}
