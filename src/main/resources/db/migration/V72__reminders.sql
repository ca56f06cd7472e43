-- 主动服务: citizens subscribe on a channel to reminders of a topic (an unpaid traffic fine, a utility bill due, a
-- proof about to expire, a reply to their consultation or complaint). A one-time template allows one message per
-- grant the citizen gave in the mini-program; a long-term template repeated messages until refused.
CREATE TABLE reminder_subscriptions (
  id            BIGSERIAL   PRIMARY KEY,
  citizen_key   TEXT        NOT NULL,
  identity_key  TEXT        NOT NULL,                 -- the channel identity messages go to
  channel       TEXT        NOT NULL,
  app_id        TEXT        NOT NULL,
  topic         TEXT        NOT NULL CHECK (topic IN ('traffic_fine', 'utility_bill', 'proof_expiring',
                                                      'complaint_reply')),
  template_id   TEXT        NOT NULL,
  mode          TEXT        NOT NULL CHECK (mode IN ('one_time', 'long_term')),
  grants        INTEGER     NOT NULL DEFAULT 0 CHECK (grants >= 0),  -- one-time grants not yet spent
  scope         TEXT        NOT NULL DEFAULT '',      -- what of the topic: region, or region|type|account
  region        TEXT,
  utility_type  TEXT,
  account_no    TEXT,
  status        TEXT        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'refused', 'cancelled')),
  created_at    TIMESTAMPTZ NOT NULL,
  updated_at    TIMESTAMPTZ NOT NULL,
  next_check_at TIMESTAMPTZ NOT NULL                  -- when the scheduler next asks what is due (SKIP LOCKED)
);

CREATE UNIQUE INDEX reminder_subscriptions_scope ON reminder_subscriptions (identity_key, topic, scope)
  WHERE status <> 'cancelled';
CREATE INDEX reminder_subscriptions_citizen ON reminder_subscriptions (citizen_key);
CREATE INDEX reminder_subscriptions_due ON reminder_subscriptions (next_check_at) WHERE status = 'active';

-- One row per reminder and channel identity: the idempotency key (identity, topic, item) is unique, so a reminder
-- is queued once whatever the instances do. A claimed row ('sending') is never claimed again: a send whose outcome
-- is unknown (timeout, instance died) is not repeated, since neither platform de-duplicates.
CREATE TABLE reminders (
  id              BIGSERIAL   PRIMARY KEY,
  idempotency_key TEXT        NOT NULL UNIQUE,
  subscription_id BIGINT      NOT NULL REFERENCES reminder_subscriptions (id),
  channel         TEXT        NOT NULL,
  topic           TEXT        NOT NULL,
  item_ref        TEXT        NOT NULL,               -- decision number, bill ref, proof serial, complaint id
  fields_enc      TEXT        NOT NULL,               -- sealed: the message fields (plates, amounts, dates)
  status          TEXT        NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'refused', 'failed',
                                                         'unknown', 'expired')),
  attempts        INTEGER     NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMPTZ NOT NULL,
  claimed_until   TIMESTAMPTZ,
  expires_at      TIMESTAMPTZ NOT NULL,
  last_code       TEXT,
  created_at      TIMESTAMPTZ NOT NULL,
  sent_at         TIMESTAMPTZ
);

CREATE INDEX reminders_due ON reminders (next_attempt_at) WHERE status = 'pending';
CREATE INDEX reminders_claimed ON reminders (claimed_until) WHERE status = 'sending';
CREATE INDEX reminders_subscription ON reminders (subscription_id);
