/** Row mapping of recalculation runs, shared by the run repository and batch processing. */
import type { RunKind, RunListQuery, RunRecord, RunState, RunSummary } from '../recalculation-port.js';
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

/**
 * A page of a program's runs, newest due time first, with what their batches changed. Walks
 * recalc_runs_as_of_idx; the sums read only the batches of the page's runs (≤ 200 per run).
 */
const LIST_SQL = `
SELECT ${RUN_COLUMNS}, s.moved_up, s.moved_down, s.warned
FROM recalc_runs r
CROSS JOIN LATERAL (
  SELECT coalesce(sum(b.moved_up), 0)::int AS moved_up, coalesce(sum(b.moved_down), 0)::int AS moved_down,
    coalesce(sum(b.warned), 0)::int AS warned
  FROM recalc_batches b WHERE b.program_id = r.program_id AND b.run_id = r.id AND b.state = 'done'
) s
WHERE r.program_id = $1
  AND ($2::timestamptz IS NULL OR r.as_of >= $2)
  AND ($3::timestamptz IS NULL OR r.as_of < $3)
  AND ($4::text[] IS NULL OR r.kind = ANY($4::text[]))
  AND ($5::timestamptz IS NULL OR (r.as_of, r.id) < ($5, $6::text))
ORDER BY r.as_of DESC, r.id DESC
LIMIT $7`;

/** `RunRepository.list` on PostgreSQL/PGlite. */
export async function listRuns(q: SqlQuery, programId: string, query: RunListQuery): Promise<RunSummary[]> {
  const { rows } = await q.query<RunRow & { moved_up: number; moved_down: number; warned: number }>(
    LIST_SQL,
    [
      programId,
      query.from ?? null,
      query.to ?? null,
      query.kinds ?? null,
      query.after?.asOf ?? null,
      query.after?.id ?? null,
      query.limit,
    ],
  );
  return rows.map((r) => ({ ...toRun(r), movedUp: r.moved_up, movedDown: r.moved_down, warned: r.warned }));
}
