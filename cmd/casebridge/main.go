// Command casebridge is the dental case-management claims gateway: an HTTP
// server (serve) and file subcommands over the same library calls.
//
// Exit codes, for every subcommand: 0 success (warnings on stderr), 1 the
// input was read but has errors, 2 the input could not be read, 64 usage.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

// Exit codes.
const (
	exitOK       = 0
	exitInvalid  = 1
	exitUnread   = 2
	exitUsage    = 64
	exitInternal = 70
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

type command struct {
	name    string
	summary string
	run     func(args []string, env *environ) int
}

// environ is what a subcommand may touch: its streams.
type environ struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

func (e *environ) errorf(format string, args ...any) {
	fmt.Fprintf(e.stderr, "casebridge: "+format+"\n", args...)
}

func commands() []command {
	return []command{
		{"serve", "run the HTTP gateway", cmdServe},
		{"837d", "turn a case record (or, with --from-fhir, a FHIR Claim) into an X12 837D", cmd837d},
		{"check", "scrub a case record and print the report as JSON", cmdCheck},
		{"validate", "validate an X12 file (837D, 835, 999) by WEDI SNIP type and print the report", cmdValidate},
		{"describe", "print the loop tree of an X12 file (837D, 835, 999, 277CA) with element names and code meanings", cmdDescribe},
		{"835", "read an X12 835 remittance and report denial findings", cmd835},
		{"fhir", "turn a case record into a FHIR R4 Claim Bundle", cmdFHIR},
		{"keys", "create, list or revoke the gateway's API keys", cmdKeys},
		{"read", "read an X12 837D into case records (JSON) or FHIR Claim Bundles", cmdRead},
		{"mask", "mask the PHI of an X12 file or a case record for sharing as a sample", cmdMask},
		{"appeal", "write the appeal packet (letter PDF/HTML) of a stored claim's denial", cmdAppeal},
		{"report", "payer analytics per payer and CDT code, with the payers' D9997 trend (from the store)", cmdReport},
		{"worklist", "the open denials, rejections and pended claims with their deadlines (from the store)", cmdWorklist},
	}
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &environ{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "--help":
		usage(stdout)
		return exitOK
	case "version", "--version":
		fmt.Fprintln(stdout, "casebridge", version())
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], env)
		}
	}
	env.errorf("unknown command %q", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: casebridge <command> [flags] [FILE|-]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-7s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "  version show the build version")
	fmt.Fprintln(w, "\nexit codes: 0 ok, 1 input has errors, 2 input unreadable, 64 usage")
}

// parse parses flags that may come before or after positional arguments
// (`casebridge 835 FILE --format table`). It returns the positionals, or an
// exit code when parsing failed.
func parse(fs *flag.FlagSet, args []string, env *environ) ([]string, int) {
	fs.SetOutput(env.stderr)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, exitOK
			}
			return nil, exitUsage
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, -1
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// oneInput requires exactly one FILE (or -) positional.
func oneInput(fs *flag.FlagSet, args []string, env *environ) (string, int) {
	pos, code := parse(fs, args, env)
	if code >= 0 {
		return "", code
	}
	if len(pos) != 1 {
		env.errorf("%s: expected exactly one input file (or - for stdin)", fs.Name())
		return "", exitUsage
	}
	return pos[0], -1
}

// readInput reads a file or stdin ("-"), bounded by limit bytes.
func readInput(name string, env *environ, limit int64) ([]byte, error) {
	var r io.Reader = env.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("cannot open %s: %w", name, errors.Unwrap(err))
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s", name)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, limit)
	}
	return data, nil
}

// openInput opens a file or stdin for streaming; a big regular file gets a
// progress bar on stderr when stderr is a terminal (progress.go).
func openInput(name string, env *environ) (io.ReadCloser, error) {
	if name == "-" {
		return withProgress(name, io.NopCloser(env.stdin), fileSize(env.stdin), env), nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s: %w", name, errors.Unwrap(err))
	}
	return withProgress(name, f, fileSize(f), env), nil // a bar on a terminal's stderr for a big input (progress.go)
}

// version is the module version the binary was built from ("(devel)" for
// a build from a work tree), with the VCS revision when known.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}
