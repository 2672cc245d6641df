package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/casebridge/casebridge/internal/app"
)

// appealNumberTries bounds CreateAppeal's retries when a concurrent appeal
// of the same claim took the number it computed (PostgreSQL, read
// committed; SQLite's write lock serialises writers).
const appealNumberTries = 20

// CreateAppeal stores an appeal, numbered 1 + the claim's highest.
func (s *Store) CreateAppeal(ctx context.Context, a app.Appeal) (app.Appeal, error) {
	if a.Body == nil || a.HTML == nil || a.PDF == nil {
		return app.Appeal{}, invalid("appeal without body, html or pdf")
	}
	if err := s.claimExists(ctx, a.Tenant, a.ClaimID); err != nil {
		return app.Appeal{}, err
	}
	a.CreatedAt = orNow(a.CreatedAt)
	for range appealNumberTries {
		var n int
		if err := s.queryRow(ctx, `SELECT COALESCE(MAX(n), 0) + 1 FROM appeals WHERE tenant = ? AND claim_id = ?`,
			a.Tenant, a.ClaimID).Scan(&n); err != nil {
			return app.Appeal{}, wrap("create appeal", err)
		}
		err := s.queryRow(ctx, `INSERT INTO appeals (tenant, claim_id, n, finding, body, html, pdf, idempotency_key, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING n`,
			a.Tenant, a.ClaimID, n, a.Finding, string(a.Body), a.HTML, a.PDF, nullText(a.IdempotencyKey), micros(a.CreatedAt)).Scan(&n)
		if err == nil {
			a.N = n
			return a, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return app.Appeal{}, wrap("create appeal", err)
		}
		// nothing inserted: the key is taken, or the number was
		if a.IdempotencyKey != "" {
			if _, err := s.AppealByIdempotencyKey(ctx, a.Tenant, a.IdempotencyKey); err == nil {
				return app.Appeal{}, fmt.Errorf("store: appeal: %w", app.ErrConflict)
			}
		}
	}
	return app.Appeal{}, fmt.Errorf("store: appeal of claim %s: no free number after %d tries", a.ClaimID, appealNumberTries)
}

const appealColumns = `tenant, claim_id, n, finding, body, html, pdf, idempotency_key, created_at`

func scanAppeal(row interface{ Scan(...any) error }) (app.Appeal, error) {
	var a app.Appeal
	var body []byte
	var key sql.NullString
	var at int64
	if err := row.Scan(&a.Tenant, &a.ClaimID, &a.N, &a.Finding, &body, &a.HTML, &a.PDF, &key, &at); err != nil {
		return app.Appeal{}, err
	}
	a.Body, a.IdempotencyKey, a.CreatedAt = rawJSON(body), key.String, fromMicros(at)
	return a, nil
}

// GetAppeal returns one appeal of a claim.
func (s *Store) GetAppeal(ctx context.Context, tenant, claimID string, n int) (app.Appeal, error) {
	a, err := scanAppeal(s.queryRow(ctx, `SELECT `+appealColumns+` FROM appeals WHERE tenant = ? AND claim_id = ? AND n = ?`,
		tenant, claimID, n))
	if errors.Is(err, sql.ErrNoRows) {
		return app.Appeal{}, notFound("appeal")
	}
	return a, wrap("get appeal", err)
}

// ListAppeals returns a claim's appeals without their letters.
func (s *Store) ListAppeals(ctx context.Context, tenant, claimID string) ([]app.Appeal, error) {
	if err := s.claimExists(ctx, tenant, claimID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT tenant, claim_id, n, finding, body, NULL, NULL, idempotency_key, created_at
		FROM appeals WHERE tenant = ? AND claim_id = ? ORDER BY n`, tenant, claimID)
	if err != nil {
		return nil, wrap("list appeals", err)
	}
	defer rows.Close()
	out := []app.Appeal{}
	for rows.Next() {
		a, err := scanAppeal(rows)
		if err != nil {
			return nil, wrap("list appeals", err)
		}
		out = append(out, a)
	}
	return out, wrap("list appeals", rows.Err())
}

// AppealByIdempotencyKey returns the appeal created under the key.
func (s *Store) AppealByIdempotencyKey(ctx context.Context, tenant, key string) (app.Appeal, error) {
	if key == "" {
		return app.Appeal{}, notFound("appeal")
	}
	a, err := scanAppeal(s.queryRow(ctx, `SELECT `+appealColumns+` FROM appeals WHERE tenant = ? AND idempotency_key = ?`,
		tenant, key))
	if errors.Is(err, sql.ErrNoRows) {
		return app.Appeal{}, notFound("appeal")
	}
	return a, wrap("appeal by idempotency key", err)
}
