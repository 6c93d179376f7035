-- Webhooks (SPEC 5, issue 5): merchant subscriptions, the events written in the same
-- transaction as the change they announce, one delivery per (event, subscription) and the log
-- of every attempt. Times named *_at that follow the schedule (due_at, first_attempt_at,
-- failing_since) are PROGRAM time: the test clock for test programs, the service clock for live
-- ones. Leases are database time (now()), so a crashed dispatcher's rows come back.

CREATE TABLE webhook_subscriptions (
  program_id text NOT NULL REFERENCES programs (id),
  id text NOT NULL,
  url text NOT NULL,
  events text[] NOT NULL,
  format text NOT NULL CHECK (format IN ('standard', 'klaviyo')),
  -- HMAC key: kept as is, since signing needs it (shown to the merchant once, at creation).
  secret text NOT NULL,
  -- enabled → disabled (failing for three days, or the receiver answered 410) or deleted.
  state text NOT NULL CHECK (state IN ('enabled', 'disabled', 'deleted')),
  disabled_reason text,
  disabled_at timestamptz,
  -- First failure of the current unbroken run of failures; NULL after any success.
  failing_since timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (program_id, id)
);
-- The emit statement's lookup: the program's enabled subscriptions.
CREATE INDEX webhook_subscriptions_enabled_idx ON webhook_subscriptions (program_id) WHERE state = 'enabled';

-- One announced change. Written only when at least one enabled subscription wanted its type.
CREATE TABLE webhook_events (
  program_id text NOT NULL,
  -- Stable public id ("evt_…"): the same in every attempt and every redelivery.
  id text NOT NULL,
  customer_id text NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL,
  -- Program time of the change (the body's createdAt).
  occurred_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id)
);

CREATE TABLE webhook_deliveries (
  -- Also the per-customer order: a customer's transactions are serialised by its row lock, so
  -- a later change of one customer always gets a larger id.
  id bigserial PRIMARY KEY,
  program_id text NOT NULL,
  subscription_id text NOT NULL,
  event_id text NOT NULL,
  customer_id text NOT NULL,
  -- pending → delivered (2xx) | failed (given up after three days, or subscription gone).
  state text NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  -- Next attempt, program time.
  due_at timestamptz NOT NULL,
  -- Database time until which a dispatcher holds the row.
  leased_until timestamptz,
  first_attempt_at timestamptz,
  last_attempt_at timestamptz,
  last_status integer,
  last_error text,
  -- The delivery this one redelivers (same event), if any.
  redelivery_of bigint,
  done_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (program_id, subscription_id) REFERENCES webhook_subscriptions (program_id, id),
  FOREIGN KEY (program_id, event_id) REFERENCES webhook_events (program_id, id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (due_at, id) WHERE state = 'pending';
-- Order check: is an earlier delivery of the same customer to the same subscription pending?
CREATE INDEX webhook_deliveries_order_idx
  ON webhook_deliveries (program_id, subscription_id, customer_id, id) WHERE state = 'pending';
-- The merchant's delivery log, newest first.
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (program_id, subscription_id, id);

CREATE TABLE webhook_attempts (
  id bigserial PRIMARY KEY,
  delivery_id bigint NOT NULL REFERENCES webhook_deliveries (id),
  -- Program time of the attempt.
  attempted_at timestamptz NOT NULL,
  -- HTTP status, NULL when no response (refused, timeout, address refused).
  status integer,
  error text,
  duration_ms integer NOT NULL
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);
