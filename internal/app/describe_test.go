package app_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/golden"
)

// describeSamples are the testdata samples `casebridge describe` is
// checked on, one of each kind, and their golden outputs.
var describeSamples = map[string]string{
	"837d/self.x12":                        "837d_self.txt",
	"835/d9997_dental.x12":                 "835_d9997_dental.txt",
	"x12/imsweb_999_rejected_with_ta1.x12": "999_imsweb_rejected_with_ta1.txt",
	"277ca/claims.x12":                     "277ca_claims.txt",
}

func TestDescribeGolden(t *testing.T) {
	for in, out := range describeSamples {
		var b bytes.Buffer
		if err := app.Describe(bytes.NewReader(testdata(t, in)), &b); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		got := b.String()
		golden.Check(t, filepath.Join("..", "..", "testdata", "describe", out), b.Bytes())
		// every segment is placed: no "not expected here" line, one line per segment
		if strings.Contains(got, "not expected here") || strings.Contains(got, "no rule table") {
			t.Errorf("%s: a segment was not placed", in)
		}
		if n, segs := strings.Count(got, "[segment "), strings.Count(string(testdata(t, in)), "~"); n != segs {
			t.Errorf("%s: %d segment lines for %d segments", in, n, segs)
		}
	}
}

func TestDescribeErrors(t *testing.T) {
	var b bytes.Buffer
	err := app.Describe(bytes.NewReader([]byte("hello")), &b)
	var xe *x12.Error
	if !errors.As(err, &xe) || xe.Code != x12.CodeISAMissing {
		t.Errorf("not X12: %v", err)
	}
	// a set with no table is listed without names
	raw := strings.Replace(string(testdata(t, "837d/self.x12")), "ST*837*1003*005010X224A2~", "ST*850*1003~", 1)
	b.Reset()
	if err := app.Describe(bytes.NewReader([]byte(raw)), &b); err != nil || !strings.Contains(b.String(), "no rule table") {
		t.Errorf("850: %v %s", err, b.String()[:200])
	}
	// truncated: described up to the break, then the positioned error
	self := string(testdata(t, "837d/self.x12"))
	b.Reset()
	err = app.Describe(bytes.NewReader([]byte(self[:len(self)-30])), &b)
	if !errors.As(err, &xe) || xe.Code != x12.CodeTruncated || !strings.Contains(b.String(), "REF Line Item Control Number") {
		t.Errorf("truncated: %v", err)
	}
}
