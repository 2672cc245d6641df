package remit

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/internal/codes"
	"github.com/casebridge/casebridge/internal/money"
)

var oddStrings = []string{"", "D9997", `a"b\c`, "<&>", "tab\there", "nl\nx\r", "\x00\x01\x1f", "é ünï", "\u2028\u2029", "\xff\xfe bad utf8", "\U0001F600", "plain text, with: punctuation; (ok)"}

func randClaim(r *rand.Rand) ClaimReport {
	s := func() string { return oddStrings[r.IntN(len(oddStrings))] }
	amt := func() money.Amount {
		return money.MustParse([]string{"0", "12.5", "-3.01", "100.125", "99999999999999999999.5"}[r.IntN(5)])
	}
	adj := func() []AdjustmentReport {
		if r.IntN(5) == 0 {
			return nil
		}
		out := []AdjustmentReport{}
		for i := r.IntN(3); i > 0; i-- {
			out = append(out, AdjustmentReport{Group: s(), Reason: s(), Amount: amt(), Quantity: json.Number([]string{"", "1", "2.5"}[r.IntN(3)]),
				Category: codes.Category(s()), Description: s(), Retired: Retired{Deactivated: r.IntN(2) == 0, StopDate: s()}})
		}
		return out
	}
	rem := func() []RemarkReport {
		if r.IntN(5) == 0 {
			return nil
		}
		out := []RemarkReport{}
		for i := r.IntN(3); i > 0; i-- {
			out = append(out, RemarkReport{Code: s(), Category: codes.Category(s()), Description: s(), Retired: Retired{StopDate: s()}})
		}
		return out
	}
	c := ClaimReport{PatientControlNumber: s(), PayerClaimControlNumber: s(), StatusCode: s(), Status: s(), StatusNote: s(), PaymentOutcome: s(),
		Charge: amt(), Paid: amt(), PatientResponsibility: amt(), Adjustments: adj(), Remarks: rem()}
	if r.IntN(6) > 0 {
		c.Lines = []LineReport{}
		for i := r.IntN(3); i > 0; i-- {
			l := LineReport{LineControlNumber: s(), Procedure: s(), SubmittedProcedure: s(), Charge: amt(), Paid: amt(), Units: json.Number([]string{"", "1", "0.5"}[r.IntN(3)]),
				ServiceDateFrom: s(), ServiceDateTo: s(), Adjustments: adj(), Remarks: rem()}
			if r.IntN(2) == 0 {
				a := amt()
				l.Allowed = &a
			}
			c.Lines = append(c.Lines, l)
		}
	}
	if r.IntN(6) > 0 {
		c.Findings = []Finding{}
		for i := r.IntN(3); i > 0; i-- {
			f := Finding{Category: codes.Category(s()), Amount: amt(), LineControlNumber: s(), Explanation: s(), NextStep: s()}
			if r.IntN(4) > 0 {
				f.Codes = []string{}
				for j := r.IntN(3); j > 0; j-- {
					f.Codes = append(f.Codes, s())
				}
			}
			c.Findings = append(c.Findings, f)
		}
	}
	return c
}

// TestClaimJSONMatchesEncodingJSON: the hand-written claim encoder gives
// encoding/json's bytes, indented at any depth and compact, for claims
// with empty, nil and odd values (quotes, control characters, non-ASCII,
// invalid UTF-8, U+2028).
func TestClaimJSONMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	for i := 0; i < 3000; i++ {
		c := randClaim(r)
		for _, indent := range []bool{true, false} {
			depth := r.IntN(5)
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if indent {
				enc.SetIndent(string(bytes.Repeat([]byte("  "), depth)), "  ")
			} else {
				depth = 0
			}
			if err := enc.Encode(&c); err != nil {
				t.Fatal(err)
			}
			want := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
			if got := appendClaimJSON(nil, &c, indent, depth); !bytes.Equal(got, want) {
				t.Fatalf("claim %d (indent %v depth %d):\n got %s\nwant %s", i, indent, depth, got, want)
			}
		}
	}
}

// TestAppendJSONStringWords puts every kind of byte at every position of
// the eight-byte scan.
func TestAppendJSONStringWords(t *testing.T) {
	for _, c := range []string{"\"", "\\", "\x00", "\x1f", "\n", " ", "~", "\x7f", "é", "<", "&", "\u2028", "\xff"} {
		for pre := 0; pre < 20; pre++ {
			s := strings.Repeat("a", pre) + c + strings.Repeat("b", 9)
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(s)
			want := strings.TrimSuffix(buf.String(), "\n")
			if got := string(appendJSONString(nil, s)); got != want {
				t.Fatalf("%q: %s, want %s", s, got, want)
			}
		}
	}
}
