-- Outbox (SPEC 5): work to deliver after a change, written in the change's transaction and
-- delivered at least once by a dispatcher. Kind 'apple_pass_changed': push the customer's pass
-- to its registered devices (only written when the pass has a registered device).
CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  program_id text NOT NULL,
  customer_id text NOT NULL,
  kind text NOT NULL,
  -- Next attempt (database time): now at insert, later for a lease, a coalesced push or a backoff.
  due_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  done_at timestamptz,
  created_at timestamptz NOT NULL
);
CREATE INDEX outbox_due_idx ON outbox (due_at) WHERE done_at IS NULL;

-- Last APNs push per pass: at most one per pass per minute.
CREATE TABLE pass_pushes (
  program_id text NOT NULL,
  customer_id text NOT NULL,
  pushed_at timestamptz NOT NULL,
  PRIMARY KEY (program_id, customer_id)
);
