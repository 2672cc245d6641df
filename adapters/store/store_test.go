package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/casebridge/casebridge/adapters/store"
	"github.com/casebridge/casebridge/adapters/store/storetest"
	"github.com/casebridge/casebridge/internal/app"
)

// sqliteBackend gives each test its own database file; every open is a new
// *sql.DB on that file, as another process would have.
func sqliteBackend(t *testing.T) func() (app.Store, error) {
	path := filepath.Join(t.TempDir(), store.SQLiteFile)
	return func() (app.Store, error) {
		s, err := store.OpenSQLite(context.Background(), path)
		if err != nil {
			return nil, err
		}
		t.Cleanup(func() { s.Close() })
		return s, nil
	}
}

func TestSQLite(t *testing.T) { storetest.Run(t, sqliteBackend) }

// postgresBackend gives each test its own schema in the database at
// CASEBRIDGE_TEST_DATABASE_URL, dropped afterwards; every open is a new
// *pgxpool.Pool with search_path set to it.
func postgresBackend(t *testing.T) func() (app.Store, error) {
	url := os.Getenv("CASEBRIDGE_TEST_DATABASE_URL")
	schema := storetest.PostgresSchema(t, url, "cbtest_")
	return func() (app.Store, error) {
		ctx := context.Background()
		cfg, err := pgxpool.ParseConfig(url)
		if err != nil {
			return nil, err
		}
		cfg.ConnConfig.RuntimeParams["search_path"] = schema
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			return nil, err
		}
		s, err := store.NewPostgres(ctx, pool, true)
		if err != nil {
			return nil, err
		}
		t.Cleanup(func() { s.Close() })
		return s, nil
	}
}

func TestPostgres(t *testing.T) {
	if os.Getenv("CASEBRIDGE_TEST_DATABASE_URL") == "" {
		t.Skip("CASEBRIDGE_TEST_DATABASE_URL is not set")
	}
	storetest.Run(t, postgresBackend)
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestOpenSQLiteDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	s, err := store.Open(context.Background(), store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Backend() != "sqlite" {
		t.Fatalf("backend %s", s.Backend())
	}
	ctx := context.Background()
	if _, err := s.EnsureTenant(ctx, app.Tenant{ID: "t1"}); err != nil {
		t.Fatal(err)
	}
	if got := mode(t, dir); got != 0o700 {
		t.Errorf("data directory mode %o, want 700", got)
	}
	for _, f := range []string{store.SQLiteFile, store.SQLiteFile + "-wal", store.SQLiteFile + "-shm"} {
		if got := mode(t, filepath.Join(dir, f)); got != 0o600 {
			t.Errorf("%s mode %o, want 600", f, got)
		}
	}
}

func TestDefaultDataDir(t *testing.T) {
	t.Setenv("CASEBRIDGE_DATA_DIR", "")
	t.Setenv("XDG_DATA_HOME", "/xdg")
	if got := store.DefaultDataDir(); got != "/xdg/casebridge" {
		t.Errorf("with XDG_DATA_HOME: %s", got)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/u")
	if got := store.DefaultDataDir(); got != "/home/u/.local/share/casebridge" {
		t.Errorf("with HOME: %s", got)
	}
	t.Setenv("CASEBRIDGE_DATA_DIR", "/data")
	if got := store.DefaultDataDir(); got != "/data" {
		t.Errorf("with CASEBRIDGE_DATA_DIR: %s", got)
	}
	t.Setenv("CASEBRIDGE_DATABASE_URL", "postgres://x")
	if o := store.OptionsFromEnv(); o.DataDir != "/data" || o.DatabaseURL != "postgres://x" {
		t.Errorf("OptionsFromEnv: %+v", o)
	}
}

func TestOpenDefaultUsesXDG(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("CASEBRIDGE_DATA_DIR", "")
	t.Setenv("XDG_DATA_HOME", xdg)
	s, err := store.Open(context.Background(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(filepath.Join(xdg, "casebridge", store.SQLiteFile)); err != nil {
		t.Fatal(err)
	}
}

func TestOpenPostgresByURL(t *testing.T) {
	url := os.Getenv("CASEBRIDGE_TEST_DATABASE_URL")
	if url == "" {
		t.Skip("CASEBRIDGE_TEST_DATABASE_URL is not set")
	}
	dir := t.TempDir()
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	url += sep + "search_path=" + storetest.PostgresSchema(t, url, "cbtest_")
	s, err := store.Open(context.Background(), store.Options{DataDir: dir, DatabaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Backend() != "postgres" {
		t.Fatalf("backend %s", s.Backend())
	}
	if err := s.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, store.SQLiteFile)); !os.IsNotExist(err) {
		t.Fatalf("a SQLite file was made beside PostgreSQL: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := store.Open(ctx, store.Options{DatabaseURL: "postgres://127.0.0.1:1/x?connect_timeout=1"}); err == nil {
		t.Error("opened PostgreSQL on a closed port")
	}
	if _, err := store.Open(ctx, store.Options{DatabaseURL: "::not a url"}); err == nil {
		t.Error("opened a bad URL")
	}
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := store.Open(ctx, store.Options{DataDir: file}); err == nil {
		t.Error("used a file as the data directory")
	}
	if _, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "a?b")); err == nil {
		t.Error("accepted a path with ?")
	}
}
