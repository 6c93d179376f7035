/** A program's Shopify history backfill (migration 036, docs/decisions/0046). */
import type {
  ShopifyBackfillDirectory,
  ShopifyBackfillPatch,
  ShopifyBackfillRecord,
  ShopifyBackfillRepository,
} from '../shopify-backfill-port.js';
import type { SqlQuery } from './sql-driver.js';

interface BackfillRow {
  program_id: string;
  id: string;
  since: Date;
  orders_mode: ShopifyBackfillRecord['ordersMode'];
  state: ShopifyBackfillRecord['state'];
  phase: ShopifyBackfillRecord['phase'];
  cursor: string | null;
  customers_done: number;
  orders_done: number;
  orders_skipped: number;
  refunds_done: number;
  orders_estimate: number | null;
  covered_through: Date | null;
  errors: number;
  last_error: string | null;
  resync_run_id: string | null;
  worker: string | null;
  lease_until: Date | null;
  started_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

function record(r: BackfillRow): ShopifyBackfillRecord {
  return {
    programId: r.program_id,
    id: r.id,
    since: r.since,
    ordersMode: r.orders_mode,
    state: r.state,
    phase: r.phase,
    cursor: r.cursor,
    customersDone: r.customers_done,
    ordersDone: r.orders_done,
    ordersSkipped: r.orders_skipped,
    refundsDone: r.refunds_done,
    ordersEstimate: r.orders_estimate,
    coveredThrough: r.covered_through,
    errors: r.errors,
    lastError: r.last_error,
    resyncRunId: r.resync_run_id,
    worker: r.worker,
    leaseUntil: r.lease_until,
    startedAt: r.started_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
  };
}

/** Patch field → column; only these are ever written by `update`. */
const COLUMNS: Record<keyof ShopifyBackfillPatch, string> = {
  state: 'state',
  phase: 'phase',
  cursor: 'cursor',
  customersDone: 'customers_done',
  ordersDone: 'orders_done',
  ordersSkipped: 'orders_skipped',
  refundsDone: 'refunds_done',
  ordersEstimate: 'orders_estimate',
  coveredThrough: 'covered_through',
  errors: 'errors',
  lastError: 'last_error',
  resyncRunId: 'resync_run_id',
  leaseUntil: 'lease_until',
  finishedAt: 'finished_at',
};

const OPEN = `state IN ('running', 'resyncing')`;

export function shopifyBackfillRepository(q: SqlQuery, programId: string): ShopifyBackfillRepository {
  return {
    async get() {
      const res = await q.query<BackfillRow>('SELECT * FROM shopify_backfills WHERE program_id = $1', [
        programId,
      ]);
      return res.rows[0] ? record(res.rows[0]) : null;
    },
    async start(b) {
      // Replaces a finished backfill; an open one keeps its row and nothing is returned.
      const res = await q.query<BackfillRow>(
        `INSERT INTO shopify_backfills (program_id, id, since, state, phase, worker, lease_until,
           started_at, updated_at, orders_mode)
         VALUES ($1, $2, $3, 'running', 'customers', $4, $5, $6, $6, $7)
         ON CONFLICT (program_id) DO UPDATE SET id = EXCLUDED.id, since = EXCLUDED.since,
           orders_mode = EXCLUDED.orders_mode,
           state = 'running', phase = 'customers', cursor = NULL, customers_done = 0,
           orders_done = 0, orders_skipped = 0, refunds_done = 0, orders_estimate = NULL,
           covered_through = NULL, errors = 0, last_error = NULL, resync_run_id = NULL,
           worker = EXCLUDED.worker, lease_until = EXCLUDED.lease_until,
           started_at = EXCLUDED.started_at, updated_at = EXCLUDED.updated_at, finished_at = NULL
         WHERE shopify_backfills.state NOT IN ('running', 'resyncing')
         RETURNING *`,
        [programId, b.id, b.since, b.worker, b.leaseUntil, b.now, b.ordersMode ?? null],
      );
      return res.rows[0] ? record(res.rows[0]) : null;
    },
    async claim(id, worker, leaseUntil, now) {
      const res = await q.query<BackfillRow>(
        `UPDATE shopify_backfills SET worker = $3, lease_until = $4, updated_at = $5
         WHERE program_id = $1 AND id = $2 AND ${OPEN}
           AND (lease_until IS NULL OR lease_until <= $5 OR worker = $3)
         RETURNING *`,
        [programId, id, worker, leaseUntil, now],
      );
      return res.rows[0] ? record(res.rows[0]) : null;
    },
    async update(id, worker, patch, now) {
      const sets: string[] = [];
      const params: unknown[] = [programId, id, worker, now];
      for (const [key, value] of Object.entries(patch)) {
        if (value === undefined) continue;
        const column = COLUMNS[key as keyof ShopifyBackfillPatch];
        params.push(value);
        sets.push(`${column} = $${params.length}`);
      }
      const res = await q.query<BackfillRow>(
        `UPDATE shopify_backfills SET ${[...sets, 'updated_at = $4'].join(', ')}
         WHERE program_id = $1 AND id = $2 AND worker = $3 RETURNING *`,
        params,
      );
      return res.rows[0] ? record(res.rows[0]) : null;
    },
  };
}

export function shopifyBackfillDirectory(q: SqlQuery): ShopifyBackfillDirectory {
  return {
    async orphaned(now, limit) {
      const res = await q.query<{ program_id: string; id: string }>(
        `SELECT program_id, id FROM shopify_backfills
         WHERE ${OPEN} AND (lease_until IS NULL OR lease_until <= $1)
         ORDER BY lease_until NULLS FIRST LIMIT $2`,
        [now, limit],
      );
      return res.rows.map((r) => ({ programId: r.program_id, id: r.id }));
    },
  };
}
