-- Electronic proofs (网上开证明) the gateway signed. The compact JWS is kept so the holder can download it
-- again; its SHA-256 lets verification confirm that a presented proof is exactly one we issued.
CREATE SEQUENCE proof_serial_seq;

CREATE TABLE proofs (
  serial        TEXT        PRIMARY KEY,
  citizen_key   TEXT        NOT NULL,
  department_id TEXT        NOT NULL,
  proof_type    TEXT        NOT NULL,
  jws           TEXT        NOT NULL,
  jws_sha256    BYTEA       NOT NULL,
  issued_at     TIMESTAMPTZ NOT NULL,
  expires_at    TIMESTAMPTZ NOT NULL,
  revoked_at    TIMESTAMPTZ,
  revoke_reason TEXT
);

CREATE INDEX proofs_citizen ON proofs (citizen_key, issued_at);
