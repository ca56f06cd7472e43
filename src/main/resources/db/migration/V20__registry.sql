-- Department backends (ARCHITECTURE §4 "Department registration"). Every change to a backend writes a new row
-- to backend_versions in the same transaction and NOTIFYs govgate_registry, so that every instance reloads.

CREATE TABLE departments (
  id         TEXT        PRIMARY KEY,
  name       TEXT        NOT NULL,
  kind       TEXT        NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A department credential is a random secret shown once; only its SHA-256 is kept (it has 256 bits of entropy,
-- so a plain hash is enough and lets the lookup stay a primary-key read).
CREATE TABLE department_credentials (
  id            TEXT        PRIMARY KEY,
  department_id TEXT        NOT NULL REFERENCES departments (id),
  secret_sha256 BYTEA       NOT NULL,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  revoked_at    TIMESTAMPTZ
);
CREATE INDEX department_credentials_department ON department_credentials (department_id);

CREATE SEQUENCE backend_ids;

-- status: active (routed), disabled (kept, not routed), deregistered (history only).
-- spec holds the settings without secrets; auth_secret is AES-256-GCM under registry.secretKey.
-- breaker_override/override_seq carry the operator's breaker override to every instance.
CREATE TABLE backends (
  id               TEXT        PRIMARY KEY,
  department_id    TEXT        NOT NULL REFERENCES departments (id),
  version          INTEGER     NOT NULL,
  status           TEXT        NOT NULL CHECK (status IN ('active', 'disabled', 'deregistered')),
  spec             JSONB       NOT NULL,
  auth_secret      TEXT,
  breaker_override TEXT        CHECK (breaker_override IN ('open', 'closed')),
  override_seq     BIGINT      NOT NULL DEFAULT 0,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX backends_department ON backends (department_id);

CREATE TABLE backend_versions (
  backend_id TEXT        NOT NULL REFERENCES backends (id),
  version    INTEGER     NOT NULL,
  status     TEXT        NOT NULL,
  spec       JSONB       NOT NULL,
  change     TEXT        NOT NULL,
  actor_type TEXT        NOT NULL,
  actor_id   TEXT,
  changed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (backend_id, version)
);
