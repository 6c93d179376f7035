-- The source system's own time of a customer's merchant fields (Shopify's customer `updated_at`),
-- so a write older than the one applied changes nothing: webhooks Shopify delivers out of order,
-- and a backfill page read before a live customers/update that landed first (decision 0051,
-- amendment of 2026-12-06, later). NULL: no source time known; every write applies.
ALTER TABLE customers ADD COLUMN source_updated_at timestamptz;
