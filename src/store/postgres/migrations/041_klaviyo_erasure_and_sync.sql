-- Klaviyo erasure and bulk profile sync (issue 15, docs/decisions/0052).
--
-- An erased customer's Klaviyo profile is deleted through the Data Privacy API by a
-- 'klaviyo_profile_changed' outbox row carrying what identifies the profile (the customer's email
-- as it was before the erasure), sealed (SecretSealer, context
-- `klaviyo:<programId>:erasure:<customerId>`). NULL on every other row, and set to NULL when the
-- row is done (sent, given up or dropped): nothing readable, nothing kept after the request.
ALTER TABLE outbox ADD COLUMN erasure_sealed text;

-- The latest "sync all profiles" of a program (Bulk Import Profiles jobs of up to 10,000 profiles
-- and 5 MB). A new one replaces it only once it is done or failed, so one runs at a time. The
-- cursor is the last customer id Klaviyo accepted: a restarted worker resumes after it.
CREATE TABLE klaviyo_syncs (
  program_id text PRIMARY KEY REFERENCES programs(id) ON DELETE CASCADE,
  id text NOT NULL,
  state text NOT NULL CHECK (state IN ('running', 'done', 'failed')),
  cursor text,
  -- Customers when it started (progress); sent: profiles Klaviyo accepted; skipped: erased ones.
  total integer NOT NULL,
  sent integer NOT NULL DEFAULT 0,
  skipped integer NOT NULL DEFAULT 0,
  jobs integer NOT NULL DEFAULT 0,
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  -- Not before (Klaviyo's Retry-After, a backoff, a key that needs attention); wall clock.
  retry_at timestamptz,
  -- Who works it and until when (wall clock); an expired lease lets another process resume.
  worker text,
  lease_until timestamptz,
  started_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  finished_at timestamptz
);
CREATE INDEX klaviyo_syncs_open ON klaviyo_syncs (lease_until) WHERE state = 'running';
