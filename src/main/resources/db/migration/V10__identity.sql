-- Government identity (一号): citizens, the channel users bound to them, face verifications and revoked
-- sessions. Personal data is stored encrypted (AES-256-GCM, ciphertext prefixed by its key id so keys rotate)
-- and found through blind indexes (HMAC-SHA256 under a separate key); nothing here is plaintext personal data.

CREATE TABLE citizens (
  citizen_key   TEXT        PRIMARY KEY,              -- pseudonymous, random; the only citizen id outside this table
  id_index      TEXT        NOT NULL UNIQUE,          -- blind index of the normalised ID number
  id_number_enc TEXT        NOT NULL,                 -- "kid:base64(iv|ciphertext|tag)"
  name_enc      TEXT        NOT NULL,
  key_id        TEXT        NOT NULL,                 -- data key of both columns, for re-encryption
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE channel_identities (
  identity_key      TEXT        PRIMARY KEY,          -- pseudonymous, random; session subject while unbound
  channel           TEXT        NOT NULL,
  app_id            TEXT        NOT NULL,
  subject_index     TEXT        NOT NULL,             -- blind index of the channel user id (openid, 2088…)
  subject_enc       TEXT        NOT NULL,             -- the channel user id, encrypted: face calls need it
  key_id            TEXT        NOT NULL,
  citizen_key       TEXT        REFERENCES citizens (citizen_key),
  level             TEXT        NOT NULL DEFAULT 'L1' CHECK (level IN ('L1', 'L2', 'L3')),
  verified_at       TIMESTAMPTZ,                      -- when the binding was last proven (face time for L3)
  realname_index    TEXT,                             -- blind index of the ID number the channel asserts (Alipay)
  realname_name_mac TEXT,                             -- HMAC of the name the channel asserts
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_login_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (channel, app_id, subject_index)
);

CREATE INDEX channel_identities_citizen ON channel_identities (citizen_key);

CREATE TABLE identity_verifications (
  verification_id  TEXT        PRIMARY KEY,
  identity_key     TEXT        NOT NULL REFERENCES channel_identities (identity_key),
  channel          TEXT        NOT NULL,
  app_id           TEXT        NOT NULL,
  out_seq_no       TEXT        NOT NULL UNIQUE,
  claimed_index    TEXT        NOT NULL,              -- blind index of the claimed ID number
  claimed_enc      TEXT        NOT NULL,              -- the claim {name, idNumber}, encrypted: the query needs it
  key_id           TEXT        NOT NULL,
  channel_ref      TEXT,                              -- certify_id / verify_id
  status           TEXT        NOT NULL DEFAULT 'starting'
                   CHECK (status IN ('starting', 'started', 'start_failed', 'passed', 'failed', 'refused')),
  channel_code     TEXT,
  created_at       TIMESTAMPTZ NOT NULL,
  expires_at       TIMESTAMPTZ,
  completed_at     TIMESTAMPTZ,
  citizen_key      TEXT
);

CREATE INDEX identity_verifications_by_identity ON identity_verifications (identity_key, created_at);
CREATE INDEX identity_verifications_by_claim ON identity_verifications (claimed_index, created_at);

-- Logged-out sessions until they would have expired anyway; every instance keeps them in memory,
-- fed by NOTIFY govgate_session_revoked and a periodic poll.
CREATE TABLE revoked_sessions (
  jti        TEXT        PRIMARY KEY,
  expires_at TIMESTAMPTZ NOT NULL,
  revoked_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX revoked_sessions_revoked_at ON revoked_sessions (revoked_at);
