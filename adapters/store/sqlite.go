package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go)
)

// SQLiteFile is the database file's name under the data directory.
const SQLiteFile = "casebridge.db"

// busyTimeoutMS is how long a SQLite connection waits for another writer.
const busyTimeoutMS = 10000

// OpenSQLite opens (creating, 0600) the SQLite database at path and applies
// the migrations. The parent directory must exist.
func OpenSQLite(ctx context.Context, path string) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("store: unusable SQLite path %q", path)
	}
	// Create the file ourselves so it is 0600 from the start; SQLite gives the
	// -wal and -shm files the database file's permissions.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	f.Close()
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(busyTimeoutMS))
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL") // a committed control number survives power loss
	q.Set("_foreign_keys", "1")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return newSQLStore(ctx, db, sqliteDialect, db.Close)
}

func newSQLStore(ctx context.Context, db *sql.DB, d dialect, closeFn func() error) (*Store, error) {
	if err := db.PingContext(ctx); err != nil {
		closeFn()
		return nil, fmt.Errorf("store: %s: %w", d, err)
	}
	if err := migrate(ctx, db, d); err != nil {
		closeFn()
		return nil, err
	}
	return &Store{db: db, q: db, d: d, closeFn: closeFn}, nil
}
