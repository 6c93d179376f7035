-- Klaviyo destination (issue 15 item 1, docs/decisions/0044). One connection per program: the
-- merchant's private API key sealed (SecretSealer, `sb1.` values, never readable), a hint of its
-- last four characters for the console, and its state: 'connected', or 'needs_attention' once
-- Klaviyo refused the key (401/403): rows keep waiting until the key is replaced.
CREATE TABLE klaviyo_connections (
  program_id text PRIMARY KEY REFERENCES programs(id) ON DELETE CASCADE,
  api_key_sealed text NOT NULL,
  key_hint text NOT NULL,
  account_id text NOT NULL,
  state text NOT NULL DEFAULT 'connected' CHECK (state IN ('connected', 'needs_attention')),
  last_error text,
  connected_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

-- Outbox rows of kind 'klaviyo_profile_changed' name the webhook event they send (NULL: the
-- profile only). Other kinds leave it NULL.
ALTER TABLE outbox ADD COLUMN event_id text;

-- The Klaviyo claim takes a customer's rows only when no earlier row of that customer waits
-- (in order per customer): this finds a customer's pending rows in id order.
CREATE INDEX outbox_klaviyo_customer_idx ON outbox (program_id, customer_id, id)
  WHERE kind = 'klaviyo_profile_changed' AND done_at IS NULL;
