-- Failures of a run batch, counted apart from its claims (docs/decisions/0018): `attempts` counts
-- claims, including a takeover after a worker died holding the batch; `failures` counts the tries
-- that threw and were rolled back, and only those count against a run's maxAttempts.
ALTER TABLE recalc_batches ADD COLUMN failures integer NOT NULL DEFAULT 0;
