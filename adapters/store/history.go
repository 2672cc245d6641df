package store

import (
	"context"
	"strings"

	"github.com/casebridge/casebridge/internal/app"
)

// SetClaimLinks stores a claim's links (app.HistoryStore).
func (s *Store) SetClaimLinks(ctx context.Context, tenant string, l app.ClaimLinks) error {
	if l.ClaimID == "" {
		return invalid("empty claim id")
	}
	if _, err := s.GetClaim(ctx, tenant, l.ClaimID); err != nil {
		return err
	}
	_, err := s.exec(ctx, `INSERT INTO claim_links (tenant, claim_id, patient_key, replaces) VALUES (?, ?, ?, ?)
		ON CONFLICT (tenant, claim_id) DO UPDATE SET patient_key = excluded.patient_key, replaces = excluded.replaces`,
		tenant, l.ClaimID, l.PatientKey, l.Replaces)
	return wrap("set claim links", err)
}

// ListClaimLinks returns the tenant's links matching f.
func (s *Store) ListClaimLinks(ctx context.Context, tenant string, f app.ClaimLinkFilter) ([]app.ClaimLinks, error) {
	where := []string{"tenant = ?"}
	args := []any{tenant}
	if f.PatientKey != "" {
		where = append(where, "patient_key = ?")
		args = append(args, f.PatientKey)
	}
	if f.Replaces != "" {
		where = append(where, "replaces = ?")
		args = append(args, f.Replaces)
	}
	if len(where) == 1 {
		return nil, invalid("a claim link filter needs a patient key or a replaced claim")
	}
	rows, err := s.query(ctx, `SELECT claim_id, patient_key, replaces FROM claim_links WHERE `+
		strings.Join(where, " AND ")+` ORDER BY claim_id`, args...)
	if err != nil {
		return nil, wrap("list claim links", err)
	}
	defer rows.Close()
	var out []app.ClaimLinks
	for rows.Next() {
		var l app.ClaimLinks
		if err := rows.Scan(&l.ClaimID, &l.PatientKey, &l.Replaces); err != nil {
			return nil, wrap("list claim links", err)
		}
		out = append(out, l)
	}
	return out, wrap("list claim links", rows.Err())
}

// ClaimsWithStatus returns the tenant's claims with one of the statuses,
// oldest first.
func (s *Store) ClaimsWithStatus(ctx context.Context, tenant string, statuses []app.ClaimStatus) ([]app.Claim, error) {
	if len(statuses) == 0 {
		return nil, invalid("no status")
	}
	args := []any{tenant}
	marks := make([]string, 0, len(statuses))
	for _, st := range statuses {
		if !st.Valid() {
			return nil, invalid("claim status %q", st)
		}
		marks = append(marks, "?")
		args = append(args, string(st))
	}
	rows, err := s.query(ctx, `SELECT `+claimCols+` FROM claims WHERE tenant = ? AND status IN (`+
		strings.Join(marks, ", ")+`) ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, wrap("claims with status", err)
	}
	defer rows.Close()
	var out []app.Claim
	for rows.Next() {
		c, err := scanClaim(rows)
		if err != nil {
			return nil, wrap("claims with status", err)
		}
		out = append(out, c)
	}
	return out, wrap("claims with status", rows.Err())
}

// TenantEvents returns the tenant's events of these kinds in seq order.
func (s *Store) TenantEvents(ctx context.Context, tenant string, kinds []string) ([]app.Event, error) {
	if len(kinds) == 0 {
		return nil, invalid("no event kind")
	}
	args := []any{tenant}
	marks := make([]string, 0, len(kinds))
	for _, k := range kinds {
		marks = append(marks, "?")
		args = append(args, k)
	}
	rows, err := s.query(ctx, `SELECT seq, claim_id, kind, at, payload FROM claim_events WHERE tenant = ? AND kind IN (`+
		strings.Join(marks, ", ")+`) ORDER BY seq`, args...)
	if err != nil {
		return nil, wrap("tenant events", err)
	}
	return scanEvents(rows, "tenant events")
}
