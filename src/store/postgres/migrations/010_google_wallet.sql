-- Google Wallet (issue 5, docs/decisions/0012-google-wallet.md): what was last sent to the
-- Wallet REST API per loyalty class and per loyalty object, and the daily count of notifying
-- messages per object. Deliveries go through the outbox (009) as kind 'google_object_changed',
-- written only for customers that have a row in google_wallet_objects.

-- One row per loyalty class this program has sent (one per tier, plus the program default).
CREATE TABLE google_wallet_classes (
  program_id text NOT NULL,
  class_id text NOT NULL,
  -- Hash of the class body last inserted/patched: a changed design patches the class again.
  content_hash text NOT NULL,
  synced_at timestamptz NOT NULL,
  PRIMARY KEY (program_id, class_id)
);

-- One row per customer whose Google object exists (or is being created: content_hash NULL).
CREATE TABLE google_wallet_objects (
  program_id text NOT NULL,
  customer_id text NOT NULL,
  -- `<issuerId>.<program>.member.<customer>`: fixed for life.
  object_id text NOT NULL,
  -- Last state the API accepted: its class, the tier it shows (NULL: none or hidden) and a
  -- hash of the whole object body. NULL content_hash: never accepted yet.
  class_id text,
  tier_id text,
  content_hash text,
  synced_at timestamptz,
  -- Last permanent failure (4xx) or abandoned retry, kept for the merchant and operators.
  last_error text,
  last_error_at timestamptz,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (program_id, customer_id),
  FOREIGN KEY (program_id, customer_id) REFERENCES customers (program_id, id)
);

-- Notifying (TEXT_AND_NOTIFY) messages sent per object per UTC day: Google allows three.
CREATE TABLE google_wallet_notifications (
  program_id text NOT NULL,
  customer_id text NOT NULL,
  day date NOT NULL,
  sent integer NOT NULL,
  PRIMARY KEY (program_id, customer_id, day)
);
