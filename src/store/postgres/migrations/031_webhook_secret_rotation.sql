-- Webhook signing secrets at rest and their rotation (issue 15 item 2, docs/decisions/0041).
-- `secret` now holds the secret sealed by SecretBox (AES-256-GCM under a key of SECRETS_KEYS,
-- bound to `webhook:<program_id>:<id>`); rows written before this migration are sealed at start
-- by worker 0 (they are plain until then, and still open as such). After a rotation the
-- previous secret, sealed the same way, keeps signing deliveries beside the new one until
-- `previous_secret_until` (program time); afterwards it is ignored, and the next rotation
-- replaces it.
ALTER TABLE webhook_subscriptions ADD COLUMN previous_secret text;
ALTER TABLE webhook_subscriptions ADD COLUMN previous_secret_until timestamptz;
ALTER TABLE webhook_subscriptions ADD CONSTRAINT webhook_subscriptions_previous_secret_until
  CHECK ((previous_secret IS NULL) = (previous_secret_until IS NULL));
COMMENT ON COLUMN webhook_subscriptions.secret IS
  'HMAC signing key, sealed (sb1.<key id>.…) under SECRETS_KEYS; never stored readable';
