// Package control hands out interchange control numbers that do not repeat
// on this machine: a counter kept in a small file under a state directory,
// advanced under an exclusive lock so concurrent processes never share one.
package control

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Max is the largest ISA13 value.
const Max = 999999999

// DefaultDir is where the counter lives unless configured:
// $CASEBRIDGE_STATE_DIR, else the user's state/config directory.
func DefaultDir() string {
	if d := os.Getenv("CASEBRIDGE_STATE_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "casebridge")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "state", "casebridge")
	}
	return filepath.Join(os.TempDir(), "casebridge")
}

// Next returns the next control number (1..Max, wrapping) from the counter
// in dir.
func Next(dir string) (int, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, fmt.Errorf("control: state directory: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "control-number"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return 0, fmt.Errorf("control: counter file: %w", err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return 0, fmt.Errorf("control: lock: %w", err)
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	buf := make([]byte, 32)
	n, err := f.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, fmt.Errorf("control: read: %w", err)
	}
	last := 0
	if s := strings.TrimSpace(string(buf[:n])); s != "" {
		if last, err = strconv.Atoi(s); err != nil || last < 0 || last > Max {
			return 0, fmt.Errorf("control: counter file is corrupt")
		}
	}
	next := last%Max + 1
	if err := f.Truncate(0); err != nil {
		return 0, fmt.Errorf("control: write: %w", err)
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(next)+"\n"), 0); err != nil {
		return 0, fmt.Errorf("control: write: %w", err)
	}
	if err := f.Sync(); err != nil {
		return 0, fmt.Errorf("control: sync: %w", err)
	}
	return next, nil
}
