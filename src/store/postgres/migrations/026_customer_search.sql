-- Customer search and lists (issue 12, docs/decisions/0030-customer-search-and-pages.md).
-- Prefix search on id, email and name, case-insensitive: one expression index per column with
-- text_pattern_ops, so `lower(col) LIKE 'abc%'` is an index range scan whatever the collation.
-- None of these columns changes on orders, so the order path keeps its HOT updates.
CREATE INDEX customers_search_id_idx ON customers (program_id, lower(id) text_pattern_ops);
CREATE INDEX customers_search_email_idx ON customers (program_id, lower(email) text_pattern_ops);
CREATE INDEX customers_search_name_idx ON customers (program_id, lower(name) text_pattern_ops);
-- Keyset pages: "newest first", and a tier's customers in id order (the tier filter). The second
-- replaces customers_tier_idx, whose columns it starts with.
CREATE INDEX customers_created_idx ON customers (program_id, created_at DESC, id DESC);
CREATE INDEX customers_tier_id_idx ON customers (program_id, tier_id, id);
DROP INDEX IF EXISTS customers_tier_idx;
