package mask_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/mask"
)

// A masked file validates exactly as its original did (issue 10, item 6):
// the same issues, at the same positions, with the same acknowledgment
// codes, by every SNIP type — over every X12 sample in testdata.
func TestMaskedValidatesAsOriginal(t *testing.T) {
	var files []string
	for _, g := range []string{"../../testdata/x12/*.x12", "../../testdata/x12/broken/*.x12",
		"../../testdata/837d/*.x12", "../../testdata/837d/public/*.x12", "../../testdata/835/*.x12",
		"../../testdata/835/public/*.x12"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	if len(files) < 30 {
		t.Fatalf("only %d sample files found", len(files))
	}
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	type key struct {
		Type                        app.SnipType
		Code, Severity, SegmentID   string
		Loop                        string
		Segment, Element, Component int
		SegmentInSet                int
		TA1, AK9, IK5, IK3, IK4     string
	}
	issues := func(t *testing.T, data []byte) (bool, []key) {
		rep, err := app.ValidateX12(data, app.ValidateOptions{Today: today})
		if err != nil {
			return false, []key{{Code: "unreadable"}}
		}
		out := make([]key, 0, len(rep.Issues))
		for _, is := range rep.Issues {
			out = append(out, key{is.Type, is.Code, string(is.Severity), is.SegmentID, is.Loop, is.Segment,
				is.Element, is.Component, is.SegmentInSet, is.TA1, is.AK9, is.IK5, is.IK3, is.IK4})
		}
		return rep.Valid, out
	}
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), func(t *testing.T) {
			orig, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if _, err := mask.New(testKey).X12(&buf, bytes.NewReader(orig)); err != nil {
				// the masker refuses whole (never half-writes) a file its
				// reader cannot read; the validator must find that file
				// invalid (it reports such defects instead of stopping)
				if valid, _ := issues(t, orig); valid {
					t.Fatalf("masker refused a file the validator finds valid: %v", err)
				}
				return
			}
			masked := buf.Bytes()
			va, a := issues(t, orig)
			vb, b := issues(t, masked)
			if va != vb || len(a) != len(b) {
				t.Fatalf("valid %v with %d issues; masked: valid %v with %d issues\n%v\n%v", va, len(a), vb, len(b), a, b)
			}
			for i := range a {
				if a[i] != b[i] {
					t.Errorf("issue %d: %+v\nmasked:   %+v", i, a[i], b[i])
				}
			}
		})
	}
}
