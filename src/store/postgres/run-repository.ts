import type { ClaimResult, RunBatch, RunRecord, RunRepository, RunState } from '../recalculation-port.js';
import { processBatch } from './run-batch.js';
import { DONE_IN_BATCHES, listRuns, queryRuns, RUN_COLUMNS, selectRun } from './run-rows.js';
import type { SqlDriver, SqlQuery } from './sql-driver.js';
import { one } from './sql-values.js';

interface BatchRow {
  seq: number;
  from_id: string;
  to_id: string;
  attempts: number;
}

const toBatch = (r: BatchRow): RunBatch => ({
  seq: r.seq,
  fromId: r.from_id,
  toId: r.to_id,
  attempts: r.attempts,
});

/** The run row, locked until commit: claims of one run take turns, so ranges never overlap. */
async function lockRun(
  q: SqlQuery,
  programId: string,
  runId: string,
): Promise<{ state: RunState; cursor: string; exhausted: boolean; batches: number } | undefined> {
  const { rows } = await q.query<{ state: RunState; cursor: string; exhausted: boolean; batches: number }>(
    `SELECT state, cursor, exhausted, batches FROM recalc_runs WHERE program_id = $1 AND id = $2 FOR UPDATE`,
    [programId, runId],
  );
  return rows[0];
}

/**
 * An expired lease, taken over; SKIP LOCKED passes a batch whose transaction is still running.
 * `attempts` counts claims (operators see takeovers); failures are counted by `release`.
 * Exactly one batch: the pick is a scalar subquery, evaluated once. As a `FROM (… LIMIT 1 …)`
 * join it was rescanned per row, and with two expired leases one claim took over both and
 * returned one: the other sat under a new lease nobody worked for a full lease length, then was
 * claimed a third time (issue 10; docs/decisions/0018).
 */
const RECLAIM_SQL = `
UPDATE recalc_batches b SET worker = $3, lease_until = now() + $4 * interval '1 millisecond',
  attempts = b.attempts + 1, claimed_at = now()
WHERE b.program_id = $1 AND b.run_id = $2 AND b.seq = (
  SELECT seq FROM recalc_batches
  WHERE program_id = $1 AND run_id = $2 AND state = 'claimed' AND lease_until < now()
  ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED
)
RETURNING b.seq, b.from_id, b.to_id, b.attempts`;

/**
 * The next range: up to `batchSize` customer ids after the cursor, read from the primary key.
 * Fewer than asked means the ids are exhausted (later inserts are new customers, not the run's).
 */
const NEXT_RANGE_SQL = `
SELECT max(id) AS last, count(*)::int AS n
FROM (SELECT id FROM customers WHERE program_id = $1 AND id > $2 ORDER BY id LIMIT $3) s`;

async function claim(
  q: SqlQuery,
  programId: string,
  runId: string,
  opts: { batchSize: number; leaseMs: number; worker: string },
): Promise<ClaimResult | null> {
  const run = await lockRun(q, programId, runId);
  if (!run) return null;
  if (run.state === 'done' || run.state === 'failed') {
    return { type: 'finished', run: await selectRun(q, programId, runId) };
  }
  const reclaimed = await q.query<BatchRow>(RECLAIM_SQL, [programId, runId, opts.worker, opts.leaseMs]);
  if (reclaimed.rows[0]) return { type: 'batch', batch: toBatch(reclaimed.rows[0]) };

  if (!run.exhausted) {
    const next = one(
      (
        await q.query<{ last: string | null; n: number }>(NEXT_RANGE_SQL, [
          programId,
          run.cursor,
          opts.batchSize,
        ])
      ).rows,
      'range',
    );
    const exhausted = next.n < opts.batchSize;
    await q.query(
      `UPDATE recalc_runs SET cursor = coalesce($3, cursor), exhausted = $4, batches = batches + $5::int,
         state = 'running', started_at = coalesce(started_at, now())
       WHERE program_id = $1 AND id = $2`,
      [programId, runId, next.last, exhausted, next.last === null ? 0 : 1],
    );
    if (next.last !== null) {
      const { rows } = await q.query<BatchRow>(
        `INSERT INTO recalc_batches (program_id, run_id, seq, from_id, to_id, state, worker, lease_until)
         VALUES ($1, $2, $3, $4, $5, 'claimed', $6, now() + $7 * interval '1 millisecond')
         RETURNING seq, from_id, to_id, attempts`,
        [programId, runId, run.batches, run.cursor, next.last, opts.worker, opts.leaseMs],
      );
      return { type: 'batch', batch: toBatch(one(rows, 'batch')) };
    }
  }

  // Nothing left to hand out: wait for the batches others hold, or close the run.
  const open = one(
    (
      await q.query<{ n: number; wait_ms: number | null }>(
        `SELECT count(*)::int AS n,
           greatest(0, extract(epoch FROM min(lease_until) - now()) * 1000)::float8 AS wait_ms
         FROM recalc_batches WHERE program_id = $1 AND run_id = $2 AND state = 'claimed'`,
        [programId, runId],
      )
    ).rows,
    'open batches',
  );
  if (open.n > 0) return { type: 'wait', retryInMs: Math.ceil(open.wait_ms ?? 0) };
  return { type: 'finished', run: await closeRun(q, programId, runId, 'done', null) };
}

/** Mark a run finished with its count stored; a done run's total becomes what was actually processed. */
async function closeRun(
  q: SqlQuery,
  programId: string,
  runId: string,
  state: 'done' | 'failed',
  error: string | null,
): Promise<RunRecord> {
  const runs = await queryRuns(
    q,
    `UPDATE recalc_runs r SET state = $3, error = $4, finished_at = now(), processed = x.done,
       total = CASE WHEN $3 = 'done' THEN x.done ELSE r.total END
     FROM (SELECT ${DONE_IN_BATCHES} AS done FROM recalc_runs r WHERE r.program_id = $1 AND r.id = $2) x
     WHERE r.program_id = $1 AND r.id = $2
     RETURNING ${RUN_COLUMNS}`,
    [programId, runId, state, error],
  );
  return one(runs, 'run');
}

/**
 * Unfinished runs without a live worker (database time): no live lease, and an expired lease
 * or no activity for $2 ms. Batch timestamps are written with the database's now() too.
 */
const ORPHANED_SQL = `
SELECT ${RUN_COLUMNS} FROM recalc_runs r
CROSS JOIN LATERAL (
  SELECT count(*) FILTER (WHERE b.state = 'claimed' AND b.lease_until >= now()) AS live,
    count(*) FILTER (WHERE b.state = 'claimed') AS open,
    max(greatest(b.claimed_at, b.done_at)) AS active_at
  FROM recalc_batches b WHERE b.program_id = r.program_id AND b.run_id = r.id
) b
WHERE r.program_id = $1 AND r.state IN ('pending', 'running') AND b.live = 0
  AND (b.open > 0 OR greatest(r.created_at, r.started_at, b.active_at) < now() - $2 * interval '1 millisecond')
ORDER BY r.created_at, r.id`;

/** Runs of one program on PostgreSQL/PGlite; each method is its own transaction. */
export function runRepository(driver: SqlDriver, programId: string): RunRepository {
  return {
    async create(run) {
      // The total is counted in the same statement, so a created run always has one.
      const [inserted] = await queryRuns(
        driver,
        `INSERT INTO recalc_runs AS r (program_id, id, kind, key, as_of, customers_created_before, total)
         SELECT $1, $2, $3, $4, $5, $6, count(*)::int
         FROM customers WHERE program_id = $1 AND created_at < $6
         ON CONFLICT (program_id, key) DO NOTHING
         RETURNING ${RUN_COLUMNS}`,
        [programId, run.id, run.kind, run.key, run.asOf, run.customersCreatedBefore],
      );
      if (inserted) return { run: inserted, created: true };
      const existing = await queryRuns(
        driver,
        `SELECT ${RUN_COLUMNS} FROM recalc_runs r WHERE r.program_id = $1 AND r.key = $2`,
        [programId, run.key],
      );
      return { run: one(existing, 'run'), created: false };
    },
    async get(id) {
      const [found] = await queryRuns(
        driver,
        `SELECT ${RUN_COLUMNS} FROM recalc_runs r WHERE r.program_id = $1 AND r.id = $2`,
        [programId, id],
      );
      return found ?? null;
    },
    list: (query) => listRuns(driver, programId, query),
    async listUnfinished() {
      return queryRuns(
        driver,
        `SELECT ${RUN_COLUMNS} FROM recalc_runs r
         WHERE r.program_id = $1 AND r.state IN ('pending', 'running') ORDER BY r.created_at, r.id`,
        [programId],
      );
    },
    listOrphaned: (idleMs) => queryRuns(driver, ORPHANED_SQL, [programId, idleMs]),
    claim: (runId, opts) => driver.transaction((q) => claim(q, programId, runId, opts)),
    process: (runId, batch, work) =>
      driver.transaction((q) => processBatch(q, programId, runId, batch, work)),
    release: (runId, seq, error, maxAttempts, counted = true) =>
      driver.transaction(async (q) => {
        const run = await lockRun(q, programId, runId);
        if (!run) throw new Error(`run ${runId} not found`);
        // Lease ends now: the next claim retries the batch at once instead of after the lease.
        // Only failures count against maxAttempts: a takeover after a crash says nothing about the batch.
        const { rows } = await q.query<{ failures: number }>(
          `UPDATE recalc_batches SET lease_until = now(), error = $4, failures = failures + $5::int
           WHERE program_id = $1 AND run_id = $2 AND seq = $3 AND state = 'claimed'
           RETURNING failures`,
          [programId, runId, seq, error, counted ? 1 : 0],
        );
        const failures = rows[0]?.failures ?? 0;
        if (failures >= maxAttempts && run.state !== 'done' && run.state !== 'failed') {
          return closeRun(q, programId, runId, 'failed', `batch ${seq} failed ${failures} times: ${error}`);
        }
        return selectRun(q, programId, runId);
      }),
    finish: (runId, state, error) =>
      driver.transaction(async (q) => {
        const run = await lockRun(q, programId, runId);
        if (!run) throw new Error(`run ${runId} not found`);
        if (run.state === 'done' || run.state === 'failed') return selectRun(q, programId, runId);
        return closeRun(q, programId, runId, state, error);
      }),
  };
}
