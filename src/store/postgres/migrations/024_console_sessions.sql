-- Console sessions (issue 11, docs/decisions/0023): a browser signed in with a program's API
-- key holds a random 256-bit session id in an HttpOnly cookie; only its SHA-256 is stored, so
-- a leaked table opens no session. Expiry is absolute (expires_at); sign-out sets revoked_at.
-- Every process reads this table on each cookie request, so a sign-out holds everywhere at once.
CREATE TABLE console_sessions (
  id_hash text PRIMARY KEY,
  program_id text NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  CHECK (expires_at > created_at)
);
-- Ended sessions of a program are dropped when it signs in again.
CREATE INDEX console_sessions_program_idx ON console_sessions (program_id, expires_at);
