// Package store implements app.Store, casebridge's storage port, twice on
// one body of SQL: SQLite (modernc.org/sqlite, pure Go, the default: a file
// under the data directory, nothing to set up) and PostgreSQL (pgx/v5,
// chosen by a database URL, for several gateway processes).
//
// # Choosing the backend
//
// Open(ctx, Options{DataDir, DatabaseURL}) uses PostgreSQL when DatabaseURL is
// set (--database-url, CASEBRIDGE_DATABASE_URL), else SQLite in
// DataDir/casebridge.db (--data, CASEBRIDGE_DATA_DIR, default
// $XDG_DATA_HOME/casebridge or ~/.local/share/casebridge). The data directory
// is created 0700 and the database file 0600 (SQLite gives its -wal and -shm
// files the same mode). SQLite runs in WAL mode with synchronous=FULL (a
// control number once handed out survives a power loss), a 10 s busy timeout,
// foreign keys on, and BEGIN IMMEDIATE for every transaction so two writers
// never deadlock upgrading a read lock.
//
// # Schema
//
// Versioned SQL files embedded in the binary (migrations/sqlite,
// migrations/postgres; the same tables, differing only in types) are applied
// at open, each in a transaction with its row in schema_migrations; openers
// starting at once are serialised (BEGIN IMMEDIATE; pg_advisory_xact_lock),
// so opening is idempotent and safe from several processes. A database with a
// version this binary does not know is refused.
//
//	tenants           (id PK, name, created_at)
//	api_keys          (id PK, tenant → tenants, label, prefix, hash UNIQUE, created_at, revoked_at)
//	claims            (PK (tenant, id), record_id, status CHECK, record, scrub_report, fhir_bundle,
//	                   x12, isa13, gs06, st02, payer_claim_number, created_at, updated_at)
//	                  indexes (tenant, created_at, id), (tenant, status, …), (tenant, record_id, …),
//	                  (tenant, payer_claim_number)
//	claim_events      (seq PK auto, tenant, claim_id → claims (tenant, id), kind, at, payload)
//	remittances       (PK (tenant, id), raw, findings, claim/matched/unmatched counts, created_at)
//	remittance_links  (PK (tenant, remittance_id, pos), claim_id → claims, NULL when unmatched,
//	                   clp01, outcome)
//	idempotency_keys  (PK (tenant, key), fingerprint, state in_flight|done, token, lease_until,
//	                   status, header, body, created_at, finished_at)
//	control_numbers   (PK (tenant, sender), n = the last number handed out)
//	health            (one row Ping writes)
//
// Every table with tenant data has the tenant as the first column of its key
// and every query filters on it; child rows point at their parent with
// (tenant, id) foreign keys, so a link can never cross tenants. Times are
// stored as Unix microseconds (BIGINT) in both databases: one comparison
// semantics for keyset pagination, no time-zone conversions. JSON documents
// are stored as text, byte for byte as given; X12 and bodies as BLOB/BYTEA.
// Ids are UUIDv7 strings (app.NewID), compared bytewise (COLLATE "C" on
// PostgreSQL, SQLite's default).
//
// # Concurrency and transactions
//
// The operations that must be atomic against other processes are single
// statements, race-free on both databases without explicit locking:
//
//   - control numbers: INSERT … ON CONFLICT (tenant, sender) DO UPDATE SET
//     n = n + k WHERE n <= max - k RETURNING n. No row back means exhausted;
//     nothing wraps.
//   - idempotency: INSERT … ON CONFLICT DO NOTHING, and the caller whose row
//     count is 1 owns the key; everyone else reads the row (replay, in flight,
//     mismatch). A crashed owner's row is taken over after its lease by a
//     compare-and-set on its random token, and Finish/Release name the token,
//     so a request whose lease was taken over cannot overwrite the new owner.
//
// Multi-row writes use transactions: CreateRemittance is one, and WithTx
// gives the app layer one for its own composites (a claim, its first events
// and its status in one commit). Control numbers are best drawn outside that
// transaction: a number drawn in a transaction that rolls back is handed out
// again, which is harmless since its interchange was never sent, but drawing
// first keeps the counter row's lock short on PostgreSQL.
package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// Options choose and place the database.
type Options struct {
	// DataDir holds the SQLite database; "" for DefaultDataDir().
	DataDir string
	// DatabaseURL selects PostgreSQL when set.
	DatabaseURL string
}

// OptionsFromEnv reads CASEBRIDGE_DATA_DIR and CASEBRIDGE_DATABASE_URL;
// command-line flags override the fields.
func OptionsFromEnv() Options {
	return Options{DataDir: os.Getenv("CASEBRIDGE_DATA_DIR"), DatabaseURL: os.Getenv("CASEBRIDGE_DATABASE_URL")}
}

// DefaultDataDir is $CASEBRIDGE_DATA_DIR, else $XDG_DATA_HOME/casebridge,
// else ~/.local/share/casebridge.
func DefaultDataDir() string {
	if d := os.Getenv("CASEBRIDGE_DATA_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "casebridge")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "casebridge")
	}
	return filepath.Join(os.TempDir(), "casebridge")
}

// Open opens the store the options describe: PostgreSQL when DatabaseURL is
// set, else SQLite under DataDir (created 0700).
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.DatabaseURL != "" {
		return OpenPostgres(ctx, o.DatabaseURL)
	}
	dir := o.DataDir
	if dir == "" {
		dir = DefaultDataDir()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: data directory: %w", err)
	}
	return OpenSQLite(ctx, filepath.Join(dir, SQLiteFile))
}
