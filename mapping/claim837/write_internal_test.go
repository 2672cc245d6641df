package claim837

import (
	"testing"

	"github.com/casebridge/casebridge/internal/record"
)

// TestAppendDiagnosisIsNormalizeDiagnosis: the writer's HI codes are
// record.NormalizeDiagnosis of the record's, without the string.
func TestAppendDiagnosisIsNormalizeDiagnosis(t *testing.T) {
	for _, code := range []string{"", "G80.0", " g80.0 ", "\tk08.1\n", "F84.0", "Z74.09", "..", "é12.3", " \u00a0Z74.09\u00a0", "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r", "G80.0\v\f\r"} {
		if got, want := string(appendDiagnosis([]byte("x"), code)), "x"+record.NormalizeDiagnosis(code); got != want {
			t.Errorf("%q: got %q, want %q", code, got, want)
		}
	}
}

// TestControlNumbersFor: the three numbers cut from one string.
func TestControlNumbersFor(t *testing.T) {
	for n, want := range map[int]ControlNumbers{
		1:         {"000000001", "1", "0001"},
		42:        {"000000042", "42", "0042"},
		12345:     {"000012345", "12345", "12345"},
		999999999: {"999999999", "999999999", "999999999"},
	} {
		if got := ControlNumbersFor(n); got != want {
			t.Errorf("%d: got %+v, want %+v", n, got, want)
		}
	}
}
