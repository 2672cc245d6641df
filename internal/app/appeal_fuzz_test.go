package app

import (
	"errors"
	"testing"
)

// FuzzAppealRequest: any body of POST /v1/claims/{id}/appeals is either
// read (within the limits) or refused with a 400 or a 422 DecodeError that
// carries its pointer; never a panic, never quoted input.
func FuzzAppealRequest(f *testing.F) {
	for _, s := range []string{``, `{}`, `{"finding": 0}`, `{"finding": "CO-16", "additional_notes": "x", "contact": "y"}`,
		`{"finding": -1}`, `{"note": 1}`, `{"finding": 0`, `[]`, `null`, `{"contact": 5}`, `{} {}`, `{"finding": 1e3}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := parseAppealRequest(body)
		if err == nil {
			if len(req.notes) > MaxAppealNotes || len(req.contact) > MaxAppealContact || req.findingIdx < -1 ||
				(req.findingIdx >= 0 && req.findingCode != "") || len(req.findingCode) > 20 {
				t.Fatalf("accepted out of contract: %+v", req)
			}
			return
		}
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Fatalf("error %T %v", err, err)
		}
		switch de.Status {
		case 400:
			if de.Syntax == nil || de.Syntax.Offset < 0 || de.Syntax.Offset > int64(len(body)) {
				t.Fatalf("400 without a usable offset: %+v", de.Syntax)
			}
		case 422:
			if len(de.Problems) == 0 {
				t.Fatal("422 without problems")
			}
			for _, p := range de.Problems {
				if p.Code == "" || p.Message == "" {
					t.Fatalf("problem %+v", p)
				}
			}
		default:
			t.Fatalf("status %d", de.Status)
		}
	})
}
