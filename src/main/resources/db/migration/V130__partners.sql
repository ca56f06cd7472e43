-- Partner platforms (issue 12): the operator's register of partners and their keys (every change a version),
-- the nonces and usage counters that make signatures single-use and quotas exact across instances, and the
-- consents citizens grant to partners.

CREATE TABLE partners (
  app_id           text PRIMARY KEY,
  name             text NOT NULL,
  status           text NOT NULL CHECK (status IN ('active', 'suspended')),
  scopes           text[] NOT NULL,
  quota_per_second integer NOT NULL CHECK (quota_per_second > 0),
  quota_per_day    integer NOT NULL CHECK (quota_per_day > 0),
  callback_url     text NOT NULL,
  version          integer NOT NULL,
  updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE partner_keys (
  app_id      text NOT NULL REFERENCES partners (app_id),
  key_id      text NOT NULL,
  algorithm   text NOT NULL CHECK (algorithm IN ('RSA2', 'SM2')),
  public_key  text NOT NULL,
  sm2_user_id text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz,
  PRIMARY KEY (app_id, key_id)
);

-- One row per change: what changed, who changed it, and the partner as it was afterwards.
CREATE TABLE partner_versions (
  app_id     text NOT NULL REFERENCES partners (app_id),
  version    integer NOT NULL,
  change     text NOT NULL,
  actor      text NOT NULL,
  snapshot   jsonb NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (app_id, version)
);

-- A nonce is refused a second time while its request's timestamp is inside the window, on every instance; rows
-- past expires_at are purged.
CREATE TABLE partner_nonces (
  app_id     text NOT NULL,
  nonce      text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (app_id, nonce)
);
CREATE INDEX partner_nonces_expiry ON partner_nonces (expires_at);

-- Admitted requests per partner and window: kind 's' = one epoch second, 'd' = one day in Beijing time (epoch day
-- of UTC+8). Incremented in the same statement that records the nonce, so quotas hold across instances exactly.
CREATE TABLE partner_usage (
  app_id       text NOT NULL,
  window_kind  char(1) NOT NULL CHECK (window_kind IN ('s', 'd')),
  window_start bigint NOT NULL,
  used         integer NOT NULL,
  PRIMARY KEY (app_id, window_kind, window_start)
);

-- Consents (授权): the id is opaque and random; it is all a partner ever holds of the citizen.
CREATE TABLE consents (
  id          text PRIMARY KEY,
  app_id      text NOT NULL REFERENCES partners (app_id),
  citizen_key text NOT NULL,
  scopes      text[] NOT NULL,
  purpose     text NOT NULL,
  granted_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz
);
CREATE INDEX consents_by_citizen ON consents (citizen_key, granted_at DESC);
