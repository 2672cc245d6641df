package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/casebridge/casebridge/adapters/store"
	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/config"
	"github.com/casebridge/casebridge/internal/record"
)

// storedCommand is what the commands over the store (worklist, report)
// share: the service on the opened store with the chosen profile, and the
// tenant.
type storedCommand struct {
	svc    *app.Service
	tenant string
	format string
	close  func()
}

// openStoredCommand parses the flags (extra adds the command's own), loads
// the profile and opens the store. A non-negative code means stop.
func openStoredCommand(name string, args []string, env *environ, extra func(fs *flag.FlagSet)) (*storedCommand, int) {
	cfg := config.FromEnv()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var pf profileFlags
	pf.register(fs, cfg)
	sc := &storedCommand{}
	fs.StringVar(&sc.tenant, "tenant", app.LocalTenant, "the tenant whose claims are read (the gateway's local mode uses "+app.LocalTenant+")")
	fs.StringVar(&sc.format, "format", "table", "table or json (the JSON of the HTTP route)")
	extra(fs)
	so := storeFlags(fs)
	pos, code := parse(fs, args, env)
	if code >= 0 {
		return nil, code
	}
	if len(pos) != 0 {
		env.errorf("%s: takes no file", name)
		return nil, exitUsage
	}
	if sc.format != "table" && sc.format != "json" {
		env.errorf("%s: --format must be table or json", name)
		return nil, exitUsage
	}
	if err := app.CheckTenant(sc.tenant); err != nil {
		env.errorf("--tenant: 1-64 letters, digits, '.', '_' or '-'")
		return nil, exitUsage
	}
	prof, code := pf.load(env)
	if code >= 0 {
		return nil, code
	}
	st, code := openStore(context.Background(), fs, so, env)
	if code >= 0 {
		return nil, code
	}
	profiles := app.ProfileFunc(func(context.Context, string, string) (*app.Profile, error) { return prof, nil })
	sc.svc = app.New(st, profiles, time.Now, app.Options{})
	sc.close = func() { st.Close() }
	return sc, -1
}

// serviceError maps an error of the service to an exit code: a bad option
// is usage (64), anything else the machine's (70); the message names no data.
func serviceError(env *environ, name string, err error) int {
	var oe *app.OptionError
	if errors.As(err, &oe) {
		env.errorf("%s: %v", name, oe)
		return exitUsage
	}
	env.errorf("%s: store: %v", name, err)
	return exitInternal
}

// cmdWorklist is `casebridge worklist`: GET /v1/worklist's items, every
// page, as a table (or --format json: one {items, next_cursor: null}).
// Exit codes: 0, 64 usage, 70 the store failed.
func cmdWorklist(args []string, env *environ) int {
	var category, payer string
	sc, code := openStoredCommand("worklist", args, env, func(fs *flag.FlagSet) {
		fs.StringVar(&category, "category", "", "only this category (a denial category, pended, reversed or front_end_rejection)")
		fs.StringVar(&payer, "payer", "", "only this payer id (the record's payer.id)")
	})
	if code >= 0 {
		return code
	}
	defer sc.close()
	q, err := app.ParseWorklistQuery(category, payer, "", "")
	if err != nil {
		return serviceError(env, "worklist", err)
	}
	q.Limit = app.MaxListLimit
	all := &app.Worklist{Items: []app.WorklistItem{}}
	for {
		w, err := sc.svc.Worklist(context.Background(), sc.tenant, "", q)
		if err != nil {
			return serviceError(env, "worklist", err)
		}
		all.Items = append(all.Items, w.Items...)
		if w.NextCursor == nil {
			break
		}
		q.Cursor = *w.NextCursor
	}
	if sc.format == "json" {
		if printJSON(env.stdout, all) != nil {
			return exitInternal
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DEADLINE\tKIND\tDAYS\tCLAIM\tRECORD\tPAYER\tSERVICE\tOPEN\tCATEGORY\tCODES\tNEXT STEP")
	for _, it := range all.Items {
		cs := make([]string, 0, len(it.Codes))
		for _, c := range it.Codes {
			cs = append(cs, c.Code)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", it.Deadlines.Next, it.Deadlines.NextKind, it.Deadlines.DaysLeft,
			it.ClaimID, it.RecordID, it.Payer.ID, it.ServiceDate, it.OpenAmount, it.Category, strings.Join(cs, ","), oneLine(it.NextStep, 100))
	}
	if tw.Flush() != nil {
		return exitInternal
	}
	fmt.Fprintf(env.stderr, "%d open item(s)\n", len(all.Items))
	return exitOK
}

// oneLine shortens s to n runes for a table cell.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// cmdReport is `casebridge report`: GET /v1/analytics as two tables (per
// payer and code; the payers' D9997 trend with flags), or --format json.
// Exit codes: 0, 64 usage, 70 the store failed.
func cmdReport(args []string, env *environ) int {
	var from, to, payer, code string
	sc, ec := openStoredCommand("report", args, env, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "first service date YYYY-MM-DD")
		fs.StringVar(&to, "to", "", "last service date YYYY-MM-DD")
		fs.StringVar(&payer, "payer", "", "only this payer id")
		fs.StringVar(&code, "code", "", "only this CDT code (e.g. D9997)")
	})
	if ec >= 0 {
		return ec
	}
	defer sc.close()
	q, err := app.ParseAnalyticsQuery(from, to, payer, code)
	if err != nil {
		return serviceError(env, "report", err)
	}
	a, err := sc.svc.Analytics(context.Background(), sc.tenant, "", q)
	if err != nil {
		return serviceError(env, "report", err)
	}
	if sc.format == "json" {
		if printJSON(env.stdout, a) != nil {
			return exitInternal
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PAYER\tCODE\tCLAIMS\tBILLED\tALLOWED\tPAID\tPAID/BILLED\tDENIAL RATE\tDENIED\tMEDIAN DAYS\tAPPEALS\tWON\tDENIED BY CATEGORY")
	for _, r := range a.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", r.Payer.ID, r.Code, r.Claims, r.Billed, r.Allowed, r.Paid,
			num(r.PaidRatio), num(r.DenialRate), r.DeniedAmount, num(r.MedianDaysToPayment), r.AppealsFiled, r.AppealsWon, byCategory(r))
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "PAYER\tD9997 BILLED\tPAID\tPAID/BILLED\tQUARTERS\tFLAGS")
	for _, p := range a.Payers {
		qs := make([]string, 0, len(p.Quarters))
		for _, q := range p.Quarters {
			qs = append(qs, q.Quarter+" "+num(q.PaidRatio))
		}
		flags := strings.Join(p.Flags, ",")
		if flags == "" {
			flags = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Payer.ID, p.Billed, p.Paid, num(p.PaidRatio), strings.Join(qs, "; "), flags)
	}
	if tw.Flush() != nil {
		return exitInternal
	}
	return exitOK
}

func num(f *float64) string {
	if f == nil {
		return "-"
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

func byCategory(r app.AnalyticsRow) string {
	keys := make([]string, 0, len(r.DeniedByCategory))
	for k := range r.DeniedByCategory {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+" "+r.DeniedByCategory[k].String())
	}
	if len(out) == 0 {
		return "-"
	}
	return strings.Join(out, ", ")
}

// checkHistory are `casebridge check`'s store flags: with --data or
// --database-url given, the record is also checked against the tenant's
// stored claims (DUPLICATE_SERVICE, FREQUENCY_LIMIT); without, the check
// is the scrubber's alone.
type checkHistory struct {
	store  *store.Options
	tenant string
}

func historyFlags(fs *flag.FlagSet) *checkHistory {
	h := &checkHistory{store: storeFlags(fs)}
	fs.StringVar(&h.tenant, "tenant", app.LocalTenant, "with --data or --database-url: whose stored claims the history checks read")
	return h
}

// check returns the report, or the exit code: 2 when data is not one JSON
// object, 64 a bad --tenant or both store flags, 70 a store that does not
// open or cannot be read (the message names no data).
func (h *checkHistory) check(fs *flag.FlagSet, name string, data []byte, prof *app.Profile, env *environ) (*app.Report, int) {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "data" || f.Name == "database-url" })
	var rep *app.Report
	var err error
	if !given {
		rep, err = app.CheckRecord(data, prof, time.Now().UTC())
	} else {
		if app.CheckTenant(h.tenant) != nil {
			env.errorf("--tenant: 1-64 letters, digits, '.', '_' or '-'")
			return nil, exitUsage
		}
		st, code := openStore(context.Background(), fs, h.store, env)
		if code >= 0 {
			return nil, code
		}
		defer st.Close()
		profiles := app.ProfileFunc(func(context.Context, string, string) (*app.Profile, error) { return prof, nil })
		rep, err = app.New(st, profiles, time.Now, app.Options{}).CheckRecordHistory(context.Background(), h.tenant, data, prof, time.Now().UTC())
		var se *record.SyntaxError
		if err != nil && !errors.As(err, &se) {
			env.errorf("check: store: %v", err)
			return nil, exitInternal
		}
	}
	if err != nil {
		env.errorf("%s: %v", name, err)
		return nil, exitUnread
	}
	return rep, -1
}
