package snip

import (
	"os"
	"testing"
)

// TestX214Table: the 277CA sample validates clean against the X214 table
// (SNIP 1 and 2): every segment is placed in its loop.
func TestX214Table(t *testing.T) {
	f, err := os.Open("../../testdata/277ca/claims.x12")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := Validate(f, Options{Types: []Type{Syntax, HIPAASyntax}})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Valid || len(rep.Issues) > 0 {
		t.Errorf("issues: %+v", rep.Issues)
	}
}
