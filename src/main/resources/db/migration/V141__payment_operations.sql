-- Payments operations (issue 13, item 5): an operator resolves an order in needs_review by refunding it or by
-- booking it to the department. Two new order states: refunding (a refund asked of the channel) and refunded (the
-- money went back; the bill is free again). One refund per order, keyed at the channel by refund_id, so a retry
-- after a timeout refunds once; a refund the channel refused for good may be asked again under a new refund_id.
ALTER TABLE payment_orders DROP CONSTRAINT payment_orders_status_check;
ALTER TABLE payment_orders ADD CONSTRAINT payment_orders_status_check
  CHECK (status IN ('pending', 'paid', 'delivered', 'closed', 'needs_review', 'refunding', 'refunded'));
ALTER TABLE payment_orders
  ADD COLUMN resolution        TEXT CHECK (resolution IN ('refund', 'book')),
  ADD COLUMN resolution_reason TEXT,
  ADD COLUMN resolved_by       TEXT,
  ADD COLUMN resolved_at       TIMESTAMPTZ;

DROP INDEX payment_orders_one_per_bill;
CREATE UNIQUE INDEX payment_orders_one_per_bill ON payment_orders (bill_type, region, bill_ref)
  WHERE status IN ('pending', 'paid', 'delivered', 'needs_review', 'refunding');

CREATE INDEX payment_orders_review ON payment_orders (updated_at) WHERE status = 'needs_review';

CREATE TABLE payment_refunds (
  order_id           TEXT        PRIMARY KEY REFERENCES payment_orders (order_id),
  refund_id          TEXT        NOT NULL UNIQUE,
  amount_fen         BIGINT      NOT NULL CHECK (amount_fen > 0),
  status             TEXT        NOT NULL CHECK (status IN ('requested', 'processing', 'succeeded', 'failed')),
  channel_refund_ref TEXT,
  attempts           INT         NOT NULL DEFAULT 0,
  last_error         TEXT,
  next_attempt_at    TIMESTAMPTZ NOT NULL,
  refunded_at        TIMESTAMPTZ,
  created_at         TIMESTAMPTZ NOT NULL,
  updated_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX payment_refunds_due ON payment_refunds (next_attempt_at) WHERE status IN ('requested', 'processing');
