package app_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/golden"
	"github.com/casebridge/casebridge/mapping/ack"
)

// TestAcknowledgeX12Golden: the acknowledgment of each testdata 837D and of
// each deliberately broken file (testdata/x12/broken): a 999 (accepted,
// accepted with errors or rejected, with IK3/CTX/IK4 at the defect) or a
// TA1 for an unusable envelope. Every one reads back with mapping/ack.
func TestAcknowledgeX12Golden(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/x12/broken/*.x12")
	files = append(files, "../../testdata/837d/self.x12", "../../testdata/837d/replacement.x12")
	if len(files) < 10 {
		t.Fatalf("only %d inputs", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		n := 500
		var senders []string
		res, err := app.AcknowledgeX12(data, app.AckOutOptions{
			Validate: app.ValidateOptions{Today: time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)},
			ControlNumber: func(sender string) (int, error) {
				senders = append(senders, sender)
				n++
				return n, nil
			},
			Newlines: true,
		})
		name := strings.TrimSuffix(filepath.Base(f), ".x12")
		if filepath.Base(filepath.Dir(f)) == "837d" {
			name = "837d_" + name
		}
		if err != nil {
			golden.Check(t, filepath.Join("testdata", "ack", name+".err"), []byte(err.Error()+"\n"))
			continue
		}
		golden.Check(t, filepath.Join("testdata", "ack", name+"."+strings.ToLower(res.Kind)), res.X12)
		if len(senders) == 0 || senders[0] != "CLEARINGHOUSE" {
			t.Errorf("%s: drawn for %q, want our ISA06 CLEARINGHOUSE (the received ISA08)", name, senders)
		}
		a, err := ack.ReadBytes(res.X12)
		if err != nil {
			t.Errorf("%s: our %s does not read back: %v", name, res.Kind, err)
			continue
		}
		if string(a.Kind) != res.Kind {
			t.Errorf("%s: wrote %s, read %s", name, res.Kind, a.Kind)
		}
		if (res.Kind == "TA1") != res.Report.Unusable {
			t.Errorf("%s: %s for envelope_unusable=%v", name, res.Kind, res.Report.Unusable)
		}
	}
}

func TestAcknowledgeX12Errors(t *testing.T) {
	cn := func(string) (int, error) { return 1, nil }
	if _, err := app.AcknowledgeX12([]byte("hello"), app.AckOutOptions{ControlNumber: cn}); !errors.Is(err, app.ErrX12Unreadable) {
		t.Errorf("not X12: %v", err)
	}
	self, _ := os.ReadFile("../../testdata/837d/self.x12")
	boom := func(string) (int, error) { return 0, app.ErrControlNumbersExhausted }
	if _, err := app.AcknowledgeX12(self, app.AckOutOptions{ControlNumber: boom}); !errors.Is(err, app.ErrAckControlNumber) || !errors.Is(err, app.ErrControlNumbersExhausted) {
		t.Errorf("allocator failure: %v", err)
	}
}
