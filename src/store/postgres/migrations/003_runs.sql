-- Recalculation runs (cycle boundaries, daily syncs, resyncs, manual syncs): one run per key,
-- processed in leased batches of consecutive customer ids (docs/decisions/0007-recalculation-runs.md).

CREATE TABLE recalc_runs (
  program_id text NOT NULL REFERENCES programs (id),
  id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('cycle', 'daily', 'resync', 'sync')),
  -- One run per key and program: a boundary or a day is recalculated once.
  key text NOT NULL,
  -- Program time the customers are evaluated at (the boundary instant of a cycle run).
  as_of timestamptz NOT NULL,
  -- Customers created at or after this instant are not part of the run.
  customers_created_before timestamptz NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'failed')),
  -- Customers expected when the run was created; set to `processed` when it is done.
  total integer NOT NULL CHECK (total >= 0),
  processed integer NOT NULL DEFAULT 0 CHECK (processed >= 0),
  -- Last customer id handed out in a batch ('' before the first; ids are never empty).
  cursor text NOT NULL DEFAULT '',
  -- Every customer id has been handed out in some batch.
  exhausted boolean NOT NULL DEFAULT false,
  batches integer NOT NULL DEFAULT 0,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (program_id, id),
  CONSTRAINT recalc_runs_key_unique UNIQUE (program_id, key)
);
-- The scheduler resumes unfinished runs after a restart.
CREATE INDEX recalc_runs_unfinished_idx ON recalc_runs (program_id, created_at)
  WHERE state IN ('pending', 'running');

CREATE TABLE recalc_batches (
  program_id text NOT NULL,
  run_id text NOT NULL,
  seq integer NOT NULL CHECK (seq >= 0),
  -- Customers with from_id < id <= to_id, in the database collation's order.
  from_id text NOT NULL,
  to_id text NOT NULL CHECK (to_id > from_id),
  state text NOT NULL CHECK (state IN ('claimed', 'done')),
  -- The worker holding the lease; an expired lease lets another worker take the batch over.
  worker text NOT NULL,
  lease_until timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 1,
  processed integer CHECK (processed >= 0),
  error text,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  done_at timestamptz,
  PRIMARY KEY (program_id, run_id, seq),
  FOREIGN KEY (program_id, run_id) REFERENCES recalc_runs (program_id, id)
);
CREATE INDEX recalc_batches_open_idx ON recalc_batches (program_id, run_id, lease_until)
  WHERE state = 'claimed';

-- A run sums every customer's net spend per window: with the amounts in the index the sums are an
-- index-only range scan instead of one random heap page per order (measured: 0.9 s → 0.09 s per
-- 20,000 customers on 5M orders). Same key as the index it replaces, so the order path keeps its plan.
CREATE INDEX orders_customer_spend_idx ON orders (program_id, customer_id, placed_at)
  INCLUDE (amount, refunded_amount);
DROP INDEX orders_customer_placed_idx;
