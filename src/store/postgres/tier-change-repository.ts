import type { ProgramTx, TierChangeRecord } from '../port.js';
import type { SqlQuery } from './sql-driver.js';

interface TierChangeRow {
  id: string;
  customer_id: string;
  from_tier_id: string | null;
  to_tier_id: string | null;
  direction: 'up' | 'down';
  reason: TierChangeRecord['reason'];
  facts: unknown;
  at: Date;
  created_at: Date;
}

function toChange(r: TierChangeRow): TierChangeRecord {
  return {
    id: r.id,
    customerId: r.customer_id,
    fromTierId: r.from_tier_id,
    toTierId: r.to_tier_id,
    direction: r.direction,
    reason: r.reason,
    facts: r.facts,
    at: r.at,
    createdAt: r.created_at,
  };
}

/** Tier change history of one program. */
export function tierChangeRepository(q: SqlQuery, programId: string): ProgramTx['tierChanges'] {
  return {
    async list(customerId, opts) {
      if (opts.cursor !== undefined && !/^\d{1,19}$/.test(opts.cursor))
        throw new RangeError('invalid cursor');
      const { rows } = await q.query<TierChangeRow>(
        `SELECT id::text AS id, customer_id, from_tier_id, to_tier_id, direction, reason, facts, at, created_at
         FROM tier_changes
         WHERE program_id = $1 AND customer_id = $2 AND ($3::bigint IS NULL OR id < $3::bigint)
         ORDER BY tier_changes.id DESC LIMIT $4`,
        [programId, customerId, opts.cursor ?? null, opts.limit + 1],
      );
      const items = rows.slice(0, opts.limit).map(toChange);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > opts.limit && last ? last.id : null };
    },
  };
}
