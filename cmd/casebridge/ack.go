package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/casebridge/casebridge/adapters/store"
	"github.com/casebridge/casebridge/internal/app"
)

// ackFlags are validate's --ack and what it needs: the store our 999's
// control numbers come from (--data/--database-url, as 837d) and the tenant
// (--tenant, default local).
type ackFlags struct {
	fs       *flag.FlagSet
	on       bool
	newlines bool
	tenant   string
	store    *store.Options
}

func registerAck(fs *flag.FlagSet) *ackFlags {
	f := &ackFlags{fs: fs}
	fs.BoolVar(&f.on, "ack", false, "print the 999 acknowledgment (a TA1 when the interchange envelope is unusable) instead of the report")
	fs.BoolVar(&f.newlines, "newlines", false, "with --ack: a newline after each segment")
	fs.StringVar(&f.tenant, "tenant", app.LocalTenant, "with --ack: the tenant whose control numbers the acknowledgment draws")
	f.store = storeFlags(fs)
	return f
}

// run prints the acknowledgment of data on stdout and the issues on stderr.
// Exit 0 the file is valid, 1 it has errors (the acknowledgment says
// which), 2 it is not X12 at all (nothing to acknowledge), 64 usage, 70 the
// store failed to give a control number.
func (f *ackFlags) run(env *environ, name string, data []byte, vo app.ValidateOptions) int {
	if err := app.CheckTenant(f.tenant); err != nil {
		env.errorf("--tenant: 1-64 letters, digits, '.', '_' or '-'")
		return exitUsage
	}
	if code := storeChoice(f.fs, f.store, env); code >= 0 {
		return code
	}
	ctx := context.Background()
	var st *store.Store
	defer func() {
		if st != nil {
			st.Close()
		}
	}()
	// the store is opened only when a number is drawn: a file that is not
	// X12 neither opens nor creates a database
	alloc := func(sender string) (int, error) {
		if st == nil {
			var err error
			if st, err = store.Open(ctx, *f.store); err != nil {
				return 0, fmt.Errorf("cannot open the store: %w", err)
			}
		}
		return app.New(st, nil, time.Now, app.Options{}).AckControlNumbers(ctx, f.tenant)(sender)
	}
	res, err := app.AcknowledgeX12(data, app.AckOutOptions{Validate: vo, ControlNumber: alloc, Newlines: f.newlines})
	switch {
	case errors.Is(err, app.ErrX12Unreadable):
		env.errorf("%s: no readable interchange header (ISA): nothing to acknowledge", name)
		return exitUnread
	case errors.Is(err, app.ErrAckControlNumber):
		env.errorf("cannot allocate a control number: %v", err)
		return exitInternal
	case err != nil:
		env.errorf("%s: %v", name, err)
		return exitInternal
	}
	if _, err := env.stdout.Write(res.X12); err != nil {
		return exitInternal
	}
	for _, is := range res.Report.Issues {
		fmt.Fprintln(env.stderr, issueLine(is))
	}
	if !res.Report.Valid {
		return exitInvalid
	}
	return exitOK
}
