-- casebridge store, SQLite. Times are Unix microseconds (UTC).
CREATE TABLE tenants (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE api_keys (
  id         TEXT PRIMARY KEY,
  tenant     TEXT NOT NULL REFERENCES tenants (id),
  label      TEXT NOT NULL,
  prefix     TEXT NOT NULL,
  hash       BLOB NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX api_keys_by_tenant ON api_keys (tenant, created_at, id);

CREATE TABLE claims (
  tenant             TEXT NOT NULL REFERENCES tenants (id),
  id                 TEXT NOT NULL,
  record_id          TEXT NOT NULL,
  status             TEXT NOT NULL CHECK (status IN ('rejected', 'submitted', 'paid', 'partially_paid', 'denied', 'reversed', 'pended')),
  record             TEXT NOT NULL,
  scrub_report       TEXT,
  fhir_bundle        TEXT,
  x12                BLOB,
  isa13              INTEGER,
  gs06               INTEGER,
  st02               INTEGER,
  payer_claim_number TEXT NOT NULL DEFAULT '',
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  PRIMARY KEY (tenant, id)
);
CREATE INDEX claims_by_time ON claims (tenant, created_at, id);
CREATE INDEX claims_by_status ON claims (tenant, status, created_at, id);
CREATE INDEX claims_by_record ON claims (tenant, record_id, created_at, id);
CREATE INDEX claims_by_payer_number ON claims (tenant, payer_claim_number) WHERE payer_claim_number <> '';

CREATE TABLE claim_events (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant   TEXT NOT NULL,
  claim_id TEXT NOT NULL,
  kind     TEXT NOT NULL,
  at       INTEGER NOT NULL,
  payload  TEXT,
  FOREIGN KEY (tenant, claim_id) REFERENCES claims (tenant, id)
);
CREATE INDEX claim_events_by_claim ON claim_events (tenant, claim_id, seq);

CREATE TABLE remittances (
  tenant          TEXT NOT NULL REFERENCES tenants (id),
  id              TEXT NOT NULL,
  raw             BLOB NOT NULL,
  findings        TEXT,
  claim_count     INTEGER NOT NULL,
  matched_count   INTEGER NOT NULL,
  unmatched_count INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,
  PRIMARY KEY (tenant, id)
);

CREATE TABLE remittance_links (
  tenant        TEXT NOT NULL,
  remittance_id TEXT NOT NULL,
  pos           INTEGER NOT NULL,
  claim_id      TEXT,
  clp01         TEXT NOT NULL,
  outcome       TEXT NOT NULL,
  PRIMARY KEY (tenant, remittance_id, pos),
  FOREIGN KEY (tenant, remittance_id) REFERENCES remittances (tenant, id),
  FOREIGN KEY (tenant, claim_id) REFERENCES claims (tenant, id)
);
CREATE INDEX remittance_links_by_claim ON remittance_links (tenant, claim_id);

CREATE TABLE idempotency_keys (
  tenant      TEXT NOT NULL,
  key         TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('in_flight', 'done')),
  token       TEXT NOT NULL,
  lease_until INTEGER NOT NULL,
  status      INTEGER,
  header      TEXT,
  body        BLOB,
  created_at  INTEGER NOT NULL,
  finished_at INTEGER,
  PRIMARY KEY (tenant, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

CREATE TABLE control_numbers (
  tenant TEXT NOT NULL,
  sender TEXT NOT NULL,
  n      INTEGER NOT NULL,
  PRIMARY KEY (tenant, sender)
);

CREATE TABLE health (
  id         INTEGER PRIMARY KEY,
  checked_at INTEGER NOT NULL
);
