package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/casebridge/casebridge/internal/app"
)

// DefaultLease is the idempotency lease used when a request names none.
const DefaultLease = 2 * time.Minute

type dialect int

const (
	sqliteDialect dialect = iota
	postgresDialect
)

func (d dialect) String() string {
	if d == postgresDialect {
		return "postgres"
	}
	return "sqlite"
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Store implements app.Store on database/sql, for both backends: the SQL is
// the common subset of SQLite ≥ 3.35 and PostgreSQL (upserts with RETURNING),
// written with ? placeholders that are rewritten to $n for PostgreSQL.
type Store struct {
	db      *sql.DB
	q       querier
	inTx    bool
	d       dialect
	closeFn func() error
}

var _ app.Store = (*Store)(nil)

// Backend names the database behind the store: "sqlite" or "postgres".
func (s *Store) Backend() string { return s.d.String() }

func (s *Store) rebind(q string) string {
	if s.d != postgresDialect {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return s.q.ExecContext(ctx, s.rebind(q), args...)
}

func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return s.q.QueryContext(ctx, s.rebind(q), args...)
}

func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return s.q.QueryRowContext(ctx, s.rebind(q), args...)
}

// Close closes the database handle.
func (s *Store) Close() error {
	if s.inTx {
		return errors.New("store: Close inside WithTx")
	}
	return s.closeFn()
}

// Ping checks the database answers and takes a write.
func (s *Store) Ping(ctx context.Context) error {
	if !s.inTx {
		if err := s.db.PingContext(ctx); err != nil {
			return fmt.Errorf("store: ping: %w", err)
		}
	}
	_, err := s.exec(ctx, `INSERT INTO health (id, checked_at) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at`, micros(time.Now()))
	if err != nil {
		return fmt.Errorf("store: write check: %w", err)
	}
	return nil
}

// WithTx runs fn in one transaction (see app.Store).
func (s *Store) WithTx(ctx context.Context, fn func(app.Store) error) (err error) {
	if s.inTx {
		return fn(s)
	}
	// On SQLite the DSN's _txlock=immediate makes this BEGIN IMMEDIATE: the
	// write lock is taken at once, so two writers never deadlock upgrading.
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	child := &Store{db: s.db, q: tx, inTx: true, d: s.d, closeFn: s.closeFn}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(child); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// ---- helpers

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(n int64) time.Time { return time.UnixMicro(n).UTC() }

// orNow returns t truncated to what is stored, or now when t is zero.
func orNow(t time.Time) time.Time {
	if t.IsZero() {
		t = time.Now()
	}
	return fromMicros(micros(t))
}

func text(raw []byte) any {
	if raw == nil {
		return nil
	}
	return string(raw)
}

func blob(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

func rawJSON(b []byte) json.RawMessage {
	if b == nil {
		return nil
	}
	return json.RawMessage(b)
}

func newToken() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b[:])
}

func invalid(format string, a ...any) error {
	return fmt.Errorf("store: %w: %s", app.ErrInvalid, fmt.Sprintf(format, a...))
}

func notFound(what string) error {
	return fmt.Errorf("store: %s: %w", what, app.ErrNotFound)
}

func affected(r sql.Result) (int64, error) {
	n, err := r.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: rows affected: %w", err)
	}
	return n, nil
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// ---- tenants

// EnsureTenant creates the tenant unless it exists.
func (s *Store) EnsureTenant(ctx context.Context, t app.Tenant) (app.Tenant, error) {
	if t.ID == "" {
		return app.Tenant{}, invalid("empty tenant id")
	}
	t.CreatedAt = orNow(t.CreatedAt)
	if _, err := s.exec(ctx, `INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)
		ON CONFLICT (id) DO NOTHING`, t.ID, t.Name, micros(t.CreatedAt)); err != nil {
		return app.Tenant{}, wrap("ensure tenant", err)
	}
	return s.GetTenant(ctx, t.ID)
}

// GetTenant returns a tenant.
func (s *Store) GetTenant(ctx context.Context, id string) (app.Tenant, error) {
	var t app.Tenant
	var at int64
	err := s.queryRow(ctx, `SELECT id, name, created_at FROM tenants WHERE id = ?`, id).Scan(&t.ID, &t.Name, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return app.Tenant{}, notFound("tenant")
	}
	if err != nil {
		return app.Tenant{}, wrap("get tenant", err)
	}
	t.CreatedAt = fromMicros(at)
	return t, nil
}

func (s *Store) tenantExists(ctx context.Context, tenant string) error {
	if tenant == "" {
		return invalid("empty tenant")
	}
	var one int
	err := s.queryRow(ctx, `SELECT 1 FROM tenants WHERE id = ?`, tenant).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("tenant")
	}
	return wrap("tenant", err)
}

// ---- API keys

// CreateAPIKey stores a key's hash.
func (s *Store) CreateAPIKey(ctx context.Context, k app.APIKey) (app.APIKey, error) {
	if len(k.Hash) == 0 {
		return app.APIKey{}, invalid("empty key hash")
	}
	if err := s.tenantExists(ctx, k.Tenant); err != nil {
		return app.APIKey{}, err
	}
	if k.ID == "" {
		k.ID = app.NewID()
	}
	k.CreatedAt = orNow(k.CreatedAt)
	var revoked any
	if k.RevokedAt != nil {
		r := orNow(*k.RevokedAt)
		k.RevokedAt = &r
		revoked = micros(r)
	}
	res, err := s.exec(ctx, `INSERT INTO api_keys (id, tenant, label, prefix, hash, created_at, revoked_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		k.ID, k.Tenant, k.Label, k.Prefix, k.Hash, micros(k.CreatedAt), revoked)
	if err != nil {
		return app.APIKey{}, wrap("create api key", err)
	}
	if n, err := affected(res); err != nil {
		return app.APIKey{}, err
	} else if n == 0 {
		return app.APIKey{}, fmt.Errorf("store: api key: %w", app.ErrConflict)
	}
	return k, nil
}

func scanKey(sc interface{ Scan(...any) error }, withHash bool) (app.APIKey, error) {
	var k app.APIKey
	var created int64
	var revoked sql.NullInt64
	dest := []any{&k.ID, &k.Tenant, &k.Label, &k.Prefix, &created, &revoked}
	if withHash {
		dest = append(dest, &k.Hash)
	}
	if err := sc.Scan(dest...); err != nil {
		return app.APIKey{}, err
	}
	k.CreatedAt = fromMicros(created)
	if revoked.Valid {
		r := fromMicros(revoked.Int64)
		k.RevokedAt = &r
	}
	return k, nil
}

// ListAPIKeys lists a tenant's keys without their hashes.
func (s *Store) ListAPIKeys(ctx context.Context, tenant string) ([]app.APIKey, error) {
	rows, err := s.query(ctx, `SELECT id, tenant, label, prefix, created_at, revoked_at FROM api_keys
		WHERE tenant = ? ORDER BY created_at, id`, tenant)
	if err != nil {
		return nil, wrap("list api keys", err)
	}
	defer rows.Close()
	var out []app.APIKey
	for rows.Next() {
		k, err := scanKey(rows, false)
		if err != nil {
			return nil, wrap("list api keys", err)
		}
		out = append(out, k)
	}
	return out, wrap("list api keys", rows.Err())
}

// RevokeAPIKey revokes a tenant's key.
func (s *Store) RevokeAPIKey(ctx context.Context, tenant, id string, at time.Time) error {
	res, err := s.exec(ctx, `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE tenant = ? AND id = ?`,
		micros(orNow(at)), tenant, id)
	if err != nil {
		return wrap("revoke api key", err)
	}
	if n, err := affected(res); err != nil {
		return err
	} else if n == 0 {
		return notFound("api key")
	}
	return nil
}

// TenantByKeyHash finds the unrevoked key with this hash.
func (s *Store) TenantByKeyHash(ctx context.Context, hash []byte) (app.APIKey, error) {
	if len(hash) == 0 {
		return app.APIKey{}, notFound("api key")
	}
	k, err := scanKey(s.queryRow(ctx, `SELECT id, tenant, label, prefix, created_at, revoked_at, hash FROM api_keys
		WHERE hash = ? AND revoked_at IS NULL`, hash), true)
	if errors.Is(err, sql.ErrNoRows) {
		return app.APIKey{}, notFound("api key")
	}
	return k, wrap("key lookup", err)
}

// AnyAPIKey tells whether any key was ever created.
func (s *Store) AnyAPIKey(ctx context.Context) (bool, error) {
	var one int
	err := s.queryRow(ctx, `SELECT 1 FROM api_keys LIMIT 1`).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, wrap("any api key", err)
}

// ---- claims

const claimCols = `id, tenant, record_id, status, record, scrub_report, fhir_bundle, x12, isa13, gs06, st02,
	payer_claim_number, created_at, updated_at, idempotency_key`

func scanClaim(sc interface{ Scan(...any) error }) (app.Claim, error) {
	var c app.Claim
	var status string
	var record, scrub, bundle, x12 []byte
	var isa, gs, st sql.NullInt64
	var created, updated int64
	var key sql.NullString
	if err := sc.Scan(&c.ID, &c.Tenant, &c.RecordID, &status, &record, &scrub, &bundle, &x12, &isa, &gs, &st,
		&c.PayerClaimNumber, &created, &updated, &key); err != nil {
		return app.Claim{}, err
	}
	c.IdempotencyKey = key.String
	c.Status = app.ClaimStatus(status)
	c.Record, c.ScrubReport, c.FHIRBundle, c.X12 = rawJSON(record), rawJSON(scrub), rawJSON(bundle), x12
	if isa.Valid {
		c.Control = &app.ControlNumbers{Interchange: isa.Int64, Group: gs.Int64, Transaction: st.Int64}
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return c, nil
}

// CreateClaim stores a new claim.
func (s *Store) CreateClaim(ctx context.Context, c app.Claim) (app.Claim, error) {
	switch {
	case c.RecordID == "":
		return app.Claim{}, invalid("empty record id")
	case !c.Status.Valid():
		return app.Claim{}, invalid("claim status %q", c.Status)
	case len(c.Record) == 0:
		return app.Claim{}, invalid("empty record")
	case c.Control != nil && c.X12 == nil, c.Control == nil && c.X12 != nil:
		return app.Claim{}, invalid("X12 and control numbers go together")
	}
	if err := s.tenantExists(ctx, c.Tenant); err != nil {
		return app.Claim{}, err
	}
	if c.ID == "" {
		c.ID = app.NewID()
	}
	c.CreatedAt = orNow(c.CreatedAt)
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	c.UpdatedAt = orNow(c.UpdatedAt)
	var isa, gs, st any
	if c.Control != nil {
		isa, gs, st = c.Control.Interchange, c.Control.Group, c.Control.Transaction
	}
	// ON CONFLICT DO NOTHING covers the primary key and the unique
	// (tenant, idempotency_key): either is ErrConflict
	res, err := s.exec(ctx, `INSERT INTO claims (`+claimCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`,
		c.ID, c.Tenant, c.RecordID, string(c.Status), string(c.Record), text(c.ScrubReport), text(c.FHIRBundle),
		blob(c.X12), isa, gs, st, c.PayerClaimNumber, micros(c.CreatedAt), micros(c.UpdatedAt), nullText(c.IdempotencyKey))
	if err != nil {
		return app.Claim{}, wrap("create claim", err)
	}
	if n, err := affected(res); err != nil {
		return app.Claim{}, err
	} else if n == 0 {
		return app.Claim{}, fmt.Errorf("store: claim %s: %w", c.ID, app.ErrConflict)
	}
	return c, nil
}

// ClaimByIdempotencyKey returns the claim created under an Idempotency-Key.
func (s *Store) ClaimByIdempotencyKey(ctx context.Context, tenant, key string) (app.Claim, error) {
	if key == "" {
		return app.Claim{}, notFound("claim")
	}
	c, err := scanClaim(s.queryRow(ctx, `SELECT `+claimCols+` FROM claims WHERE tenant = ? AND idempotency_key = ?`, tenant, key))
	if errors.Is(err, sql.ErrNoRows) {
		return app.Claim{}, notFound("claim")
	}
	return c, wrap("claim by idempotency key", err)
}

// nullText is s, or NULL when empty.
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// GetClaim returns one of the tenant's claims.
func (s *Store) GetClaim(ctx context.Context, tenant, id string) (app.Claim, error) {
	c, err := scanClaim(s.queryRow(ctx, `SELECT `+claimCols+` FROM claims WHERE tenant = ? AND id = ?`, tenant, id))
	if errors.Is(err, sql.ErrNoRows) {
		return app.Claim{}, notFound("claim")
	}
	return c, wrap("get claim", err)
}

// UpdateClaim changes a claim's status and/or payer claim number.
func (s *Store) UpdateClaim(ctx context.Context, tenant, id string, u app.ClaimUpdate) (app.Claim, error) {
	set := []string{"updated_at = ?"}
	args := []any{micros(orNow(u.At))}
	if u.Status != nil {
		if !u.Status.Valid() {
			return app.Claim{}, invalid("claim status %q", *u.Status)
		}
		set = append(set, "status = ?")
		args = append(args, string(*u.Status))
	}
	if u.PayerClaimNumber != nil {
		set = append(set, "payer_claim_number = ?")
		args = append(args, *u.PayerClaimNumber)
	}
	args = append(args, tenant, id)
	res, err := s.exec(ctx, `UPDATE claims SET `+strings.Join(set, ", ")+` WHERE tenant = ? AND id = ?`, args...)
	if err != nil {
		return app.Claim{}, wrap("update claim", err)
	}
	if n, err := affected(res); err != nil {
		return app.Claim{}, err
	} else if n == 0 {
		return app.Claim{}, notFound("claim")
	}
	return s.GetClaim(ctx, tenant, id)
}

// ListClaims returns one page of the tenant's claims, newest first.
func (s *Store) ListClaims(ctx context.Context, tenant string, f app.ClaimFilter) (app.ClaimPage, error) {
	limit := f.Limit
	switch {
	case limit == 0:
		limit = app.DefaultListLimit
	case limit < 0 || limit > app.MaxListLimit:
		return app.ClaimPage{}, invalid("limit %d not in 1..%d", limit, app.MaxListLimit)
	}
	if f.Status != "" && !f.Status.Valid() {
		return app.ClaimPage{}, invalid("claim status %q", f.Status)
	}
	where := []string{"tenant = ?"}
	args := []any{tenant}
	if f.Status != "" {
		where = append(where, "status = ?")
		args = append(args, string(f.Status))
	}
	if f.RecordID != "" {
		where = append(where, "record_id = ?")
		args = append(args, f.RecordID)
	}
	if f.Cursor != "" {
		at, id, err := app.DecodeCursor(f.Cursor)
		if err != nil {
			return app.ClaimPage{}, fmt.Errorf("store: %w", err)
		}
		where = append(where, "(created_at < ? OR (created_at = ? AND id < ?))")
		args = append(args, micros(at), micros(at), id)
	}
	args = append(args, limit+1)
	rows, err := s.query(ctx, `SELECT `+claimCols+` FROM claims WHERE `+strings.Join(where, " AND ")+
		` ORDER BY created_at DESC, id DESC LIMIT ?`, args...)
	if err != nil {
		return app.ClaimPage{}, wrap("list claims", err)
	}
	defer rows.Close()
	var page app.ClaimPage
	for rows.Next() {
		c, err := scanClaim(rows)
		if err != nil {
			return app.ClaimPage{}, wrap("list claims", err)
		}
		page.Claims = append(page.Claims, c)
	}
	if err := rows.Err(); err != nil {
		return app.ClaimPage{}, wrap("list claims", err)
	}
	if len(page.Claims) > limit {
		page.Claims = page.Claims[:limit]
		last := page.Claims[limit-1]
		page.Next = app.EncodeCursor(last.CreatedAt, last.ID)
	}
	return page, nil
}

// FindClaims returns the candidates for an 835 claim.
func (s *Store) FindClaims(ctx context.Context, tenant string, m app.ClaimMatch) ([]app.Claim, error) {
	col, val := "record_id", m.RecordID
	if m.PayerClaimNumber != "" {
		col, val = "payer_claim_number", m.PayerClaimNumber
	}
	if val == "" {
		return nil, invalid("nothing to match on")
	}
	rows, err := s.query(ctx, `SELECT `+claimCols+` FROM claims WHERE tenant = ? AND `+col+` = ?
		ORDER BY created_at DESC, id DESC LIMIT 100`, tenant, val)
	if err != nil {
		return nil, wrap("find claims", err)
	}
	defer rows.Close()
	var out []app.Claim
	for rows.Next() {
		c, err := scanClaim(rows)
		if err != nil {
			return nil, wrap("find claims", err)
		}
		out = append(out, c)
	}
	return out, wrap("find claims", rows.Err())
}

// ---- events

func (s *Store) claimExists(ctx context.Context, tenant, id string) error {
	var one int
	err := s.queryRow(ctx, `SELECT 1 FROM claims WHERE tenant = ? AND id = ?`, tenant, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("claim")
	}
	return wrap("claim", err)
}

// AppendEvent adds an event to a claim's timeline.
func (s *Store) AppendEvent(ctx context.Context, tenant string, e app.Event) (app.Event, error) {
	if e.Kind == "" {
		return app.Event{}, invalid("empty event kind")
	}
	if err := s.claimExists(ctx, tenant, e.ClaimID); err != nil {
		return app.Event{}, err
	}
	e.At = orNow(e.At)
	err := s.queryRow(ctx, `INSERT INTO claim_events (tenant, claim_id, kind, at, payload) VALUES (?, ?, ?, ?, ?)
		RETURNING seq`, tenant, e.ClaimID, e.Kind, micros(e.At), text(e.Payload)).Scan(&e.Seq)
	if err != nil {
		return app.Event{}, wrap("append event", err)
	}
	return e, nil
}

// ListEvents returns a claim's timeline in order.
func (s *Store) ListEvents(ctx context.Context, tenant, claimID string) ([]app.Event, error) {
	if err := s.claimExists(ctx, tenant, claimID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT seq, claim_id, kind, at, payload FROM claim_events
		WHERE tenant = ? AND claim_id = ? ORDER BY seq`, tenant, claimID)
	if err != nil {
		return nil, wrap("list events", err)
	}
	return scanEvents(rows, "list events")
}

// scanEvents reads rows of (seq, claim_id, kind, at, payload) and closes them.
func scanEvents(rows *sql.Rows, what string) ([]app.Event, error) {
	defer rows.Close()
	var out []app.Event
	for rows.Next() {
		var e app.Event
		var at int64
		var payload []byte
		if err := rows.Scan(&e.Seq, &e.ClaimID, &e.Kind, &at, &payload); err != nil {
			return nil, wrap(what, err)
		}
		e.At, e.Payload = fromMicros(at), rawJSON(payload)
		out = append(out, e)
	}
	return out, wrap(what, rows.Err())
}

// ---- remittances

// CreateRemittance stores an 835 with its links, atomically.
func (s *Store) CreateRemittance(ctx context.Context, r app.Remittance) (app.Remittance, error) {
	if r.Raw == nil {
		return app.Remittance{}, invalid("empty 835")
	}
	if r.ID == "" {
		r.ID = app.NewID()
	}
	r.CreatedAt = orNow(r.CreatedAt)
	err := s.WithTx(ctx, func(st app.Store) error {
		tx := st.(*Store)
		if err := tx.tenantExists(ctx, r.Tenant); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `INSERT INTO remittances (tenant, id, raw, findings, claim_count, matched_count,
			unmatched_count, created_at, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			r.Tenant, r.ID, r.Raw, text(r.Findings), r.Counts.Claims, r.Counts.Matched, r.Counts.Unmatched,
			micros(r.CreatedAt), nullText(r.IdempotencyKey))
		if err != nil {
			return wrap("create remittance", err)
		}
		if n, err := affected(res); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("store: remittance %s: %w", r.ID, app.ErrConflict)
		}
		for i := range r.Links {
			l := &r.Links[i]
			l.RemittanceID = r.ID
			var claim any
			if l.ClaimID != "" {
				if err := tx.claimExists(ctx, r.Tenant, l.ClaimID); err != nil {
					return err
				}
				claim = l.ClaimID
			}
			if _, err := tx.exec(ctx, `INSERT INTO remittance_links (tenant, remittance_id, pos, claim_id, clp01, outcome)
				VALUES (?, ?, ?, ?, ?, ?)`, r.Tenant, r.ID, i, claim, l.CLP01, l.Outcome); err != nil {
				return wrap("create remittance link", err)
			}
		}
		return nil
	})
	if err != nil {
		return app.Remittance{}, err
	}
	return r, nil
}

// GetRemittance returns a remittance with its links.
func (s *Store) GetRemittance(ctx context.Context, tenant, id string) (app.Remittance, error) {
	return s.remittance(ctx, `tenant = ? AND id = ?`, tenant, id)
}

// RemittanceByIdempotencyKey returns the remittance created under an
// Idempotency-Key, with its links.
func (s *Store) RemittanceByIdempotencyKey(ctx context.Context, tenant, key string) (app.Remittance, error) {
	if key == "" {
		return app.Remittance{}, notFound("remittance")
	}
	return s.remittance(ctx, `tenant = ? AND idempotency_key = ?`, tenant, key)
}

func (s *Store) remittance(ctx context.Context, where string, tenant, v string) (app.Remittance, error) {
	var r app.Remittance
	var findings []byte
	var created int64
	var key sql.NullString
	err := s.queryRow(ctx, `SELECT tenant, id, raw, findings, claim_count, matched_count, unmatched_count, created_at,
		idempotency_key FROM remittances WHERE `+where, tenant, v).Scan(&r.Tenant, &r.ID, &r.Raw, &findings,
		&r.Counts.Claims, &r.Counts.Matched, &r.Counts.Unmatched, &created, &key)
	r.IdempotencyKey = key.String
	if errors.Is(err, sql.ErrNoRows) {
		return app.Remittance{}, notFound("remittance")
	}
	if err != nil {
		return app.Remittance{}, wrap("get remittance", err)
	}
	r.Findings, r.CreatedAt = rawJSON(findings), fromMicros(created)
	r.Links, err = s.links(ctx, `l.tenant = ? AND l.remittance_id = ? ORDER BY l.pos`, tenant, r.ID)
	return r, err
}

// ClaimRemittances returns the links naming a claim.
func (s *Store) ClaimRemittances(ctx context.Context, tenant, claimID string) ([]app.RemittanceLink, error) {
	if err := s.claimExists(ctx, tenant, claimID); err != nil {
		return nil, err
	}
	return s.links(ctx, `l.tenant = ? AND l.claim_id = ? ORDER BY r.created_at, r.id, l.pos`, tenant, claimID)
}

func (s *Store) links(ctx context.Context, where string, args ...any) ([]app.RemittanceLink, error) {
	rows, err := s.query(ctx, `SELECT l.remittance_id, l.claim_id, l.clp01, l.outcome FROM remittance_links l
		JOIN remittances r ON r.tenant = l.tenant AND r.id = l.remittance_id WHERE `+where, args...)
	if err != nil {
		return nil, wrap("remittance links", err)
	}
	defer rows.Close()
	var out []app.RemittanceLink
	for rows.Next() {
		var l app.RemittanceLink
		var claim sql.NullString
		if err := rows.Scan(&l.RemittanceID, &claim, &l.CLP01, &l.Outcome); err != nil {
			return nil, wrap("remittance links", err)
		}
		l.ClaimID = claim.String
		out = append(out, l)
	}
	return out, wrap("remittance links", rows.Err())
}

// ---- idempotency

// BeginIdempotency claims a key for one request.
func (s *Store) BeginIdempotency(ctx context.Context, tenant string, r app.IdempotencyRequest) (app.IdempotencyBegin, error) {
	if tenant == "" || r.Key == "" || r.Fingerprint == "" {
		return app.IdempotencyBegin{}, invalid("idempotency needs tenant, key and fingerprint")
	}
	now := orNow(r.Now)
	lease := r.Lease
	if lease <= 0 {
		lease = DefaultLease
	}
	until := micros(now.Add(lease))
	// Each step is one atomic statement, so this is race-free without a
	// transaction, across processes: the insert succeeds for exactly one
	// caller; a takeover is a compare-and-set on the old token.
	for attempt := 0; attempt < 5; attempt++ {
		token := newToken()
		res, err := s.exec(ctx, `INSERT INTO idempotency_keys (tenant, key, fingerprint, state, token, lease_until, created_at)
			VALUES (?, ?, ?, 'in_flight', ?, ?, ?) ON CONFLICT (tenant, key) DO NOTHING`,
			tenant, r.Key, r.Fingerprint, token, until, micros(now))
		if err != nil {
			return app.IdempotencyBegin{}, wrap("idempotency begin", err)
		}
		if n, err := affected(res); err != nil {
			return app.IdempotencyBegin{}, err
		} else if n == 1 {
			return app.IdempotencyBegin{Outcome: app.IdemNew, Token: token}, nil
		}
		var fp, state, old string
		var leaseUntil int64
		var status sql.NullInt64
		var header, body []byte
		err = s.queryRow(ctx, `SELECT fingerprint, state, token, lease_until, status, header, body
			FROM idempotency_keys WHERE tenant = ? AND key = ?`, tenant, r.Key).
			Scan(&fp, &state, &old, &leaseUntil, &status, &header, &body)
		if errors.Is(err, sql.ErrNoRows) {
			continue // released or purged in between: try to insert again
		}
		if err != nil {
			return app.IdempotencyBegin{}, wrap("idempotency begin", err)
		}
		switch {
		case fp != r.Fingerprint:
			return app.IdempotencyBegin{Outcome: app.IdemMismatch}, nil
		case state == "done":
			resp := &app.StoredResponse{Status: int(status.Int64), Body: body}
			if len(header) > 0 {
				if err := json.Unmarshal(header, &resp.Header); err != nil {
					return app.IdempotencyBegin{}, wrap("idempotency stored header", err)
				}
			}
			if resp.Body == nil {
				resp.Body = []byte{}
			}
			return app.IdempotencyBegin{Outcome: app.IdemReplay, Response: resp}, nil
		case leaseUntil > micros(now):
			return app.IdempotencyBegin{Outcome: app.IdemInFlight}, nil
		}
		res, err = s.exec(ctx, `UPDATE idempotency_keys SET token = ?, lease_until = ?
			WHERE tenant = ? AND key = ? AND state = 'in_flight' AND token = ?`, token, until, tenant, r.Key, old)
		if err != nil {
			return app.IdempotencyBegin{}, wrap("idempotency takeover", err)
		}
		if n, err := affected(res); err != nil {
			return app.IdempotencyBegin{}, err
		} else if n == 1 {
			return app.IdempotencyBegin{Outcome: app.IdemNew, Token: token}, nil
		}
		// Someone else took it over or finished it: look again.
	}
	return app.IdempotencyBegin{Outcome: app.IdemInFlight}, nil
}

// FinishIdempotency stores the response of the request holding the key.
func (s *Store) FinishIdempotency(ctx context.Context, tenant, key, token string, resp app.StoredResponse, at time.Time) error {
	header, err := json.Marshal(http.Header(resp.Header))
	if err != nil {
		return wrap("idempotency header", err)
	}
	body := resp.Body
	if body == nil {
		body = []byte{}
	}
	res, err := s.exec(ctx, `UPDATE idempotency_keys SET state = 'done', status = ?, header = ?, body = ?, finished_at = ?
		WHERE tenant = ? AND key = ? AND token = ? AND state = 'in_flight'`,
		resp.Status, string(header), body, micros(orNow(at)), tenant, key, token)
	if err != nil {
		return wrap("idempotency finish", err)
	}
	if n, err := affected(res); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("store: %w", app.ErrLeaseLost)
	}
	return nil
}

// ReleaseIdempotency forgets an in-flight key.
func (s *Store) ReleaseIdempotency(ctx context.Context, tenant, key, token string) error {
	res, err := s.exec(ctx, `DELETE FROM idempotency_keys WHERE tenant = ? AND key = ? AND token = ? AND state = 'in_flight'`,
		tenant, key, token)
	if err != nil {
		return wrap("idempotency release", err)
	}
	if n, err := affected(res); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("store: %w", app.ErrLeaseLost)
	}
	return nil
}

// PurgeIdempotency deletes old keys.
func (s *Store) PurgeIdempotency(ctx context.Context, olderThan time.Time) (int64, error) {
	res, err := s.exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < ?`, micros(olderThan))
	if err != nil {
		return 0, wrap("idempotency purge", err)
	}
	return affected(res)
}

// ---- control numbers

// NextControlNumber hands out the next control number.
func (s *Store) NextControlNumber(ctx context.Context, tenant, sender string) (int64, error) {
	r, err := s.ReserveControlNumbers(ctx, tenant, sender, 1)
	return r.Last, err
}

// ReserveControlNumbers allocates n consecutive control numbers. One
// statement: the row is created at n or advanced by n, only while the result
// stays ≤ MaxControlNumber, and the new value is returned.
func (s *Store) ReserveControlNumbers(ctx context.Context, tenant, sender string, n int64) (app.ControlRange, error) {
	if tenant == "" || sender == "" {
		return app.ControlRange{}, invalid("control numbers need tenant and sender")
	}
	if n < 1 || n > app.MaxControlNumber {
		return app.ControlRange{}, invalid("control number block %d not in 1..%d", n, app.MaxControlNumber)
	}
	var last int64
	err := s.queryRow(ctx, `INSERT INTO control_numbers (tenant, sender, n) VALUES (?, ?, ?)
		ON CONFLICT (tenant, sender) DO UPDATE SET n = control_numbers.n + ?
		WHERE control_numbers.n <= ?
		RETURNING n`, tenant, sender, n, n, app.MaxControlNumber-n).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		return app.ControlRange{}, fmt.Errorf("store: tenant %q sender %q: %w", tenant, sender, app.ErrControlNumbersExhausted)
	}
	if err != nil {
		return app.ControlRange{}, wrap("control number", err)
	}
	return app.ControlRange{First: last - n + 1, Last: last}, nil
}
