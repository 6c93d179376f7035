import type { Balances, LedgerEntryType } from '../../domain/types.js';
import type { LedgerEntry, ProgramTx } from '../port.js';
import type { SqlQuery } from './sql-driver.js';
import { one } from './sql-values.js';

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

/** The ledger of one program (entries are written by `outcomes`, outcome-writes.ts). */
export function ledgerRepository(q: SqlQuery, programId: string): ProgramTx['ledger'] {
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
  };
}
