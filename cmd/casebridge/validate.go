package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/config"
)

// maxValidateBytes bounds the file validate reads (a file or stdin).
const maxValidateBytes = 256 << 20

// cmdValidate: casebridge validate FILE|- [--snip LIST] [--format text|json]
// [--ack [--newlines] [--tenant T] [--data DIR | --database-url URL]].
// Exit 0 valid, 1 errors found, 2 not X12 at all (or unreadable), 64 usage.
func cmdValidate(args []string, env *environ) int {
	cfg := config.FromEnv()
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	snipList := fs.String("snip", "", "WEDI SNIP types to check, comma-separated: 1,2,3,4,5,7 (default all)")
	format := fs.String("format", "text", "output: text (for people) or json (the report)")
	var pf profileFlags
	pf.register(fs, cfg)
	ack := registerAck(fs) // --ack: ack.go
	name, code := oneInput(fs, args, env)
	if code >= 0 {
		return code
	}
	if *format != "text" && *format != "json" {
		env.errorf("--format must be text or json")
		return exitUsage
	}
	types, err := app.ParseSnipTypes(*snipList)
	if err != nil {
		env.errorf("--%v", err)
		return exitUsage
	}
	prof, code := pf.load(env)
	if code >= 0 {
		return code
	}
	data, err := readInput(name, env, maxValidateBytes)
	if err != nil {
		env.errorf("%v", err)
		return exitUnread
	}
	if ack.on {
		return ack.run(env, name, data, app.ValidateOptions{Types: types, Profile: prof, Today: time.Now().UTC()})
	}
	rep, err := app.ValidateX12(data, app.ValidateOptions{Types: types, Profile: prof, Today: time.Now().UTC()})
	if err != nil {
		if errors.Is(err, app.ErrX12Unreadable) {
			env.errorf("%s: not an X12 interchange (no ISA segment at its start)", name)
			return exitUnread
		}
		env.errorf("%s: %v", name, err)
		return exitInternal
	}
	if *format == "json" {
		if err := printJSON(env.stdout, rep); err != nil {
			return exitInternal
		}
	} else if err := writeValidationText(env.stdout, name, rep); err != nil {
		return exitInternal
	}
	if !rep.Valid {
		return exitInvalid
	}
	return exitOK
}

// writeValidationText prints the report for people: a summary, the
// envelopes, then one line per issue naming the segment and its position.
func writeValidationText(w io.Writer, name string, rep *app.ValidationReport) error {
	errs, warns := 0, 0
	for _, is := range rep.Issues {
		if is.Severity == "error" {
			errs++
		} else {
			warns++
		}
	}
	types := make([]string, len(rep.Types))
	for i, t := range rep.Types {
		types[i] = fmt.Sprint(int(t))
	}
	verdict := "valid"
	if !rep.Valid {
		verdict = "INVALID"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s, %d error(s), %d warning(s) (SNIP %s)\n", name, verdict, errs, warns, strings.Join(types, ","))
	if rep.Unusable {
		b.WriteString("  the interchange envelope is unusable: answer with a TA1\n")
	}
	for i, ic := range rep.Interchanges {
		fmt.Fprintf(&b, "  interchange %d: ISA13 %s, usage %s\n", i+1, ic.ControlNumber, ic.Usage)
		for g, grp := range ic.Groups {
			fmt.Fprintf(&b, "    group %d: GS01 %s, GS06 %s, GS08 %s\n", g+1, grp.FunctionalID, grp.ControlNumber, grp.Version)
			for k, s := range grp.Sets {
				fmt.Fprintf(&b, "      set %d: %s ST02 %s (%s), %d segments, %d error(s), %d warning(s)\n",
					k+1, s.ID, s.ControlNumber, s.Implementation, s.Segments, s.Errors, s.Warnings)
			}
		}
	}
	for _, is := range rep.Issues {
		b.WriteString(issueLine(is))
		b.WriteByte('\n')
	}
	if rep.Omitted > 0 {
		fmt.Fprintf(&b, "… and %d more issue(s) not listed\n", rep.Omitted)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func issueLine(is app.ValidationIssue) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s SNIP %d %s at segment %d", is.Severity, int(is.Type), is.Code, is.Segment)
	if is.SegmentID != "" {
		b.WriteString(" " + is.SegmentID)
		if is.Element > 0 {
			fmt.Fprintf(&b, " element %s%02d", is.SegmentID, is.Element)
			if is.Component > 0 {
				fmt.Fprintf(&b, "-%d", is.Component)
			}
		}
	}
	if is.Loop != "" {
		b.WriteString(" loop " + is.Loop)
	}
	if is.SegmentInSet > 0 {
		fmt.Fprintf(&b, " (position %d in set %d)", is.SegmentInSet, is.Set)
	}
	b.WriteString(": " + is.Message)
	var codes []string
	for _, c := range [][2]string{{"TA105", is.TA1}, {"AK905", is.AK9}, {"IK502", is.IK5}, {"IK304", is.IK3}, {"IK403", is.IK4}} {
		if c[1] != "" {
			codes = append(codes, c[0]+" "+c[1])
		}
	}
	if len(codes) > 0 {
		b.WriteString(" [" + strings.Join(codes, ", ") + "]")
	}
	return b.String()
}
