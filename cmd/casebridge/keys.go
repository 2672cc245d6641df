package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/casebridge/casebridge/internal/app"
)

// cmdKeys is `casebridge keys create|list|revoke`: the gateway's API keys.
// Exit codes: 0 done, 1 no such key, 64 usage (also a bad tenant or label),
// 70 the store failed.
func cmdKeys(args []string, env *environ) int {
	if len(args) == 0 {
		env.errorf("keys: expected create, list or revoke")
		keysUsage(env)
		return exitUsage
	}
	switch args[0] {
	case "create":
		return keysCreate(args[1:], env)
	case "list":
		return keysList(args[1:], env)
	case "revoke":
		return keysRevoke(args[1:], env)
	case "help", "-h", "--help":
		keysUsage(env)
		return exitOK
	}
	env.errorf("keys: unknown subcommand %q", args[0])
	keysUsage(env)
	return exitUsage
}

func keysUsage(env *environ) {
	fmt.Fprintln(env.stderr, "usage: casebridge keys create --tenant NAME [--label L] [--data DIR | --database-url URL]")
	fmt.Fprintln(env.stderr, "       casebridge keys list [--tenant NAME] [--data DIR | --database-url URL]")
	fmt.Fprintln(env.stderr, "       casebridge keys revoke ID [--tenant NAME] [--data DIR | --database-url URL]")
}

// keysService parses the flags and opens the store; the returned close
// function closes it.
func keysService(name string, args []string, env *environ, extra func(fs *flag.FlagSet)) (svc *app.Service, pos []string, closeFn func(), code int) {
	fs := flag.NewFlagSet("keys "+name, flag.ContinueOnError)
	extra(fs)
	so := storeFlags(fs)
	pos, code = parse(fs, args, env)
	if code >= 0 {
		return nil, nil, nil, code
	}
	st, code := openStore(context.Background(), fs, so, env)
	if code >= 0 {
		return nil, nil, nil, code
	}
	return app.New(st, nil, time.Now, app.Options{}), pos, func() { st.Close() }, -1
}

// keyError maps a service error to an exit code with a message.
func keyError(env *environ, err error) int {
	switch {
	case errors.Is(err, app.ErrInvalid):
		env.errorf("%v", err)
		return exitUsage
	case errors.Is(err, app.ErrNotFound):
		env.errorf("no such key for this tenant")
		return exitInvalid
	}
	env.errorf("store: %v", err)
	return exitInternal
}

func keysCreate(args []string, env *environ) int {
	var tenant, label string
	svc, pos, closeFn, code := keysService("create", args, env, func(fs *flag.FlagSet) {
		fs.StringVar(&tenant, "tenant", "", "the tenant the key acts for (created if new)")
		fs.StringVar(&label, "label", "", "a note to tell keys apart (e.g. the client's name)")
	})
	if code >= 0 {
		return code
	}
	defer closeFn()
	if len(pos) > 0 || tenant == "" {
		env.errorf("keys create: --tenant NAME is required and no argument is taken")
		return exitUsage
	}
	key, rec, err := svc.CreateKey(context.Background(), tenant, label)
	if err != nil {
		return keyError(env, err)
	}
	fmt.Fprintf(env.stdout, "id:      %s\ntenant:  %s\nlabel:   %s\nprefix:  %s\ncreated: %s\n", rec.ID, rec.Tenant, rec.Label, rec.Prefix, rec.CreatedAt.UTC().Format(time.RFC3339))
	fmt.Fprintln(env.stdout, "The key below is shown once; only its hash is stored. Send it as Authorization: Bearer KEY.")
	fmt.Fprintln(env.stdout, key)
	return exitOK
}

func keysList(args []string, env *environ) int {
	var tenant string
	svc, pos, closeFn, code := keysService("list", args, env, func(fs *flag.FlagSet) {
		fs.StringVar(&tenant, "tenant", app.LocalTenant, "the tenant whose keys to list")
	})
	if code >= 0 {
		return code
	}
	defer closeFn()
	if len(pos) > 0 {
		env.errorf("keys list takes no argument")
		return exitUsage
	}
	keys, err := svc.ListKeys(context.Background(), tenant)
	if err != nil {
		return keyError(env, err)
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTENANT\tLABEL\tPREFIX\tCREATED\tREVOKED")
	for _, k := range keys {
		revoked := "-"
		if k.RevokedAt != nil {
			revoked = k.RevokedAt.UTC().Format(time.RFC3339)
		}
		label := k.Label
		if label == "" {
			label = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Tenant, label, k.Prefix, k.CreatedAt.UTC().Format(time.RFC3339), revoked)
	}
	if err := tw.Flush(); err != nil {
		return exitInternal
	}
	return exitOK
}

func keysRevoke(args []string, env *environ) int {
	var tenant string
	svc, pos, closeFn, code := keysService("revoke", args, env, func(fs *flag.FlagSet) {
		fs.StringVar(&tenant, "tenant", app.LocalTenant, "the tenant the key belongs to")
	})
	if code >= 0 {
		return code
	}
	defer closeFn()
	if len(pos) != 1 {
		env.errorf("keys revoke: expected exactly one key ID (see keys list)")
		return exitUsage
	}
	if err := svc.RevokeKey(context.Background(), tenant, pos[0]); err != nil {
		return keyError(env, err)
	}
	fmt.Fprintf(env.stdout, "revoked %s\n", pos[0])
	return exitOK
}
