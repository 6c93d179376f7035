import type { OrderFacts, OutcomeCustomer } from '../../domain/customer-outcome.js';
import type { TierChangeReason } from '../../domain/types.js';
import type { CustomerRecord, ProgramTx } from '../port.js';
import { searchCustomers } from './customer-search.js';
import type { SqlQuery } from './sql-driver.js';
import { one } from './sql-values.js';
import type { TxTierVersion } from './tier-list-cache.js';

interface CustomerRow {
  id: string;
  email: string | null;
  name: string | null;
  tags: string[];
  segments: string[];
  tier_id: string | null;
  tier_tags: string[];
  current: number;
  carry: number;
  lifetime_earned: number;
  lifetime_spend: number;
  carry_since: Date;
  last_earned_at: Date | null;
  tier_since: Date;
  last_change_reason: TierChangeReason | null;
  bonused_tier_ids: string[];
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, email, name, tags, segments, tier_id, tier_tags, current, carry, lifetime_earned,
  lifetime_spend, carry_since, last_earned_at, tier_since, last_change_reason, bonused_tier_ids, created_at,
  updated_at`;

/** The columns the tier rules read of a customer (a recalculation batch, a backfill page). */
export type OutcomeCustomerRow = Pick<
  CustomerRow,
  | 'id'
  | 'email'
  | 'tags'
  | 'segments'
  | 'tier_id'
  | 'tier_tags'
  | 'tier_since'
  | 'last_change_reason'
  | 'bonused_tier_ids'
  | 'last_earned_at'
  | 'current'
  | 'carry'
  | 'lifetime_earned'
  | 'lifetime_spend'
>;

/**
 * A customer row and its order facts as the tier rules read them (domain/customer-outcome.ts).
 * One literal: a recalculation batch builds a million of these (no copy of a copy).
 */
export function outcomeCustomerOf(
  r: OutcomeCustomerRow,
  orders: OrderFacts,
): OutcomeCustomer & { orders: OrderFacts } {
  return {
    id: r.id,
    email: r.email,
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
    orders,
  };
}

function toCustomer(r: CustomerRow): CustomerRecord {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    tags: r.tags,
    segments: r.segments,
    tierId: r.tier_id,
    tierTags: r.tier_tags,
    balances: {
      current: r.current,
      carry: r.carry,
      lifetimeEarned: r.lifetime_earned,
      lifetimeSpend: r.lifetime_spend,
    },
    carrySince: r.carry_since,
    lastEarnedAt: r.last_earned_at,
    tierSince: r.tier_since,
    lastChangeReason: r.last_change_reason,
    bonusedTierIds: r.bonused_tier_ids,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** A customer locked ahead of its unit of work, with the tier list version read with it. */
export interface Prelocked {
  customer: CustomerRecord;
  tiersVersion: number;
}

/**
 * Lock the customers `ids` of one program until commit, in id order (so two transactions locking
 * overlapping sets never deadlock), in one statement. Missing ids are absent from the map.
 */
export async function lockCustomers(
  q: SqlQuery,
  programId: string,
  ids: readonly string[],
): Promise<Map<string, Prelocked>> {
  const { rows } = await q.query<CustomerRow & { tiers_version: number }>(
    `SELECT ${COLUMNS}, (SELECT tiers_version FROM programs WHERE id = $1) AS tiers_version
     FROM customers WHERE program_id = $1 AND id = ANY($2::text[]) ORDER BY id FOR UPDATE`,
    [programId, ids],
  );
  return new Map(rows.map((r) => [r.id, { customer: toCustomer(r), tiersVersion: r.tiers_version }]));
}

/**
 * Customers of one program; `lock` only inside a transaction. `prelocked`: customers this
 * transaction already locked (`lockCustomers`); the first `lock` of each answers from it.
 */
export function customerRepository(
  q: SqlQuery,
  programId: string,
  seen?: TxTierVersion,
  prelocked?: Map<string, Prelocked>,
): ProgramTx['customers'] {
  return {
    async get(id) {
      const { rows } = await q.query<CustomerRow>(
        `SELECT ${COLUMNS} FROM customers WHERE program_id = $1 AND id = $2`,
        [programId, id],
      );
      return rows[0] === undefined ? null : toCustomer(rows[0]);
    },
    async getMany(ids) {
      if (ids.length === 0) return [];
      const { rows } = await q.query<CustomerRow>(
        `SELECT ${COLUMNS} FROM customers WHERE program_id = $1 AND id = ANY($2::text[])`,
        [programId, ids],
      );
      return rows.map(toCustomer);
    },
    async lock(id) {
      // Served once: after this unit writes the customer, the row read with the lock is stale.
      // Else the same statement as a group's, for one id. The program's tier list version comes
      // along: `tiers.list()` can then answer from the tier list cache (tier-list-cache.ts).
      const held = prelocked?.get(id) ?? (await lockCustomers(q, programId, [id])).get(id);
      prelocked?.delete(id);
      if (held === undefined) return null;
      if (seen) seen.seen = held.tiersVersion;
      return held.customer;
    },
    async upsert(id, patch, now) {
      // Absent patch fields keep their value: each comes with a "was given" flag ($8…$11). $12, the
      // source's time of the fields: a stored later one keeps email, name and tags (not segments).
      // `stale` reads the row as written: a fresh write leaves source_updated_at = $12 (it was null
      // or not later), an insert sets it to $12, a stale one keeps the later time; so "later than
      // $12 after the write" is exactly "the fields were kept".
      const fresh = '($12::timestamptz IS NULL OR c.source_updated_at IS NULL OR c.source_updated_at <= $12)';
      const { rows } = await q.query<CustomerRow & { created: boolean; stale: boolean }>(
        `INSERT INTO customers AS c (program_id, id, email, name, tags, segments, carry_since, tier_since, created_at,
           updated_at, source_updated_at)
         VALUES ($1, $2, $3, $4, coalesce($5::text[], '{}'), coalesce($6::text[], '{}'), $7, $7, $7, $7, $12)
         ON CONFLICT (program_id, id) DO UPDATE SET
           email = CASE WHEN $8 AND ${fresh} THEN EXCLUDED.email ELSE c.email END,
           name = CASE WHEN $9 AND ${fresh} THEN EXCLUDED.name ELSE c.name END,
           tags = CASE WHEN $10 AND ${fresh} THEN EXCLUDED.tags ELSE c.tags END,
           segments = CASE WHEN $11 THEN EXCLUDED.segments ELSE c.segments END,
           updated_at = CASE WHEN (($8 OR $9 OR $10) AND ${fresh}) OR $11 THEN $7 ELSE c.updated_at END,
           source_updated_at = CASE WHEN ${fresh} THEN coalesce($12, c.source_updated_at)
             ELSE c.source_updated_at END
         RETURNING ${COLUMNS}, (xmax = 0) AS created,
           ($12::timestamptz IS NOT NULL AND c.source_updated_at > $12) AS stale`,
        [
          programId,
          id,
          patch.email ?? null,
          patch.name ?? null,
          patch.tags ?? null,
          patch.segments ?? null,
          now,
          patch.email !== undefined,
          patch.name !== undefined,
          patch.tags !== undefined,
          patch.segments !== undefined,
          patch.sourceUpdatedAt ?? null,
        ],
      );
      const row = one(rows, 'customer');
      return { record: toCustomer(row), created: row.created, stale: row.stale };
    },
    search(query) {
      return searchCustomers<CustomerRow>(q, programId, query, COLUMNS, toCustomer);
    },
  };
}
