package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/casebridge/casebridge/internal/claims"
	"github.com/casebridge/casebridge/internal/config"
	"github.com/casebridge/casebridge/internal/control"
	"github.com/casebridge/casebridge/internal/profile"
	"github.com/casebridge/casebridge/internal/record"
)

// envelopeFlags are the flags shared by every command that writes an 837D.
type envelopeFlags struct {
	controlNumber string
	at            string
	usage         string
	profileFlags
	stateDir string
	newlines bool
}

func (f *envelopeFlags) register(fs *flag.FlagSet, cfg config.Config) {
	fs.StringVar(&f.controlNumber, "control-number", "", "interchange control number N: ISA13 %09d, GS06 N, ST02 %04d (default: next unused on this machine)")
	fs.StringVar(&f.at, "at", "", "creation time, RFC 3339 (e.g. 2026-11-27T10:00:00Z): ISA09/10, GS04/05, BHT04/05 in UTC (default: now)")
	fs.StringVar(&f.usage, "usage", "", "ISA15 usage indicator T (test) or P (production) (default: the profile's)")
	f.profileFlags.register(fs, cfg)
	fs.StringVar(&f.stateDir, "state-dir", cfg.StateDir, "directory of the control-number counter")
	fs.BoolVar(&f.newlines, "newlines", false, "put a newline after each segment")
}

// resolve turns the flags into generation options; a non-negative code means stop.
func (f *envelopeFlags) resolve(env *environ) (*profile.Profile, claims.Options, int) {
	prof, code := f.load(env)
	if code >= 0 {
		return nil, claims.Options{}, code
	}
	opts, err := claims.ParseOptions(f.controlNumber, f.at, f.usage, prof, time.Now())
	var oe *claims.OptionError
	if errors.As(err, &oe) {
		env.errorf("--%s: %s", strings.ReplaceAll(oe.Option, "_", "-"), oe.Msg)
		return nil, opts, exitUsage
	}
	opts.NewlineAfterSegment = f.newlines
	if opts.ControlNumber == 0 {
		dir := f.stateDir
		opts.Allocate = func() (int, error) { return control.Next(dir) }
	}
	return prof, opts, -1
}

// generateFailed reports a claims.Generate error: the control-number
// counter (the machine's fault, exit 70) or an envelope option.
func generateFailed(err error, env *environ) int {
	if errors.Is(err, claims.ErrControlNumber) {
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

// decodeRecord reads and strictly decodes a record; a non-negative code means stop.
func decodeRecord(name string, env *environ) (*record.Record, int) {
	data, err := readInput(name, env, record.MaxRecordBytes)
	if err != nil {
		env.errorf("%v", err)
		return nil, exitUnread
	}
	rec, probs, err := record.DecodeBytes(data)
	var se *record.SyntaxError
	if errors.As(err, &se) {
		env.errorf("%s: %v", name, se)
		return nil, exitUnread
	}
	if probs.HasErrors() {
		printProblems(env, probs)
		return nil, exitInvalid
	}
	return rec, -1
}

func cmd837d(args []string, env *environ) int {
	cfg := config.FromEnv()
	fs := flag.NewFlagSet("837d", flag.ContinueOnError)
	var ef envelopeFlags
	ef.register(fs, cfg)
	fromFHIR := fs.Bool("from-fhir", false, "the input is a FHIR R4 Claim (with contained resources) or a Bundle with the Claim first")
	batch := fs.Bool("batch", false, "the input is NDJSON, one record a line: write one interchange of the valid records, the JSON report of every line on stderr")
	name, code := oneInput(fs, args, env)
	if code >= 0 {
		return code
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
	rec, code := decodeRecord(name, env)
	if code >= 0 {
		return code
	}
	res, err := claims.Generate(rec, prof, opts)
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
	rep, err := claims.CheckBytes(data, prof, time.Now().UTC())
	if err != nil {
		env.errorf("%s: %v", name, err)
		return exitUnread
	}
	enc := json.NewEncoder(env.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rep); err != nil {
		return exitInternal
	}
	if !rep.Valid {
		return exitInvalid
	}
	return exitOK
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
func (f *profileFlags) load(env *environ) (*profile.Profile, int) {
	prof, err := profile.Load(f.profile, f.profilesDir)
	if err != nil {
		env.errorf("%v", err)
		return nil, exitUsage
	}
	return prof, -1
}
