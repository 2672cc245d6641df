// Package remit reads 835 remittances (005010X221A1) and turns them into
// denial findings: per claim and per line, what was paid, what was not,
// why, and what the office does next, in plain words and as JSON.
//
// # Reading
//
// Read streams an 835 through adapters/x12 and calls back once per ST/SE
// transaction set with a Transaction that keeps what matters for findings
// and for the FHIR ClaimResponse mapping: BPR (amount, method, BPR16 date),
// TRN, payer and payee, every claim's CLP01-09 and CLP11, NM1 names and ids,
// claim and line CAS triplets with their group, MOA/MIA and LQ remarks,
// REF (6R line control numbers), SVC01/SVC06 composites, units, DTM dates,
// AMT (B6 allowed), QTY and PLB pairs, each with its segment ordinal.
// Read's memory holds one set at a time; Stream's, two claims (one claim
// of look-ahead, running sums for the balancing).
//
// Fatal (*x12.Error, with segment ordinal, id, loop, element, offset):
// no ISA (ISA_MISSING), not an 835 (NOT_835: ST01 ≠ 835, GS01 ≠ HP),
// another version (VERSION_UNSUPPORTED: GS08 ≠ 005010X221A1, or ST03 filled
// with anything else; ST03 is not used in the 835 and may be empty; the
// message names the version found),
// input ending before SE/GE/IEA (TRUNCATED, SegmentID names the missing
// trailer), a segment the 835 structure cannot place (SEGMENT_UNEXPECTED),
// a money element that is missing or not a plain decimal (ELEMENT_MISSING,
// AMOUNT_INVALID), plus the reader's own codes.
//
// Warnings (never fatal): the envelope codes of adapters/x12
// (SE01_COUNT, SE02_MISMATCH, GE01_COUNT, GE02_MISMATCH, IEA01_COUNT,
// IEA02_MISMATCH, ENVELOPE_UNCLOSED, ENVELOPE_UNEXPECTED), LINE_UNBALANCED
// (SVC02 − Σ line CAS ≠ SVC03), CLAIM_UNBALANCED (CLP03 − Σ claim CAS −
// Σ line CAS ≠ CLP04), TRANSACTION_UNBALANCED (BPR02 ≠ Σ CLP04 − Σ PLB),
// PAYEE_CHANGED (an N1*PE group between claims; the claims after it keep
// that payee), WHITESPACE_BETWEEN_SEGMENTS (spaces or tabs between a
// segment terminator and the next segment, as in indented files: skipped,
// one warning at the first such segment; line breaks alone and a leading
// byte-order mark are normal and silent), LX_MISSING, ELEMENT_MISSING and ELEMENT_INVALID (a date,
// quantity, procedure code or SVC06 that cannot be read; it is left out),
// and WARNINGS_OMITTED: of each code only the first MaxWarningsPerCode are
// listed, and one WARNINGS_OMITTED per code that was cut comes after them,
// its Omitted ("omitted" in JSON) the number left out. A count of warnings
// (ndjson "warnings": N, Casebridge-Warnings) is WarningCount: every
// warning found, listed or not.
//
// # The findings report
//
// BuildReport reads the whole file first and returns the Report, or no
// report at all when the file cannot be read. WriteFindings writes the
// same report as it is made (JSONWriter: byte for byte the same JSON,
// indented for the CLI, compact for the HTTP API; each claim when the
// next one has started, each remittance's provider adjustments and
// "balanced" at its SE, "warnings" and "summary" last), so memory stays at
// about two claims, the summary's running totals, its record of each
// denied, pended or forwarded claim for the reversal rule below (about 20
// bytes a claim in memory for the first 65,536 of them, the rest in sorted
// runs in an unlinked temporary file: spill.go) and the warnings, whatever
// the size and shape of the file. Its JSON:
//
//	{ "remittances": [ {                      one per ST/SE set
//	    "control_number",                      ST02
//	    "payer":   {"name", "id"},             N1*PR N102; id N104, else REF*2U, else TRN03
//	    "payee":   {"name", "id_qualifier", "id"},   the set's first N1*PE
//	    "payment": {"amount", "method", "date", "trace_number"},   BPR02 BPR04 BPR16 TRN02
//	    "claims": [ {
//	      "patient_control_number", "payer_claim_control_number",  CLP01 CLP07
//	      "status_code", "status",             CLP02 and its status (below)
//	      "status_note"?,                      CLP02 19-21: forwarded to another payer (NM1*TT named)
//	      "payment_outcome",                   full | partial | none
//	      "charge", "paid", "patient_responsibility",   CLP03 CLP04 CLP05 ("0.00" when absent)
//	      "adjustments": [{"group", "reason", "amount", "quantity"?, "category", "description",
//	                       "deactivated"?, "stop_date"?}],
//	      "remarks": [{"code", "category"?, "description", "deactivated"?, "stop_date"?}],   MOA, MIA
//	      "lines": [{"line_control_number", "procedure", "submitted_procedure"?, "charge", "paid",
//	                 "allowed"?, "units", "service_date_from", "service_date_to",
//	                 "adjustments", "remarks"}],
//	      "findings": [{"category", "amount", "line_control_number"?, "codes", "explanation", "next_step"}]
//	    } ],
//	    "provider_adjustments": [{"reason", "reference", "amount", "description",
//	                              "deactivated"?, "stop_date"?}],
//	    "balanced": bool } ],                  every line, claim and set equation holds
//	  "warnings": [{"code", "segment_number", "segment_id", "element", "message"}],
//	  "summary": {"claims", "by_status", "denied_amount", "reversed_amount", "pended_amount",
//	              "forwarded_amount", "denied_by_category"} }
//
// Money is a decimal string with at least two places, never rounded
// ("85.00", "12.345", "-9.00"). Dates are YYYY-MM-DD ("" when absent or
// unreadable). Units and quantities are JSON numbers; units are 1 when
// SVC05 is absent. "?" marks fields left out when absent; every array and
// map is present, empty when there is nothing. A line without its own DTM
// takes the claim's statement dates (DTM*232/233). "procedure" is the
// adjudicated code with its modifiers ("D9997", "00220:P2"),
// "submitted_procedure" the SVC06 code when the payer changed it.
//
// Status: CLP02 4 → denied, 22 → reversed, 1/2/3/19/20/21 → paid (also at
// zero pay; 19-21 with a status_note that the claim was forwarded), 23 →
// forwarded, 25 → predetermination, anything else → pended.
// Payment outcome: none when paid ≤ 0, full when paid ≥ charge, partial in
// between (a reversal is judged on its negated amounts).
//
// Categories (internal/codes): each CAS triplet takes its CARC's category,
// unless a remark is more specific. One table (codes.Refines) says which
// remark categories refine which CARC category: a generic CARC (category
// documentation, not_covered or other: 16, 226, 227, 96, 204, A1, codes we
// have not categorised) takes any remark's denial category; 119
// (benefit_max) only frequency (M86, N411-N417, N640) or documentation
// (N435); 151 (frequency) only documentation; every other category keeps
// its own. The first refining remark on the same line wins, else on the
// claim. Unknown codes are reported raw as "other". "deactivated": true and
// "stop_date" mark a code whose stop date (internal/codes official lists,
// or the operator's --codes-dir) is before the remittance date (DTM*405,
// else BPR16); the code is still read and categorised. Denial categories: documentation,
// attachment, frequency, benefit_max, code_mismatch, prior_authorization,
// eligibility, not_covered, bundling, timely_filing, duplicate,
// coordination_of_benefits, wrong_payer, provider_eligibility,
// medical_necessity, alternate_benefit, pended, other; not denials:
// contractual, patient_responsibility, informational.
//
// Findings, per claim: one finding per category per scope (the claim level
// or one line) for every denial category; contractual, patient
// responsibility and informational amounts only where the scope paid
// nothing, to say why. "codes" holds the "GROUP-CARC" codes of the finding
// and the remark codes that go with it (those of its category, those that
// match no finding of the scope, and a claim remark that decided a line's
// category). When no adjustment names a denial, the status speaks: denied
// (category of the first categorised remark, else other), forwarded
// (wrong_payer), pended, or a paid status with nothing paid and no reason
// (other), each for CLP03 − CLP04. A reversal gets one informational
// finding (its amount is CLP04) that says whether the corrected claim
// follows. "next_step" follows D9997 case-management practice: a claim
// the payer adjudicated is corrected with a replacement claim (frequency 7,
// REF*F8 = the claim's CLP07, named in the text), never the original again
// as frequency 1 (an OA-18 duplicate), except where a remark asks for a new
// claim (MA130, N142, N517); group PR amounts say "bill the patient" and
// never "appeal"; CARC 227 and RARC N179 ask the patient for information;
// N211 and MA130 add that no appeal is possible (table remarkActions).
//
// Summary: "denied_amount" and "denied_by_category" sum the findings of
// denial categories except pended, on claims that are not reversed and not
// forwarded (CLP02 23); "pended_amount" sums the pended findings (CARC 133,
// pended statuses); "forwarded_amount" the denial-category findings of
// CLP02 23 claims. A claim reversed later in the same report (same CLP01
// and CLP07) is taken out of these three again: the corrected claim that
// follows counts instead (REF*F8 may name the original when the reversal
// has its own CLP07), so a pended line that is reversed and corrected
// is never counted twice. "reversed_amount" sums CLP04 of the reversed
// claims (negative: the money taken back). CLP02 19-21 claims count like
// 1-3. "by_status" and "denied_by_category" list only what occurs.
//
// # Streamed output and errors
//
// NDJSONWriter (casebridge 835 --format ndjson, Accept: application/x-ndjson)
// writes one JSON object a line: per claim the claim object above with the
// remittance's "control_number" added first; per remittance, after its
// claims, {"remittance": {"control_number", "payer", "payee", "payment",
// "claims": count, "provider_adjustments", "balanced"}}; and last
// {"summary": {...}, "warnings": count} (the warnings themselves go to
// stderr in the CLI and are left out of the ndjson).
//
// A file that turns out unreadable after output began (the writers hold
// the first 64 KiB; a TRUNCATED end, a misplaced segment in the 500th set)
// still fails with exit code 2, but its output ends with the error: the
// JSON document closes its open arrays and objects (a remittance cut short
// lacks "provider_adjustments" and "balanced"; "warnings" and "summary"
// are absent) and gets an "error" member, the ndjson a last line
// {"error": {...}}, both ErrorReport: {"code", "segment_number",
// "segment_id", "loop"?, "element", "offset", "message"}. An error found
// before any output went out leaves stdout empty as before (HTTP: the 422
// or 413 problem). The HTTP API holds the findings of a body of unknown
// length (chunked) until it is read, so that a body over the size limit is
// still a 413. The table format (for people) still builds the whole report.
package remit
