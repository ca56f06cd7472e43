-- Payment orders: one per bill while it can still be (or has been) paid, one per (payer, idempotency key).
-- The order id is the channel out_trade_no. Amounts in fen. The payer's channel user id is kept only as a
-- blind index, enough to check that the callback's payer is the citizen who ordered.
CREATE TABLE payment_orders (
  order_id           TEXT        PRIMARY KEY,
  payer_identity_key TEXT        NOT NULL,
  citizen_key        TEXT,
  idempotency_key    TEXT        NOT NULL,
  request_hash       TEXT        NOT NULL,
  channel            TEXT        NOT NULL,
  app_id             TEXT        NOT NULL,
  payer_index        TEXT        NOT NULL,
  bill_type          TEXT        NOT NULL CHECK (bill_type IN ('traffic_fine', 'utility_bill')),
  region             TEXT        NOT NULL,
  bill_ref           TEXT        NOT NULL,
  department         TEXT        NOT NULL,
  amount_fen         BIGINT      NOT NULL CHECK (amount_fen > 0),
  description        TEXT        NOT NULL,
  status             TEXT        NOT NULL
                     CHECK (status IN ('pending', 'paid', 'delivered', 'closed', 'needs_review')),
  status_reason      TEXT,
  client_params      JSONB,
  channel_order_ref  TEXT,
  channel_trade_no   TEXT,
  paid_amount_fen    BIGINT,
  paid_at            TIMESTAMPTZ,
  receipt_no         TEXT,
  delivered_at       TIMESTAMPTZ,
  created_at         TIMESTAMPTZ NOT NULL,
  expires_at         TIMESTAMPTZ NOT NULL,
  updated_at         TIMESTAMPTZ NOT NULL,
  next_check_at      TIMESTAMPTZ,
  UNIQUE (payer_identity_key, idempotency_key)
);

-- The database, not the handler, guarantees one live order per bill: a closed order frees the bill again.
CREATE UNIQUE INDEX payment_orders_one_per_bill ON payment_orders (bill_type, region, bill_ref)
  WHERE status IN ('pending', 'paid', 'delivered', 'needs_review');

CREATE INDEX payment_orders_pending ON payment_orders (created_at) WHERE status = 'pending';

-- Every verified statement from a channel that concerned an order (callbacks and reconciliation answers), kept
-- even when it did not change the order: the trail for a human reviewing a mismatch or a second payment.
CREATE TABLE payment_events (
  id               BIGSERIAL   PRIMARY KEY,
  channel          TEXT        NOT NULL,
  order_id         TEXT        NOT NULL,
  source           TEXT        NOT NULL CHECK (source IN ('callback', 'reconciler')),
  event_id         TEXT,
  channel_trade_no TEXT,
  channel_status   TEXT        NOT NULL,
  amount_fen       BIGINT      NOT NULL,
  payer_matches    BOOLEAN,
  outcome          TEXT        NOT NULL,
  received_at      TIMESTAMPTZ NOT NULL
);

CREATE INDEX payment_events_order ON payment_events (order_id);

-- One row per paid order: delivered to the department until it acknowledges. The row is written in the same
-- transaction that marks the order paid, so a paid order is never without its delivery.
CREATE TABLE payment_outbox (
  order_id        TEXT        PRIMARY KEY REFERENCES payment_orders (order_id),
  attempts        INT         NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMPTZ NOT NULL,
  last_error      TEXT,
  done_at         TIMESTAMPTZ,
  created_at      TIMESTAMPTZ NOT NULL
);

CREATE INDEX payment_outbox_due ON payment_outbox (next_attempt_at) WHERE done_at IS NULL;
