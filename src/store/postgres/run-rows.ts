/** Row mapping of recalculation runs, shared by the run repository and batch processing. */
import type { RunKind, RunRecord, RunState } from '../recalculation-port.js';
import type { SqlQuery } from './sql-driver.js';
import { one } from './sql-values.js';

interface RunRow {
  id: string;
  kind: RunKind;
  key: string;
  as_of: Date;
  customers_created_before: Date;
  state: RunState;
  total: number;
  processed: number;
  error: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/** Customers in the done batches of run `r`: a running run's progress (batches never touch the run row). */
export const DONE_IN_BATCHES = `(SELECT coalesce(sum(b.processed), 0)::int FROM recalc_batches b
  WHERE b.program_id = r.program_id AND b.run_id = r.id AND b.state = 'done')`;

/** Run columns of `r`; `processed` is stored once the run is finished, summed from its batches before. */
export const RUN_COLUMNS = `r.id, r.kind, r.key, r.as_of, r.customers_created_before, r.state, r.total,
  CASE WHEN r.state IN ('done', 'failed') THEN r.processed ELSE ${DONE_IN_BATCHES} END AS processed,
  r.error, r.created_at, r.started_at, r.finished_at`;

function toRun(r: RunRow): RunRecord {
  return {
    id: r.id,
    kind: r.kind,
    key: r.key,
    asOf: r.as_of,
    customersCreatedBefore: r.customers_created_before,
    state: r.state,
    total: r.total,
    processed: r.processed,
    error: r.error,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

/** Runs returned by a statement that selects or returns RUN_COLUMNS. */
export async function queryRuns(q: SqlQuery, sql: string, params: readonly unknown[]): Promise<RunRecord[]> {
  const { rows } = await q.query<RunRow>(sql, params);
  return rows.map(toRun);
}

/** One run that must exist. */
export async function selectRun(q: SqlQuery, programId: string, runId: string): Promise<RunRecord> {
  const runs = await queryRuns(
    q,
    `SELECT ${RUN_COLUMNS} FROM recalc_runs r WHERE r.program_id = $1 AND r.id = $2`,
    [programId, runId],
  );
  return one(runs, 'run');
}
