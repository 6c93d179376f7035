-- Scheduler bookkeeping per program (issue 3): scheduled work done up to
-- schedule_checked_at; a debounced resync pending at resync_due_at.
ALTER TABLE programs
  ADD COLUMN schedule_checked_at timestamptz,
  ADD COLUMN resync_due_at timestamptz,
  -- Numbers each requested resync: its run key, so two resyncs at the same instant
  -- (a frozen test clock) are still two runs, and one resync is never run twice.
  ADD COLUMN resync_seq bigint NOT NULL DEFAULT 0;
