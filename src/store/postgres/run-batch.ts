/**
 * One batch of a recalculation run as one transaction: check the batch is still open, lock and
 * read the batch's customers with their order facts in ONE query, let the caller decide their
 * outcomes in memory, then store every outcome in ONE statement (outcome-writes.ts, the same the
 * event path uses) and mark the batch done. A crash anywhere rolls all of it back.
 */
import type { OutcomeToStore } from '../outcome-port.js';
import type { BatchCustomer, BatchResult, BatchWork, RunBatch } from '../recalculation-port.js';
import { type OutcomeCustomerRow, outcomeCustomerOf } from './customer-repository.js';
import { storeOutcomes } from './outcome-writes.js';
import { selectRun } from './run-rows.js';
import type { SqlQuery } from './sql-driver.js';
import { one } from './sql-values.js';

/**
 * The run's customers in the batch's range ($2 < id ≤ $3, created before $4). At a boundary ($5)
 * a customer whose carry cycle already starts there was closed by another run: never twice.
 */
const RANGE = `c.program_id = $1 AND c.id > $2 AND c.id <= $3 AND c.created_at < $4
  AND ($5::timestamptz IS NULL OR c.carry_since < $5)`;

/** Only what the rules read: every column parsed costs, a million times over. */
const CUSTOMER_COLUMNS = `c.id, c.email, c.tags, c.segments, c.tier_id, c.tier_tags, c.tier_since, c.last_change_reason,
  c.bonused_tier_ids, c.last_earned_at, c.current, c.carry, c.lifetime_earned, c.lifetime_spend`;

/**
 * Customers with their largest order and net spend per window (w0, w1, …: orders placed after
 * the window's exclusive start in `$7`), locked until commit so events on them wait for the batch.
 * The orders of the range are one index-only range scan of orders_customer_spend_idx.
 */
function factsSql(windows: number, withOrders: boolean): string {
  // NO KEY UPDATE: events' foreign-key checks (KEY SHARE) on these customers need not wait.
  if (!withOrders) {
    return `SELECT ${CUSTOMER_COLUMNS} FROM customers c WHERE ${RANGE} ORDER BY c.id FOR NO KEY UPDATE OF c`;
  }
  const sums = Array.from(
    { length: windows },
    (_, i) =>
      `, coalesce(sum(net) FILTER (WHERE placed_at > ($7::timestamptz[])[${i + 1}]), 0)::bigint AS w${i}`,
  ).join('');
  const picks = Array.from({ length: windows }, (_, i) => `, coalesce(o.w${i}, 0)::bigint AS w${i}`).join('');
  return `SELECT ${CUSTOMER_COLUMNS}, coalesce(o.largest, 0)::bigint AS largest${picks}
    FROM customers c
    LEFT JOIN (
      SELECT customer_id, max(net) AS largest${sums}
      FROM (SELECT customer_id, amount - refunded_amount AS net, placed_at FROM orders
            WHERE program_id = $1 AND customer_id > $2 AND customer_id <= $3 AND placed_at <= $6) x
      GROUP BY customer_id
    ) o ON o.customer_id = c.id
    WHERE ${RANGE}
    ORDER BY c.id
    FOR NO KEY UPDATE OF c`;
}

type FactsRow = OutcomeCustomerRow & { largest?: number } & Record<`w${number}`, number>;

/** Process one claimed batch; the caller runs it inside a transaction. */
export async function processBatch(
  q: SqlQuery,
  programId: string,
  runId: string,
  batch: RunBatch,
  work: BatchWork,
): Promise<BatchResult> {
  // The batch row lock makes a second worker with the same batch (its lease expired) wait, then skip.
  const state = await q.query<{ state: string; created_before: Date }>(
    `SELECT b.state, r.customers_created_before AS created_before
     FROM recalc_batches b JOIN recalc_runs r ON r.program_id = b.program_id AND r.id = b.run_id
     WHERE b.program_id = $1 AND b.run_id = $2 AND b.seq = $3 AND b.from_id = $4 AND b.to_id = $5
     FOR UPDATE OF b`,
    [programId, runId, batch.seq, batch.fromId, batch.toId],
  );
  const found = one(state.rows, 'batch');
  const range = [programId, batch.fromId, batch.toId, found.created_before, work.closesCycleAt];
  if (found.state === 'done') {
    return { skipped: true, processed: 0, run: await selectRun(q, programId, runId) };
  }

  const { processed, outcomes } = await evaluateBatch(q, range, work);
  // What the batch changed, counted before the write: the statement is the outcomes' last use.
  const counts = [processed, ...changeCounts(outcomes)];
  await storeOutcomes(q, programId, outcomes);
  await work.beforeCommit?.(batch);
  // Only the batch row: batches of one run never wait for each other; the run's count is their sum.
  // With what the batch changed, summed per run by the runs listing (the rehearsal timeline).
  await q.query(
    `UPDATE recalc_batches SET state = 'done', done_at = now(), processed = $4, error = NULL,
       moved_up = $5, moved_down = $6, warned = $7
     WHERE program_id = $1 AND run_id = $2 AND seq = $3`,
    [programId, runId, batch.seq, ...counts],
  );
  return { skipped: false, processed, run: await selectRun(q, programId, runId) };
}

/** Customers moved up, moved down and warned by a batch's outcomes (the runs listing sums them). */
function changeCounts(outcomes: readonly OutcomeToStore[]): [number, number, number] {
  let up = 0;
  let down = 0;
  let warned = 0;
  for (const o of outcomes) {
    if (o.change?.direction === 'up') up++;
    else if (o.change?.direction === 'down') down++;
    for (const e of o.events) if (e.type === 'tier.downgrade_warning') warned++;
  }
  return [up, down, warned];
}

/**
 * Read the batch's customers with their facts and decide their outcomes. Its own function so the
 * rows and customers die with it: only the outcomes live on while their statement runs.
 */
async function evaluateBatch(
  q: SqlQuery,
  range: unknown[],
  work: BatchWork,
): Promise<{ processed: number; outcomes: OutcomeToStore[] }> {
  const { windows, withOrders, asOf } = work.orders;
  const factsParams = withOrders ? [...range, asOf, windows.map((w) => w.from)] : range;
  const { rows } = await q.query<FactsRow>(factsSql(windows.length, withOrders), factsParams);
  const customers = rows.map((r): BatchCustomer => {
    const windowSpend: Record<string, number> = {};
    windows.forEach((w, i) => {
      windowSpend[w.key] = withOrders ? (r[`w${i}`] ?? 0) : 0;
    });
    return outcomeCustomerOf(r, { windowSpend, largestOrder: r.largest ?? 0 });
  });
  return { processed: customers.length, outcomes: work.evaluate(customers) };
}
