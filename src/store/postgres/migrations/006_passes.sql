-- Apple Wallet passes (issue 4): one pass per customer, its serial number and
-- authentication token fixed for life. The built pass is not stored: it is rebuilt
-- on request and cached in memory by (serial, update tag).
CREATE TABLE passes (
  program_id text NOT NULL,
  customer_id text NOT NULL,
  -- Globally unique; starts with the program id so the PassKit web service (which only
  -- gets the serial) can scope its queries by program.
  serial text NOT NULL UNIQUE,
  -- ≥ 128 random bits, base64url; sent by devices as "ApplePass <token>".
  auth_token text NOT NULL,
  -- Content hash of the pass last served; NULL before the first build.
  update_tag text,
  -- When update_tag last changed: the pass's Last-Modified.
  updated_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (program_id, customer_id),
  FOREIGN KEY (program_id, customer_id) REFERENCES customers (program_id, id)
);
-- For "serials updated since <tag>" of the web service.
CREATE INDEX passes_updated_idx ON passes (program_id, updated_at);
