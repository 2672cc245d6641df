package snip

// Stable issue codes and the acknowledgment codes each maps onto.
//
// Sources for the codes: ASC X12 005010X231A1 (999 Implementation
// Acknowledgment), IK304 (data element 620, implementation segment syntax
// error code), IK403 (621, implementation data element syntax error code),
// IK502 (618, implementation transaction set syntax error code) and AK905
// (716, functional group syntax error code); TA105 (I18, interchange note
// code) from the 005010 TA1 segment. Summarised in
// /work/shared/spec/x12.md §6.1 and §6.3.
const (
	// SNIP 1: syntax.
	CodeISAInvalid          = "ISA_INVALID"          // ISA not 106 bytes, misaligned, bad delimiters
	CodeTruncated           = "TRUNCATED"            // input ends inside a segment
	CodeSegmentTooLong      = "SEGMENT_TOO_LONG"     // segment over the reader's limit
	CodeSegmentIDInvalid    = "SEGMENT_ID_INVALID"   // not 2-3 upper-case letters/digits
	CodeEnvelopeUnclosed    = "ENVELOPE_UNCLOSED"    // ISA/GS/ST without IEA/GE/SE
	CodeEnvelopeUnexpected  = "ENVELOPE_UNEXPECTED"  // segment outside its envelope
	CodeSE01Count           = "SE01_COUNT"           // SE01 != segments ST..SE
	CodeSE02Mismatch        = "SE02_MISMATCH"        // ST02 != SE02
	CodeGE01Count           = "GE01_COUNT"           // GE01 != number of ST
	CodeGE02Mismatch        = "GE02_MISMATCH"        // GS06 != GE02
	CodeIEA01Count          = "IEA01_COUNT"          // IEA01 != number of GS
	CodeIEA02Mismatch       = "IEA02_MISMATCH"       // ISA13 != IEA02
	CodeSTControlDuplicate  = "ST02_DUPLICATE"       // ST02 repeated in a group
	CodeGSControlDuplicate  = "GS06_DUPLICATE"       // GS06 repeated in an interchange
	CodeTooManyElements     = "TOO_MANY_ELEMENTS"    // more elements than the segment defines
	CodeTooManyComponents   = "TOO_MANY_COMPONENTS"  // more components than the composite defines
	CodeTooManyRepetitions  = "TOO_MANY_REPETITIONS" // repetition separator in a non-repeating element
	CodeElementTooShort     = "ELEMENT_TOO_SHORT"
	CodeElementTooLong      = "ELEMENT_TOO_LONG"
	CodeInvalidCharacter    = "INVALID_CHARACTER" // outside the character set, a delimiter, or not a number for N/R
	CodeInvalidDate         = "INVALID_DATE"
	CodeInvalidTime         = "INVALID_TIME"
	CodeConditionalMissing  = "ELEMENT_CONDITIONAL_MISSING" // a syntax note (paired, conditional) of the standard not met
	CodeSetNotSupported     = "SET_NOT_SUPPORTED"           // ST01 with no rule table
	CodeSetIDMismatch       = "SET_ID_MISMATCH"             // ST01 not of the group's GS01
	CodeImplementationWrong = "IMPLEMENTATION_UNSUPPORTED"

	// SNIP 2: implementation guide syntax.
	CodeSegmentUnexpected      = "SEGMENT_UNEXPECTED"       // known to the guide, not allowed here
	CodeSegmentNotInSet        = "SEGMENT_NOT_IN_SET"       // not used anywhere in the guide
	CodeSegmentOutOfOrder      = "SEGMENT_OUT_OF_ORDER"     // allowed in this loop, but earlier
	CodeSegmentRequiredMissing = "SEGMENT_REQUIRED_MISSING" // a required segment or loop is absent
	CodeSegmentOverMaxUse      = "SEGMENT_OVER_MAX_USE"
	CodeLoopOverMax            = "LOOP_OVER_MAX"
	CodeSegmentNotUsed         = "SEGMENT_NOT_USED"
	CodeElementRequiredMissing = "ELEMENT_REQUIRED_MISSING"
	CodeElementNotUsed         = "ELEMENT_NOT_USED"
	CodeCodeValueInvalid       = "CODE_VALUE_INVALID"
	CodeHLNumber               = "HL_NUMBER_INVALID"     // HL01 not 1, 2, 3… in the set
	CodeHLParent               = "HL_PARENT_INVALID"     // HL02 not the HL01 of the enclosing level
	CodeHLChildCode            = "HL_CHILD_CODE_INVALID" // HL04 disagrees with the levels that follow

	// SNIP 3: balancing.
	CodeUnbalanced = "UNBALANCED"
	// SNIP 4: situational.
	CodeSituationalMissing  = "SITUATIONAL_SEGMENT_MISSING"
	CodeSituationalElement  = "SITUATIONAL_ELEMENT_MISSING"
	CodeSituationalExcluded = "SITUATIONAL_SEGMENT_EXCLUDED" // a segment or loop the situation rules out
	// SNIP 5: external code sets.
	CodeCodeSet = "CODE_SET_INVALID"
	// SNIP 7: trading partner (casebridge's D9997 edits).
	CodeTradingPartner = "TRADING_PARTNER"
)

// ack is the acknowledgment codes of an issue code.
type ack struct{ ta1, ak9, ik5, ik3, ik4 string }

// acks maps issue codes onto 999/TA1 codes. Element-level codes carry IK304
// 8 ("segment has data element errors") with their IK403; IK502 is 5 for
// standard syntax (SNIP 1) and I5 for implementation errors (SNIP 2-5).
var acks = map[string]ack{
	CodeISAInvalid:          {ta1: "022"},
	CodeTruncated:           {ta1: "023"},
	CodeSegmentTooLong:      {ta1: "022"},
	CodeSegmentIDInvalid:    {ik3: "1", ik5: "5"},
	CodeSE01Count:           {ik5: "4"},
	CodeSE02Mismatch:        {ik5: "3"},
	CodeGE01Count:           {ak9: "5"},
	CodeGE02Mismatch:        {ak9: "4"},
	CodeIEA01Count:          {ta1: "021"},
	CodeIEA02Mismatch:       {ta1: "001"},
	CodeSTControlDuplicate:  {ik5: "23"},
	CodeGSControlDuplicate:  {ak9: "19"},
	CodeEnvelopeUnexpected:  {ta1: "024"},
	CodeTooManyElements:     {ik3: "8", ik4: "3", ik5: "5"},
	CodeTooManyComponents:   {ik3: "8", ik4: "13", ik5: "5"},
	CodeTooManyRepetitions:  {ik3: "8", ik4: "12", ik5: "5"},
	CodeElementTooShort:     {ik3: "8", ik4: "4", ik5: "5"},
	CodeElementTooLong:      {ik3: "8", ik4: "5", ik5: "5"},
	CodeInvalidCharacter:    {ik3: "8", ik4: "6", ik5: "5"},
	CodeInvalidDate:         {ik3: "8", ik4: "8", ik5: "5"},
	CodeInvalidTime:         {ik3: "8", ik4: "9", ik5: "5"},
	CodeSetNotSupported:     {ik5: "1"},
	CodeSetIDMismatch:       {ik5: "6"},
	CodeImplementationWrong: {ik5: "I6"},

	CodeSegmentUnexpected:      {ik3: "2", ik5: "I5"},
	CodeSegmentNotInSet:        {ik3: "6", ik5: "I5"},
	CodeSegmentOutOfOrder:      {ik3: "7", ik5: "I5"},
	CodeSegmentRequiredMissing: {ik3: "3", ik5: "I5"},
	CodeSegmentOverMaxUse:      {ik3: "5", ik5: "I5"},
	CodeLoopOverMax:            {ik3: "4", ik5: "I5"},
	CodeSegmentNotUsed:         {ik3: "I4", ik5: "I5"},
	CodeElementRequiredMissing: {ik3: "8", ik4: "1", ik5: "I5"},
	CodeElementNotUsed:         {ik3: "8", ik4: "I10", ik5: "I5"},
	CodeCodeValueInvalid:       {ik3: "8", ik4: "7", ik5: "I5"},
	CodeHLNumber:               {ik3: "8", ik4: "I12", ik5: "I5"},
	CodeHLParent:               {ik3: "8", ik4: "I12", ik5: "I5"},
	CodeHLChildCode:            {ik3: "8", ik4: "7", ik5: "I5"},

	// Balancing: the element holding the total fails the guide's rule; X231A1
	// has no balancing code, I12 (implementation pattern match failure) is
	// the usual choice.
	CodeUnbalanced: {ik3: "8", ik4: "I12", ik5: "I5"},
	// A segment the guide requires in this situation is absent: IK304 I6
	// "implementation dependent segment missing".
	CodeSituationalMissing: {ik3: "I6", ik5: "I5"},
	// A syntax note of the standard (X12.6 P/C relational conditions):
	// IK403 2 "conditional required data element missing"; a situational
	// element of the guide: IK403 I9 "implementation dependent data element
	// missing".
	CodeConditionalMissing: {ik3: "8", ik4: "2", ik5: "5"},
	CodeSituationalElement: {ik3: "8", ik4: "I9", ik5: "I5"},
	// IK304 I9 "implementation dependent not used segment present".
	CodeSituationalExcluded: {ik3: "I9", ik5: "I5"},
	// External code sets: IK403 7 (invalid code value) for code lists, I12
	// (pattern match failure) for check digits and shapes; set per rule.
	CodeCodeSet: {ik3: "8", ik4: "7", ik5: "I5"},
	// Trading-partner edits are not X12 syntax: no 999 code (a 277CA
	// reports them); they stay in the report.
	CodeTradingPartner: {},
}

// setAcks fills the acknowledgment codes of is from its code.
func setAcks(is *Issue) {
	a := acks[is.Code]
	is.TA1, is.AK9, is.IK5, is.IK3, is.IK4 = a.ta1, a.ak9, a.ik5, a.ik3, a.ik4
}
