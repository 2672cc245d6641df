package main

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progressMinBytes is the smallest input that gets a progress bar: below a
// few MB a run is over before a bar would tell anything.
const progressMinBytes = 4 << 20

// stderrIsTerminal tells whether w (the command's stderr) is a terminal;
// tests replace it. Progress is drawn only then, so CI, pipes, redirects
// and tests see nothing.
var stderrIsTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// fileSize is the size of f when it is a regular file (a named input, or
// stdin redirected from a file); -1 for pipes, terminals and anything else.
func fileSize(r io.Reader) int64 {
	f, ok := r.(*os.File)
	if !ok {
		return -1
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return -1
	}
	return st.Size()
}

// newProgress returns a bar of total bytes on env.stderr, or nil (draw
// nothing) when stderr is not a terminal or total is unknown or under
// progressMinBytes. Only counts and the input's name reach the terminal.
func newProgress(name string, total int64, env *environ) *progressbar.ProgressBar {
	if total < progressMinBytes || !stderrIsTerminal(env.stderr) {
		return nil
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(env.stderr),
		progressbar.OptionSetDescription(name),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionSetWidth(20),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetRenderBlankState(true),
	)
}

// finisher clears a bar once (nil: nothing to do), before the command
// writes its last words (warnings, a report) to stderr.
func finisher(bar *progressbar.ProgressBar) func() {
	done := false
	return func() {
		if bar != nil && !done {
			done = true
			_ = bar.Finish()
		}
	}
}

// progressReader counts the bytes read through it on bar and clears the
// bar at the end of the input (or its first read error) or when closed.
type progressReader struct {
	r    io.ReadCloser
	bar  *progressbar.ProgressBar
	done func()
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		_ = p.bar.Add64(int64(n))
	}
	if err != nil {
		p.done()
	}
	return n, err
}

// Close clears the bar (a run that stops before the end) and closes the
// input.
func (p *progressReader) Close() error {
	p.done()
	return p.r.Close()
}

// withProgress wraps an input read once from start to end (openInput: the
// 835) to draw progress on stderr when it is big and stderr a terminal;
// otherwise it returns in as it is.
func withProgress(name string, in io.ReadCloser, size int64, env *environ) io.ReadCloser {
	bar := newProgress(name, size, env)
	if bar == nil {
		return in
	}
	return &progressReader{r: in, bar: bar, done: finisher(bar)}
}

// progressReaderAt counts the bytes read through ReadAt on bar.
type progressReaderAt struct {
	r   io.ReaderAt
	bar *progressbar.ProgressBar
}

func (p *progressReaderAt) ReadAt(b []byte, off int64) (int, error) {
	n, err := p.r.ReadAt(b, off)
	if n > 0 {
		_ = p.bar.Add64(int64(n))
	}
	return n, err
}

// withProgressAt wraps a batch (read in two passes: every line, then the
// valid records again) to draw progress on stderr, out of twice its size;
// the returned func clears the bar.
func withProgressAt(name string, in io.ReaderAt, size int64, env *environ) (io.ReaderAt, func()) {
	if size < progressMinBytes {
		return in, func() {}
	}
	bar := newProgress(name, 2*size, env)
	if bar == nil {
		return in, func() {}
	}
	return &progressReaderAt{r: in, bar: bar}, finisher(bar)
}
