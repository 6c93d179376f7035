-- Shopify history backfill (issue 14 item 5, docs/decisions/0046). One row per program: the
-- latest backfill. A new one replaces it only once it is done or failed, so one runs at a time.
-- The cursor is the last page applied: a restarted worker resumes after it (effects are
-- idempotent by their Shopify ids, so a page applied twice changes nothing).
CREATE TABLE shopify_backfills (
  program_id text PRIMARY KEY REFERENCES programs(id) ON DELETE CASCADE,
  id text NOT NULL,
  since timestamptz NOT NULL,
  -- 'running' (customers, then orders), 'resyncing', 'done', 'failed'.
  state text NOT NULL CHECK (state IN ('running', 'resyncing', 'done', 'failed')),
  phase text NOT NULL CHECK (phase IN ('customers', 'orders', 'resync', 'done')),
  cursor text,
  customers_done integer NOT NULL DEFAULT 0,
  orders_done integer NOT NULL DEFAULT 0,
  orders_skipped integer NOT NULL DEFAULT 0,
  refunds_done integer NOT NULL DEFAULT 0,
  orders_estimate integer,
  -- Orders are read oldest first: how far in processed time the backfill has come.
  covered_through timestamptz,
  errors integer NOT NULL DEFAULT 0,
  last_error text,
  resync_run_id text,
  -- Who works it and until when (wall clock); an expired lease lets another process resume.
  worker text,
  lease_until timestamptz,
  started_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  finished_at timestamptz
);
CREATE INDEX shopify_backfills_open ON shopify_backfills (lease_until) WHERE state IN ('running', 'resyncing');
