package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"github.com/casebridge/casebridge/adapters/fhir"
	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/config"
)

// cmdFHIR is `casebridge fhir RECORD.json`: the FHIR R4 Claim Bundle.
func cmdFHIR(args []string, env *environ) int {
	cfg := config.FromEnv()
	fs := flag.NewFlagSet("fhir", flag.ContinueOnError)
	atFlag := fs.String("at", "", "Claim.created and Bundle.timestamp, RFC 3339 (default: now)")
	var pf profileFlags
	pf.register(fs, cfg)
	name, code := oneInput(fs, args, env)
	if code >= 0 {
		return code
	}
	at, code := parseAt(*atFlag, env)
	if code >= 0 {
		return code
	}
	prof, code := pf.load(env)
	if code >= 0 {
		return code
	}
	data, code := readRecord(name, env)
	if code >= 0 {
		return code
	}
	out, probs, err := app.RecordToBundle(data, prof, at, true)
	if code := decodeFailed(name, err, env); code >= 0 {
		return code
	}
	printProblems(env, probs)
	if err != nil || out == nil {
		if err != nil {
			env.errorf("%v", err)
		}
		return exitInvalid
	}
	if _, err := env.stdout.Write(append(out, '\n')); err != nil {
		return exitInternal
	}
	return exitOK
}

func parseAt(v string, env *environ) (time.Time, int) {
	t, err := app.ParseTime(v, time.Now())
	if err != nil {
		env.errorf("--%v", err)
		return time.Time{}, exitUsage
	}
	return t, -1
}

// printOutcome writes an OperationOutcome's issues to stderr, one a line,
// with their PHI-free details (stderr often ends up in batch logs; the
// diagnostics, which may quote the input, stay in HTTP answers).
func printOutcome(env *environ, o *fhir.Outcome) {
	if o == nil {
		return
	}
	for _, i := range o.Issues {
		where := i.Expression
		if where == "" {
			where = "(resource)"
		}
		msg := i.Details
		if msg == "" {
			msg = "(no details)"
		}
		rule := i.Rule
		if rule == "" {
			rule = i.Code
		}
		fmt.Fprintf(env.stderr, "%s %s at %s: %s\n", i.Severity, rule, where, msg)
	}
}

// from837FHIR is `casebridge 837d --from-fhir FILE`: the same scrubber,
// writer and profile as a case record.
func from837FHIR(name string, ef *envelopeFlags, env *environ) int {
	prof, opts, code := ef.resolve(env)
	if code >= 0 {
		return code
	}
	defer ef.close()
	data, err := readInput(name, env, fhir.MaxBodyBytes)
	if err != nil {
		env.errorf("%v", err)
		return exitUnread
	}
	resp := app.ClaimToX12(data, fhir.ContentTypeFHIR, prof, opts)
	printOutcome(env, resp.Outcome)
	if resp.Status != 200 {
		return resp.ExitCode()
	}
	if _, err := env.stdout.Write(resp.Body); err != nil {
		return exitInternal
	}
	return exitOK
}

// remitFHIR is `casebridge 835 FILE --format fhir`.
func remitFHIR(in io.Reader, atFlag string, env *environ) int {
	at, code := parseAt(atFlag, env)
	if code >= 0 {
		return code
	}
	// Streamed: one claim's resources at a time, whatever the size of a
	// transaction set. A read error after output began leaves the JSON cut
	// short (exit 2, the error on stderr). The live heap is ~20 MB and flat
	// (the findings' ~15 MB and google/fhir's descriptors of the resources
	// it marshals), so the findings' 32 MiB soft limit holds the peak RSS;
	// it follows the live heap every second (+12 MiB: the findings' +16
	// would lift it to ~36 MiB at once), should warnings pile up.
	// GOMEMLIMIT overrides it.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(streamMemoryLimit)
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					followLiveHeap(12 << 20)
				}
			}
		}()
	}
	st, err := app.WriteRemitFHIR(env.stdout, in, at, true)
	if err != nil {
		if app.Unreadable(err) {
			if st.Started {
				env.errorf("output cut short: the FHIR Bundle above is incomplete")
			}
			return unreadable835("input", err, env)
		}
		return exitInternal
	}
	printWarnings(st.Warnings, env)
	if _, err := env.stdout.Write([]byte{'\n'}); err != nil {
		return exitInternal
	}
	return exitOK
}
