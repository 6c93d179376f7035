/**
 * A backfill page of Shopify customers in one transaction (shopify-customer-batch-port.ts): the
 * existing customers locked in one statement, every customer's fields written in one multi-row
 * upsert (the single-customer upsert's semantics with all three fields given), their order facts
 * read in one statement when the tiers need them, and the decided outcomes stored in one
 * statement (outcome-writes.ts, the one every path uses).
 */
import type { OrderFacts } from '../../domain/customer-outcome.js';
import type { TierRepository } from '../port.js';
import type { PageCustomer, ShopifyCustomerBatchRepository } from '../shopify-customer-batch-port.js';
import { lockCustomers, type OutcomeCustomerRow, outcomeCustomerOf } from './customer-repository.js';
import { type StoreResult, storeOutcomes } from './outcome-writes.js';
import { textArray } from './sql-arrays.js';
import type { SqlQuery } from './sql-driver.js';

/** Runs `fn` in one transaction of the program; `told` hears what its outcome writes queued. */
export type PageTransaction = <T>(
  fn: (q: SqlQuery, tiers: TierRepository, told: (done: StoreResult) => void) => Promise<T>,
) => Promise<T>;

/**
 * `customers.upsert` for many ($2 ids, $3 emails, $4 names, $5 each customer's tags as a JSON
 * list, $6 now, $7 each one's source time or NULL), in id order: the same columns set and left,
 * a stored later source time keeping the fields as there, `created` from xmax as there.
 */
const FRESH = `(EXCLUDED.source_updated_at IS NULL OR c.source_updated_at IS NULL
    OR c.source_updated_at <= EXCLUDED.source_updated_at)`;
const UPSERT_SQL = `INSERT INTO customers AS c (program_id, id, email, name, tags, segments, carry_since,
    tier_since, created_at, updated_at, source_updated_at)
  SELECT $1, x.id, x.email, x.name, ARRAY(SELECT jsonb_array_elements_text(x.tags::jsonb)), '{}', $6, $6, $6, $6,
    x.source
  FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $7::timestamptz[])
    WITH ORDINALITY AS x(id, email, name, tags, source, n)
  ORDER BY x.n
  ON CONFLICT (program_id, id) DO UPDATE SET
    email = CASE WHEN ${FRESH} THEN EXCLUDED.email ELSE c.email END,
    name = CASE WHEN ${FRESH} THEN EXCLUDED.name ELSE c.name END,
    tags = CASE WHEN ${FRESH} THEN EXCLUDED.tags ELSE c.tags END,
    updated_at = CASE WHEN ${FRESH} THEN EXCLUDED.updated_at
      ELSE c.updated_at END,
    source_updated_at = CASE WHEN ${FRESH}
      THEN coalesce(EXCLUDED.source_updated_at, c.source_updated_at) ELSE c.source_updated_at END
  RETURNING c.id, c.email, c.tags, c.segments, c.tier_id, c.tier_tags, c.tier_since, c.last_change_reason,
    c.bonused_tier_ids, c.last_earned_at, c.current, c.carry, c.lifetime_earned, c.lifetime_spend,
    (xmax = 0) AS created`;

interface WrittenRow extends OutcomeCustomerRow {
  created: boolean;
}

/** `orders.summary` for many customers: net spend per window ($4), largest order, at $3. */
function factsSql(windows: number): string {
  const sums = Array.from(
    { length: windows },
    (_, i) =>
      `, coalesce(sum(net) FILTER (WHERE placed_at > ($4::timestamptz[])[${i + 1}]), 0)::bigint AS w${i}`,
  ).join('');
  return `SELECT customer_id, coalesce(max(net), 0)::bigint AS largest${sums}
    FROM (SELECT customer_id, amount - refunded_amount AS net, placed_at FROM orders
          WHERE program_id = $1 AND customer_id = ANY($2::text[]) AND placed_at <= $3) o
    GROUP BY customer_id`;
}

export function shopifyCustomerBatchRepository(
  programId: string,
  inTransaction: PageTransaction,
): ShopifyCustomerBatchRepository {
  return {
    async writePage(customers, now, plan) {
      if (customers.length === 0) return { created: 0, updated: 0 };
      const page = [...customers].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const ids = page.map((c) => c.id);
      if (new Set(ids).size !== ids.length) throw new Error('a customer page holds an id twice');
      return inTransaction(async (q, tierRepo, told) => {
        // Id order, as every lock of several customers: no cycle of waits with a group commit.
        const before = await lockCustomers(q, programId, ids);
        const { rows } = await q.query<WrittenRow>(UPSERT_SQL, [
          programId,
          textArray(ids),
          textArray(page.map((c) => c.email)),
          textArray(page.map((c) => c.name)),
          textArray(page.map((c) => JSON.stringify(c.tags))),
          now,
          textArray(page.map((c) => c.sourceUpdatedAt?.toISOString() ?? null)),
        ]);
        const { orders, evaluate } = plan(await tierRepo.list());
        const facts = new Map<string, OrderFacts>();
        if (orders !== null) {
          const { windows, asOf } = orders;
          const { rows: sums } = await q.query<Record<string, number> & { customer_id: string }>(
            factsSql(windows.length),
            // Without windows $4 would be unused, and PostgreSQL refuses a parameter it cannot type.
            windows.length > 0
              ? [programId, textArray(ids), asOf, textArray(windows.map((w) => w.from.toISOString()))]
              : [programId, textArray(ids), asOf],
          );
          for (const s of sums) {
            facts.set(s.customer_id, {
              windowSpend: Object.fromEntries(windows.map((w, i) => [w.key, s[`w${i}`] ?? 0])),
              largestOrder: s.largest ?? 0,
            });
          }
        }
        const zero: OrderFacts = {
          windowSpend: Object.fromEntries((orders?.windows ?? []).map((w) => [w.key, 0])),
          largestOrder: 0,
        };
        const written = rows.map((r): PageCustomer => {
          const was = before.get(r.id)?.customer;
          return {
            ...outcomeCustomerOf(r, facts.get(r.id) ?? zero),
            before: was ? { tags: was.tags, tierTags: was.tierTags } : null,
          };
        });
        written.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        told(await storeOutcomes(q, programId, evaluate(written)));
        const created = rows.filter((r) => r.created).length;
        return { created, updated: rows.length - created };
      });
    },
  };
}
