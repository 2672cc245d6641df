package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/casebridge/casebridge/adapters/store"
	"github.com/casebridge/casebridge/adapters/store/storetest"
	"github.com/casebridge/casebridge/internal/app"
)

// eachStoreFlag runs fn once per backend with the flags that select a fresh
// store: --data DIR (SQLite) and, when CASEBRIDGE_TEST_DATABASE_URL is set,
// --database-url with a schema of its own (PostgreSQL).
func eachStoreFlag(t *testing.T, fn func(t *testing.T, o store.Options, flags []string)) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		fn(t, store.Options{DataDir: dir}, []string{"--data", dir})
	})
	t.Run("postgres", func(t *testing.T) {
		url := os.Getenv("CASEBRIDGE_TEST_DATABASE_URL")
		if url == "" {
			t.Skip("CASEBRIDGE_TEST_DATABASE_URL is not set")
		}
		sep := "?"
		if strings.Contains(url, "?") {
			sep = "&"
		}
		url += sep + "search_path=" + storetest.PostgresSchema(t, url, "cbcli_")
		fn(t, store.Options{DatabaseURL: url}, []string{"--database-url", url})
	})
}

// seedDenied stores testdata/records/self.json for tenant t1 and the 835
// that denies it (CO-16 150.00, CLP07 ICNCM-1001) and returns the claim id.
func seedDenied(t *testing.T, o store.Options) string {
	t.Helper()
	st, err := store.Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := app.New(st, nil, func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) }, app.Options{})
	data, _ := os.ReadFile(rec + "self.json")
	res, err := svc.SubmitRecord(context.Background(), "t1", data, app.SubmitOptions{})
	if err != nil || res.Status != app.StatusSubmitted {
		t.Fatalf("submit: %v %+v", err, res)
	}
	x, _ := os.ReadFile("../../testdata/835/d9997_dental.x12")
	x835 := strings.NewReplacer("CLP*CM-1001*", "CLP*CM000123*", "REF*6R*CM-1001-1~", "REF*6R*CM000123-1~").Replace(string(x))
	if _, err := svc.SubmitRemittance(context.Background(), "t1", []byte(x835)); err != nil {
		t.Fatal(err)
	}
	return res.ID
}

func TestCLIWorklist(t *testing.T) {
	eachStoreFlag(t, func(t *testing.T, o store.Options, flags []string) {
		id := seedDenied(t, o)
		code, out, errs := runCLI(t, "", append([]string{"worklist", "--tenant", "t1"}, flags...)...)
		if code != 0 {
			t.Fatalf("worklist: exit %d: %s", code, errs)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "DEADLINE") || errs != "1 open item(s)\n" {
			t.Fatalf("table:\n%s\nstderr %q", out, errs)
		}
		// appeal: 2026-11-20 + 180 days; the row names the claim, never the patient
		f := strings.Fields(lines[1])
		if f[0] != "2027-05-19" || f[1] != "appeal" || f[3] != id || f[4] != "CM000123" || f[5] != "EXDP1" || f[6] != "2026-11-02" ||
			f[7] != "150.00" || f[8] != "documentation" || f[9] != "CO-16,N850" || strings.Contains(out, "DOE") {
			t.Errorf("row: %q", lines[1])
		}
		// JSON: the route's shape; another tenant: nothing
		code, out, _ = runCLI(t, "", append([]string{"worklist", "--tenant", "t1", "--format", "json", "--category", "documentation"}, flags...)...)
		var w app.Worklist
		if code != 0 || json.Unmarshal([]byte(out), &w) != nil || len(w.Items) != 1 || w.Items[0].ClaimID != id || w.NextCursor != nil {
			t.Errorf("json: exit %d %s", code, out)
		}
		code, out, _ = runCLI(t, "", append([]string{"worklist", "--tenant", "t2"}, flags...)...)
		if code != 0 || strings.Count(out, "\n") != 1 {
			t.Errorf("t2: exit %d %q", code, out)
		}
	})
	for _, args := range [][]string{
		{"worklist", "--category", "nope"},
		{"worklist", "--format", "xml"},
		{"worklist", "--tenant", "bad tenant"},
		{"worklist", "file.json"},
		{"worklist", "--data", "x", "--database-url", "postgres://x"},
	} {
		if code, _, _ := runCLI(t, "", args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 64", args, code)
		}
	}
}

func TestCLIReport(t *testing.T) {
	eachStoreFlag(t, func(t *testing.T, o store.Options, flags []string) {
		seedDenied(t, o)
		code, out, errs := runCLI(t, "", append([]string{"report", "--tenant", "t1"}, flags...)...)
		if code != 0 {
			t.Fatalf("report: exit %d: %s", code, errs)
		}
		lines := strings.Split(out, "\n")
		if len(lines) < 5 || !strings.HasPrefix(lines[0], "PAYER") {
			t.Fatalf("report:\n%s", out)
		}
		// PAYER CODE CLAIMS BILLED ALLOWED PAID PAID/BILLED DENIAL-RATE DENIED DAYS APPEALS WON CATEGORY…
		if f := strings.Fields(lines[1]); len(f) < 14 || strings.Join(f[:4], " ") != "EXDP1 D9997 1 120.00" || f[5] != "0.00" || f[6] != "0" || f[7] != "1" ||
			f[8] != "150.00" || f[9] != "-" || f[12] != "documentation" || f[13] != "150.00" {
			t.Errorf("row: %q", lines[1])
		}
		if f := strings.Fields(lines[4]); len(f) != 7 || f[0] != "EXDP1" || f[4] != "2026-Q4" || f[6] != "below_threshold" {
			t.Errorf("payer: %q", lines[4])
		}
		code, out, _ = runCLI(t, "", append([]string{"report", "--tenant", "t1", "--format", "json", "--code", "D9992"}, flags...)...)
		var a app.Analytics
		if code != 0 || json.Unmarshal([]byte(out), &a) != nil || len(a.Rows) != 0 || len(a.Payers) != 1 || a.Code == nil || *a.Code != "D9992" {
			t.Errorf("json: exit %d %s", code, out)
		}
	})
	for _, args := range [][]string{{"report", "--from", "2026-13-01"}, {"report", "--code", "x"}, {"report", "--format", "csv"}} {
		if code, _, _ := runCLI(t, "", args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 64", args, code)
		}
	}
}

// casebridge check with a store: the history checks against its claims.
func TestCLICheckHistory(t *testing.T) {
	eachStoreFlag(t, func(t *testing.T, o store.Options, flags []string) {
		id := seedDenied(t, o) // self.json, D9997 on 2026-11-02, stored for t1
		data, _ := os.ReadFile(rec + "self.json")
		other := strings.Replace(string(data), `"record_id": "CM000123"`, `"record_id": "CM000999"`, 1)
		code, out, _ := runCLI(t, other, append([]string{"check", "-", "--tenant", "t1"}, flags...)...)
		var rep struct {
			Valid    bool
			Problems []struct{ Severity, Code, Pointer, Message string }
		}
		if code != exitInvalid || json.Unmarshal([]byte(out), &rep) != nil || rep.Valid || rep.Problems[0].Code != "DUPLICATE_SERVICE" ||
			rep.Problems[0].Pointer != "/services/0/date" || !strings.Contains(rep.Problems[0].Message, id) {
			t.Fatalf("check: exit %d %s", code, out)
		}
		// another tenant's store has no such claim; without a store no history
		if code, _, _ := runCLI(t, other, append([]string{"check", "-", "--tenant", "t2"}, flags...)...); code != exitOK {
			t.Errorf("t2: exit %d", code)
		}
		if code, _, _ := runCLI(t, other, "check", "-"); code != exitOK {
			t.Errorf("no store: exit %d", code)
		}
		if code, _, _ := runCLI(t, other, append([]string{"check", "-", "--tenant", "bad tenant"}, flags...)...); code != exitUsage {
			t.Errorf("bad tenant: exit %d", code)
		}
		if code, _, _ := runCLI(t, "{", append([]string{"check", "-", "--tenant", "t1"}, flags...)...); code != exitUnread {
			t.Errorf("not JSON: exit %d", code)
		}
	})
}
