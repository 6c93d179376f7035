-- Downgrade warnings (issue 5, docs/decisions/0015-downgrade-warnings.md): a run of kind 'warning'
-- per cycle boundary (key warning:<boundary>) goes through the customers in leased batches like
-- every other run, writing its tier.downgrade_warning events with each batch's done marker.
-- The lead time itself lives in programs.settings (downgradeWarningDays): no column needed.
ALTER TABLE recalc_runs DROP CONSTRAINT recalc_runs_kind_check;
ALTER TABLE recalc_runs ADD CONSTRAINT recalc_runs_kind_check
  CHECK (kind IN ('cycle', 'daily', 'resync', 'sync', 'warning'));
