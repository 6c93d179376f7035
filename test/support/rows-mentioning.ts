import type pg from 'pg';

/**
 * Rows of every table of `client`'s database whose text mentions `needle` (any column, any JSON
 * depth, case-insensitive), by table: what an erasure must leave empty.
 */
export async function rowsMentioning(client: pg.Client, needle: string): Promise<Record<string, number>> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const found: Record<string, number> = {};
  for (const { name } of rows) {
    const r = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${client.escapeIdentifier(name)} t WHERE strpos(lower(t::text), lower($1)) > 0`,
      [needle],
    );
    if ((r.rows[0]?.n ?? 0) > 0) found[name] = r.rows[0]?.n ?? 0;
  }
  return found;
}
