/**
 * One batch of a recalculation run as one transaction: check the batch is still open, lock and
 * read the batch's customers with their order facts in ONE query, let the caller evaluate them
 * in memory, then write every outcome set-based (one statement per kind of write, never one
 * per customer) and mark the batch done. A crash anywhere rolls all of it back.
 */
import type { BatchCustomer, BatchResult, BatchWork, BatchWrites, RunBatch } from '../recalculation-port.js';
import { queueGoogleObjectChanges } from './google-wallet-repository.js';
import { entriesParam } from './ledger-repository.js';
import { queuePassChanges } from './outbox-repository.js';
import { selectRun } from './run-rows.js';
import type { SqlQuery } from './sql-driver.js';
import { jsonParam, one } from './sql-values.js';
import { emitWebhookEvents } from './webhook-emit.js';

/**
 * The run's customers in the batch's range ($2 < id ≤ $3, created before $4). At a boundary ($5)
 * a customer whose carry cycle already starts there was closed by another run: never twice.
 */
const RANGE = `c.program_id = $1 AND c.id > $2 AND c.id <= $3 AND c.created_at < $4
  AND ($5::timestamptz IS NULL OR c.carry_since < $5)`;

/** Only what the rules read: every column parsed costs, a million times over. */
const CUSTOMER_COLUMNS = `c.id, c.tags, c.segments, c.tier_id, c.tier_tags, c.tier_since, c.last_change_reason,
  c.bonused_tier_ids, c.last_earned_at, c.current, c.carry, c.lifetime_earned, c.lifetime_spend`;

interface CustomerRow {
  id: string;
  tags: string[];
  segments: string[];
  tier_id: string | null;
  tier_tags: string[];
  tier_since: Date;
  last_change_reason: BatchCustomer['lastChangeReason'];
  bonused_tier_ids: string[];
  last_earned_at: Date | null;
  current: number;
  carry: number;
  lifetime_earned: number;
  lifetime_spend: number;
}

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

type FactsRow = CustomerRow & { largest?: number } & Record<`w${number}`, number>;

/**
 * Ledger entries, new placements and tier changes of the customers that moved, in one statement.
 * An entry whose key exists was written before: ON CONFLICT skips it and it moves no balance.
 */
const WRITE_CHANGES_SQL = `
WITH e AS (
  SELECT * FROM jsonb_to_recordset($2::jsonb) AS e(
    i int, customer_id text, type text, key text, order_id text, base bigint, multiplier numeric, points bigint,
    d_current bigint, d_carry bigint, d_lifetime_earned bigint, d_lifetime_spend bigint,
    reason text, tier_id text, at timestamptz)
), ins AS (
  INSERT INTO ledger_entries (program_id, customer_id, type, key, order_id, base, multiplier, points,
    d_current, d_carry, d_lifetime_earned, d_lifetime_spend, reason, tier_id, at)
  SELECT $1, customer_id, type, key, order_id, base, multiplier, points,
    d_current, d_carry, d_lifetime_earned, d_lifetime_spend, reason, tier_id, at
  FROM e ORDER BY i
  ON CONFLICT (program_id, key) DO NOTHING
  RETURNING customer_id, d_current, d_carry, d_lifetime_earned, d_lifetime_spend, at
), moved AS (
  SELECT customer_id, sum(d_current) AS d_current, sum(d_carry) AS d_carry,
    sum(d_lifetime_earned) AS d_lifetime_earned, sum(d_lifetime_spend) AS d_lifetime_spend,
    max(at) FILTER (WHERE d_lifetime_earned > 0) AS earned_at, max(at) AS at
  FROM ins GROUP BY customer_id
), p AS (
  SELECT * FROM jsonb_to_recordset($3::jsonb) AS p(
    id text, tier_id text, tier_tags text[], tier_since timestamptz, reason text, bonused text[])
), changes AS (
  INSERT INTO tier_changes (program_id, customer_id, from_tier_id, to_tier_id, direction, reason, facts, at)
  SELECT $1, customer_id, from_tier_id, to_tier_id, direction, reason, facts, at
  FROM jsonb_to_recordset($4::jsonb) AS t(
    i int, customer_id text, from_tier_id text, to_tier_id text, direction text, reason text, facts jsonb,
    at timestamptz)
  ORDER BY i
)
UPDATE customers c SET
  tier_id = CASE WHEN u.placed THEN u.tier_id ELSE c.tier_id END,
  tier_tags = CASE WHEN u.placed THEN u.tier_tags ELSE c.tier_tags END,
  tier_since = CASE WHEN u.placed THEN u.tier_since ELSE c.tier_since END,
  last_change_reason = CASE WHEN u.placed THEN u.reason ELSE c.last_change_reason END,
  bonused_tier_ids = CASE WHEN u.placed THEN u.bonused ELSE c.bonused_tier_ids END,
  current = c.current + coalesce(u.d_current, 0),
  carry = c.carry + coalesce(u.d_carry, 0),
  lifetime_earned = c.lifetime_earned + coalesce(u.d_lifetime_earned, 0),
  lifetime_spend = c.lifetime_spend + coalesce(u.d_lifetime_spend, 0),
  last_earned_at = greatest(c.last_earned_at, u.earned_at),
  updated_at = greatest(c.updated_at, u.tier_since, u.at)
FROM (
  SELECT coalesce(p.id, m.customer_id) AS id, p.id IS NOT NULL AS placed, p.tier_id, p.tier_tags, p.tier_since,
    p.reason, p.bonused, m.d_current, m.d_carry, m.d_lifetime_earned, m.d_lifetime_spend, m.earned_at, m.at
  FROM p FULL JOIN moved m ON m.customer_id = p.id
) u
WHERE c.program_id = $1 AND c.id = u.id`;

/**
 * The carry reset of a cycle boundary for the whole range in one statement: carry to 0 and
 * carry_since = the boundary for every customer of the run, and one carry_reset entry (−carry)
 * per customer that had carry. `o` is the row as this statement found it (the batch holds the
 * row locks, so nothing else moved it); balances move by exactly the entries' deltas. Customers
 * already closed at this boundary are outside RANGE; should an entry for it exist anyway, the
 * unique key fails the statement and with it the batch: a double reset never goes unnoticed.
 */
const CARRY_RESET_SQL = `
WITH reset AS (
  UPDATE customers c SET carry = c.carry - o.carry,
    carry_since = greatest(c.carry_since, $5), updated_at = greatest(c.updated_at, $5)
  FROM customers o
  WHERE ${RANGE} AND o.program_id = $1 AND o.id > $2 AND o.id <= $3 AND o.id = c.id
  RETURNING c.id, o.carry, c.tier_id
)
INSERT INTO ledger_entries (program_id, customer_id, type, key, points,
  d_current, d_carry, d_lifetime_earned, d_lifetime_spend, reason, tier_id, at)
SELECT $1, id, 'carry_reset', $6 || id, -carry, 0, -carry, 0, 0, $7, tier_id, $5
FROM reset WHERE carry > 0
ORDER BY id`;

function placementsParam(writes: BatchWrites): string {
  return jsonParam(
    writes.placements.map(({ customerId, placement: p }) => ({
      id: customerId,
      tier_id: p.tierId,
      tier_tags: p.tierTags,
      tier_since: p.tierSince.toISOString(),
      reason: p.lastChangeReason,
      bonused: p.bonusedTierIds,
    })),
  );
}

function changesParam(writes: BatchWrites): string {
  return jsonParam(
    writes.changes.map((c, i) => ({
      i,
      customer_id: c.customerId,
      from_tier_id: c.fromTierId,
      to_tier_id: c.toTierId,
      direction: c.direction,
      reason: c.reason,
      facts: c.facts,
      at: c.at.toISOString(),
    })),
  );
}

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
  const range = [programId, batch.fromId, batch.toId, found.created_before, work.carryReset?.at ?? null];
  if (found.state === 'done') {
    return { skipped: true, processed: 0, run: await selectRun(q, programId, runId) };
  }

  const { windows, withOrders, asOf } = work.orders;
  const factsParams = withOrders ? [...range, asOf, windows.map((w) => w.from)] : range;
  const { rows } = await q.query<FactsRow>(factsSql(windows.length, withOrders), factsParams);
  const customers = rows.map(
    (r): BatchCustomer => ({
      id: r.id,
      tags: r.tags,
      segments: r.segments,
      tierId: r.tier_id,
      tierTags: r.tier_tags,
      tierSince: r.tier_since,
      lastChangeReason: r.last_change_reason,
      bonusedTierIds: r.bonused_tier_ids,
      lastEarnedAt: r.last_earned_at,
      balances: {
        current: r.current,
        carry: r.carry,
        lifetimeEarned: r.lifetime_earned,
        lifetimeSpend: r.lifetime_spend,
      },
      orders: {
        windowSpend: Object.fromEntries(windows.map((w, i) => [w.key, withOrders ? (r[`w${i}`] ?? 0) : 0])),
        largestOrder: r.largest ?? 0,
      },
    }),
  );
  const writes = work.evaluate(customers);
  if (writes.placements.length > 0 || writes.entries.length > 0 || writes.changes.length > 0) {
    await q.query(WRITE_CHANGES_SQL, [
      programId,
      entriesParam(writes.entries),
      placementsParam(writes),
      changesParam(writes),
    ]);
    const changed = new Set([...writes.placements, ...writes.entries].map((w) => w.customerId));
    await queuePassChanges(q, programId, [...changed]);
    await queueGoogleObjectChanges(q, programId, [...changed]);
  }
  if (work.carryReset) {
    const { keyPrefix, reason } = work.carryReset;
    await q.query(CARRY_RESET_SQL, [...range, keyPrefix, reason]);
  }
  // Last: the events carry the customers' balances after every write of the batch.
  await emitWebhookEvents(q, programId, writes.events);
  await work.beforeCommit?.(batch);
  // Only the batch row: batches of one run never wait for each other; the run's count is their sum.
  // With what the batch changed, summed per run by the runs listing (the rehearsal timeline).
  const moved = (direction: 'up' | 'down') => writes.changes.filter((c) => c.direction === direction).length;
  const warned = writes.events.filter((e) => e.type === 'tier.downgrade_warning').length;
  await q.query(
    `UPDATE recalc_batches SET state = 'done', done_at = now(), processed = $4, error = NULL,
       moved_up = $5, moved_down = $6, warned = $7
     WHERE program_id = $1 AND run_id = $2 AND seq = $3`,
    [programId, runId, batch.seq, customers.length, moved('up'), moved('down'), warned],
  );
  return { skipped: false, processed: customers.length, run: await selectRun(q, programId, runId) };
}
