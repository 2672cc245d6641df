package control_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/casebridge/casebridge/internal/control"
)

func TestReadyDoesNotConsume(t *testing.T) {
	dir := t.TempDir()
	if err := control.Ready(dir); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := control.Ready(dir); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := control.Next(dir); err != nil || n != 1 {
		t.Errorf("first number after readiness checks: %d %v", n, err)
	}
	if err := control.Ready(dir); err != nil {
		t.Fatal(err)
	}
	if n, _ := control.Next(dir); n != 2 {
		t.Errorf("second number %d", n)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("readiness left files behind: %v", entries)
	}
}

func TestReadyFails(t *testing.T) {
	// a state directory under a regular file cannot be made (even as root)
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := control.Ready(filepath.Join(notDir, "state")); err == nil {
		t.Error("state directory under a file: ready")
	}
	corrupt := t.TempDir()
	if err := os.WriteFile(filepath.Join(corrupt, "control-number"), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := control.Ready(corrupt); err == nil {
		t.Error("corrupt counter: ready")
	}
	// the counter is a directory: Next cannot open it, nor can Ready
	odd := t.TempDir()
	if err := os.Mkdir(filepath.Join(odd, "control-number"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := control.Ready(odd); err == nil {
		t.Error("counter is a directory: ready")
	}
}
