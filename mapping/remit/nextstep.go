package remit

import (
	"slices"
	"strings"

	"github.com/casebridge/casebridge/internal/codes"
)

// step is what the next step of a finding depends on.
type step struct {
	cat     codes.Category
	group   []Adjustment // the adjustments of the finding (none for a status finding)
	remarks []Remark     // the finding's remarks and the claim's
	icn     string       // CLP07
	predet  bool
}

// How a claim the payer has adjudicated is corrected.
const (
	// replacement: frequency 7 with REF*F8 = CLP07. Sending the original
	// again as frequency 1 draws an exact-duplicate denial (OA-18).
	replacement = iota
	// newClaim: the payer asks for a new claim, not a replacement (it did
	// not accept the original: MA130, N142, N517).
	newClaim
)

// remarkActions is the one table of remarks that change how a finding is
// corrected and whether an appeal is possible. Codes not listed change
// nothing.
var remarkActions = map[string]struct {
	correction int
	noAppeal   bool
}{
	"N380":  {correction: replacement},                 // the original was processed: send a corrected claim
	"MA130": {correction: newClaim, noAppeal: true},    // unprocessable, no appeal rights: submit a new claim
	"N142":  {correction: newClaim},                    // original denied: a new claim, not a replacement
	"N517":  {correction: newClaim},                    // a new claim with the requested information
	"N211":  {correction: replacement, noAppeal: true}, // this decision cannot be appealed
}

// askPatient is the step when the payer asked the patient, not the office.
const askPatient = "Ask the patient (or the insured) to answer the payer's request for information, such as other coverage or accident details; the payer reconsiders the charges when it arrives. Check the claim status after a few weeks."

// codeSteps replaces the category's step when the finding holds the code:
// the code names a different actor than the category does.
var codeSteps = map[string]string{
	"CARC 227":  askPatient, // information requested from the patient/insured
	"RARC N179": askPatient, // additional information requested from the member
}

// categorySteps is the D9997 case-management practice per category.
// "%s" is where the correction goes (see correction).
var categorySteps = map[codes.Category]string{
	codes.Documentation:          "Prepare a narrative of the case-management activity (the special-needs condition, how delivery of care was modified, time spent, staff and credential, the benefit to the patient) and the case log; %s with them attached (PWK), or appeal if the payer already had them.",
	codes.Attachment:             "Send the attachment (narrative and case log) under the PWK control number given on the claim and check that the numbers match; if the claim named no attachment, %s with a PWK segment.",
	codes.Frequency:              "Check the plan's frequency limits for D9997 against the patient's history; bill only distinct case-management activity on separate dates, and appeal with a justification when the extra visits were needed.",
	codes.BenefitMax:             "Check the plan's benefit maximum and what remains; appeal with a justification if the limit should not apply, otherwise write the amount off (group CO may not be billed to the patient).",
	codes.CodeMismatch:           "Verify that D9997 is the right code against D9990-D9994 (and look-alikes such as D9910/D9911), and that the diagnosis supports the special-needs condition; %s with the corrected codes.",
	codes.PriorAuthorization:     "Obtain the authorization, or find the one you have, and cite it in REF*G1: %s.",
	codes.Eligibility:            "Verify the patient's coverage for the date of service; bill the right payer, or the patient when no coverage applies.",
	codes.NotCovered:             "Check the plan's exclusions for case management; appeal with the special-needs narrative if you believe it is covered, otherwise write it off (group CO may not be billed to the patient).",
	codes.Bundling:               "Check whether D9997 was billed on the same date as behavior management (D9920) or sedation; appeal with a narrative that shows the separate case-management work, or stop billing it separately.",
	codes.TimelyFiling:           "Appeal only with proof of timely first submission (clearinghouse acceptance, 999 or 277CA); otherwise write it off.",
	codes.Duplicate:              "Do not send the claim again: check the status of the original with the payer (it may be paid or in process). To change a processed claim, send a replacement (frequency 7) that names it in REF*F8.",
	codes.CoordinationOfBenefits: "Get the primary payer's explanation of benefits, or correct the patient's other coverage; %s with the primary payer's payment and adjustments.",
	codes.WrongPayer:             "Bill the responsible payer (the medical or dental plan the payer names, or the one it forwarded the claim to) and follow up there.",
	codes.ProviderEligibility:    "Check the rendering provider's enrollment, credentials, NPI and taxonomy with the payer; %s with the corrected provider data.",
	codes.MedicalNecessity:       "Appeal with clinical documentation of the special-needs condition and why modified delivery of care was necessary.",
	codes.AlternateBenefit:       "Compare the code the payer paid with the one billed; appeal with the narrative if D9997 was right, otherwise write the difference off (group CO may not be billed to the patient).",
	codes.Pended:                 "Wait for the payer's final decision (it reverses and corrects the line then); answer any request for information quickly and check the claim status.",
	codes.Contractual:            "Write off the amount; do not bill the patient for it.",
	codes.PatientResponsibility:  "Bill the patient the amount shown.",
	codes.Informational:          "No action needed for this amount.",
	codes.Other:                  "Read the codes and call the payer if the reason is unclear; then appeal, or %s.",
}

// patientHints follow "bill the patient" for group PR amounts, per category.
var patientHints = map[codes.Category]string{
	codes.Frequency:        " Tell the patient the plan's frequency limit was reached and when the service is covered again.",
	codes.BenefitMax:       " Tell the patient the plan's benefit maximum was reached.",
	codes.NotCovered:       " Tell the patient the plan excludes the service.",
	codes.Eligibility:      " First check the patient's coverage for the date of service: if another plan covered it, bill that plan.",
	codes.AlternateBenefit: " It is the difference between the billed procedure and the less costly one the plan paid.",
	codes.Contractual:      " Stay within what your contract with the payer allows.",
}

// nextStep says what the office does next: a step the codes name (227,
// N179), else for a group PR amount "bill the patient" (never an appeal:
// the plan has decided the patient owes it), else the category's practice,
// with the correction a remark asks for and a warning when no appeal is
// possible.
func nextStep(in step) string {
	var b reportBuilder
	return string(b.appendNextStep(nil, in))
}

// appendNextStep appends nextStep's text to dst.
func (b *reportBuilder) appendNextStep(dst []byte, in step) []byte {
	mode, noAppealCode := replacement, ""
	for _, r := range in.remarks {
		if r.Qualifier != "HE" {
			continue
		}
		if a, ok := remarkActions[r.Code]; ok {
			if a.correction == newClaim {
				mode = newClaim
			}
			if a.noAppeal && noAppealCode == "" {
				noAppealCode = r.Code
			}
		}
	}
	var text string
	for _, a := range in.group {
		if s, ok := codeSteps["CARC "+a.Reason]; ok && text == "" {
			text = s
		}
	}
	for _, r := range in.remarks {
		if s, ok := codeSteps["RARC "+r.Code]; ok && text == "" && r.Qualifier == "HE" && remarkCategory(r) == in.cat {
			text = s
		}
	}
	if text == "" && allGroup(in.group, "PR") && in.cat != codes.Informational {
		if in.predet {
			return append(dst, "Tell the patient before treatment that they would owe this amount (group PR)."...)
		}
		dst = append(dst, "Bill the patient the amount shown: the plan makes the patient responsible for it (group PR)."...)
		return append(dst, patientHints[in.cat]...)
	}
	corrects := false
	if text == "" {
		text = categorySteps[in.cat]
		if text == "" {
			text = categorySteps[codes.Other]
		}
		// the correction goes where the step has "%s", if it has one
		if before, after, ok := strings.Cut(text, "%s"); ok {
			dst = append(dst, before...)
			dst = b.appendCorrection(dst, mode, in)
			dst = append(dst, after...)
			corrects = true
		} else {
			dst = append(dst, text...)
		}
	} else {
		dst = append(dst, text...)
	}
	if noAppealCode != "" {
		dst = append(dst, " The payer says this decision cannot be appealed ("...)
		dst = append(dst, noAppealCode...)
		dst = append(dst, "): "...)
		dst = b.appendCorrection(dst, mode, in)
		dst = append(dst, " instead."...)
		corrects = true
	}
	if corrects && mode == replacement {
		dst = append(dst, " Do not send the original claim again as frequency 1: the payer would deny it as an exact duplicate (OA-18)."...)
	}
	return dst
}

// appendCorrection names the claim to send: a replacement of the
// adjudicated claim (frequency 7, REF*F8 = CLP07), or a new claim when a
// remark asks for one.
func (b *reportBuilder) appendCorrection(dst []byte, mode int, in step) []byte {
	if mode == newClaim {
		asked := b.asked[:0]
		for _, r := range in.remarks {
			if a, ok := remarkActions[r.Code]; ok && a.correction == newClaim && r.Qualifier == "HE" && !slices.Contains(asked, r.Code) {
				asked = append(asked, r.Code)
			}
		}
		b.asked = asked
		dst = append(dst, "send a new claim, not a replacement (the payer asks for a new one: "...)
		for i, c := range asked {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = append(dst, c...)
		}
		return append(dst, ')')
	}
	if in.icn == "" {
		return append(dst, "send a replacement claim (frequency code 7) with REF*F8 = the payer's claim control number (CLP07, missing in this remittance: ask the payer for it)"...)
	}
	dst = append(dst, "send a replacement claim (frequency code 7) with REF*F8 = "...)
	dst = append(dst, in.icn...)
	return append(dst, " (the payer's claim control number, CLP07)"...)
}
