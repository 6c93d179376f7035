-- Initial schema. Every table is keyed by program_id first: tenancy is part of every key.
-- Money and points are bigint (integer minor units / points); never edit this file, add 002_… instead.

CREATE TABLE programs (
  id text PRIMARY KEY,
  name text NOT NULL CHECK (length(name) > 0),
  mode text NOT NULL CHECK (mode IN ('live', 'test')),
  settings jsonb NOT NULL CHECK (jsonb_typeof(settings) = 'object'),
  -- Only test programs have their own clock.
  clock_now timestamptz CHECK (clock_now IS NULL OR mode = 'test'),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE api_keys (
  key_hash text PRIMARY KEY,
  program_id text NOT NULL REFERENCES programs (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_keys_program_idx ON api_keys (program_id);

CREATE TABLE tiers (
  program_id text NOT NULL REFERENCES programs (id),
  id text NOT NULL,
  -- NULL once deleted, so deleted tiers never collide with live ranks.
  rank integer CHECK (rank >= 0),
  title text NOT NULL,
  icon text,
  visible boolean NOT NULL,
  enabled boolean NOT NULL,
  qualifications jsonb NOT NULL CHECK (jsonb_typeof(qualifications) = 'array'),
  maintain jsonb CHECK (maintain IS NULL OR jsonb_typeof(maintain) = 'array'),
  benefits jsonb NOT NULL CHECK (jsonb_typeof(benefits) = 'object'),
  design jsonb NOT NULL CHECK (jsonb_typeof(design) = 'object'),
  deleted_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (program_id, id),
  CHECK ((deleted_at IS NULL) = (rank IS NOT NULL)),
  -- Deferred: a reorder permutes ranks in one UPDATE, unique again only once it is done.
  CONSTRAINT tiers_rank_unique UNIQUE (program_id, rank) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE customers (
  program_id text NOT NULL REFERENCES programs (id),
  id text NOT NULL,
  email text,
  name text,
  tags text[] NOT NULL DEFAULT '{}',
  segments text[] NOT NULL DEFAULT '{}',
  tier_id text,
  tier_tags text[] NOT NULL DEFAULT '{}',
  -- current may go below zero (a refund after redeeming); the others cannot.
  current bigint NOT NULL DEFAULT 0,
  carry bigint NOT NULL DEFAULT 0 CHECK (carry >= 0),
  lifetime_earned bigint NOT NULL DEFAULT 0 CHECK (lifetime_earned >= 0),
  lifetime_spend bigint NOT NULL DEFAULT 0 CHECK (lifetime_spend >= 0),
  carry_since timestamptz NOT NULL,
  last_earned_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (program_id, id),
  FOREIGN KEY (program_id, tier_id) REFERENCES tiers (program_id, id)
);
CREATE INDEX customers_tier_idx ON customers (program_id, tier_id);

CREATE TABLE orders (
  program_id text NOT NULL,
  id text NOT NULL,
  customer_id text NOT NULL,
  amount bigint NOT NULL CHECK (amount >= 0),
  placed_at timestamptz NOT NULL,
  earned_at timestamptz NOT NULL,
  refunded_amount bigint NOT NULL DEFAULT 0 CHECK (refunded_amount BETWEEN 0 AND amount),
  points_awarded bigint NOT NULL CHECK (points_awarded >= 0),
  points_reversed bigint NOT NULL DEFAULT 0 CHECK (points_reversed BETWEEN 0 AND points_awarded),
  request_hash text NOT NULL,
  response jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  FOREIGN KEY (program_id, customer_id) REFERENCES customers (program_id, id)
);
-- Spend-in-window and largest-order queries of the tier engine.
CREATE INDEX orders_customer_placed_idx ON orders (program_id, customer_id, placed_at);

CREATE TABLE refunds (
  program_id text NOT NULL,
  id text NOT NULL,
  order_id text NOT NULL,
  amount bigint NOT NULL CHECK (amount > 0),
  request_hash text NOT NULL,
  response jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  FOREIGN KEY (program_id, order_id) REFERENCES orders (program_id, id)
);
CREATE INDEX refunds_order_idx ON refunds (program_id, order_id);

CREATE TABLE idempotency_keys (
  program_id text NOT NULL REFERENCES programs (id),
  key text NOT NULL,
  request_hash text NOT NULL,
  status integer NOT NULL CHECK (status BETWEEN 100 AND 599),
  response jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, key)
);

CREATE TABLE ledger_entries (
  program_id text NOT NULL,
  id bigint GENERATED ALWAYS AS IDENTITY,
  customer_id text NOT NULL,
  type text NOT NULL
    CHECK (type IN ('earn', 'bonus', 'redeem', 'adjust', 'refund_reversal', 'carry_reset')),
  key text NOT NULL,
  order_id text,
  base bigint,
  -- Exact decimal: "1.5" goes in and comes out as written.
  multiplier numeric CHECK (multiplier > 0),
  points bigint NOT NULL,
  d_current bigint NOT NULL,
  d_carry bigint NOT NULL,
  d_lifetime_earned bigint NOT NULL,
  d_lifetime_spend bigint NOT NULL,
  reason text,
  tier_id text,
  at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  CONSTRAINT ledger_entries_key_unique UNIQUE (program_id, key),
  FOREIGN KEY (program_id, customer_id) REFERENCES customers (program_id, id)
);
-- A customer's history, newest first (keyset pagination on id).
CREATE INDEX ledger_entries_customer_idx ON ledger_entries (program_id, customer_id, id DESC);
