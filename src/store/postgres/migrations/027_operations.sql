-- Operations (issue 12, docs/decisions/0033-rehearsal-and-operations.md): what each run did, Apple
-- push outcomes per hour, and the indexes the wallet health panel counts with.

-- What a batch changed, summed per run for the rehearsal timeline (GET /v1/runs): tier changes
-- up and down, and downgrade warnings written. Batches done before this migration count 0.
ALTER TABLE recalc_batches
  ADD COLUMN moved_up integer NOT NULL DEFAULT 0,
  ADD COLUMN moved_down integer NOT NULL DEFAULT 0,
  ADD COLUMN warned integer NOT NULL DEFAULT 0;

-- The runs listing pages a program's runs newest first by their due time.
CREATE INDEX recalc_runs_as_of_idx ON recalc_runs (program_id, as_of DESC, id DESC);

-- APNs outcomes per program and hour of the program's clock (a test clock's hours in a
-- rehearsal): "pushes sent and failed in the last 24 hours" reads at most 25 rows, and a
-- dispatch batch adds one upsert per program, never one row per push.
CREATE TABLE apple_push_counts (
  program_id text NOT NULL,
  hour timestamptz NOT NULL,
  sent integer NOT NULL DEFAULT 0,
  failed integer NOT NULL DEFAULT 0,
  PRIMARY KEY (program_id, hour)
);

-- Google objects with a stored failure, newest first: the health panel's recent errors and their
-- count without reading the program's other objects.
CREATE INDEX google_wallet_objects_error_idx ON google_wallet_objects (program_id, last_error_at DESC)
  WHERE last_error IS NOT NULL;

-- Devices registered: count(DISTINCT device_id) of a program as an index-only scan.
CREATE INDEX pass_registrations_device_idx ON pass_registrations (program_id, device_id);
