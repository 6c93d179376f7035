-- Shopify segments (issue 14 item 4, docs/decisions/0048): the segments a program's tiers name,
-- as resolved in its shop; their members as last read; the sync's state and progress.
CREATE TABLE shopify_segments (
  program_id text NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
  -- The `segment` qualification's value: a segment name (as the merchant sees it) or id.
  label text NOT NULL,
  -- NULL when the shop has no such segment (the console warns).
  segment_id text,
  name text,
  member_count integer,
  synced_at timestamptz NOT NULL,
  PRIMARY KEY (program_id, label)
);

-- The members last read of each segment: the next sync re-evaluates only the difference.
CREATE TABLE shopify_segment_members (
  program_id text NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
  label text NOT NULL,
  customer_id text NOT NULL,
  PRIMARY KEY (program_id, label, customer_id)
);

-- The last (or running) sync of each program, with its progress.
CREATE TABLE shopify_segment_syncs (
  program_id text PRIMARY KEY REFERENCES programs(id) ON DELETE CASCADE,
  state text NOT NULL CHECK (state IN ('running', 'done', 'failed')),
  trigger text NOT NULL CHECK (trigger IN ('manual', 'schedule')),
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  segments_total integer NOT NULL DEFAULT 0,
  segments_done integer NOT NULL DEFAULT 0,
  members_read integer NOT NULL DEFAULT 0,
  customers_changed integer NOT NULL DEFAULT 0,
  customers_evaluated integer NOT NULL DEFAULT 0,
  warnings jsonb NOT NULL DEFAULT '[]',
  error text
);
