package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" driver (pure Go)
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
	// Opening is retried while SQLite answers SQLITE_BUSY: a connection
	// that switches a new file to WAL, or opens one another process is
	// switching or recovering, can get SQLITE_BUSY at once, without the
	// busy handler (https://www.sqlite.org/wal.html, "Sometimes Queries
	// Return SQLITE_BUSY In WAL Mode"). Several processes may open the
	// data dir together (serve and the CLI).
	deadline := time.Now().Add(busyTimeoutMS * time.Millisecond)
	for delay := 5 * time.Millisecond; ; delay = min(2*delay, 250*time.Millisecond) {
		db, err := sql.Open("sqlite", path+"?"+q.Encode())
		if err != nil {
			return nil, fmt.Errorf("store: open %s: %w", path, err)
		}
		st, err := newSQLStore(ctx, db, sqliteDialect, db.Close)
		if err == nil || !sqliteBusy(err) || time.Now().After(deadline) {
			return st, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(delay):
		}
	}
}

// sqliteBusy reports whether err is SQLite's SQLITE_BUSY (any extended code).
func sqliteBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == 5
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
