package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casebridge/casebridge/adapters/store"
	"github.com/casebridge/casebridge/internal/app"
)

// deniedInStore stores a record and the 835 denying it (testdata/appeals)
// in the SQLite database of data, for tenant local; returns the claim id.
func deniedInStore(t *testing.T, data string, recordJSON []byte) string {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := app.New(st, app.DirProfiles("", "default"), func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) }, app.Options{})
	res, err := svc.SubmitRecord(context.Background(), "local", recordJSON, app.SubmitOptions{})
	if err != nil || res.Status != app.StatusSubmitted {
		t.Fatalf("record: %v %+v", err, res)
	}
	x12, err := os.ReadFile("../../testdata/appeals/denial_cm000123.x12")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SubmitRemittance(context.Background(), "local", x12); err != nil {
		t.Fatal(err)
	}
	return res.ID
}

func TestCLIAppeal(t *testing.T) {
	data, dir := t.TempDir(), t.TempDir()
	self, _ := os.ReadFile(rec + "self.json")
	id := deniedInStore(t, data, self)
	pdf, html := filepath.Join(dir, "letter.pdf"), filepath.Join(dir, "letter.html")
	code, out, errb := runCLI(t, "", "appeal", id, "-o", pdf, "--html", html, "--notes", "Log enclosed.", "--data", data)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb)
	}
	var res struct {
		Appeal   int
		Category string
		PDF      string
		FHIR     any `json:"fhir"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Appeal != 1 || res.Category != "documentation" ||
		res.PDF != "/v1/claims/"+id+"/appeals/1.pdf" || res.FHIR != nil {
		t.Fatalf("stdout: %v %s", err, out)
	}
	b, err := os.ReadFile(pdf)
	if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("pdf: %v", err)
	}
	if fi, _ := os.Stat(pdf); fi.Mode().Perm() != 0o600 {
		t.Errorf("letter mode %v", fi.Mode())
	}
	h, err := os.ReadFile(html)
	if err != nil || !bytes.Contains(h, []byte("<p>Log enclosed.</p>")) {
		t.Fatalf("html: %v", err)
	}
	// the second appeal, by code; PDF only
	if code, out, errb := runCLI(t, "", "appeal", id, "--finding", "M127", "-o", pdf, "--data", data); code != exitOK || !strings.Contains(out, `"appeal": 2`) {
		t.Fatalf("second: exit %d %s %s", code, out, errb)
	}
	for _, tc := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"appeal", id, "--data", data}, exitUsage, "usage"},
		{[]string{"appeal", "-o", pdf, "--data", data}, exitUsage, "usage"},
		{[]string{"appeal", id, "-o", pdf, "--data", data, "--database-url", "postgres://x"}, exitUsage, "not both"},
		{[]string{"appeal", "nope", "-o", pdf, "--data", data}, exitInvalid, "no such claim"},
		{[]string{"appeal", id, "-o", pdf, "--tenant", "other", "--data", data}, exitInvalid, "no such claim"},
		{[]string{"appeal", id, "-o", pdf, "--finding", "9", "--data", data}, exitInvalid, "APPEAL_FINDING_INVALID /finding"},
	} {
		code, _, errb := runCLI(t, "", tc.args...)
		if code != tc.code || !strings.Contains(errb, tc.err) {
			t.Errorf("%v: exit %d, stderr %s", tc.args, code, errb)
		}
	}
}

func TestCLIAppealBlocked(t *testing.T) {
	data, dir := t.TempDir(), t.TempDir()
	self, _ := os.ReadFile(rec + "self.json")
	rec := strings.Replace(string(self), `"staff": {"name": "Maria Lopez", "credential": "RDH", "role": "case manager"},`, ``, 1)
	id := deniedInStore(t, data, []byte(rec))
	pdf := filepath.Join(dir, "letter.pdf")
	code, out, errb := runCLI(t, "", "appeal", id, "-o", pdf, "--data", data)
	if code != exitInvalid || out != "" || !strings.Contains(errb, "APPEAL_DOCUMENTATION_MISSING /services/0/staff/name") ||
		!strings.Contains(errb, "/services/0/staff/credential") || strings.Contains(errb, "Lopez") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errb)
	}
	if _, err := os.Stat(pdf); !os.IsNotExist(err) {
		t.Fatalf("a refused appeal wrote %s", pdf)
	}
}
