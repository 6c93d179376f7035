-- How a Shopify history backfill reads orders (docs/decisions/0046, amendment "Bulk operations"):
-- the start request's `mode` ('paged', 'bulk', 'auto'); NULL takes the server's
-- SHOPIFY_BACKFILL_ORDERS. Decided once when the orders phase starts (the cursor then says which).
ALTER TABLE shopify_backfills
  ADD COLUMN orders_mode text CHECK (orders_mode IN ('auto', 'paged', 'bulk'));
