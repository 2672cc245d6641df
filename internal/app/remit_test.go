package app_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/internal/app"
)

// TestWriteFindings: the indented JSON is the golden report, OnClaim runs
// once per claim written, ndjson ends with the summary line, an unknown
// format writes nothing, and an unreadable 835 writes nothing before
// output began and is Unreadable; a failing writer's error is not.
func TestWriteFindings(t *testing.T) {
	in := read(t, "../../testdata/835/two_sets_pipe_crlf.x12")
	var out bytes.Buffer
	n := 0
	res, err := app.WriteFindings(bytes.NewReader(in), &out, app.FindingsOptions{Format: "json", Indent: true, OnClaim: func() { n++ }})
	if err != nil {
		t.Fatal(err)
	}
	if want := read(t, "../../testdata/835/two_sets_pipe_crlf.json"); !bytes.Equal(out.Bytes(), want) {
		t.Errorf("JSON differs from the golden report")
	}
	if res.Remittances != 2 || res.Claims == 0 || n != res.Claims {
		t.Errorf("result %+v, OnClaim %d times", res, n)
	}

	out.Reset()
	if _, err := app.WriteFindings(bytes.NewReader(in), &out, app.FindingsOptions{Format: "ndjson"}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if !strings.HasPrefix(lines[len(lines)-1], `{"summary":`) {
		t.Errorf("last ndjson line %q", lines[len(lines)-1])
	}

	out.Reset()
	if _, err := app.WriteFindings(bytes.NewReader(in), &out, app.FindingsOptions{Format: "xml"}); err == nil || app.Unreadable(err) || out.Len() > 0 {
		t.Errorf("format xml: err %v, %d bytes", err, out.Len())
	}

	out.Reset()
	bad := read(t, "../../testdata/835/invalid/837d_given_as_835-invalid.x12")
	if _, err := app.WriteFindings(bytes.NewReader(bad), &out, app.FindingsOptions{Format: "json"}); !app.Unreadable(err) || out.Len() > 0 {
		t.Errorf("an 837 read as 835: err %v, %d bytes", err, out.Len())
	}
	if _, err := app.FindingsReport(bytes.NewReader(bad)); !app.Unreadable(err) {
		t.Errorf("FindingsReport: %v", err)
	}
	if app.Unreadable(io.ErrUnexpectedEOF) || app.Unreadable(nil) {
		t.Error("Unreadable: only an *x12.Error is the input's fault")
	}
	if _, err := app.WriteFindings(bytes.NewReader(in), failWriter{}, app.FindingsOptions{Format: "json"}); err == nil || app.Unreadable(err) {
		t.Errorf("failing writer: %v", err)
	}
}

// TestFindingsTable: the table of the whole report is the golden table.
func TestFindingsTable(t *testing.T) {
	rep, err := app.FindingsReport(bytes.NewReader(read(t, "../../testdata/835/d9997_dental.x12")))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := app.WriteFindingsTable(&out, rep); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), read(t, "../../testdata/835/d9997_dental.table.txt")) {
		t.Error("table differs from the golden table")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
