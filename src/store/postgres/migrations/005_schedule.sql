-- Scheduler bookkeeping per program (issue 3): scheduled work done up to
-- schedule_checked_at; a debounced resync pending at resync_due_at.
ALTER TABLE programs
  ADD COLUMN schedule_checked_at timestamptz,
  ADD COLUMN resync_due_at timestamptz;
