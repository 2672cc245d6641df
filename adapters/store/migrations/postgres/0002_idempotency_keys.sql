-- The Idempotency-Key a claim or remittance was created under, written in
-- the same transaction as the object: a retry after a crash between the
-- object's commit and the key's answer (FinishIdempotency) finds the object
-- instead of creating it again. NULL when the request carried no key.
ALTER TABLE claims ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX claims_by_idempotency_key ON claims (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL;
ALTER TABLE remittances ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX remittances_by_idempotency_key ON remittances (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL;
