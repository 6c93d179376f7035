-- Shopify connector (issue 14, docs/decisions/0042). One store per program: its domain maps
-- incoming webhooks to the program, so a domain belongs to at most one connected program.
-- Credentials are stored sealed (SecretSealer, `sb1.` values), never readable.
CREATE TABLE shopify_connections (
  program_id text PRIMARY KEY REFERENCES programs(id) ON DELETE CASCADE,
  shop_domain text NOT NULL,
  shop_name text NOT NULL,
  shop_currency text NOT NULL,
  access_token_sealed text NOT NULL,
  webhook_secret_sealed text NOT NULL,
  -- Which amount of an order earns (subtotal after discounts, or the total) and whether test orders count.
  earn_on text NOT NULL DEFAULT 'subtotal' CHECK (earn_on IN ('subtotal', 'total')),
  include_test_orders boolean NOT NULL DEFAULT false,
  -- The webhook subscriptions Tierpass registered: [{ topic, id }] (Admin GraphQL ids).
  subscriptions jsonb NOT NULL DEFAULT '[]',
  -- 'connected', or 'uninstalled' when Shopify told us the app was removed.
  state text NOT NULL DEFAULT 'connected' CHECK (state IN ('connected', 'uninstalled')),
  connected_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX shopify_connections_shop ON shopify_connections (shop_domain);

-- Every signed webhook accepted, before its effect: the delivery id makes duplicates harmless,
-- and a row with processed_at NULL is work not done yet (the inbox, docs/decisions/0042).
CREATE TABLE shopify_webhooks (
  program_id text NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
  webhook_id text NOT NULL,
  topic text NOT NULL,
  -- Kept for deliveries someone acts on later (recorded privacy requests, failures, not yet
  -- processed); NULL once applied or ignored: the effect is in the ledger (decision 0042).
  payload jsonb,
  received_at timestamptz NOT NULL,
  processed_at timestamptz,
  -- 'applied', 'ignored' (e.g. a test order), 'recorded' (privacy requests, kept for their operations), 'failed'.
  result text,
  detail text,
  PRIMARY KEY (program_id, webhook_id)
);
CREATE INDEX shopify_webhooks_pending ON shopify_webhooks (program_id, received_at) WHERE processed_at IS NULL;
