import type { Balances, LedgerEntryType } from '../../domain/types.js';
import type { LedgerEntry, NewLedgerEntry, ProgramTx } from '../port.js';
import { passChangesInsert } from './outbox-repository.js';
import type { SqlQuery } from './sql-driver.js';
import { jsonParam, one } from './sql-values.js';

interface LedgerRow {
  id: string;
  customer_id: string;
  type: LedgerEntryType;
  key: string;
  order_id: string | null;
  base: number | null;
  multiplier: string | null;
  points: number;
  d_current: number;
  d_carry: number;
  d_lifetime_earned: number;
  d_lifetime_spend: number;
  reason: string | null;
  tier_id: string | null;
  at: Date;
  created_at: Date;
}

interface BalanceRow {
  current: number;
  carry: number;
  lifetime_earned: number;
  lifetime_spend: number;
}

// id and multiplier as text: an id is an opaque cursor, a multiplier an exact decimal.
const COLUMNS = `id::text AS id, customer_id, type, key, order_id, base, multiplier::text AS multiplier, points,
  d_current, d_carry, d_lifetime_earned, d_lifetime_spend, reason, tier_id, at, created_at`;

function toEntry(r: LedgerRow): LedgerEntry {
  return {
    id: r.id,
    customerId: r.customer_id,
    type: r.type,
    key: r.key,
    orderId: r.order_id,
    base: r.base,
    multiplier: r.multiplier,
    points: r.points,
    delta: {
      current: r.d_current,
      carry: r.d_carry,
      lifetimeEarned: r.d_lifetime_earned,
      lifetimeSpend: r.d_lifetime_spend,
    },
    reason: r.reason,
    tierId: r.tier_id,
    at: r.at,
    createdAt: r.created_at,
  };
}

function toBalances(r: BalanceRow): Balances {
  return {
    current: r.current,
    carry: r.carry,
    lifetimeEarned: r.lifetime_earned,
    lifetimeSpend: r.lifetime_spend,
  };
}

/** Entries as one jsonb array, so any number of them is a single parameter of a single statement. */
function entriesParam(entries: NewLedgerEntry[]): string {
  return jsonParam(
    entries.map((e, i) => ({
      i,
      type: e.type,
      key: e.key,
      order_id: e.orderId,
      base: e.base,
      multiplier: e.multiplier,
      points: e.points,
      d_current: e.delta.current,
      d_carry: e.delta.carry,
      d_lifetime_earned: e.delta.lifetimeEarned,
      d_lifetime_spend: e.delta.lifetimeSpend,
      reason: e.reason,
      tier_id: e.tierId,
      at: e.at.toISOString(),
    })),
  );
}

/**
 * Writes the entries and moves the balances in ONE statement (one round trip on the order path).
 * It also derives two customer fields from the entries: `last_earned_at` = latest `at` of an
 * entry with positive lifetimeEarned delta, `carry_since` = latest `at` of a carry_reset entry.
 * A key that already exists fails the statement (unique violation) and writes nothing.
 */
const APPEND_SQL = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($3::jsonb) AS e(
    i int, type text, key text, order_id text, base bigint, multiplier numeric, points bigint,
    d_current bigint, d_carry bigint, d_lifetime_earned bigint, d_lifetime_spend bigint,
    reason text, tier_id text, at timestamptz)
), ins AS (
  INSERT INTO ledger_entries (program_id, customer_id, type, key, order_id, base, multiplier, points,
    d_current, d_carry, d_lifetime_earned, d_lifetime_spend, reason, tier_id, at)
  SELECT $1, $2, type, key, order_id, base, multiplier, points,
    d_current, d_carry, d_lifetime_earned, d_lifetime_spend, reason, tier_id, at
  FROM input ORDER BY i
  RETURNING type, d_current, d_carry, d_lifetime_earned, d_lifetime_spend, at
), total AS (
  SELECT coalesce(sum(d_current), 0)::bigint AS d_current,
    coalesce(sum(d_carry), 0)::bigint AS d_carry,
    coalesce(sum(d_lifetime_earned), 0)::bigint AS d_lifetime_earned,
    coalesce(sum(d_lifetime_spend), 0)::bigint AS d_lifetime_spend,
    max(at) FILTER (WHERE d_lifetime_earned > 0) AS earned_at,
    max(at) FILTER (WHERE type = 'carry_reset') AS reset_at,
    max(at) AS last_at
  FROM ins
)
UPDATE customers c SET
  current = c.current + total.d_current,
  carry = c.carry + total.d_carry,
  lifetime_earned = c.lifetime_earned + total.d_lifetime_earned,
  lifetime_spend = c.lifetime_spend + total.d_lifetime_spend,
  last_earned_at = greatest(c.last_earned_at, total.earned_at),
  carry_since = greatest(c.carry_since, total.reset_at),
  updated_at = greatest(c.updated_at, total.last_at)
FROM total
WHERE c.program_id = $1 AND c.id = $2
RETURNING c.current, c.carry, c.lifetime_earned, c.lifetime_spend`;

/**
 * APPEND_SQL that also queues the customer's pass updates (outbox, both kinds) in the same
 * statement, and returns how many outbox rows it wrote.
 */
const APPEND_AND_QUEUE_SQL = APPEND_SQL.replace(
  /\)\nUPDATE customers c SET/,
  `), queued AS (\n${passChangesInsert('ARRAY[$2::text]')}\n  RETURNING 1\n)\nUPDATE customers c SET`,
).replace(
  'RETURNING c.current, c.carry, c.lifetime_earned, c.lifetime_spend',
  'RETURNING c.current, c.carry, c.lifetime_earned, c.lifetime_spend, (SELECT count(*) FROM queued)::int AS queued',
);
if (!APPEND_AND_QUEUE_SQL.includes('queued AS') || !APPEND_AND_QUEUE_SQL.includes('AS queued')) {
  throw new Error('could not build the append-and-queue statement');
}

/**
 * An order insert (ON CONFLICT DO NOTHING) followed, only when it inserted, by APPEND_AND_QUEUE_SQL
 * — one statement for the order path. $1 program, $2 customer, $3 entries, $4… the order
 * (id, amount, placed_at, earned_at, points_awarded, request_hash, response). No row back on a
 * replay (the order existed): then nothing was written.
 */
const ORDER_AND_APPEND_SQL = (() => {
  const sql = APPEND_AND_QUEUE_SQL.replace(
    'WITH input AS (',
    `WITH new_order AS (
  INSERT INTO orders (program_id, id, customer_id, amount, placed_at, earned_at, points_awarded,
    request_hash, response)
  VALUES ($1, $4, $2, $5, $6, $7, $8, $9, $10::jsonb)
  ON CONFLICT (program_id, id) DO NOTHING
  RETURNING id
), input AS (`,
  )
    .replace(
      'reason text, tier_id text, at timestamptz)\n)',
      'reason text, tier_id text, at timestamptz)\n  WHERE EXISTS (SELECT 1 FROM new_order)\n)',
    )
    .replaceAll('ANY(ARRAY[$2::text])', 'ANY(ARRAY(SELECT $2::text FROM new_order))')
    .replace(
      'WHERE c.program_id = $1 AND c.id = $2\nRETURNING',
      'WHERE c.program_id = $1 AND c.id = $2 AND EXISTS (SELECT 1 FROM new_order)\nRETURNING',
    );
  const guards = sql.split('FROM new_order').length - 1;
  if (!sql.startsWith('\nWITH new_order AS') || guards !== 4) {
    throw new Error('could not build the order-and-append statement');
  }
  return sql;
})();

/** The order of `insertOrderAndAppend`. */
export interface OrderToInsert {
  id: string;
  customerId: string;
  amount: number;
  placedAt: Date;
  earnedAt: Date;
  pointsAwarded: number;
  requestHash: string;
  response: unknown;
}

/**
 * Insert `order` and, when it is new, append `entries` and queue its customer's pass updates
 * (ORDER_AND_APPEND_SQL). Returns whether it inserted and whether outbox rows were written.
 */
export async function insertOrderAndAppend(
  q: SqlQuery,
  programId: string,
  order: OrderToInsert,
  entries: NewLedgerEntry[],
): Promise<{ inserted: boolean; queued: boolean }> {
  const { rows } = await q.query<{ queued: number }>(ORDER_AND_APPEND_SQL, [
    programId,
    order.customerId,
    entriesParam(entries),
    order.id,
    order.amount,
    order.placedAt,
    order.earnedAt,
    order.pointsAwarded,
    order.requestHash,
    jsonParam(order.response),
  ]);
  const row = rows[0];
  return { inserted: row !== undefined, queued: (row?.queued ?? 0) > 0 };
}

/**
 * The ledger of one program; `append` only inside a transaction. `queued` is told when an append
 * wrote outbox rows (as `outboxTxRepository`'s is).
 */
export function ledgerRepository(q: SqlQuery, programId: string, queued?: () => void): ProgramTx['ledger'] {
  return {
    async list(customerId, opts) {
      if (!Number.isInteger(opts.limit) || opts.limit < 1)
        throw new RangeError('limit must be a positive integer');
      if (opts.cursor !== undefined && !/^\d{1,19}$/.test(opts.cursor))
        throw new RangeError('invalid cursor');
      // One extra row tells whether a next page exists without a count query.
      const { rows } = await q.query<LedgerRow>(
        `SELECT ${COLUMNS} FROM ledger_entries
         WHERE program_id = $1 AND customer_id = $2 AND ($3::bigint IS NULL OR id < $3::bigint)
         ORDER BY ledger_entries.id DESC LIMIT $4`,
        [programId, customerId, opts.cursor ?? null, opts.limit + 1],
      );
      const items = rows.slice(0, opts.limit).map(toEntry);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > opts.limit && last ? last.id : null };
    },
    async sum(customerId) {
      const { rows } = await q.query<BalanceRow>(
        `SELECT coalesce(sum(d_current), 0)::bigint AS current, coalesce(sum(d_carry), 0)::bigint AS carry,
           coalesce(sum(d_lifetime_earned), 0)::bigint AS lifetime_earned,
           coalesce(sum(d_lifetime_spend), 0)::bigint AS lifetime_spend
         FROM ledger_entries WHERE program_id = $1 AND customer_id = $2`,
        [programId, customerId],
      );
      return toBalances(one(rows, 'ledger sum'));
    },
    async append(customerId, entries, opts) {
      const sql = opts?.passChanged ? APPEND_AND_QUEUE_SQL : APPEND_SQL;
      const { rows } = await q.query<BalanceRow & { queued?: number }>(sql, [
        programId,
        customerId,
        entriesParam(entries),
      ]);
      const row = rows[0];
      if (row === undefined) throw new Error(`customer ${customerId} not found`);
      if ((row.queued ?? 0) > 0) queued?.();
      return toBalances(row);
    },
  };
}
