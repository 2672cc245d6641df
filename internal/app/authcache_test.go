package app_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/casebridge/casebridge/adapters/store"
	"github.com/casebridge/casebridge/adapters/store/storetest"
	"github.com/casebridge/casebridge/internal/app"
)

// twoHandles runs fn with two Store handles on one database, as two
// processes have: two opens of one SQLite file, two pools on one PostgreSQL
// schema.
func twoHandles(t *testing.T, fn func(t *testing.T, a, b app.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), store.SQLiteFile)
		open := func() app.Store {
			st, err := store.OpenSQLite(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return st
		}
		a := open()
		fn(t, a, open())
	})
	t.Run("postgres", func(t *testing.T) {
		url := os.Getenv("CASEBRIDGE_TEST_DATABASE_URL")
		if url == "" {
			t.Skip("CASEBRIDGE_TEST_DATABASE_URL is not set")
		}
		schema := storetest.PostgresSchema(t, url, "cbauth_")
		open := func() app.Store { return openPostgresSchema(t, url, schema) }
		a := open()
		fn(t, a, open())
	})
}

func wantLocal(t *testing.T, svc *app.Service, want bool, when string) {
	t.Helper()
	local, err := svc.LocalMode(ctx)
	if err != nil || local != want {
		t.Fatalf("%s: local mode %v (%v), want %v", when, local, err, want)
	}
	ten, err := svc.ResolveTenant(ctx, "")
	if want && (err != nil || ten != app.LocalTenant) {
		t.Fatalf("%s: no key resolves to %q %v", when, ten, err)
	}
	if !want && !errors.Is(err, app.ErrUnauthenticated) {
		t.Fatalf("%s: no key resolves to %q %v, want unauthenticated", when, ten, err)
	}
}

func wantTenant(t *testing.T, svc *app.Service, key, want, when string) {
	t.Helper()
	ten, err := svc.Authenticate(ctx, key)
	if want == "" {
		if !errors.Is(err, app.ErrUnauthenticated) {
			t.Fatalf("%s: key authenticates as %q (%v), want refused", when, ten, err)
		}
		return
	}
	if err != nil || ten != want {
		t.Fatalf("%s: key authenticates as %q (%v), want %q", when, ten, err, want)
	}
}

// A gateway (gw) trusts "no key exists" and "this key is tenant T" for
// app.DefaultAuthRecheck: a key created or revoked by another process (cli,
// its own Store handle on the same database) takes effect once that bound
// passed since the change; a key revoked through the gateway's own Service
// at once; unknown keys are refused every time.
func TestAuthRecheckAcrossProcesses(t *testing.T) {
	twoHandles(t, func(t *testing.T, a, b app.Store) {
		clk := &clock{t: t0}
		gw := app.New(a, app.DirProfiles("", ""), clk.now, app.Options{})
		cli := app.New(b, app.DirProfiles("", ""), clk.now, app.Options{})
		bound := app.DefaultAuthRecheck

		wantLocal(t, gw, true, "a new database")
		plain, k, err := cli.CreateKey(ctx, "acme", "desk")
		if err != nil {
			t.Fatal(err)
		}
		// within the bound the gateway may still be local (the documented
		// window); this proves it does not ask the store on every request
		clk.advance(bound - time.Millisecond)
		wantLocal(t, gw, true, "just before the bound")
		clk.advance(time.Millisecond)
		wantLocal(t, gw, false, "the bound after another process created a key")
		clk.advance(24 * time.Hour)
		wantLocal(t, gw, false, "a day later (a key once seen is final)")

		wantTenant(t, gw, plain, "acme", "a key created by another process")
		wantTenant(t, gw, plain+"x", "", "an unknown key")
		wantTenant(t, gw, "cb_unknown", "", "an unknown key")

		if err := cli.RevokeKey(ctx, "acme", k.ID); err != nil {
			t.Fatal(err)
		}
		wantTenant(t, cli, plain, "", "revoked in this process")
		clk.advance(bound)
		wantTenant(t, gw, plain, "", "the bound after another process revoked it")
		wantLocal(t, gw, false, "every key revoked")

		// revoked through the gateway's own service: at once
		plain2, k2, err := cli.CreateKey(ctx, "acme", "second")
		if err != nil {
			t.Fatal(err)
		}
		wantTenant(t, gw, plain2, "acme", "a new key works at once (misses are not cached)")
		if err := gw.RevokeKey(ctx, "acme", k2.ID); err != nil {
			t.Fatal(err)
		}
		wantTenant(t, gw, plain2, "", "revoked through the gateway")

		// a fresh process reads the store
		fresh := app.New(a, app.DirProfiles("", ""), clk.now, app.Options{})
		wantLocal(t, fresh, false, "a fresh process")
	})
}

// With a negative AuthRecheck every request asks the store: another
// process's key creation and revocation take effect at once.
func TestAuthRecheckOff(t *testing.T) {
	twoHandles(t, func(t *testing.T, a, b app.Store) {
		clk := &clock{t: t0}
		gw := app.New(a, app.DirProfiles("", ""), clk.now, app.Options{AuthRecheck: -1})
		cli := app.New(b, app.DirProfiles("", ""), clk.now, app.Options{})
		wantLocal(t, gw, true, "a new database")
		plain, k, err := cli.CreateKey(ctx, "acme", "desk")
		if err != nil {
			t.Fatal(err)
		}
		wantLocal(t, gw, false, "after another process created a key")
		wantTenant(t, gw, plain, "acme", "the key")
		if err := cli.RevokeKey(ctx, "acme", k.ID); err != nil {
			t.Fatal(err)
		}
		wantTenant(t, gw, plain, "", "after another process revoked it")
	})
}
