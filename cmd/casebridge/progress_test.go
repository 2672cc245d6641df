package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/internal/gen835"
)

// fakeTerminal makes every stderr a terminal for the test.
func fakeTerminal(t *testing.T, is bool) {
	t.Helper()
	old := stderrIsTerminal
	stderrIsTerminal = func(io.Writer) bool { return is }
	t.Cleanup(func() { stderrIsTerminal = old })
}

// big835 writes a generated 835 of more than progressMinBytes.
func big835(t *testing.T) (string, gen835.Record) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "big.x12")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriter(f)
	rec, err := gen835.Write(bw, gen835.Config{Sets: 2, ClaimsPerSet: progressMinBytes/gen835.BytesPerClaim/2 + 1000, Seed: 7})
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if rec.Bytes < progressMinBytes {
		t.Fatalf("generated only %d bytes", rec.Bytes)
	}
	return path, rec
}

// hashWriter keeps a digest and a count of what was written, not the bytes.
type hashWriter struct {
	h interface {
		io.Writer
		Sum([]byte) []byte
	}
	n int
}

func newHashWriter() *hashWriter { return &hashWriter{h: sha256.New()} }

func (w *hashWriter) Write(b []byte) (int, error) { w.n += len(b); return w.h.Write(b) }

func (w *hashWriter) sum() string { return string(w.h.Sum(nil)) }

// The progress reader counts every byte read on its bar, draws on the
// (fake) terminal, and clears the bar at the end of the input; below
// progressMinBytes, or when stderr is not a terminal, it is not there at all.
func TestProgressReaderCounts(t *testing.T) {
	path, rec := big835(t)
	t.Run("terminal", func(t *testing.T) {
		fakeTerminal(t, true)
		var stderr bytes.Buffer
		env := &environ{stderr: &stderr}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r := withProgress(path, f, fileSize(f), env)
		pr, ok := r.(*progressReader)
		if !ok {
			t.Fatalf("no progress on a terminal for %d bytes", rec.Bytes)
		}
		n, err := io.Copy(io.Discard, r)
		if err != nil || n != rec.Bytes {
			t.Fatalf("read %d %v, want %d", n, err, rec.Bytes)
		}
		if st := pr.bar.State(); st.CurrentNum != rec.Bytes || st.Max != rec.Bytes {
			t.Fatalf("bar at %d of %d, want %d of %d", st.CurrentNum, st.Max, rec.Bytes, rec.Bytes)
		}
		if !pr.bar.IsFinished() {
			t.Fatal("bar not finished at the end of the input")
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Read(make([]byte, 1)); err == nil {
			t.Fatal("Close did not close the file")
		}
		if !strings.Contains(stderr.String(), filepath.Base(path)) || !strings.Contains(stderr.String(), "\r") {
			t.Fatalf("nothing drawn on the terminal: %q", stderr.String())
		}
	})
	t.Run("not a terminal", func(t *testing.T) {
		fakeTerminal(t, false)
		var stderr bytes.Buffer
		env := &environ{stderr: &stderr}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r := withProgress(path, f, fileSize(f), env)
		if r != io.ReadCloser(f) {
			t.Fatalf("wrapped when stderr is not a terminal: %T", r)
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			t.Fatal(err)
		}
		if stderr.Len() != 0 {
			t.Fatalf("wrote %q", stderr.String())
		}
	})
	t.Run("small input on a terminal", func(t *testing.T) {
		fakeTerminal(t, true)
		var stderr bytes.Buffer
		env := &environ{stderr: &stderr}
		small := "../../testdata/835/d9997_dental.x12"
		f, err := os.Open(small)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if r := withProgress(small, f, fileSize(f), env); r != io.ReadCloser(f) {
			t.Fatalf("wrapped a small input: %T", r)
		}
		pipe := strings.NewReader("ISA")
		if n := fileSize(pipe); n != -1 {
			t.Fatalf("size of a pipe %d", n)
		}
		if r := withProgress("-", io.NopCloser(pipe), fileSize(pipe), env); r == nil {
			t.Fatal("nil reader")
		} else if _, ok := r.(*progressReader); ok {
			t.Fatal("progress for a pipe of unknown size")
		}
		if stderr.Len() != 0 {
			t.Fatalf("wrote %q", stderr.String())
		}
	})
	t.Run("batch ReadAt", func(t *testing.T) {
		fakeTerminal(t, true)
		var stderr bytes.Buffer
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		ra, done := withProgressAt(path, f, rec.Bytes, &environ{stderr: &stderr})
		pr, ok := ra.(*progressReaderAt)
		if !ok {
			t.Fatalf("no progress for a big batch: %T", ra)
		}
		buf := make([]byte, 1000)
		for _, off := range []int64{0, 5000, rec.Bytes - 500} {
			n, _ := ra.ReadAt(buf, off)
			if st := pr.bar.State(); st.Max != 2*rec.Bytes {
				t.Fatalf("max %d, want both passes %d", st.Max, 2*rec.Bytes)
			}
			_ = n
		}
		if st := pr.bar.State(); st.CurrentNum != 2500 {
			t.Fatalf("counted %d, want 2500 (1000 + 1000 + the last 500)", st.CurrentNum)
		}
		done()
		if !pr.bar.IsFinished() {
			t.Fatal("not finished")
		}
	})
}

// casebridge 835 on a big file: silent on a stderr that is not a terminal
// (as CI, pipes and these tests have); on a terminal the bar goes to stderr
// and stdout is byte for byte the same.
func TestCLI835Progress(t *testing.T) {
	path, rec := big835(t)
	runTo := func(t *testing.T) (int, *hashWriter, string) {
		var stderr bytes.Buffer
		out := newHashWriter()
		code := run([]string{"835", path, "--format", "ndjson"}, strings.NewReader(""), out, &stderr)
		return code, out, stderr.String()
	}
	fakeTerminal(t, false)
	code, quiet, qerr := runTo(t)
	if code != exitOK || quiet.n == 0 {
		t.Fatalf("exit %d, %d bytes out, %s", code, quiet.n, qerr)
	}
	if strings.Contains(qerr, "\r") || strings.Contains(qerr, filepath.Base(path)) || strings.Contains(qerr, "MB") {
		t.Fatalf("progress drawn on a stderr that is not a terminal: %q", qerr)
	}
	fakeTerminal(t, true)
	code, loud, lerr := runTo(t)
	if code != exitOK || loud.sum() != quiet.sum() {
		t.Fatalf("exit %d; stdout differs with a progress bar (%d vs %d bytes)", code, loud.n, quiet.n)
	}
	if !strings.Contains(lerr, "\r") || !strings.Contains(lerr, filepath.Base(path)) {
		t.Fatalf("no progress on the terminal for %d bytes: %q", rec.Bytes, lerr)
	}
	if !strings.HasSuffix(lerr, qerr) {
		t.Fatalf("the bar changed what else stderr says:\n%q\n%q", lerr, qerr)
	}
}
