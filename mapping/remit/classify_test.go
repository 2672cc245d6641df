package remit

import (
	"strings"
	"testing"

	"github.com/casebridge/casebridge/internal/codes"
	"github.com/casebridge/casebridge/internal/money"
)

func adj(code, amount string) Adjustment {
	g, r, _ := strings.Cut(code, "-")
	return Adjustment{Group: g, Reason: r, Amount: money.MustParse(amount)}
}

func he(cs ...string) []Remark {
	var rs []Remark
	for _, c := range cs {
		rs = append(rs, Remark{Qualifier: "HE", Code: c})
	}
	return rs
}

// TestCategorisation is the category table, case by case: CARC default,
// group does not change it, the CARC-in-RARC rule with its line → claim →
// default fallback.
func TestCategorisation(t *testing.T) {
	cases := []struct {
		name         string
		adj          string
		lineRemarks  []Remark
		claimRemarks []Remark
		want         codes.Category
	}{
		{"CO-45 contractual", "CO-45", nil, nil, codes.Contractual},
		{"PR-1 deductible", "PR-1", nil, nil, codes.PatientResponsibility},
		{"PR-2 coinsurance", "PR-2", nil, nil, codes.PatientResponsibility},
		{"PR-3 copay", "PR-3", nil, nil, codes.PatientResponsibility},
		{"OA-23 prior payer", "OA-23", nil, nil, codes.Informational},
		{"CO-A2 informational", "CO-A2", nil, nil, codes.Informational},
		{"OA-101 predetermination", "OA-101", nil, nil, codes.Informational},
		{"CO-253 sequestration", "CO-253", nil, nil, codes.Informational},
		{"CO-119 alone is benefit max", "CO-119", nil, nil, codes.BenefitMax},
		{"PR-119 alone is benefit max", "PR-119", nil, nil, codes.BenefitMax},
		{"CO-119 + N640 frequency", "CO-119", he("N640"), nil, codes.Frequency},
		{"CO-119 + N411 (deactivated) frequency", "CO-119", he("N411"), nil, codes.Frequency},
		{"CO-119 + M86 frequency", "CO-119", he("M86"), nil, codes.Frequency},
		{"CO-119 + claim N417 frequency", "CO-119", nil, he("N417"), codes.Frequency},
		{"CO-119 + N362 units maximum stays benefit max", "CO-119", he("N362"), nil, codes.BenefitMax},
		{"CO-119 + N435 documentation", "CO-119", he("N435"), nil, codes.Documentation},
		{"CO-119 + N130 not more specific", "CO-119", he("N130"), nil, codes.BenefitMax},
		{"CO-119 skips a remark that does not refine it", "CO-119", he("N130", "N640"), nil, codes.Frequency},
		{"CO-151 frequency", "CO-151", nil, nil, codes.Frequency},
		{"CO-151 + N435 documentation", "CO-151", he("N435"), nil, codes.Documentation},
		{"PR-204 + N30 eligibility", "PR-204", he("N30"), nil, codes.Eligibility},
		{"CO-167 + N30 eligibility", "CO-167", he("N30"), nil, codes.Eligibility},
		{"CO-227 + N179 documentation", "CO-227", he("N179"), nil, codes.Documentation},
		{"unknown CARC + N522 duplicate", "CO-Q7", he("N522"), nil, codes.Duplicate},
		{"CO-42 deactivated, still contractual", "CO-42", nil, nil, codes.Contractual},
		{"CO-17 official list only is other", "CO-17", nil, nil, codes.Other},
		{"CO-197 + N30 keeps prior auth", "CO-197", he("N30"), nil, codes.PriorAuthorization},
		{"PR-204 not covered, patient owes", "PR-204", nil, nil, codes.NotCovered},
		{"CO-204 not covered", "CO-204", nil, nil, codes.NotCovered},
		{"PR-35 benefit max", "PR-35", nil, nil, codes.BenefitMax},
		{"CO-181 code mismatch", "CO-181", nil, nil, codes.CodeMismatch},
		{"CO-197 prior auth", "CO-197", nil, nil, codes.PriorAuthorization},
		{"PR-27 eligibility", "PR-27", nil, nil, codes.Eligibility},
		{"CO-97 bundling", "CO-97", nil, nil, codes.Bundling},
		{"CO-B15 bundling", "CO-B15", nil, nil, codes.Bundling},
		{"CO-29 timely filing", "CO-29", nil, nil, codes.TimelyFiling},
		{"OA-18 duplicate", "OA-18", nil, nil, codes.Duplicate},
		{"OA-B13 duplicate", "OA-B13", nil, nil, codes.Duplicate},
		{"CO-22 COB", "CO-22", nil, nil, codes.CoordinationOfBenefits},
		{"CO-109 wrong payer", "CO-109", nil, nil, codes.WrongPayer},
		{"CO-270 wrong payer", "CO-270", nil, nil, codes.WrongPayer},
		{"CO-B7 provider", "CO-B7", nil, nil, codes.ProviderEligibility},
		{"CO-50 medical necessity", "CO-50", nil, nil, codes.MedicalNecessity},
		{"CO-169 alternate benefit", "CO-169", nil, nil, codes.AlternateBenefit},
		{"OA-133 pended", "OA-133", nil, nil, codes.Pended},
		{"CO-252 attachment", "CO-252", he("N850"), nil, codes.Attachment}, // not a remark-decided CARC
		{"CO-163 attachment", "CO-163", nil, nil, codes.Attachment},
		{"unknown CARC is other", "CO-Q7", nil, nil, codes.Other},
		{"CO-16 + M127", "CO-16", he("M127"), nil, codes.Documentation},
		{"CO-16 + N-code frequency", "CO-16", he("N640"), nil, codes.Frequency},
		{"CO-16 + N362 units maximum", "CO-16", he("N362"), nil, codes.BenefitMax},
		{"CO-16 first categorised RARC wins", "CO-16", he("N211", "N130", "N362"), nil, codes.NotCovered},
		{"CO-16 without remarks keeps documentation", "CO-16", nil, nil, codes.Documentation},
		{"CO-16 with only uncategorised remarks", "CO-16", he("N211", "MA02", "N9999"), nil, codes.Documentation},
		{"CO-16 falls back to claim RARC", "CO-16", nil, he("N463"), codes.Attachment},
		{"line RARC beats claim RARC", "CO-16", he("M127"), he("N463"), codes.Documentation},
		{"CO-96 + N30", "CO-96", he("N30"), nil, codes.Eligibility},
		{"PR-96 + N130", "PR-96", he("N130"), nil, codes.NotCovered},
		{"CO-96 alone", "CO-96", nil, nil, codes.NotCovered},
		{"CO-A1 alone is other", "CO-A1", nil, nil, codes.Other},
		{"CO-A1 + N522", "CO-A1", he("N522"), nil, codes.Duplicate},
		{"CO-226 + N850", "CO-226", he("N850"), nil, codes.Documentation},
		{"CO-226 + N706", "CO-226", nil, he("N706"), codes.Documentation},
		{"NCPDP remark does not decide", "CO-16", []Remark{{Qualifier: "RX", Code: "N362"}}, nil, codes.Documentation},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &Claim{Remarks: tc.claimRemarks, Lines: []Line{{Adjustments: []Adjustment{adj(tc.adj, "10")}, Remarks: tc.lineRemarks}}}
			if got := classify(c).lines[0][0]; got != tc.want {
				t.Errorf("line %s: got %s, want %s", tc.adj, got, tc.want)
			}
		})
	}
}

func TestClaimLevelUsesClaimRemarksOnly(t *testing.T) {
	c := &Claim{
		Adjustments: []Adjustment{adj("CO-16", "10")},
		Lines:       []Line{{Remarks: he("N362")}},
	}
	if got := classify(c).claim[0]; got != codes.Documentation {
		t.Fatalf("claim-level CO-16 took a line remark: %s", got)
	}
	c.Remarks = he("M86")
	if got := classify(c).claim[0]; got != codes.Frequency {
		t.Fatalf("claim-level CO-16 + MOA M86: %s", got)
	}
}

func TestStatus(t *testing.T) {
	want := map[string]string{
		"1": "paid", "2": "paid", "3": "paid", "19": "paid", "20": "paid", "21": "paid",
		"4": "denied", "22": "reversed", "23": "forwarded", "25": "predetermination",
		"5": "pended", "27": "pended", "": "pended",
	}
	for code, w := range want {
		if got := Status(code); got != w {
			t.Errorf("Status(%q) = %s, want %s", code, got, w)
		}
	}
}

func TestPaymentOutcome(t *testing.T) {
	cases := []struct {
		status, charge, paid, want string
	}{
		{"1", "100", "100", "full"},
		{"1", "100", "100.00", "full"},
		{"1", "100", "99.99", "partial"},
		{"1", "100", "0.01", "partial"},
		{"1", "100", "0", "none"},
		{"4", "100", "0", "none"},
		{"1", "100", "120", "full"}, // paid more than charged (interest, pricing)
		{"22", "-100", "-100", "full"},
		{"22", "-100", "-80", "partial"},
		{"1", "0", "0", "none"},
	}
	for _, tc := range cases {
		c := &Claim{StatusCode: tc.status, Charge: money.MustParse(tc.charge), Paid: money.MustParse(tc.paid)}
		if got := PaymentOutcome(c); got != tc.want {
			t.Errorf("%s charge %s paid %s: %s, want %s", tc.status, tc.charge, tc.paid, got, tc.want)
		}
	}
}

func findingCats(fs []Finding) string {
	var s []string
	for _, f := range fs {
		s = append(s, string(f.Category)+" "+f.Amount.String())
	}
	return strings.Join(s, ", ")
}

func TestFindingsRules(t *testing.T) {
	line := func(charge, paid string, adjs ...Adjustment) Line {
		return Line{Charge: money.MustParse(charge), Paid: money.MustParse(paid), Adjustments: adjs}
	}
	cases := []struct {
		name string
		c    Claim
		want string
	}{
		{"partial pay with write-off and copay: no finding",
			Claim{StatusCode: "1", Charge: money.MustParse("120"), Paid: money.MustParse("80"),
				Lines: []Line{line("120", "80", adj("CO-45", "20"), adj("PR-3", "20"))}}, ""},
		{"zero pay on deductible only: the finding says why",
			Claim{StatusCode: "1", Charge: money.MustParse("120"), Paid: money.MustParse("0"),
				Lines: []Line{line("120", "0", adj("PR-1", "120"))}}, "patient_responsibility 120.00"},
		{"one finding per category per line, amounts summed",
			Claim{StatusCode: "1", Charge: money.MustParse("200"), Paid: money.MustParse("150"),
				Lines: []Line{line("200", "150", adj("CO-16", "5"), adj("CO-150", "5"), adj("CO-97", "20"), adj("CO-45", "20"))}},
			"documentation 10.00, bundling 20.00"},
		{"denied without denial codes: from the status",
			Claim{StatusCode: "4", Charge: money.MustParse("100"), Paid: money.MustParse("0"),
				Lines: []Line{{Charge: money.MustParse("100"), Remarks: he("N130")}}}, "not_covered 100.00"},
		{"denied without any code: other",
			Claim{StatusCode: "4", Charge: money.MustParse("100"), Paid: money.MustParse("0")}, "other 100.00"},
		{"forwarded: wrong payer",
			Claim{StatusCode: "23", Charge: money.MustParse("100"), Paid: money.MustParse("0")}, "wrong_payer 100.00"},
		{"pended status",
			Claim{StatusCode: "5", Charge: money.MustParse("100"), Paid: money.MustParse("0")}, "pended 100.00"},
		{"paid status, nothing paid, no reason: other",
			Claim{StatusCode: "1", Charge: money.MustParse("100"), Paid: money.MustParse("0")}, "other 100.00"},
		{"reversal: one informational finding",
			Claim{StatusCode: "22", Charge: money.MustParse("-100"), Paid: money.MustParse("-80"),
				Lines: []Line{line("-100", "-80", adj("CO-16", "-20"))}}, "informational -80.00"},
		{"predetermination: claim-level OA-101 is no finding",
			Claim{StatusCode: "25", Charge: money.MustParse("100"), Paid: money.MustParse("0"),
				Adjustments: []Adjustment{adj("OA-101", "80")}, Lines: []Line{line("100", "80", adj("CO-45", "20"))}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := findingCats(findings(&tc.c, nil, classify(&tc.c), "2026-11-20"))
			if got != tc.want {
				t.Errorf("findings %q, want %q", got, tc.want)
			}
		})
	}
}

// TestNextSteps pins what each finding tells the office to do: a
// replacement claim naming CLP07 after adjudication, a new claim only when
// a remark asks for one, "bill the patient" for group PR, the patient for
// CARC 227, never "resubmit".
func TestNextSteps(t *testing.T) {
	type want struct{ has, hasNot []string }
	replacement := []string{"replacement claim (frequency code 7) with REF*F8 = ICN-77", "Do not send the original claim again as frequency 1"}
	newClaim := []string{"send a new claim, not a replacement"}
	cases := []struct {
		name    string
		adj     string
		remarks []Remark
		claim   []Remark
		icn     string
		want    want
	}{
		{"CO-16 + N850: replacement with CLP07", "CO-16", he("N850"), nil, "ICN-77", want{replacement, []string{"new claim"}}},
		{"CO-16 + N380: replacement", "CO-16", he("N380", "N850"), nil, "ICN-77", want{replacement, nil}},
		{"CO-16 + claim MA130: new claim, no appeal", "CO-16", he("N850"), he("MA130"), "ICN-77", want{append(newClaim, "cannot be appealed (MA130)"), []string{"frequency code 7", "REF*F8 = ICN-77"}}},
		{"CO-16 + N142: new claim", "CO-16", he("N850", "N142"), nil, "ICN-77", want{append(newClaim, "N142"), []string{"frequency code 7"}}},
		{"CO-16 + N517: new claim", "CO-16", he("N517"), nil, "ICN-77", want{append(newClaim, "N517"), []string{"frequency code 7"}}},
		{"CO-16 + N211: no appeal, replacement", "CO-16", he("N850", "N211"), nil, "ICN-77", want{append(replacement, "cannot be appealed (N211)"), nil}},
		{"no CLP07", "CO-181", nil, nil, "", want{[]string{"REF*F8 = the payer's claim control number (CLP07, missing"}, nil}},
		{"CO-197 prior auth", "CO-197", nil, nil, "ICN-77", want{append(replacement, "REF*G1"), nil}},
		{"PR-1 deductible", "PR-1", nil, nil, "ICN-77", want{[]string{"Bill the patient"}, []string{"ppeal"}}},
		{"PR-2 coinsurance", "PR-2", nil, nil, "ICN-77", want{[]string{"Bill the patient"}, []string{"ppeal"}}},
		{"PR-3 copay", "PR-3", nil, nil, "ICN-77", want{[]string{"Bill the patient"}, []string{"ppeal"}}},
		{"PR-35 lifetime max", "PR-35", nil, nil, "ICN-77", want{[]string{"Bill the patient", "benefit maximum"}, []string{"ppeal"}}},
		{"PR-119 benefit max", "PR-119", nil, nil, "ICN-77", want{[]string{"Bill the patient", "benefit maximum"}, []string{"ppeal"}}},
		{"PR-119 + N640 frequency", "PR-119", he("N640"), nil, "ICN-77", want{[]string{"Bill the patient", "frequency limit"}, []string{"ppeal"}}},
		{"PR-204 not covered", "PR-204", he("N130"), nil, "ICN-77", want{[]string{"Bill the patient", "excludes"}, []string{"ppeal"}}},
		{"CO-119 benefit max: no billing the patient", "CO-119", nil, nil, "ICN-77", want{[]string{"group CO may not be billed"}, []string{"Bill the patient"}}},
		{"CO-227: ask the patient", "CO-227", nil, nil, "ICN-77", want{[]string{"Ask the patient"}, []string{"frequency code 7"}}},
		{"CO-16 + N179: ask the patient", "CO-16", he("N179"), nil, "ICN-77", want{[]string{"Ask the patient"}, nil}},
		{"OA-18 duplicate", "OA-18", nil, nil, "ICN-77", want{[]string{"Do not send the claim again"}, nil}},
		{"OA-133 pended", "OA-133", nil, nil, "ICN-77", want{[]string{"Wait for the payer"}, nil}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Claim{StatusCode: "1", Charge: money.MustParse("100"), Paid: money.MustParse("0"), PayerClaimControlNo: tc.icn, Remarks: tc.claim,
				Lines: []Line{{Charge: money.MustParse("100"), Paid: money.MustParse("0"), Adjustments: []Adjustment{adj(tc.adj, "100")}, Remarks: tc.remarks}}}
			fs := findings(&c, nil, classify(&c), "2026-11-20")
			if len(fs) == 0 {
				t.Fatal("no finding")
			}
			step := fs[0].NextStep
			for _, s := range tc.want.has {
				if !strings.Contains(step, s) {
					t.Errorf("next step lacks %q:\n%s", s, step)
				}
			}
			for _, s := range append(tc.want.hasNot, "esubmit") {
				if strings.Contains(step, s) {
					t.Errorf("next step has %q:\n%s", s, step)
				}
			}
		})
	}
}

// findings runs the report builder's findings on one claim.
func findings(c *Claim, next *Claim, cls classification, date string) []Finding {
	var b reportBuilder
	return b.findings(c, next, cls, date)
}
