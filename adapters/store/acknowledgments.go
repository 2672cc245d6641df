package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/casebridge/casebridge/internal/app"
)

// ---- acknowledgments (app.AcknowledgmentStore; migration 0005)

// CreateAcknowledgment stores a TA1, 999 or 277CA with its answer.
func (s *Store) CreateAcknowledgment(ctx context.Context, a app.Acknowledgment) (app.Acknowledgment, error) {
	switch {
	case a.Raw == nil:
		return app.Acknowledgment{}, invalid("empty acknowledgment")
	case a.Type != "TA1" && a.Type != "999" && a.Type != "277CA":
		return app.Acknowledgment{}, invalid("acknowledgment type must be TA1, 999 or 277CA")
	case a.Result == nil:
		return app.Acknowledgment{}, invalid("acknowledgment without its result")
	}
	if a.ID == "" {
		a.ID = app.NewID()
	}
	a.CreatedAt = orNow(a.CreatedAt)
	err := s.WithTx(ctx, func(st app.Store) error {
		tx := st.(*Store)
		if err := tx.tenantExists(ctx, a.Tenant); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `INSERT INTO acknowledgments (tenant, id, type, raw, result, matched_count,
			unmatched_count, idempotency_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			a.Tenant, a.ID, a.Type, a.Raw, string(a.Result), a.Matched, a.Unmatched, nullText(a.IdempotencyKey),
			micros(a.CreatedAt))
		if err != nil {
			return wrap("create acknowledgment", err)
		}
		if n, err := affected(res); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("store: acknowledgment %s: %w", a.ID, app.ErrConflict)
		}
		return nil
	})
	if err != nil {
		return app.Acknowledgment{}, err
	}
	return a, nil
}

// GetAcknowledgment returns a stored acknowledgment.
func (s *Store) GetAcknowledgment(ctx context.Context, tenant, id string) (app.Acknowledgment, error) {
	return s.acknowledgment(ctx, `tenant = ? AND id = ?`, tenant, id)
}

// AcknowledgmentByIdempotencyKey returns the acknowledgment created under
// an Idempotency-Key.
func (s *Store) AcknowledgmentByIdempotencyKey(ctx context.Context, tenant, key string) (app.Acknowledgment, error) {
	if key == "" {
		return app.Acknowledgment{}, notFound("acknowledgment")
	}
	return s.acknowledgment(ctx, `tenant = ? AND idempotency_key = ?`, tenant, key)
}

func (s *Store) acknowledgment(ctx context.Context, where, tenant, v string) (app.Acknowledgment, error) {
	var a app.Acknowledgment
	var result []byte
	var created int64
	var key sql.NullString
	err := s.queryRow(ctx, `SELECT tenant, id, type, raw, result, matched_count, unmatched_count, idempotency_key,
		created_at FROM acknowledgments WHERE `+where, tenant, v).Scan(&a.Tenant, &a.ID, &a.Type, &a.Raw, &result,
		&a.Matched, &a.Unmatched, &key, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return app.Acknowledgment{}, notFound("acknowledgment")
	}
	if err != nil {
		return app.Acknowledgment{}, wrap("get acknowledgment", err)
	}
	a.Result, a.IdempotencyKey, a.CreatedAt = rawJSON(result), key.String, fromMicros(created)
	return a, nil
}

// ClaimsByControlNumber returns the claims whose 837D has these envelope
// numbers (indexes claims_by_isa13, claims_by_gs06_st02).
func (s *Store) ClaimsByControlNumber(ctx context.Context, tenant string, m app.ControlMatch) ([]app.Claim, error) {
	var conds []string
	args := []any{tenant}
	for _, c := range []struct {
		col string
		v   int64
	}{{"isa13", m.Interchange}, {"gs06", m.Group}, {"st02", m.Transaction}} {
		if c.v != 0 {
			conds = append(conds, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	if len(conds) == 0 {
		return nil, invalid("no control number to match on")
	}
	rows, err := s.query(ctx, `SELECT `+claimCols+` FROM claims WHERE tenant = ? AND `+strings.Join(conds, " AND ")+`
		ORDER BY created_at DESC, id DESC LIMIT 100`, args...)
	if err != nil {
		return nil, wrap("claims by control number", err)
	}
	defer rows.Close()
	var out []app.Claim
	for rows.Next() {
		c, err := scanClaim(rows)
		if err != nil {
			return nil, wrap("claims by control number", err)
		}
		out = append(out, c)
	}
	return out, wrap("claims by control number", rows.Err())
}
