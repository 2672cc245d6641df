package remit_test

import (
	"io"
	"testing"

	"github.com/casebridge/casebridge/internal/gen835"
	"github.com/casebridge/casebridge/mapping/remit"
)

// genFile streams a generated 835 through a pipe (it never sits in memory).
func genFile(t testing.TB, cfg gen835.Config) (io.Reader, func() gen835.Record) {
	pr, pw := io.Pipe()
	done := make(chan gen835.Record, 1)
	go func() {
		rec, err := gen835.Write(pw, cfg)
		done <- rec
		pw.CloseWithError(err)
	}()
	return pr, func() gen835.Record { return <-done }
}

// TestGeneratedMatchesRecord reads generated files of both shapes (one big
// set, many small sets) and checks the report's counts and totals against
// what the generator says it wrote, and that every set balances.
func TestGeneratedMatchesRecord(t *testing.T) {
	for _, cfg := range []gen835.Config{
		{Sets: 1, ClaimsPerSet: 3000, Seed: 1},
		{Sets: 40, ClaimsPerSet: 75, Seed: 2, SegmentsPerLn: true},
	} {
		in, record := genFile(t, cfg)
		rep, err := remit.BuildReport(in, remit.Options{})
		if err != nil {
			t.Fatal(err)
		}
		rec := record()
		checkAgainstRecord(t, rep.Summary, len(rep.Remittances), len(rep.Warnings), rec)
		lines, charge, paid := 0, "0", "0"
		_ = charge
		_ = paid
		for _, r := range rep.Remittances {
			if !r.Balanced {
				t.Errorf("set %s not balanced", r.ControlNumber)
			}
			for _, c := range r.Claims {
				lines += len(c.Lines)
			}
		}
		if lines != rec.Lines {
			t.Errorf("lines %d, generator wrote %d", lines, rec.Lines)
		}
	}
}

func checkAgainstRecord(t *testing.T, s remit.Summary, sets, warnings int, rec gen835.Record) {
	t.Helper()
	if sets != rec.Sets || s.Claims != rec.Claims {
		t.Errorf("%d sets, %d claims; generator wrote %d, %d", sets, s.Claims, rec.Sets, rec.Claims)
	}
	if warnings != 0 {
		t.Errorf("%d warnings on a generated file", warnings)
	}
	for k, v := range rec.ByStatus {
		if s.ByStatus[k] != v {
			t.Errorf("by_status %s = %d, generator wrote %d", k, s.ByStatus[k], v)
		}
	}
	if s.DeniedAmount.String() != rec.DeniedAmount || s.ReversedAmount.String() != rec.ReversedAmount {
		t.Errorf("denied %s reversed %s; generator wrote %s, %s", s.DeniedAmount, s.ReversedAmount, rec.DeniedAmount, rec.ReversedAmount)
	}
}
