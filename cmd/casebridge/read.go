package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/app"
)

// maxMaskInput bounds what `mask` holds in memory (it writes nothing until
// the whole file is masked, so no half-written file results).
const maxMaskInput = 256 << 20

// maskFlags are --mask and --mask-key (env CASEBRIDGE_MASK_KEY).
type maskFlags struct {
	on  bool
	key string
}

func (f *maskFlags) register(fs *flag.FlagSet, withSwitch bool) {
	if withSwitch {
		fs.BoolVar(&f.on, "mask", false, "mask names, member ids, birth and service dates, addresses, account and claim numbers and free text (consistent, same length and format; random key unless --mask-key)")
	}
	fs.StringVar(&f.key, "mask-key", os.Getenv("CASEBRIDGE_MASK_KEY"), "key for reproducible masks across files and runs (env CASEBRIDGE_MASK_KEY; default: a random key per run)")
}

// masker is nil when masking is off.
func (f *maskFlags) masker(env *environ) (*app.Masker, int) {
	if !f.on {
		return nil, -1
	}
	m, err := app.NewMasker(f.key)
	if err != nil {
		env.errorf("no random mask key: %v", err)
		return nil, exitInternal
	}
	return m, -1
}

// cmdRead is `casebridge read FILE|- [--format json|fhir] [--mask]`: the
// claims of an 837D, streamed as a JSON array of {record, source,
// other_payers, not_mapped}, or as a JSON array of FHIR Claim Bundles.
func cmdRead(args []string, env *environ) int {
	fs := flag.NewFlagSet("read", flag.ContinueOnError)
	format := fs.String("format", "json", "output: json (one object per claim: record, source, other_payers, not_mapped) or fhir (one FHIR R4 Claim Bundle per claim)")
	atFlag := fs.String("at", "", "with --format fhir: Claim.created and Bundle.timestamp, RFC 3339 (default: now)")
	var mf maskFlags
	mf.register(fs, true)
	name, code := oneInput(fs, args, env)
	if code >= 0 {
		return code
	}
	if *format != "json" && *format != "fhir" {
		env.errorf("read: --format must be json or fhir")
		return exitUsage
	}
	at, code := parseAt(*atFlag, env)
	if code >= 0 {
		return code
	}
	m, code := mf.masker(env)
	if code >= 0 {
		return code
	}
	in, err := openInput(name, env)
	if err != nil {
		env.errorf("%v", err)
		return exitUnread
	}
	defer in.Close()

	out := bufio.NewWriterSize(env.stdout, 64<<10)
	n, failed := 0, 0
	var writeErr error
	write := func(b []byte) {
		if writeErr == nil {
			_, writeErr = out.Write(b)
		}
	}
	err = app.Read837D(in, m, func(c *app.Claim837) error {
		var b []byte
		var err error
		if *format == "fhir" {
			b, err = app.Claim837Bundle(c, at, true)
			if err != nil {
				// the mapping error names a JSON pointer of the record, never data
				env.errorf("%s: claim at segment %d (interchange %s, set %s) has no FHIR Bundle: %v", name, c.Source.Segment, c.Source.Interchange, c.Source.Set, err)
				failed++
				return nil
			}
		} else {
			b, err = marshalIndented(c)
			if err != nil {
				return err
			}
		}
		if n == 0 {
			write([]byte("[\n"))
		} else {
			write([]byte(",\n"))
		}
		write(b)
		n++
		return writeErr
	})
	if err != nil {
		out.Flush()
		if writeErr != nil {
			return exitInternal
		}
		var xe *x12.Error
		if !errors.As(err, &xe) {
			env.errorf("%s: %v", name, err)
			return exitInternal
		}
		if n > 0 {
			env.errorf("output cut short: the JSON above is incomplete")
		}
		env.errorf("%s: %v", name, xe)
		if app.Read837Invalid(err) {
			return exitInvalid
		}
		return exitUnread
	}
	if n == 0 {
		write([]byte("["))
	}
	write([]byte("\n]\n"))
	if writeErr != nil || out.Flush() != nil {
		return exitInternal
	}
	if failed > 0 {
		return exitInvalid
	}
	return exitOK
}

func marshalIndented(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("  ", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return append([]byte("  "), bytes.TrimRight(b.Bytes(), "\n")...), nil
}

// cmdMask is `casebridge mask FILE|-`: the X12 (any transaction set) or
// the case record (JSON) with its PHI masked, on stdout; nothing is
// written unless the whole input was masked.
func cmdMask(args []string, env *environ) int {
	fs := flag.NewFlagSet("mask", flag.ContinueOnError)
	var mf maskFlags
	mf.register(fs, false)
	mf.on = true
	name, code := oneInput(fs, args, env)
	if code >= 0 {
		return code
	}
	m, code := mf.masker(env)
	if code >= 0 {
		return code
	}
	data, err := readInput(name, env, maxMaskInput)
	if err != nil {
		env.errorf("%v", err)
		return exitUnread
	}
	var out []byte
	if app.LooksLikeJSON(data) {
		out, err = app.MaskRecordJSON(data, m)
		if code := decodeFailed(name, err, env); code >= 0 {
			return code
		}
		if err != nil {
			return exitInternal
		}
		out = append(out, '\n')
	} else {
		var buf bytes.Buffer
		if _, err := app.MaskX12(&buf, bytes.NewReader(data), m); err != nil {
			var xe *x12.Error
			if errors.As(err, &xe) {
				env.errorf("%s: %v", name, xe)
				return exitUnread
			}
			return exitInternal
		}
		out = buf.Bytes()
	}
	if _, err := env.stdout.Write(out); err != nil {
		return exitInternal
	}
	return exitOK
}

// openMaskedInput is openInput, masked as it is read when m is set
// (--mask on describe and 835); closing it closes the masking pipe, then the
// input.
func openMaskedInput(name string, m *app.Masker, env *environ) (io.ReadCloser, error) {
	in, err := openInput(name, env)
	if err != nil || m == nil {
		return in, err
	}
	return maskedInput{ReadCloser: app.MaskedReader(in, m), in: in}, nil
}

type maskedInput struct {
	io.ReadCloser           // the masked stream
	in            io.Closer // the input under it
}

func (m maskedInput) Close() error {
	err := m.ReadCloser.Close()
	if cerr := m.in.Close(); err == nil {
		err = cerr
	}
	return err
}

// maskedStdout holds what a command writes to stdout and, at flush, writes
// it masked (837d --mask: the written 837D). The 837D is our own output, so
// masking it cannot fail on the input's account.
type maskedStdout struct {
	buf bytes.Buffer
	to  io.Writer
	m   *app.Masker
}

func (w *maskedStdout) Write(p []byte) (int, error) { return w.buf.Write(p) }

func (w *maskedStdout) flush(env *environ) int {
	if w.buf.Len() == 0 {
		return -1
	}
	var out bytes.Buffer
	if _, err := app.MaskX12(&out, &w.buf, w.m); err != nil {
		env.errorf("masking the 837D failed: %v", err)
		return exitInternal
	}
	if _, err := w.to.Write(out.Bytes()); err != nil {
		return exitInternal
	}
	return -1
}
