import type { TierChangeReason } from '../../domain/types.js';
import type { AnalyticsRepository, CustomerFactsRow, EarningRow, MovementRow } from '../analytics-port.js';
import type { SqlQuery } from './sql-driver.js';

interface FactsRow {
  id: string;
  email: string | null;
  name: string | null;
  tags: string[];
  segments: string[];
  tier_id: string | null;
  tier_since: Date;
  last_change_reason: TierChangeReason | null;
  last_earned_at: Date | null;
  carry: number;
  lifetime_earned: number;
  lifetime_spend: number;
  largest: number;
  [window: `w${number}`]: number;
}

/**
 * One page of customers, then one GROUP BY over the orders of exactly that id range
 * (after, last id of the page]: a contiguous range of orders_customer_placed_idx, so a
 * page costs its own orders, never a scan of the program's. Each window is a FILTERed
 * sum over the same scan (window starts travel as one array).
 */
function factsSql(windows: number): string {
  const sums = Array.from(
    { length: windows },
    (_, i) =>
      `coalesce(sum(o.net) FILTER (WHERE o.placed_at > ($5::timestamptz[])[${i + 1}]), 0)::bigint AS w${i}`,
  );
  const spendColumns = Array.from({ length: windows }, (_, i) => `coalesce(s.w${i}, 0)::bigint AS w${i}`);
  // '' sorts before every id (ids are never empty), so the first page needs no special case.
  return `
WITH page AS (
  SELECT id, email, name, tags, segments, tier_id, tier_since, last_change_reason, last_earned_at, carry, lifetime_earned,
    lifetime_spend
  FROM customers
  WHERE program_id = $1 AND id > coalesce($2::text, '')
  ORDER BY id
  LIMIT $3
), spend AS (
  SELECT o.customer_id, ${[...sums, 'max(o.net) AS largest'].join(', ')}
  FROM (SELECT customer_id, amount - refunded_amount AS net, placed_at
        FROM orders
        WHERE program_id = $1 AND customer_id > coalesce($2::text, '')
          AND customer_id <= (SELECT max(id) FROM page) AND placed_at <= $4) o
  GROUP BY o.customer_id
)
SELECT p.*, ${[...spendColumns, 'coalesce(s.largest, 0)::bigint AS largest'].join(', ')}
FROM page p LEFT JOIN spend s ON s.customer_id = p.id
ORDER BY p.id`;
}

function toFacts(r: FactsRow, keys: string[]): CustomerFactsRow {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    tags: r.tags,
    segments: r.segments,
    tierId: r.tier_id,
    tierSince: r.tier_since,
    lastChangeReason: r.last_change_reason,
    lastEarnedAt: r.last_earned_at,
    carry: r.carry,
    lifetimeEarned: r.lifetime_earned,
    lifetimeSpend: r.lifetime_spend,
    windowSpend: Object.fromEntries(keys.map((k, i) => [k, r[`w${i}`] ?? 0])),
    largestOrder: r.largest,
  };
}

// The last change at or before $2 per customer (DISTINCT ON walks tier_changes_customer_at_idx),
// joined to the customers that existed then; customers without a change count as no tier.
const DISTRIBUTION_AT_SQL = `
WITH last AS (
  SELECT DISTINCT ON (customer_id) customer_id, to_tier_id
  FROM tier_changes
  WHERE program_id = $1 AND at <= $2
  ORDER BY customer_id, at DESC, id DESC
)
SELECT last.to_tier_id AS tier_id, count(*)::bigint AS customers
FROM customers c LEFT JOIN last ON last.customer_id = c.id
WHERE c.program_id = $1 AND c.created_at <= $2
GROUP BY last.to_tier_id`;

// Buckets are local calendar days or ISO weeks (Monday) of the program's zone.
const MOVEMENTS_SQL = `
SELECT to_char(date_trunc($5, at AT TIME ZONE $4), 'YYYY-MM-DD') AS bucket, direction, reason,
  (from_tier_id IS NULL) AS from_none, count(*)::bigint AS changes
FROM tier_changes
WHERE program_id = $1 AND at >= $2 AND at < $3
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4`;

const EARNINGS_SQL = `
SELECT to_char(date_trunc('month', at AT TIME ZONE $4), 'YYYY-MM') AS month, tier_id,
  coalesce(sum(points) FILTER (WHERE type = 'earn'), 0)::bigint AS awarded,
  coalesce(sum(base) FILTER (WHERE type = 'earn'), 0)::bigint AS base,
  coalesce(sum(points) FILTER (WHERE type = 'bonus'), 0)::bigint AS bonus,
  count(*) FILTER (WHERE type = 'bonus')::bigint AS bonuses
FROM ledger_entries
WHERE program_id = $1 AND at >= $2 AND at < $3 AND type IN ('earn', 'bonus')
GROUP BY 1, 2
ORDER BY 1, 2 NULLS FIRST`;

/** Analytics reads of one program; plain SELECTs, never inside a write transaction. */
export function analyticsRepository(q: SqlQuery, programId: string): AnalyticsRepository {
  return {
    async customerFacts(fq) {
      const keys = fq.windows.map((w) => w.key);
      // $5 exists only when a window uses it: a prepared statement refuses unused parameters.
      const starts = keys.length > 0 ? [fq.windows.map((w) => w.from)] : [];
      const params = [programId, fq.after, fq.limit, fq.asOf, ...starts];
      const { rows } = await q.query<FactsRow>(factsSql(keys.length), params);
      return rows.map((r) => toFacts(r, keys));
    },
    async distributionNow() {
      const { rows } = await q.query<{ tier_id: string | null; customers: number }>(
        `SELECT tier_id, count(*)::bigint AS customers FROM customers WHERE program_id = $1 GROUP BY tier_id`,
        [programId],
      );
      return rows.map((r) => ({ tierId: r.tier_id, customers: r.customers }));
    },
    async distributionAt(at) {
      const { rows } = await q.query<{ tier_id: string | null; customers: number }>(DISTRIBUTION_AT_SQL, [
        programId,
        at,
      ]);
      return rows.map((r) => ({ tierId: r.tier_id, customers: r.customers }));
    },
    async movements(mq) {
      const { rows } = await q.query<{
        bucket: string;
        direction: 'up' | 'down';
        reason: TierChangeReason;
        from_none: boolean;
        changes: number;
      }>(MOVEMENTS_SQL, [programId, mq.from, mq.to, mq.timeZone, mq.interval]);
      return rows.map(
        (r): MovementRow => ({
          bucket: r.bucket,
          direction: r.direction,
          reason: r.reason,
          fromNone: r.from_none,
          changes: r.changes,
        }),
      );
    },
    async earnings(eq) {
      const { rows } = await q.query<{
        month: string;
        tier_id: string | null;
        awarded: number;
        base: number;
        bonus: number;
        bonuses: number;
      }>(EARNINGS_SQL, [programId, eq.from, eq.to, eq.timeZone]);
      return rows.map(
        (r): EarningRow => ({
          month: r.month,
          tierId: r.tier_id,
          awarded: r.awarded,
          base: r.base,
          bonus: r.bonus,
          bonuses: r.bonuses,
        }),
      );
    },
    async tierNames() {
      const { rows } = await q.query<{
        id: string;
        title: string;
        rank: number | null;
        enabled: boolean;
        deleted: boolean;
      }>(
        `SELECT id, title, rank, enabled, deleted_at IS NOT NULL AS deleted FROM tiers
         WHERE program_id = $1 ORDER BY rank NULLS LAST, created_at, id`,
        [programId],
      );
      return rows;
    },
  };
}
