/**
 * Customer search (docs/decisions/0030): prefix of id, email or name, case-insensitive, with a
 * tier filter, in keyset pages. One fixed statement per order; absent filters are NULL
 * parameters, which PostgreSQL folds away when it plans the statement with its values (each
 * unnamed statement gets a custom plan), so each query still uses the index that fits it:
 * the three `lower(col) text_pattern_ops` indexes for a prefix, (program, tier, id) for a tier,
 * the primary key or (program, created_at DESC, id DESC) for a plain list (migration 026).
 */
import type { CustomerSearchPage, CustomerSearchQuery } from '../port.js';
import type { SqlQuery } from './sql-driver.js';

/** The filters shared by both orders: $1 program, $2 LIKE pattern, $3 tier id, $4 "no tier". */
const FILTERS = `program_id = $1
  AND ($2::text IS NULL OR lower(id) LIKE $2 OR lower(email) LIKE $2 OR lower(name) LIKE $2)
  AND ($3::text IS NULL OR tier_id = $3)
  AND ($4::boolean IS NOT TRUE OR tier_id IS NULL)`;

function byIdSql(columns: string): string {
  return `SELECT ${columns} FROM customers
    WHERE ${FILTERS} AND ($5::text IS NULL OR id > $5)
    ORDER BY id LIMIT $6`;
}

/** Newest first; the key is created_at in whole microseconds (exact, unlike a JS Date) and the id. */
function newestSql(columns: string): string {
  return `SELECT ${columns}, (extract(epoch FROM created_at) * 1000000)::bigint::text AS created_us
    FROM customers
    WHERE ${FILTERS}
      AND ($5::text IS NULL
        OR (created_at, id) < (timestamptz 'epoch' + $7::bigint * interval '1 microsecond', $5))
    ORDER BY created_at DESC, id DESC LIMIT $6`;
}

/** `ab_c%` as typed → `ab\_c\%%`: LIKE wildcards in the prefix match themselves only. */
export function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Run a search; `columns` and `toRecord` are the customer repository's row mapping. */
export async function searchCustomers<Row extends { id: string }>(
  q: SqlQuery,
  programId: string,
  query: CustomerSearchQuery,
  columns: string,
  toRecord: (row: Row) => CustomerSearchPage['items'][number],
): Promise<CustomerSearchPage> {
  const pattern = query.prefix ? prefixPattern(query.prefix) : null;
  const tierId = query.tierId === undefined || query.tierId === null ? null : query.tierId;
  const noTier = query.tierId === null;
  const newest = query.sort === 'newest';
  const [first, second] = query.after ?? [];
  // id order: after = [id]; newest: after = [created microseconds, id].
  const afterId = newest ? (second ?? null) : (first ?? null);
  const afterUs = newest ? (first ?? null) : null;
  const params: unknown[] = [programId, pattern, tierId, noTier, afterId, query.limit + 1];
  if (newest) params.push(afterUs);
  const { rows } = await q.query<Row & { created_us?: string }>(
    newest ? newestSql(columns) : byIdSql(columns),
    params,
  );
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const more = rows.length > query.limit && last !== undefined;
  return {
    items: page.map(toRecord),
    nextKey: more ? (newest ? [String(last.created_us), last.id] : [last.id]) : null,
  };
}
