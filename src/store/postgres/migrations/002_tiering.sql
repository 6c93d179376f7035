-- Tier placement bookkeeping and tier change history (issue 3).
ALTER TABLE customers
  ADD COLUMN tier_since timestamptz,
  ADD COLUMN last_change_reason text,
  ADD COLUMN bonused_tier_ids text[] NOT NULL DEFAULT '{}';
UPDATE customers SET tier_since = created_at WHERE tier_since IS NULL;
ALTER TABLE customers ALTER COLUMN tier_since SET NOT NULL;

CREATE TABLE tier_changes (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  program_id text NOT NULL REFERENCES programs (id),
  customer_id text NOT NULL,
  from_tier_id text,
  to_tier_id text,
  direction text NOT NULL CHECK (direction IN ('up', 'down')),
  reason text NOT NULL,
  facts jsonb NOT NULL,
  at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (program_id, customer_id) REFERENCES customers (program_id, id)
);
CREATE INDEX tier_changes_customer_idx ON tier_changes (program_id, customer_id, id DESC);
CREATE INDEX tier_changes_at_idx ON tier_changes (program_id, at);
