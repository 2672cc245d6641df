package main

import (
	"context"
	"flag"
	"net"

	"github.com/casebridge/casebridge/adapters/store"
)

// storeFlags adds --data and --database-url (defaults from
// CASEBRIDGE_DATA_DIR and CASEBRIDGE_DATABASE_URL) to fs.
func storeFlags(fs *flag.FlagSet) *store.Options {
	o := &store.Options{}
	*o = store.OptionsFromEnv()
	fs.StringVar(&o.DataDir, "data", o.DataDir, "data directory of the SQLite database (env CASEBRIDGE_DATA_DIR; default $XDG_DATA_HOME/casebridge or ~/.local/share/casebridge)")
	fs.StringVar(&o.DatabaseURL, "database-url", o.DatabaseURL, "PostgreSQL URL; replaces the SQLite database (env CASEBRIDGE_DATABASE_URL)")
	return o
}

// openStore opens the store (applying migrations). Both flags given is a
// usage error (64); a store that does not open exits 70. The error names the
// data directory or the database, never the URL's password.
func openStore(ctx context.Context, fs *flag.FlagSet, o *store.Options, env *environ) (*store.Store, int) {
	if code := storeChoice(fs, o, env); code >= 0 {
		return nil, code
	}
	st, err := store.Open(ctx, *o)
	if err != nil {
		env.errorf("cannot open the store: %v", err)
		return nil, exitInternal
	}
	return st, -1
}

// storeChoice settles --data against --database-url: both given is a usage
// error (64); --data given drops the environment's URL.
func storeChoice(fs *flag.FlagSet, o *store.Options, env *environ) int {
	dataSet, urlSet := false, false
	fs.Visit(func(f *flag.Flag) {
		dataSet = dataSet || f.Name == "data"
		urlSet = urlSet || f.Name == "database-url"
	})
	if dataSet && urlSet {
		env.errorf("%s: give --data or --database-url, not both", fs.Name())
		return exitUsage
	}
	if dataSet {
		o.DatabaseURL = "" // the flag overrides the environment's URL
	}
	return -1
}

// loopback tells whether a listen address only takes connections from this
// machine: localhost or a loopback IP (":8080" and "0.0.0.0" do not).
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
