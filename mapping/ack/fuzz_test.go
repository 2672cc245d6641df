package ack

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/casebridge/casebridge/adapters/x12"
)

// FuzzRead: any input either reads or fails with a positioned *x12.Error;
// it never panics. Seeded with every acknowledgment sample we have.
func FuzzRead(f *testing.F) {
	for _, pat := range []string{"../../testdata/x12/imsweb_999_*.x12", "../../testdata/277ca/*.x12", "../../internal/snip/testdata/ack/*.x12"} {
		files, _ := filepath.Glob(pat)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ReadBytes(b)
		if err != nil {
			var xe *x12.Error
			if !errors.As(err, &xe) {
				t.Fatalf("not an *x12.Error: %v", err)
			}
			return
		}
		if a.Kind == "" {
			t.Fatal("read without a kind")
		}
		for _, s := range a.Sets {
			if s.Status == "" {
				t.Fatal("a set answer without a status")
			}
		}
	})
}
