package snip

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/casebridge/casebridge/adapters/x12"
)

// FuzzAck: whatever the validator reports on any input, the writer answers
// it with a 999 or TA1 that reads back with clean envelopes, or says there
// is nothing to acknowledge; it never fails otherwise (a bad input is never
// a 500) and never panics.
func FuzzAck(f *testing.F) {
	for _, pat := range []string{"../../testdata/837d/*.x12", "../../testdata/x12/broken/*.x12", "../../testdata/x12/imsweb_999_*.x12"} {
		files, _ := filepath.Glob(pat)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("ISA*00*          *00*          *ZZ*A~B:C^D|E      *ZZ*RCV            *261127*1000*^*00501*000000001*0*T*:|GS*HC*A*B*20261127*1000*1*X*005010X224A2|ST*837*0:01*005010X224A2|SE*2*0:01|GE*1*1|IEA*1*000000001|"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rep, err := Validate(bytes.NewReader(b), Options{Types: []Type{Syntax, HIPAASyntax}})
		if err != nil {
			return // not X12 at all
		}
		var out bytes.Buffer
		n := 0
		_, err = WriteAck(&out, rep, AckOptions{Date: ackAt, ControlNumber: func(*Interchange) (int, error) { n++; return n, nil }})
		if errors.Is(err, ErrNothingToAcknowledge) {
			return
		}
		if err != nil {
			t.Fatalf("acknowledgment not written: %v", err)
		}
		segs, err := x12.ReadAll(bytes.NewReader(out.Bytes()), x12.ReaderOptions{})
		if err != nil {
			t.Fatalf("acknowledgment does not read back: %v\n%s", err, out.Bytes())
		}
		c := x12.NewEnvelopeChecker()
		for _, s := range segs {
			if es := c.Add(s); len(es) > 0 {
				t.Fatalf("envelope: %v", es[0])
			}
		}
		if es := c.Finish(); len(es) > 0 {
			t.Fatalf("envelope: %v", es[0])
		}
	})
}
