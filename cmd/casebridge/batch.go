package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"runtime/debug"

	"github.com/casebridge/casebridge/internal/app"
)

// maxPipedBatchBytes bounds a batch read from a pipe, which is held in
// memory for the second pass; a file is read twice from disk instead.
const maxPipedBatchBytes = 256 << 20

// batchInput opens a batch: a regular file as it is, anything else (stdin,
// a pipe) read into memory.
func batchInput(name string, env *environ) (io.ReaderAt, int64, func(), error) {
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, 0, nil, errors.New("cannot open " + name)
		}
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			return f, st.Size(), func() { f.Close() }, nil
		}
		defer f.Close()
		return readAllAt(name, f)
	}
	if f, ok := env.stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			return f, st.Size(), func() {}, nil
		}
	}
	return readAllAt(name, env.stdin)
}

func readAllAt(name string, r io.Reader) (io.ReaderAt, int64, func(), error) {
	data, err := io.ReadAll(io.LimitReader(r, maxPipedBatchBytes+1))
	if err != nil {
		return nil, 0, nil, errors.New("cannot read " + name)
	}
	if len(data) > maxPipedBatchBytes {
		return nil, 0, nil, errors.New(name + " is larger than a piped batch may be (256 MiB); give it as a file")
	}
	return bytes.NewReader(data), int64(len(data)), func() {}, nil
}

// batchMemoryLimit is the soft memory limit of a batch run (GOMEMLIMIT
// overrides it).
const batchMemoryLimit = 32 << 20

// writeReport writes res as one line of JSON (the encoding of
// app.BatchResult) entry by entry, so the report of 10,000 records is
// never built whole.
func writeReport(w io.Writer, res *app.BatchResult) error {
	bw := bufio.NewWriter(w)
	var item bytes.Buffer
	enc := json.NewEncoder(&item)
	enc.SetEscapeHTML(false)
	value := func(v any) error {
		item.Reset()
		if err := enc.Encode(v); err != nil {
			return err
		}
		_, err := bw.Write(bytes.TrimSuffix(item.Bytes(), []byte("\n")))
		return err
	}
	bw.WriteString(`{"accepted":[`)
	for i := range res.Accepted {
		if i > 0 {
			bw.WriteByte(',')
		}
		if err := value(res.Accepted[i]); err != nil {
			return err
		}
	}
	bw.WriteString(`],"refused":[`)
	for i := range res.Refused {
		if i > 0 {
			bw.WriteByte(',')
		}
		if err := value(res.Refused[i]); err != nil {
			return err
		}
	}
	bw.WriteString(`],"control_numbers":`)
	if err := value(res.ControlNumbers); err != nil {
		return err
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

// batch837 is `casebridge 837d --batch`: NDJSON records in, one interchange
// of the valid ones on stdout, the JSON report (app.BatchResult) on
// stderr. Exit 0 when every record was written, 1 when some (or all) were
// refused or there were none, 2 when the input cannot be read.
func batch837(name string, ef *envelopeFlags, env *environ) int {
	prof, opts, code := ef.resolve(env)
	if code >= 0 {
		return code
	}
	defer ef.close()
	in, size, closeIn, err := batchInput(name, env)
	if err != nil {
		env.errorf("%v", err)
		return exitUnread
	}
	defer closeIn()
	in, doneProgress := withProgressAt(name, in, size, env) // a bar on a terminal's stderr, for big batches
	defer doneProgress()
	if os.Getenv("GOMEMLIMIT") == "" {
		// a batch keeps little between records but makes garbage at every
		// one; a soft limit keeps the collector close behind (10,000
		// records in well under 64 MiB of resident memory)
		debug.SetMemoryLimit(batchMemoryLimit)
	}
	res, err := app.Batch(in, size, env.stdout, prof, app.BatchOptions{Options: opts})
	doneProgress()
	switch {
	case errors.Is(err, app.ErrBatchInput):
		env.errorf("%s: %v", name, err)
		return exitUnread
	case err != nil:
		return generateFailed(err, env)
	}
	if ef.masker != nil {
		app.MaskBatchResult(res, ef.masker)
	}
	if err := writeReport(env.stderr, res); err != nil {
		return exitInternal
	}
	if len(res.Refused) > 0 || len(res.Accepted) == 0 {
		return exitInvalid
	}
	return exitOK
}
