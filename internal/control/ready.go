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

// Ready reports whether Next could hand out a number from the counter in
// dir, without consuming one: the state directory exists (or can be made)
// and takes a new file, and the counter file opens for writing and holds a
// valid number (or nothing yet). The counter itself is never written. The
// error names paths and the failing step, never data.
func Ready(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("control: state directory: %w", err)
	}
	// the directory takes a new file: write, sync and remove a probe
	probe, err := os.CreateTemp(dir, ".ready-*")
	if err != nil {
		return fmt.Errorf("control: state directory is not writable: %w", err)
	}
	name := probe.Name()
	_, werr := probe.Write([]byte(strconv.Itoa(Max) + "\n"))
	serr := probe.Sync()
	cerr := probe.Close()
	rerr := os.Remove(name)
	if err := errors.Join(werr, serr, cerr, rerr); err != nil {
		return fmt.Errorf("control: state directory is not writable: %w", err)
	}
	// the counter opens read-write (created empty if missing: that is the
	// state Next starts from) and parses
	f, err := os.OpenFile(filepath.Join(dir, "control-number"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("control: counter file: %w", err)
	}
	defer f.Close()
	// a shared lock waits out an allocation in progress but never blocks one
	// for long: the counter is read and released
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH); err != nil {
		return fmt.Errorf("control: lock: %w", err)
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	buf := make([]byte, 32)
	n, err := f.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("control: read: %w", err)
	}
	if s := strings.TrimSpace(string(buf[:n])); s != "" {
		if last, err := strconv.Atoi(s); err != nil || last < 0 || last > Max {
			return fmt.Errorf("control: counter file is corrupt")
		}
	}
	return nil
}
