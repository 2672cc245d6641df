package record_test

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/internal/money"
	"github.com/casebridge/casebridge/internal/record"
)

// strictAgrees fails when the strict pass accepts data that the full pass
// does not decode to the same record without problems.
func strictAgrees(t *testing.T, data []byte) bool {
	t.Helper()
	fast, ok := record.DecodeStrict(data)
	if !ok {
		return false
	}
	full, probs, err := record.DecodeFull(data)
	if err != nil || len(probs) > 0 {
		t.Fatalf("strict pass accepted %q; the full pass says %v %+v", data, err, probs)
	}
	if !reflect.DeepEqual(fast, full) {
		t.Fatalf("%q: strict %+v\nfull %+v", data, fast, full)
	}
	return true
}

func validRecords(t testing.TB) [][]byte {
	out := readFiles(t, "../../testdata/records/*.json", "../../testdata/fhir/records/*.json")
	if len(out) == 0 {
		t.Fatal("no records")
	}
	return out
}

// readFiles reads the files the patterns match.
func readFiles(t testing.TB, patterns ...string) [][]byte {
	var out [][]byte
	for _, p := range patterns {
		files, _ := filepath.Glob(p)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, data)
		}
	}
	return out
}

func TestStrictPassTakesValidRecords(t *testing.T) {
	for _, data := range validRecords(t) {
		if !strictAgrees(t, data) {
			t.Errorf("the strict pass gave up on a valid record: %.60s", data)
		}
	}
}

func TestStrictPassGivesUp(t *testing.T) {
	base := `{"record_id":"A","billing_provider":{"name":"n","npi":"1"},"payer":{"name":"p","id":"i"},"subscriber":{"member_id":"m","last_name":"l"},"services":[{"date":"2026-01-01","charge":"1"}]}`
	for name, in := range map[string]string{
		"unknown field":         strings.Replace(base, `"record_id"`, `"colour":1,"record_id"`, 1),
		"field in another case": strings.Replace(base, `"record_id"`, `"Record_ID"`, 1),
		"repeated field":        strings.Replace(base, `"record_id":"A"`, `"record_id":"A","record_id":"B"`, 1),
		"null object":           strings.Replace(base, `"payer":{"name":"p","id":"i"}`, `"payer":null`, 1),
		"null line":             strings.Replace(base, `"services":[`, `"services":[null,`, 1),
		"fraction units":        strings.Replace(base, `"charge":"1"`, `"charge":"1","units":1.0`, 1),
		"exponent amount":       strings.Replace(base, `"charge":"1"`, `"charge":1e2`, 1),
		"string units":          strings.Replace(base, `"charge":"1"`, `"charge":"1","units":"1"`, 1),
		"trailing comma":        strings.Replace(base, `"i"}`, `"i",}`, 1),
		"data after":            base + " {}",
		"not an object":         "[" + base + "]",
	} {
		if _, ok := record.DecodeStrict([]byte(in)); ok {
			t.Errorf("%s: the strict pass took it", name)
		}
		// a repeated field is left to the full pass, which takes the last
		rec, probs, err := record.DecodeBytes([]byte(in))
		if (err == nil && len(probs) == 0) != (name == "repeated field") {
			t.Errorf("%s: DecodeBytes gives %v %v", name, err, probs)
		}
		if name == "repeated field" && rec.RecordID != "B" {
			t.Errorf("repeated field: record id %q", rec.RecordID)
		}
	}
	for name, in := range map[string]string{
		"escapes and non-ASCII": strings.Replace(base, `"last_name":"l"`, `"last_name":"Nguy\u1ec5n \"Ly\" Jos\u00e9 Ren\u00e9e \\ \/"`, 1),
		"raw UTF-8":             strings.Replace(base, `"last_name":"l"`, `"last_name":"Nguyễn"`, 1),
		"nulls":                 strings.Replace(base, `"record_id":"A"`, `"record_id":"A","patient":null,"diagnoses":null,"narrative":null,"submitter":null`, 1),
		"empty lists":           strings.Replace(base, `"record_id":"A"`, `"record_id":"A","diagnoses":[],"attachments":[]`, 1),
		"numbers":               strings.Replace(base, `"charge":"1"`, `"charge":-0.50,"units":-0,"minutes":1440`, 1),
		"space":                 " \n\t" + strings.ReplaceAll(base, ":", " : ") + "\r\n",
	} {
		if !strictAgrees(t, []byte(in)) {
			t.Errorf("%s: the strict pass gave up", name)
		}
	}
}

// TestStrictPassAgreesOnMutations edits valid records byte by byte: the
// strict pass may give up on anything, but what it takes the full pass
// must take the same way.
func TestStrictPassAgreesOnMutations(t *testing.T) {
	rng := rand.New(rand.NewPCG(9997, 837))
	alphabet := []byte(`{}[]":,. -+eE0159nultrx\aé` + "\t\n\x00\xff")
	records := validRecords(t)
	taken := 0
	for n := 0; n < 20000; n++ {
		data := []byte(string(records[rng.IntN(len(records))]))
		for k := rng.IntN(3); k >= 0; k-- {
			i := rng.IntN(len(data))
			switch rng.IntN(3) {
			case 0:
				data[i] = alphabet[rng.IntN(len(alphabet))]
			case 1:
				data = append(data[:i], data[i+1:]...)
			default:
				data = append(data[:i], append([]byte{alphabet[rng.IntN(len(alphabet))]}, data[i:]...)...)
			}
		}
		if strictAgrees(t, data) {
			taken++
		}
	}
	t.Logf("strict pass took %d of 20000 mutated records", taken)
}

func FuzzStrictAgreesWithFull(f *testing.F) {
	// the invalid records too: FuzzDecode no longer checks the agreement
	// on the inputs it derives from them
	for _, data := range append(validRecords(f), readFiles(f, "../../testdata/records-invalid/*")...) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) { strictAgrees(t, data) })
}

// fill sets every field of v (a struct) to a value that is not zero, n
// elements in each list, recursively.
func fill(v reflect.Value, n int, seq *int) {
	*seq++
	switch v.Kind() {
	case reflect.String:
		v.SetString("v" + strings.Repeat("x", *seq%7))
	case reflect.Int:
		v.SetInt(int64(1 + *seq%900))
	case reflect.Pointer:
		if v.Type() == reflect.TypeFor[*money.Amount]() {
			a := money.MustParse("12.50")
			v.Set(reflect.ValueOf(&a))
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n, seq)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			fill(v.Field(i), n, seq)
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := 0; i < n; i++ {
			fill(v.Index(i), n, seq)
		}
	default:
		panic("fill: " + v.Kind().String())
	}
}

// TestStrictPassTakesEveryField: the hand-written strict pass knows every
// field of the contract (a field added to a struct and not to its switch
// would send every record that uses it to the slow full pass), with lists
// short and longer than the room the decoder keeps for them.
func TestStrictPassTakesEveryField(t *testing.T) {
	for _, n := range []int{1, 6} {
		var rec record.Record
		seq := 0
		fill(reflect.ValueOf(&rec).Elem(), n, &seq)
		data, err := json.Marshal(&rec)
		if err != nil {
			t.Fatal(err)
		}
		if !strictAgrees(t, data) {
			t.Fatalf("the strict pass gave up on %s", data)
		}
		got, _ := record.DecodeStrict(data)
		if !reflect.DeepEqual(got, &rec) {
			t.Fatalf("decoded %+v\nwant %+v", got, &rec)
		}
	}
}
