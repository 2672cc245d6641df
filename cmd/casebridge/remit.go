package main

import (
	"errors"
	"flag"
	"io"
	"os"
	"runtime/debug"
	"runtime/metrics"

	"github.com/casebridge/casebridge/adapters/x12"
	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/config"
)

func cmd835(args []string, env *environ) int {
	fs := flag.NewFlagSet("835", flag.ContinueOnError)
	format := fs.String("format", "json", "output: json (findings report), ndjson (one line per claim, remittance, then the summary), table (for people), fhir (ClaimResponse Bundles)")
	at := fs.String("at", "", "with --format fhir: creation time (RFC 3339) when the 835 has no BPR16 date")
	codesDir := fs.String("codes-dir", config.FromEnv().CodesDir, "directory of official CARC/RARC/PLB lists: carc.tsv, rarc.tsv, plb.tsv (env CASEBRIDGE_CODES_DIR)")
	var mf maskFlags
	mf.register(fs, true)
	name, code := oneInput(fs, args, env)
	if code >= 0 {
		return code
	}
	m, code := mf.masker(env)
	if code >= 0 {
		return code
	}
	if code := loadCodes(*codesDir, env); code >= 0 {
		return code
	}
	switch *format {
	case "json", "ndjson", "table", "fhir":
	default:
		env.errorf("--format must be json, ndjson, table or fhir")
		return exitUsage
	}
	// with --mask, the 835 masked as it is read: every name and id the findings print (read.go)
	in, err := openMaskedInput(name, m, env)
	if err != nil {
		env.errorf("%v", err)
		return exitUnread
	}
	defer in.Close()
	if *format == "fhir" {
		return remitFHIR(in, *at, env)
	}
	if *format != "table" {
		return streamFindings(name, in, *format, env)
	}
	rep, err := app.FindingsReport(in)
	if err != nil {
		return unreadable835(name, err, env)
	}
	printWarnings(rep.Warnings, env)
	if err := app.WriteFindingsTable(env.stdout, rep); err != nil {
		return exitInternal
	}
	return exitOK
}

// streamMemoryLimit is the Go memory limit while findings are streamed.
// The live heap is ~15 MB and flat (code tables, google/fhir's JSON
// tables, two claims, the summary: the reversal rule's record spills to a
// temporary file), so 32 MiB leaves the collector ~half the heap: against
// 40 MiB it takes ~6 MiB off the peak RSS for 1-4% more CPU (issue 8,
// README Performance).
const streamMemoryLimit = 32 << 20

// limitTracker raises the memory limit with what must stay live (the
// summary's record of denied claims for the reversal rule is bounded, its
// overflow going to a temporary file, but stays in memory at ~20 bytes a
// claim when no temporary file can be made; the warnings), so the
// collector never runs back to back
// against a limit the live heap has reached: every 16,384 claims the
// limit becomes the live heap plus 16 MiB, at least streamMemoryLimit.
// claim is called before each claim is written.
type limitTracker struct{ n int }

var liveHeap = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}

func (t *limitTracker) claim() {
	if t.n++; t.n%16384 == 0 {
		followLiveHeap(16 << 20)
	}
}

// followLiveHeap sets the memory limit to the live heap plus headroom, at
// least streamMemoryLimit.
func followLiveHeap(headroom int64) {
	metrics.Read(liveHeap)
	if liveHeap[0].Value.Kind() == metrics.KindUint64 {
		debug.SetMemoryLimit(max(streamMemoryLimit, int64(liveHeap[0].Value.Uint64())+headroom))
	}
}

// streamFindings writes the JSON or ndjson findings as the 835 is read, so
// memory stays flat whatever its size. An unreadable 835 exits 2: with
// nothing on stdout when the error comes before the first claim, else
// after a final "error" member (json) or line (ndjson).
func streamFindings(name string, in io.Reader, format string, env *environ) int {
	// What stays live is small and flat (two claims, the summary, the
	// warnings) next to the ~20 MB of code tables every casebridge command
	// loads; a soft limit keeps the collector from letting the heap grow
	// to twice that before it runs. GOMEMLIMIT overrides it.
	opts := app.FindingsOptions{Format: format, Indent: true}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(streamMemoryLimit)
		opts.OnClaim = (&limitTracker{}).claim
	}
	t, err := app.WriteFindings(in, env.stdout, opts)
	if err != nil {
		if app.Unreadable(err) {
			return unreadable835(name, err, env)
		}
		return exitInternal
	}
	printWarnings(t.Warnings, env)
	return exitOK
}

// printWarnings prints each warning on stderr; a WARNINGS_OMITTED one (the
// count of a code's warnings past the first mapping/remit's MaxWarningsPerCode) has
// no segment.
func printWarnings(ws []app.RemitWarning, env *environ) {
	for _, w := range ws {
		if w.Code == app.RemitWarningsOmitted {
			env.errorf("warning %s: %s", w.Code, w.Message)
			continue
		}
		env.errorf("warning %s at segment %d (%s): %s", w.Code, w.SegmentNumber, w.SegmentID, w.Message)
	}
}

// loadCodes installs the operator's official code lists, if a directory is
// configured. A directory that cannot be used is a configuration error:
// exit 64 with the file and line.
func loadCodes(dir string, env *environ) int {
	if dir == "" {
		return -1
	}
	if err := app.LoadCodes(dir); err != nil {
		env.errorf("%v", err)
		return exitUsage
	}
	return -1
}

// unreadable835 reports a file that cannot be read: exit 2 with its position.
func unreadable835(name string, err error, env *environ) int {
	err = app.MaskCause(err) // with --mask: the defect as the masking found it
	var xe *x12.Error
	if errors.As(err, &xe) {
		env.errorf("%s: %v", name, xe)
		return exitUnread
	}
	env.errorf("%s: cannot be read", name)
	return exitUnread
}
