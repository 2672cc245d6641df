package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/internal/app"
)

// withPatient is a fixture record with another member id and/or birth date.
func withPatient(t *testing.T, rec []byte, member, birth string) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec, &m); err != nil {
		t.Fatal(err)
	}
	sub := m["subscriber"].(map[string]any)
	if member != "" {
		sub["member_id"] = member
	}
	if birth != "" {
		sub["birth_date"] = birth
	}
	b, _ := json.Marshal(m)
	return b
}

// The history checks, as a table: claims stored first, then the claim under
// test; its problems of the two codes, with the prior claims they name
// ("#n" is the n-th stored claim's id). The payer EXDP1 allows D9997 twice a
// year (payerProfile); OTHR1 has no limit.
func TestHistoryChecks(t *testing.T) {
	line := func(date string) fixLine { return fixLine{date: date, code: "D9997", charge: "100.00"} }
	type stored struct {
		rec    []byte
		reject bool // stored as rejected (a future date)
	}
	cases := []struct {
		name   string
		prior  func(t *testing.T) []stored
		claim  func(t *testing.T) []byte
		want   []string // "severity CODE pointer #ids"
		status app.ClaimStatus
	}{
		{"same patient, same date, another claim",
			func(t *testing.T) []stored { return []stored{{rec: fixRecord(t, "H1", "EXDP1", line("2026-10-01"))}} },
			func(t *testing.T) []byte { return fixRecord(t, "H2", "EXDP1", line("2026-10-01")) },
			[]string{"error DUPLICATE_SERVICE /services/0/date #0"}, app.StatusRejected},
		{"the same claim sent again (same record id)",
			func(t *testing.T) []stored { return []stored{{rec: fixRecord(t, "H1", "EXDP1", line("2026-10-01"))}} },
			func(t *testing.T) []byte { return fixRecord(t, "H1", "EXDP1", line("2026-10-01")) },
			nil, app.StatusSubmitted},
		{"another member id",
			func(t *testing.T) []stored { return []stored{{rec: fixRecord(t, "H1", "EXDP1", line("2026-10-01"))}} },
			func(t *testing.T) []byte {
				return withPatient(t, fixRecord(t, "H2", "EXDP1", line("2026-10-01")), "OTHERMEMBER", "")
			},
			nil, app.StatusSubmitted},
		{"the same member id, another birth date (another patient on the policy)",
			func(t *testing.T) []stored { return []stored{{rec: fixRecord(t, "H1", "EXDP1", line("2026-10-01"))}} },
			func(t *testing.T) []byte {
				return withPatient(t, fixRecord(t, "H2", "EXDP1", line("2026-10-01")), "", "1990-05-05")
			},
			nil, app.StatusSubmitted},
		{"member id compared trimmed and in upper case",
			func(t *testing.T) []stored { return []stored{{rec: fixRecord(t, "H1", "EXDP1", line("2026-10-01"))}} },
			func(t *testing.T) []byte {
				return withPatient(t, fixRecord(t, "H2", "EXDP1", line("2026-10-01")), "mbr100200", "")
			},
			[]string{"error DUPLICATE_SERVICE /services/0/date #0"}, app.StatusRejected},
		{"a rejected claim never went out",
			func(t *testing.T) []stored {
				return []stored{{rec: fixRecord(t, "H1", "EXDP1", line("2026-10-01"), line("2030-01-01")), reject: true}}
			},
			func(t *testing.T) []byte { return fixRecord(t, "H2", "EXDP1", line("2026-10-01")) },
			nil, app.StatusSubmitted},
		{"another date: no duplicate, within the frequency",
			func(t *testing.T) []stored { return []stored{{rec: fixRecord(t, "H1", "EXDP1", line("2026-10-01"))}} },
			func(t *testing.T) []byte { return fixRecord(t, "H2", "EXDP1", line("2026-10-02")) },
			nil, app.StatusSubmitted},
		{"a third D9997 in the year: over the frequency",
			func(t *testing.T) []stored {
				return []stored{{rec: fixRecord(t, "H1", "EXDP1", line("2026-03-01"))}, {rec: fixRecord(t, "H2", "EXDP1", line("2026-05-01"))}}
			},
			func(t *testing.T) []byte { return fixRecord(t, "H3", "EXDP1", line("2026-07-01")) },
			[]string{"warning FREQUENCY_LIMIT /services/0/date #0,#1"}, app.StatusSubmitted},
		{"the third in the year is the claim's own second line",
			func(t *testing.T) []stored { return []stored{{rec: fixRecord(t, "H1", "EXDP1", line("2026-03-01"))}} },
			func(t *testing.T) []byte { return fixRecord(t, "H2", "EXDP1", line("2026-07-01"), line("2026-08-01")) },
			[]string{"warning FREQUENCY_LIMIT /services/1/date #0"}, app.StatusSubmitted},
		{"another year",
			func(t *testing.T) []stored {
				return []stored{{rec: fixRecord(t, "H1", "EXDP1", line("2025-03-01"))}, {rec: fixRecord(t, "H2", "EXDP1", line("2025-05-01"))}}
			},
			func(t *testing.T) []byte { return fixRecord(t, "H3", "EXDP1", line("2026-07-01")) },
			nil, app.StatusSubmitted},
		{"a payer without a limit",
			func(t *testing.T) []stored {
				return []stored{{rec: fixRecord(t, "H1", "OTHR1", line("2026-03-01"))}, {rec: fixRecord(t, "H2", "OTHR1", line("2026-05-01"))}}
			},
			func(t *testing.T) []byte { return fixRecord(t, "H3", "OTHR1", line("2026-07-01")) },
			nil, app.StatusSubmitted},
		{"prior services with another payer do not count",
			func(t *testing.T) []stored {
				return []stored{{rec: fixRecord(t, "H1", "OTHR1", line("2026-03-01"))}, {rec: fixRecord(t, "H2", "OTHR1", line("2026-05-01"))}}
			},
			func(t *testing.T) []byte { return fixRecord(t, "H3", "EXDP1", line("2026-07-01")) },
			nil, app.StatusSubmitted},
	}
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newPayerService(t, st)
		for n, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				tenant := fmt.Sprintf("h%d", n)
				var ids []string
				for _, p := range tc.prior(t) {
					r, err := svc.SubmitRecord(ctx, tenant, p.rec, app.SubmitOptions{})
					if err != nil || (r.Status == app.StatusRejected) != p.reject {
						t.Fatalf("prior: %v %+v", err, r)
					}
					ids = append(ids, r.ID)
				}
				r := must(svc.SubmitRecord(ctx, tenant, tc.claim(t), app.SubmitOptions{}))(t)
				var got []string
				for _, p := range r.Problems {
					if p.Code != app.CodeDuplicateService && p.Code != app.CodeFrequencyLimit {
						continue
					}
					var named []string
					for i, id := range ids {
						if strings.Contains(p.Message, id) {
							named = append(named, fmt.Sprintf("#%d", i))
						}
					}
					got = append(got, fmt.Sprintf("%s %s %s %s", p.Severity, p.Code, p.Pointer, strings.Join(named, ",")))
					if strings.Contains(p.Message, "MBR100200") || strings.Contains(p.Message, "1980-01-01") {
						t.Errorf("the message quotes the patient: %s", p.Message)
					}
				}
				if strings.Join(got, "|") != strings.Join(tc.want, "|") || r.Status != tc.status {
					t.Errorf("got %v (%s), want %v (%s)", got, r.Status, tc.want, tc.status)
				}
			})
		}
	})
}
