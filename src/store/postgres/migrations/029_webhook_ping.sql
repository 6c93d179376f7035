-- Test events (POST /v1/webhooks/{id}/test, docs/decisions/0032): a `ping` is about no customer,
-- so its event and delivery carry customer_id NULL. NULLs fall into one queue per subscription
-- in the claim's DISTINCT ON, so pings follow each other and never wait behind a customer's.
ALTER TABLE webhook_events ALTER COLUMN customer_id DROP NOT NULL;
ALTER TABLE webhook_deliveries ALTER COLUMN customer_id DROP NOT NULL;
