-- Appeal packets (issue 11): one row per appeal of a claim, numbered n = 1,
-- 2, … per claim. body is the appeal as GET /v1/claims/{id}/appeals/{n}
-- answers it (checklist, codes, FHIR Communication); html and pdf are the
-- letter. The Idempotency-Key of the request that created it is unique per
-- tenant, as on claims and remittances (0002).
CREATE TABLE appeals (
  tenant          TEXT NOT NULL,
  claim_id        TEXT NOT NULL,
  n               INTEGER NOT NULL,
  finding         TEXT NOT NULL,
  body            TEXT NOT NULL,
  html            BLOB NOT NULL,
  pdf             BLOB NOT NULL,
  idempotency_key TEXT,
  created_at      INTEGER NOT NULL,
  PRIMARY KEY (tenant, claim_id, n),
  FOREIGN KEY (tenant, claim_id) REFERENCES claims (tenant, id)
);
CREATE UNIQUE INDEX appeals_by_idempotency_key ON appeals (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL;
