package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// A store that answers but cannot write fails Ping: SQLite opened query-only
// (chmod does not stop root, so the connection is made read-only instead).
func TestPingFailsReadOnlySQLite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), SQLiteFile)
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path+"?_query_only=1")
	if err != nil {
		t.Fatal(err)
	}
	ro := &Store{db: db, q: db, d: sqliteDialect, closeFn: db.Close}
	defer ro.Close()
	if err := db.PingContext(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ro.Ping(ctx); err == nil || !strings.Contains(err.Error(), "write check") {
		t.Fatalf("Ping on a read-only store: %v", err)
	}
}

func TestPingFailsReadOnlyPostgres(t *testing.T) {
	url := os.Getenv("CASEBRIDGE_TEST_DATABASE_URL")
	if url == "" {
		t.Skip("CASEBRIDGE_TEST_DATABASE_URL is not set")
	}
	ctx := context.Background()
	schema := "cbtest_ro_" + strings.ReplaceAll(strings.ToLower(t.Name()), "/", "_")
	admin, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	admin.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
	open := func(readOnly bool) *pgxpool.Pool {
		cfg, err := pgxpool.ParseConfig(url)
		if err != nil {
			t.Fatal(err)
		}
		cfg.ConnConfig.RuntimeParams["search_path"] = schema
		if readOnly {
			cfg.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
		}
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return pool
	}
	s, err := NewPostgres(ctx, open(false), true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	pool := open(true)
	defer pool.Close()
	if _, err := NewPostgres(ctx, pool, false); err == nil {
		t.Fatal("opened (migrated) a read-only database")
	}
	db := openDB(pool)
	ro := &Store{db: db, q: db, d: postgresDialect, closeFn: db.Close}
	defer ro.Close()
	if err := ro.Ping(ctx); err == nil || !strings.Contains(err.Error(), "write check") {
		t.Fatalf("Ping on a read-only store: %v", err)
	}
}

// A database migrated by a newer casebridge is refused, not used.
func TestRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), SQLiteFile)
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := loadMigrations(sqliteDialect)
	if v, err := s.SchemaVersion(ctx); err != nil || v != ms[len(ms)-1].version {
		t.Fatalf("schema version %d, %v", v, err)
	}
	if _, err := s.db.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := OpenSQLite(ctx, path); err == nil || !strings.Contains(err.Error(), "9999") {
		t.Fatalf("opened a database of schema version 9999: %v", err)
	}
}

func TestMigrationFiles(t *testing.T) {
	for _, d := range []dialect{sqliteDialect, postgresDialect} {
		ms, err := loadMigrations(d)
		if err != nil || len(ms) == 0 || ms[0].version != 1 {
			t.Fatalf("%s migrations: %d, %v", d, len(ms), err)
		}
	}
	sq, _ := loadMigrations(sqliteDialect)
	pg, _ := loadMigrations(postgresDialect)
	if len(sq) != len(pg) {
		t.Fatalf("%d SQLite migrations, %d PostgreSQL ones: every change needs both", len(sq), len(pg))
	}
	for i := range sq {
		if sq[i].name != pg[i].name {
			t.Errorf("migration %d: %s and %s", i, sq[i].name, pg[i].name)
		}
	}
}

// A database of schema 1 with claims and remittances is upgraded in place by
// migration 2: the rows keep their values and have no Idempotency-Key, and
// keys work from then on.
func TestUpgradeToIdempotencyKeys(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), SQLiteFile)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations(sqliteDialect)
	if err != nil {
		t.Fatal(err)
	}
	if err := applyOne(ctx, db, sqliteDialect, ms[0], map[int]bool{1: true, 2: true}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO tenants (id, name, created_at) VALUES ('t1', 't1', 0)`,
		`INSERT INTO claims (tenant, id, record_id, status, record, created_at, updated_at) VALUES ('t1', 'c1', 'R1', 'submitted', '{}', 1, 1)`,
		`INSERT INTO remittances (tenant, id, raw, claim_count, matched_count, unmatched_count, created_at) VALUES ('t1', 'r1', x'49', 0, 0, 0, 1)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, err := s.SchemaVersion(ctx); err != nil || v != ms[len(ms)-1].version {
		t.Fatalf("schema version %d, %v", v, err)
	}
	c, err := s.GetClaim(ctx, "t1", "c1")
	if err != nil || c.RecordID != "R1" || c.IdempotencyKey != "" {
		t.Fatalf("the old claim: %+v, %v", c, err)
	}
	r, err := s.GetRemittance(ctx, "t1", "r1")
	if err != nil || r.IdempotencyKey != "" {
		t.Fatalf("the old remittance: %+v, %v", r, err)
	}
}
