package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

// OpenPostgres connects to the PostgreSQL database at url (a postgres:// URL
// or a key=value string) and applies the migrations.
func OpenPostgres(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: database URL: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: postgres: %w", err)
	}
	return NewPostgres(ctx, pool, true)
}

// NewPostgres makes a store on an existing pool and applies the migrations.
// With own, Close closes the pool too.
func NewPostgres(ctx context.Context, pool *pgxpool.Pool, own bool) (*Store, error) {
	db := openDB(pool)
	closeFn := func() error {
		err := db.Close()
		if own {
			pool.Close()
		}
		return err
	}
	return newSQLStore(ctx, db, postgresDialect, closeFn)
}

func openDB(pool *pgxpool.Pool) *sql.DB { return stdlib.OpenDBFromPool(pool) }
