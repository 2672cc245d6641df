package remit_test

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/casebridge/casebridge/internal/gen835"
	"github.com/casebridge/casebridge/internal/money"
	"github.com/casebridge/casebridge/mapping/remit"
)

// fill sets every field of v (by reflection, so a field added to the
// model is covered) to a random value: nil and empty slices, nil
// pointers, amounts on and off the int64 path.
func fill(r *rand.Rand, v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.String:
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		v.SetString(string(b))
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 1)
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(r.Int64N(1<<40) - 1<<39)
	case reflect.Slice:
		switch k := r.IntN(4); {
		case k == 0 || depth > 3:
			v.SetZero()
		case k == 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			n := 1 + r.IntN(3)
			v.Set(reflect.MakeSlice(v.Type(), n, n))
			for i := 0; i < n; i++ {
				fill(r, v.Index(i), depth+1)
			}
		}
	case reflect.Pointer:
		if r.IntN(2) == 0 {
			v.SetZero()
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(r, v.Elem(), depth+1)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[money.Amount]() {
			texts := []string{"0", "85.50", "-120", "0.001", "123456789012345678901234.50", "-99999999999999999999.9"}
			v.Set(reflect.ValueOf(money.MustParse(texts[r.IntN(len(texts))])))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			fill(r, v.Field(i), depth)
		}
	}
}

// TestClaimSpoolRoundTrip: claims come back from the spool equal to what
// went in, field for field, from memory and from the encrypted temporary
// file, over several sets (Reset).
func TestClaimSpoolRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	for _, memBytes := range []int{0, 300, 1 << 20} {
		sp := remit.NewClaimSpool(memBytes)
		for set := 0; set < 3; set++ {
			var want []remit.Claim
			for i := 0; i < 40; i++ {
				var c remit.Claim
				fill(r, reflect.ValueOf(&c).Elem(), 0)
				want = append(want, c)
				if err := sp.Append(&c); err != nil {
					t.Fatal(err)
				}
			}
			if memBytes == 0 && !sp.Spilled() {
				t.Fatal("a 0-byte spool did not move to its file")
			}
			for pass := 0; pass < 2; pass++ {
				n := 0
				if err := sp.Each(func(i int, c *remit.Claim) error {
					if !reflect.DeepEqual(*c, want[i]) {
						t.Fatalf("mem %d set %d claim %d: got\n%+v\nwant\n%+v", memBytes, set, i, *c, want[i])
					}
					n++
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				if n != len(want) || sp.Len() != len(want) {
					t.Fatalf("%d claims replayed, %d spooled, want %d", n, sp.Len(), len(want))
				}
			}
			if err := sp.Reset(); err != nil {
				t.Fatal(err)
			}
		}
		if err := sp.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestClaimSpoolRealClaims: every claim of the sample 835s and a
// generated file survives the file spool unchanged.
func TestClaimSpoolRealClaims(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/835/*.x12")
	pub, _ := filepath.Glob("../../testdata/835/public/*.x12")
	inputs := map[string][]byte{}
	for _, f := range append(files, pub...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs[f] = data
	}
	var g bytes.Buffer
	if _, err := gen835.Write(&g, gen835.Config{Sets: 2, ClaimsPerSet: 300, Seed: 8}); err != nil {
		t.Fatal(err)
	}
	inputs["generated"] = g.Bytes()
	for name, data := range inputs {
		sp := remit.NewClaimSpool(0)
		_, err := remit.Read(bytes.NewReader(data), remit.Options{}, func(tx *remit.Transaction) error {
			defer sp.Reset()
			for i := range tx.Claims {
				if err := sp.Append(&tx.Claims[i]); err != nil {
					return err
				}
			}
			return sp.Each(func(i int, c *remit.Claim) error {
				if !reflect.DeepEqual(*c, tx.Claims[i]) {
					t.Errorf("%s: claim %d changed in the spool", name, i)
				}
				return nil
			})
		})
		sp.Close()
		if err != nil && name == "generated" {
			t.Fatal(err)
		}
	}
}
