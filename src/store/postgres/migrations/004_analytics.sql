-- Analytics (issue "Tier engine", items 5–6).
-- Distribution at a past instant: the last tier change at or before it, per customer
-- (DISTINCT ON customer_id ORDER BY at DESC, id DESC walks this index in order).
CREATE INDEX tier_changes_customer_at_idx ON tier_changes (program_id, customer_id, at DESC, id DESC);
-- Earnings per month: ledger entries of one program in a time range.
CREATE INDEX ledger_entries_at_idx ON ledger_entries (program_id, at);
