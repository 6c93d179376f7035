-- Shopify write-back (issue 14 item 3, docs/decisions/0045): the per-program setting and what the
-- outbox handler of 'shopify_customer_changed' did, for GET /v1/integrations/shopify/write-back.
-- No row means the defaults: write-back on, nothing written yet.
CREATE TABLE shopify_write_backs (
  program_id text PRIMARY KEY REFERENCES programs(id) ON DELETE CASCADE,
  enabled boolean NOT NULL DEFAULT true,
  -- Customers written to the shop, and write-backs given up (permanent failure or exhausted).
  synced bigint NOT NULL DEFAULT 0,
  failed bigint NOT NULL DEFAULT 0,
  last_synced_at timestamptz,
  last_error_code text,
  last_error text,
  last_error_at timestamptz
);
