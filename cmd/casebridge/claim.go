package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/casebridge/casebridge/adapters/store"
	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/config"
	"github.com/casebridge/casebridge/internal/record"
)

// envelopeFlags are the flags shared by every command that writes an 837D.
type envelopeFlags struct {
	controlNumber string
	at            string
	usage         string
	profileFlags
	newlines bool
	tenant   string
	fs       *flag.FlagSet
	store    *store.Options // where the control numbers come from without --control-number
	closers  []func() error
	masker   *app.Masker // --mask: the batch report's record ids masked as the 837D's
}

func (f *envelopeFlags) register(fs *flag.FlagSet, cfg config.Config) {
	fs.StringVar(&f.controlNumber, "control-number", "", "interchange control number N: ISA13 %09d, GS06 N, ST02 %04d (default: the store's next for the tenant and ISA06 sender)")
	fs.StringVar(&f.at, "at", "", "creation time, RFC 3339 (e.g. 2026-11-27T10:00:00Z): ISA09/10, GS04/05, BHT04/05 in UTC (default: now)")
	fs.StringVar(&f.usage, "usage", "", "ISA15 usage indicator T (test) or P (production) (default: the profile's)")
	f.profileFlags.register(fs, cfg)
	fs.BoolVar(&f.newlines, "newlines", false, "put a newline after each segment")
	fs.StringVar(&f.tenant, "tenant", app.LocalTenant, "without --control-number: the tenant whose control numbers are drawn (the gateway's local mode uses "+app.LocalTenant+")")
	f.fs, f.store = fs, storeFlags(fs)
}

// close closes the store, if a control number opened it.
func (f *envelopeFlags) close() {
	for _, c := range f.closers {
		_ = c()
	}
}

// resolve turns the flags into generation options; a non-negative code means stop.
func (f *envelopeFlags) resolve(env *environ) (*app.Profile, app.Envelope, int) {
	prof, code := f.load(env)
	if code >= 0 {
		return nil, app.Envelope{}, code
	}
	opts, err := app.ParseEnvelope(f.controlNumber, f.at, f.usage, prof, time.Now())
	var oe *app.OptionError
	if errors.As(err, &oe) {
		env.errorf("--%s: %s", strings.ReplaceAll(oe.Option, "_", "-"), oe.Msg)
		return nil, opts, exitUsage
	}
	opts.NewlineAfterSegment = f.newlines
	if opts.ControlNumber == 0 {
		if err := app.CheckTenant(f.tenant); err != nil {
			env.errorf("--tenant: 1-64 letters, digits, '.', '_' or '-'")
			return nil, opts, exitUsage
		}
		if code := storeChoice(f.fs, f.store, env); code >= 0 {
			return nil, opts, code
		}
		opts.Allocate = f.allocator(prof)
	}
	return prof, opts, -1
}

// allocator draws the control number from the store (--data or
// --database-url), opened only once a record passed the scrubber, so a
// refused record neither opens nor creates a database.
func (f *envelopeFlags) allocator(prof *app.Profile) func() (int, error) {
	return func() (int, error) {
		ctx := context.Background()
		st, err := store.Open(ctx, *f.store)
		if err != nil {
			return 0, fmt.Errorf("cannot open the store: %w", err)
		}
		f.closers = append(f.closers, st.Close)
		return app.New(st, nil, time.Now, app.Options{}).ControlNumbers(ctx, f.tenant, prof)()
	}
}

// generateFailed reports an app.Generate837D or app.Batch error: the
// control-number store (the machine's fault, exit 70) or an envelope option.
func generateFailed(err error, env *environ) int {
	if errors.Is(err, app.ErrControlNumber) {
		env.errorf("cannot allocate a control number: %v", err)
		return exitInternal
	}
	env.errorf("%v", err)
	return exitUsage
}

func printProblems(env *environ, ps record.Problems) {
	for _, p := range ps {
		fmt.Fprintf(env.stderr, "%s %s at %s: %s\n", p.Severity, p.Code, pointerOrRoot(p.Pointer), p.Message)
	}
}

func pointerOrRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// readRecord reads a record's bytes; a non-negative code means stop.
func readRecord(name string, env *environ) ([]byte, int) {
	data, err := readInput(name, env, record.MaxRecordBytes)
	if err != nil {
		env.errorf("%v", err)
		return nil, exitUnread
	}
	return data, -1
}

// decodeFailed reports a body that is not a record (an *app.DecodeError):
// exit 2 when it is not one JSON object, 1 with its shape problems. A
// negative code means err is not a DecodeError.
func decodeFailed(name string, err error, env *environ) int {
	var de *app.DecodeError
	if !errors.As(err, &de) {
		return -1
	}
	if de.Syntax != nil {
		env.errorf("%s: %v", name, de.Syntax)
		return exitUnread
	}
	printProblems(env, de.Problems)
	return exitInvalid
}

func cmd837d(args []string, env *environ) (exit int) {
	cfg := config.FromEnv()
	fs := flag.NewFlagSet("837d", flag.ContinueOnError)
	var ef envelopeFlags
	ef.register(fs, cfg)
	fromFHIR := fs.Bool("from-fhir", false, "the input is a FHIR R4 Claim (with contained resources) or a Bundle with the Claim first")
	batch := fs.Bool("batch", false, "the input is NDJSON, one record a line: write one interchange of the valid records, the JSON report of every line on stderr")
	var mf maskFlags
	mf.register(fs, true)
	name, code := oneInput(fs, args, env)
	if code >= 0 {
		return code
	}
	if mf.on { // the written 837D masked (read.go), and a batch report's record ids
		m, code := mf.masker(env)
		if code >= 0 {
			return code
		}
		ef.masker = m
		ms := &maskedStdout{to: env.stdout, m: m}
		env = &environ{stdin: env.stdin, stdout: ms, stderr: env.stderr}
		defer func() {
			if code := ms.flush(env); code >= 0 {
				exit = code
			}
		}()
	}
	if *batch {
		if *fromFHIR {
			env.errorf("837d: --batch and --from-fhir cannot be combined")
			return exitUsage
		}
		return batch837(name, &ef, env)
	}
	if *fromFHIR {
		return from837FHIR(name, &ef, env)
	}
	prof, opts, code := ef.resolve(env)
	if code >= 0 {
		return code
	}
	defer ef.close()
	data, code := readRecord(name, env)
	if code >= 0 {
		return code
	}
	res, err := app.Generate837D(data, prof, opts)
	if code := decodeFailed(name, err, env); code >= 0 {
		return code
	}
	if err != nil {
		return generateFailed(err, env)
	}
	printProblems(env, res.Problems)
	if res.X12 == nil {
		return exitInvalid
	}
	if _, err := env.stdout.Write(res.X12); err != nil {
		env.errorf("cannot write output")
		return exitInternal
	}
	return exitOK
}

func cmdCheck(args []string, env *environ) int {
	cfg := config.FromEnv()
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	var pf profileFlags
	pf.register(fs, cfg)
	hf := historyFlags(fs) // worklist.go: --data/--database-url turn the history checks on
	name, code := oneInput(fs, args, env)
	if code >= 0 {
		return code
	}
	prof, code := pf.load(env)
	if code >= 0 {
		return code
	}
	data, err := readInput(name, env, record.MaxRecordBytes)
	if err != nil {
		env.errorf("%v", err)
		return exitUnread
	}
	rep, code := hf.check(fs, name, data, prof, env)
	if code >= 0 {
		return code
	}
	if err := printJSON(env.stdout, rep); err != nil {
		return exitInternal
	}
	if !rep.Valid {
		return exitInvalid
	}
	return exitOK
}

// printJSON writes v as indented JSON (two spaces, no HTML escaping) and a
// newline: the report of every command whose output is one JSON document.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// profileFlags select the trading-partner profile.
type profileFlags struct {
	profile     string
	profilesDir string
}

func (f *profileFlags) register(fs *flag.FlagSet, cfg config.Config) {
	fs.StringVar(&f.profile, "profile", cfg.Profile, "trading-partner profile: a name in --profiles-dir, a .json/.yaml file, or 'default'")
	fs.StringVar(&f.profilesDir, "profiles-dir", cfg.ProfilesDir, "directory of named profiles")
}

// load returns the profile; a non-negative code means stop.
func (f *profileFlags) load(env *environ) (*app.Profile, int) {
	prof, err := app.LoadProfile(f.profile, f.profilesDir)
	if err != nil {
		env.errorf("%v", err)
		return nil, exitUsage
	}
	return prof, -1
}
