-- Google Wallet notifications over a rolling 24 hours (issue 15, docs/decisions/0040): Google
-- allows three TEXT_AND_NOTIFY messages per pass in any 24 hours, not per calendar day, and a
-- slot a message took stays taken even when sending it failed (Google may have counted it).
-- One row per object: the slots of the last 24 hours as [{ "key": …, "at": … }], `key` naming
-- the message (the same on every retry of it, which then goes out without notifying). One row
-- per customer lets a single INSERT … ON CONFLICT DO UPDATE … WHERE take a slot atomically.
CREATE TABLE google_wallet_notices (
  program_id text NOT NULL,
  customer_id text NOT NULL,
  sent jsonb NOT NULL,
  PRIMARY KEY (program_id, customer_id),
  FOREIGN KEY (program_id, customer_id) REFERENCES customers (program_id, id)
);

-- The per-UTC-day counts it replaces (a day's count says nothing about the last 24 hours).
DROP TABLE google_wallet_notifications;
