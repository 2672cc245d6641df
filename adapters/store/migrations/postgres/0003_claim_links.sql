-- Each claim's links (worklist, corrected claims, history checks): the
-- patient as a key (SHA-256 of member id and birth date: no PHI in the
-- index) and the claim it replaces or voids ('' for an original).
CREATE TABLE claim_links (
  tenant      TEXT NOT NULL,
  claim_id    TEXT COLLATE "C" NOT NULL,
  patient_key TEXT NOT NULL DEFAULT '',
  replaces    TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (tenant, claim_id),
  FOREIGN KEY (tenant, claim_id) REFERENCES claims (tenant, id)
);
CREATE INDEX claim_links_by_patient ON claim_links (tenant, patient_key) WHERE patient_key <> '';
CREATE INDEX claim_links_by_replaces ON claim_links (tenant, replaces) WHERE replaces <> '';
-- the worklist and analytics read a tenant's events of some kinds across claims
CREATE INDEX claim_events_by_kind ON claim_events (tenant, kind, seq);
