package ack

// Code meanings for people, paraphrased (never a copy of the lists' text).
// Sources: ASC X12 005010X231A1 (999) code lists for IK304, IK403, IK502
// and AK905 (summarised in /work/shared/spec/x12.md §6.1); ASC X12 005010
// TA105 interchange note codes (§6.3); the Health Care Claim Status
// Category Codes (X12 external code source 507) and Health Care Claim
// Status Codes (code source 508), maintained by the X12 Code Maintenance
// Committee (x12.org/codes), as used in 005010X214 STC01.

// SegmentErrorText is IK304.
var SegmentErrorText = map[string]string{
	"1": "unrecognized segment ID", "2": "unexpected segment", "3": "required segment missing",
	"4": "loop occurs over maximum times", "5": "segment exceeds maximum use",
	"6": "segment not in defined transaction set", "7": "segment not in proper sequence",
	"8": "segment has data element errors", "I4": "implementation 'not used' segment present",
	"I6": "implementation dependent segment missing", "I7": "implementation loop occurs under minimum times",
	"I8": "implementation segment below minimum use", "I9": "implementation dependent 'not used' segment present",
}

// ElementErrorText is IK403.
var ElementErrorText = map[string]string{
	"1": "required data element missing", "2": "conditional required data element missing",
	"3": "too many data elements", "4": "data element too short", "5": "data element too long",
	"6": "invalid character in data element", "7": "invalid code value", "8": "invalid date",
	"9": "invalid time", "10": "exclusion condition violated", "12": "too many repetitions",
	"13": "too many components", "I6": "code value not used in implementation",
	"I9": "implementation dependent data element missing", "I10": "implementation 'not used' data element present",
	"I11": "implementation too few repetitions", "I12": "implementation pattern match failure",
	"I13": "implementation dependent 'not used' data element present",
}

// SetErrorText is IK502..IK506.
var SetErrorText = map[string]string{
	"1": "transaction set not supported", "2": "transaction set trailer missing",
	"3": "transaction set control number in header and trailer do not match",
	"4": "number of included segments does not match actual count", "5": "one or more segments in error",
	"6": "missing or invalid transaction set identifier", "7": "missing or invalid transaction set control number",
	"18": "transaction set not in functional group", "19": "invalid transaction set implementation convention reference",
	"23": "transaction set control number not unique within the functional group",
	"I5": "implementation one or more segments in error", "I6": "implementation convention not supported",
}

// GroupErrorText is AK905..AK909.
var GroupErrorText = map[string]string{
	"1": "functional group not supported", "2": "functional group version not supported",
	"3": "functional group trailer missing", "4": "group control number in header and trailer do not agree",
	"5": "number of included transaction sets does not match actual count", "6": "group control number violates syntax",
	"7": "invalid application sender code", "8": "invalid application receiver code", "9": "invalid agency code",
	"19": "group control number not unique within the interchange",
}

// NoteText is TA105.
var NoteText = map[string]string{
	"000": "no error", "001": "interchange control numbers in header and trailer do not match",
	"002": "standard in ISA11 not supported", "003": "version of the controls not supported",
	"004": "segment terminator invalid", "005": "invalid interchange ID qualifier for sender",
	"006": "invalid interchange sender ID", "007": "invalid interchange ID qualifier for receiver",
	"008": "invalid interchange receiver ID", "009": "unknown interchange receiver ID",
	"010": "invalid authorization information qualifier", "011": "invalid authorization information value",
	"012": "invalid security information qualifier", "013": "invalid security information value",
	"014": "invalid interchange date", "015": "invalid interchange time", "016": "invalid interchange standards identifier",
	"017": "invalid interchange version ID", "018": "invalid interchange control number",
	"019": "invalid acknowledgment requested value", "020": "invalid test indicator value",
	"021": "invalid number of included groups value", "022": "invalid control structure",
	"023": "improper (premature) end-of-file", "024": "invalid interchange content (e.g. invalid GS segment)",
	"025": "duplicate interchange control number", "026": "invalid data element separator",
	"027": "invalid component element separator",
}

// CategoryText is the claim status category (STC01-1).
var CategoryText = map[string]string{
	"A0": "acknowledgement: forwarded to another entity", "A1": "acknowledgement: receipt",
	"A2": "acknowledgement: accepted into the adjudication system", "A3": "acknowledgement: returned as unprocessable claim",
	"A4": "acknowledgement: not found", "A5": "acknowledgement: split claim",
	"A6": "acknowledgement: rejected for missing information", "A7": "acknowledgement: rejected for invalid information",
	"A8": "acknowledgement: rejected for relational field in error",
	"P0": "pending: adjudication or payment cycle", "P1": "pending: in process", "P2": "pending: payer review",
	"P3": "pending: provider requested information", "P4": "pending: patient requested information",
	"P5": "pending: payer administrative or system hold",
	"F0": "finalized", "F1": "finalized: payment", "F2": "finalized: denial", "F3": "finalized: revised",
	"F3F": "finalized: forwarded", "F3N": "finalized: not forwarded", "F4": "finalized: adjudication complete, no payment forthcoming",
	"R0": "requests for additional information: general", "R1": "requests for additional information: entity requests",
	"R3": "requests for additional information: claim or line", "R4": "requests for additional information: documentation",
	"R5": "request for more specific detail", "E0": "response not possible: error on submitted request data",
	"E1": "response not possible: system status", "E2": "information holder is not responding",
	"E3": "correction required: relational fields in error", "E4": "trading partner agreement specific requirement not met",
	"D0": "data search unsuccessful",
}

// StatusText is a few claim status codes (STC01-2) seen on 277CA answers to
// dental claims; others are given as their code only.
var StatusText = map[string]string{
	"0": "cannot provide further status electronically", "1": "for more detailed information, see remittance advice",
	"3": "claim has been adjudicated and is awaiting payment cycle", "19": "entity acknowledges receipt of claim/encounter",
	"20": "accepted for processing", "21": "missing or invalid information", "33": "subscriber and subscriber id not found",
	"35": "claim/encounter not found", "96": "no agreement with entity", "97": "patient eligibility not found with entity",
	"116": "claim submitted to incorrect payer", "145": "entity's primary identifier", "187": "date(s) of service",
	"247": "line information", "454": "procedure code for services rendered", "464": "payer assigned claim control number",
	"480": "entity's qualifier", "484": "business application currently not available", "497": "missing or invalid information",
	"510": "future date", "562": "entity's national provider identifier (NPI)", "673": "patient control number",
	"732": "information submitted inconsistent with billing guidelines", "733": "claim/service should be billed to another payer",
}

// EntityText is a few entity identifier codes (STC01-3).
var EntityText = map[string]string{
	"03": "dependent", "40": "receiver", "41": "submitter", "77": "service location", "82": "rendering provider",
	"85": "billing provider", "IL": "insured or subscriber", "PR": "payer", "QC": "patient", "DN": "referring provider",
}
