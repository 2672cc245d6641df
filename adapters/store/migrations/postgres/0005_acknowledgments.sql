-- Acknowledgments (TA1, 999, 277CA) as received, with the answer given, and
-- the indexes that match them to claims by envelope numbers: a TA1 by
-- ISA13, a 999 by GS06 and ST02.
CREATE TABLE acknowledgments (
  tenant          TEXT NOT NULL REFERENCES tenants (id),
  id              TEXT NOT NULL,
  type            TEXT NOT NULL CHECK (type IN ('TA1', '999', '277CA')),
  raw             BYTEA NOT NULL,
  result          TEXT NOT NULL,
  matched_count   INTEGER NOT NULL,
  unmatched_count INTEGER NOT NULL,
  idempotency_key TEXT,
  created_at      BIGINT NOT NULL,
  PRIMARY KEY (tenant, id)
);
CREATE UNIQUE INDEX acknowledgments_by_idempotency_key ON acknowledgments (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX claims_by_isa13 ON claims (tenant, isa13) WHERE isa13 IS NOT NULL;
CREATE INDEX claims_by_gs06_st02 ON claims (tenant, gs06, st02) WHERE gs06 IS NOT NULL;
