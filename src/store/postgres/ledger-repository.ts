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

/** An entry with what a multi-customer statement needs to place it. */
export interface EntryRow {
  entry: NewLedgerEntry;
  /** The customer, for statements that write several customers' entries. */
  customerId?: string;
  /** The index of the order it belongs to (ORDERS_AND_APPEND_SQL). */
  u?: number;
}

/** Entries as one jsonb array, so any number of them is a single parameter of a single statement. */
export function entriesParam(rows: readonly (NewLedgerEntry | EntryRow)[]): string {
  return jsonParam(
    rows.map((row, i) => {
      const {
        entry: e,
        customerId,
        u,
      } = 'entry' in row ? row : { entry: row, customerId: undefined, u: undefined };
      return {
        i,
        u,
        customer_id: customerId,
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
      };
    }),
  );
}

/** Sums of inserted entries (`ins`): the balance deltas and the dates the customer row keeps. */
const ENTRY_TOTALS = `coalesce(sum(d_current), 0)::bigint AS d_current,
    coalesce(sum(d_carry), 0)::bigint AS d_carry,
    coalesce(sum(d_lifetime_earned), 0)::bigint AS d_lifetime_earned,
    coalesce(sum(d_lifetime_spend), 0)::bigint AS d_lifetime_spend,
    max(at) FILTER (WHERE d_lifetime_earned > 0) AS earned_at,
    max(at) FILTER (WHERE type = 'carry_reset') AS reset_at,
    max(at) AS last_at`;

/** Customer `c` moved by the totals row `t` (ENTRY_TOTALS). */
const MOVE_BALANCES = `current = c.current + t.d_current,
    carry = c.carry + t.d_carry,
    lifetime_earned = c.lifetime_earned + t.d_lifetime_earned,
    lifetime_spend = c.lifetime_spend + t.d_lifetime_spend,
    last_earned_at = greatest(c.last_earned_at, t.earned_at),
    carry_since = greatest(c.carry_since, t.reset_at),
    updated_at = greatest(c.updated_at, t.last_at)`;

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
  SELECT ${ENTRY_TOTALS} FROM ins
)
UPDATE customers c SET ${MOVE_BALANCES}
FROM total t
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
 * Orders (ON CONFLICT DO NOTHING) and, for each one that is new, its entries, its customer's
 * balances and the customer's pass updates (Apple and Google outbox): one statement for any number
 * of orders of distinct customers (the order path's one write, for one order or a group).
 * $1 program, $2 the orders (u = index), $3 the entries (u = index of their order). Returns the
 * index of every order it inserted; a replayed order (the id existed) wrote nothing.
 */
const ORDERS_AND_APPEND_SQL = `
WITH order_input AS (
  SELECT * FROM jsonb_to_recordset($2::jsonb) AS o(
    u int, id text, customer_id text, amount bigint, placed_at timestamptz, earned_at timestamptz,
    points_awarded bigint, request_hash text, response jsonb)
), new_order AS (
  INSERT INTO orders (program_id, id, customer_id, amount, placed_at, earned_at, points_awarded,
    request_hash, response)
  SELECT $1, id, customer_id, amount, placed_at, earned_at, points_awarded, request_hash, response
  FROM order_input ORDER BY u
  ON CONFLICT (program_id, id) DO NOTHING
  RETURNING id, customer_id
), new_unit AS (
  SELECT o.u, o.customer_id FROM order_input o
  JOIN new_order n ON n.id = o.id AND n.customer_id = o.customer_id
), ins AS (
  INSERT INTO ledger_entries (program_id, customer_id, type, key, order_id, base, multiplier, points,
    d_current, d_carry, d_lifetime_earned, d_lifetime_spend, reason, tier_id, at)
  SELECT $1, n.customer_id, e.type, e.key, e.order_id, e.base, e.multiplier, e.points,
    e.d_current, e.d_carry, e.d_lifetime_earned, e.d_lifetime_spend, e.reason, e.tier_id, e.at
  FROM jsonb_to_recordset($3::jsonb) AS e(
    u int, i int, type text, key text, order_id text, base bigint, multiplier numeric, points bigint,
    d_current bigint, d_carry bigint, d_lifetime_earned bigint, d_lifetime_spend bigint,
    reason text, tier_id text, at timestamptz)
  JOIN new_unit n ON n.u = e.u
  ORDER BY e.u, e.i
  RETURNING customer_id, type, d_current, d_carry, d_lifetime_earned, d_lifetime_spend, at
), total AS (
  SELECT customer_id, ${ENTRY_TOTALS} FROM ins GROUP BY customer_id
), queued AS (
${passChangesInsert('ARRAY(SELECT customer_id FROM new_unit)')}
  RETURNING 1
), moved AS (
  UPDATE customers c SET ${MOVE_BALANCES}
  FROM total t
  WHERE c.program_id = $1 AND c.id = t.customer_id
  RETURNING c.id
)
SELECT u, (SELECT count(*) FROM queued)::int AS queued, (SELECT count(*) FROM moved)::int AS moved,
  (SELECT count(*) FROM total)::int AS totals
FROM new_unit ORDER BY u`;

/** One order of `insertOrdersAndAppend`, with the entries to append when it is new. */
export interface OrderToInsert {
  id: string;
  customerId: string;
  amount: number;
  placedAt: Date;
  earnedAt: Date;
  pointsAwarded: number;
  requestHash: string;
  response: unknown;
  entries: NewLedgerEntry[];
}

/**
 * Insert `orders` (of distinct customers) and, for each one that is new, append its entries and
 * queue its customer's pass updates, in one statement (ORDERS_AND_APPEND_SQL). Returns per order
 * whether it inserted, and whether any outbox row was written.
 */
export async function insertOrdersAndAppend(
  q: SqlQuery,
  programId: string,
  orders: readonly OrderToInsert[],
): Promise<{ inserted: boolean[]; queued: boolean }> {
  const { rows } = await q.query<{ u: number; queued: number; moved: number; totals: number }>(
    ORDERS_AND_APPEND_SQL,
    [
      programId,
      jsonParam(
        orders.map((o, u) => ({
          u,
          id: o.id,
          customer_id: o.customerId,
          amount: o.amount,
          placed_at: o.placedAt.toISOString(),
          earned_at: o.earnedAt.toISOString(),
          points_awarded: o.pointsAwarded,
          request_hash: o.requestHash,
          response: o.response,
        })),
      ),
      entriesParam(orders.flatMap((o, u) => o.entries.map((entry) => ({ entry, u })))),
    ],
  );
  const first = rows[0];
  // Every customer with new entries is in the program (their rows are locked by the caller).
  if (first !== undefined && first.moved !== first.totals) throw new Error('customer of an order not found');
  const inserted = orders.map(() => false);
  for (const r of rows) inserted[r.u] = true;
  return { inserted, queued: (first?.queued ?? 0) > 0 };
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
    async ofOrder(orderId, refundIds) {
      // By their unique keys. The bonus an order triggered is appended right after its earn entry,
      // in the same transaction at the same program time: the customer's next entry, when it is a
      // bonus with the earn entry's `at` and `created_at` (the transaction's start).
      const keys = [`order:${orderId}`, ...refundIds.map((id) => `refund:${id}`)];
      const { rows } = await q.query<LedgerRow>(
        `WITH earn AS (
           SELECT customer_id, id, at, created_at FROM ledger_entries WHERE program_id = $1 AND key = $2
         ), following AS (
           SELECT e.id FROM ledger_entries e, earn
           WHERE e.program_id = $1 AND e.customer_id = earn.customer_id AND e.id > earn.id
             AND e.at = earn.at AND e.created_at = earn.created_at
           ORDER BY e.id LIMIT 1
         )
         SELECT ${COLUMNS} FROM ledger_entries
         WHERE program_id = $1
           AND (key = ANY($3::text[]) OR (type = 'bonus' AND id = (SELECT id FROM following)))
         ORDER BY ledger_entries.id`,
        [programId, keys[0], keys],
      );
      return rows.map(toEntry);
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
