package record_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/casebridge/casebridge/internal/record"
)

func TestDecodeShapeProblems(t *testing.T) {
	data, err := os.ReadFile("../../testdata/records-invalid/unknown-field.json")
	if err != nil {
		t.Fatal(err)
	}
	rec, probs, err := record.DecodeBytes(data)
	if err != nil || rec != nil {
		t.Fatalf("want problems, got rec=%v err=%v", rec, err)
	}
	want := map[string]string{
		"/billing_provider/fax": "UNKNOWN_FIELD",
		"/colour":               "UNKNOWN_FIELD",
		"/services/0/charge":    "MONEY_INVALID",
		"/services/1/charge":    "MONEY_INVALID",
		"/services/1/units":     "TYPE_MISMATCH",
	}
	got := map[string]string{}
	for _, p := range probs {
		if p.Severity != record.SeverityError {
			t.Errorf("%s: severity %s", p.Pointer, p.Severity)
		}
		got[p.Pointer] = p.Code
	}
	for ptr, code := range want {
		if got[ptr] != code {
			t.Errorf("%s: got %q, want %s", ptr, got[ptr], code)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %v", got)
	}
}

func TestDecodeSyntax(t *testing.T) {
	for _, in := range []string{"", "{", "[1,2]", `"x"`, `{"record_id":"A"} {}`, "{\"a\":1,}"} {
		_, _, err := record.DecodeBytes([]byte(in))
		var se *record.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: want SyntaxError, got %v", in, err)
		}
	}
}

func TestMoneyAcceptsNumbersAndStrings(t *testing.T) {
	in := `{"record_id":"A","billing_provider":{"name":"n","npi":"1"},"payer":{"name":"p","id":"i"},
	"subscriber":{"member_id":"m","last_name":"l"},"patient":null,
	"services":[{"date":"2026-01-01","charge":85},{"date":"2026-01-02","charge":"12.50"},{"date":"2026-01-03","charge":0.1}]}`
	rec, probs, err := record.DecodeBytes([]byte(in))
	if err != nil || probs.HasErrors() {
		t.Fatalf("%v %v", err, probs)
	}
	for i, want := range []string{"85", "12.5", "0.1"} {
		if got := rec.Services[i].Charge.X12(); got != want {
			t.Errorf("line %d: %s, want %s", i, got, want)
		}
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct {
		in, want string
		changed  bool
	}{
		{"Plain text", "PLAIN TEXT", false},
		{"Time: 45 min", "TIME 45 MIN", true},
		{"a*b~c^d", "A B C D", true},
		{"  line\none  ", "LINE ONE", true},
		{"José", "JOSE", true}, {"Nguyễn", "NGUYEN", true},
	}
	for _, tc := range tests {
		got, changed := record.CleanText(tc.in)
		if got != tc.want || changed != tc.changed {
			t.Errorf("CleanText(%q) = %q, %v; want %q, %v", tc.in, got, changed, tc.want, tc.changed)
		}
	}
}

func TestPointerEscapes(t *testing.T) {
	if got := record.Pointer("a/b", "c~d", 3); got != "/a~1b/c~0d/3" {
		t.Errorf("got %s", got)
	}
}

// FuzzDecode fuzzes DecodeBytes as callers use it: the strict pass, and
// the full pass only for what the strict pass gives up on. Whether the
// strict pass takes only what the full pass takes, to the same record, is
// FuzzStrictAgreesWithFull's (and TestStrictPassAgreesOnMutations'). Run
// here too, it put the reflective full pass on every input the strict pass
// takes (~100 µs against ~4 µs for a 3 KB record) and ran the strict pass
// twice. That mattered most in minimisation: Go's minimiser tries every
// single-byte and then every range deletion of a new interesting input
// (O(n²) tries, millions for these 2-3 KB records, most of which cannot
// shrink), so it always runs to its budget: 60 s of a worker per input
// with a -fuzztime duration, Limit/workers execs with a count. Pass
// -fuzzminimizetime 200x (as .ci/run does) to bound it.
func FuzzDecode(f *testing.F) {
	for _, data := range readFiles(f, "../../testdata/records/*", "../../testdata/records-invalid/*") {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, probs, err := record.DecodeBytes(data)
		if err == nil && !probs.HasErrors() && rec == nil {
			t.Fatal("no record, no problems, no error")
		}
		if rec != nil {
			_ = rec.WithDefaults()
		}
	})
}

func TestDecodeIssue7Fields(t *testing.T) {
	in := `{"record_id":"A","billing_provider":{"first_name":"Ruth","last_name":"Okafor","npi":"1","tax_id":"9","tax_id_type":"ssn"},
	"service_facility":{"name":"Willow","npi":"2","address":{"line1":"1 Rd","city":"C","state":"CA","postal_code":"90001"},"room":"12"},
	"payer":{"name":"p","id":"i"},"subscriber":{"member_id":"m","last_name":"l"},"services":[{"date":"2026-01-01","charge":"1"}]}`
	_, probs, err := record.DecodeBytes([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(probs) != 1 || probs[0].Pointer != "/service_facility/room" || probs[0].Code != "UNKNOWN_FIELD" {
		t.Fatalf("problems %+v", probs)
	}
	rec, probs, err := record.DecodeBytes([]byte(strings.Replace(in, `,"room":"12"`, "", 1)))
	if err != nil || len(probs) != 0 {
		t.Fatalf("%v %+v", err, probs)
	}
	bp := rec.BillingProvider
	if !bp.Individual() || bp.TaxIDType != record.TaxIDSSN || rec.ServiceFacility == nil || rec.ServiceFacility.Address.PostalCode != "90001" {
		t.Errorf("decoded %+v %+v", bp, rec.ServiceFacility)
	}
	if c := rec.Clone(); c.ServiceFacility == rec.ServiceFacility || c.ServiceFacility.Address == rec.ServiceFacility.Address {
		t.Error("Clone shares the service facility")
	}
}

// TestPlainTextAgreesWithCleanText holds the fast path to the slow one.
func TestPlainTextAgreesWithCleanText(t *testing.T) {
	for _, in := range []string{"", "a", "Plain text", " lead", "trail ", "two  spaces", "tab\there", "x*y", "a:b", "c^d", "e~f",
		"José", "Nguyễn", "ok-chars !#$%&()+,./;<=>?@[]_{|}", "\x7f", "ALREADY UPPER 123"} {
		slowClean, slowChanged := cleanTextSlow(in)
		clean, changed := record.CleanText(in)
		if clean != slowClean || changed != slowChanged {
			t.Errorf("CleanText(%q) = %q, %v; the full walk gives %q, %v", in, clean, changed, slowClean, slowChanged)
		}
		if record.TextChanged(in) != slowChanged {
			t.Errorf("TextChanged(%q) = %v", in, !slowChanged)
		}
		if record.PlainText(in) && (slowChanged || slowClean != strings.ToUpper(in)) {
			t.Errorf("PlainText(%q) but the clean text is %q", in, slowClean)
		}
	}
}

// cleanTextSlow is CleanText's full walk, a copy without the fast path.
func cleanTextSlow(s string) (string, bool) {
	var b strings.Builder
	changed := false
	space := true
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			changed = true
			continue
		}
		if r < 0x20 || r > 0x7e || strings.ContainsRune(record.X12Delimiters, r) {
			changed = true
			r = ' '
		}
		if r == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteRune(r)
	}
	return strings.ToUpper(strings.TrimRight(b.String(), " ")), changed
}

// A key that is not shaped like a field name may be client data (a name, a
// member id, a date): it is reported at its parent and never repeated.
func TestDecodeUnknownKeyNotQuoted(t *testing.T) {
	data, err := os.ReadFile("../../testdata/records/self.json")
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Replace(string(data), `"member_id":`, `"DOE JANE": 1, "1980-01-01": 2, "favourite_colour": 3, "member_id":`, 1)
	_, probs, err := record.DecodeBytes([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, p := range probs {
		if p.Code != "UNKNOWN_FIELD" {
			t.Errorf("unexpected %s at %s", p.Code, p.Pointer)
		}
		if strings.Contains(p.Pointer+p.Message, "JANE") || strings.Contains(p.Pointer+p.Message, "1980") {
			t.Errorf("problem quotes the key: %+v", p)
		}
		got[p.Pointer]++
	}
	if got["/subscriber"] != 2 || got["/subscriber/favourite_colour"] != 1 || len(got) != 2 {
		t.Errorf("pointers %v; want two at /subscriber and /subscriber/favourite_colour", got)
	}
}
