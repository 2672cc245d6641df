package app_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/app"
)

func read837(t *testing.T, data []byte, m *app.Masker) ([]*app.Claim837, error) {
	t.Helper()
	var got []*app.Claim837
	err := app.Read837D(bytes.NewReader(data), m, func(c *app.Claim837) error { got = append(got, c); return nil })
	return got, err
}

// TestRead837DMasked: the masked read gives the same claims, lines and
// amounts, none of the names or ids, and the same positioned error as the
// plain read when the input is defective.
func TestRead837DMasked(t *testing.T) {
	data, err := os.ReadFile("../../mapping/claim837/testdata/multi.x12")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := app.NewMasker("fixed")
	plain, err := read837(t, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	masked, err := read837(t, data, m)
	if err != nil {
		t.Fatal(err)
	}
	if len(plain) != len(masked) {
		t.Fatalf("%d claims, masked %d", len(plain), len(masked))
	}
	for i := range plain {
		p, q := plain[i], masked[i]
		if p.Source != q.Source || len(p.NotMapped) != len(q.NotMapped) || len(p.OtherPayers) != len(q.OtherPayers) || len(p.Record.Services) != len(q.Record.Services) {
			t.Errorf("claim %d: another shape", i)
		}
		for j := range p.Record.Services {
			if p.Record.Services[j].Charge.String() != q.Record.Services[j].Charge.String() {
				t.Errorf("claim %d line %d: charge changed", i, j)
			}
		}
		if p.Record.RecordID == q.Record.RecordID || p.Record.Subscriber.LastName == q.Record.Subscriber.LastName {
			t.Errorf("claim %d: not masked", i)
		}
	}

	cut := data[:bytes.Index(data, []byte("SE*110*0001"))+4]
	_, plainErr := read837(t, cut, nil)
	_, maskedErr := read837(t, cut, m)
	var a, b *x12.Error
	if !errors.As(plainErr, &a) || !errors.As(maskedErr, &b) || a.Code != b.Code || a.Segment != b.Segment || a.Code != x12.CodeTruncated {
		t.Errorf("truncated: plain %v, masked %v", plainErr, maskedErr)
	}
	if app.Read837Invalid(maskedErr) {
		t.Error("a truncated file is unreadable, not invalid")
	}
	bad := bytes.Replace(data, []byte("DMG*D8*19800214"), []byte("DMG*D8*1980021X"), 1)
	_, err = read837(t, bad, m)
	if !app.Read837Invalid(err) {
		t.Errorf("bad date: %v", err)
	}
}

func TestNewMaskerKeys(t *testing.T) {
	a, _ := app.NewMasker("k")
	b, _ := app.NewMasker("k")
	r1, _ := app.NewMasker("")
	r2, _ := app.NewMasker("")
	in := []byte(`{"record_id":"R1","billing_provider":{"npi":"1234567893"},"payer":{"name":"P","id":"P1"},"subscriber":{"member_id":"MEMBER77","last_name":"Lind"},"patient":null,"services":[{"date":"2026-10-01","charge":"10"}]}`)
	ja, err := app.MaskRecordJSON(in, a)
	if err != nil {
		t.Fatal(err)
	}
	jb, _ := app.MaskRecordJSON(in, b)
	j1, _ := app.MaskRecordJSON(in, r1)
	j2, _ := app.MaskRecordJSON(in, r2)
	if !bytes.Equal(ja, jb) || bytes.Equal(j1, j2) || strings.Contains(string(ja), "MEMBER77") {
		t.Errorf("keyed masks must repeat, random ones not:\n%s\n%s\n%s", ja, j1, j2)
	}
	if _, err := app.MaskRecordJSON([]byte(`{"record_id":`), a); err == nil {
		t.Error("a broken record was masked")
	}
}

func TestClaim837Bundle(t *testing.T) {
	data, err := os.ReadFile("../../testdata/837d/self.x12")
	if err != nil {
		t.Fatal(err)
	}
	claims, err := read837(t, data, nil)
	if err != nil || len(claims) != 1 {
		t.Fatal(err)
	}
	b, err := app.Claim837Bundle(claims[0], time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), false)
	if err != nil || !bytes.Contains(b, []byte(`"resourceType":"Bundle"`)) || !bytes.Contains(b, []byte(`D9997`)) {
		t.Errorf("bundle %s (%v)", b, err)
	}
}
