package control_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/casebridge/casebridge/internal/control"
)

func TestNextNeverRepeats(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	seen := map[int]bool{}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				n, err := control.Next(dir)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[n] {
					t.Errorf("control number %d repeated", n)
				}
				seen[n] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 200 {
		t.Errorf("%d numbers", len(seen))
	}
}

func TestWrapsAndRejectsCorruption(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "control-number")
	if err := os.WriteFile(path, []byte("999999999\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if n, err := control.Next(dir); err != nil || n != 1 {
		t.Errorf("after the max: %d %v", n, err)
	}
	if err := os.WriteFile(path, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := control.Next(dir); err == nil {
		t.Error("corrupt counter accepted")
	}
}
