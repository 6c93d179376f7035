/** A digest of every row of every table of a database: equal digests, no write in between. */
import pg from 'pg';

export interface DbDigest {
  /** Table name → md5 of its rows (as text, in a stable order) and their count. */
  tables: Record<string, string>;
}

/**
 * Tables that change on reads are left out by name (none so far; e.g. rate-limit counters or
 * a request log would be).
 */
export async function digestDatabase(url: string, exclude: readonly string[] = []): Promise<DbDigest> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
        ORDER BY 1, 2`,
    );
    const tables: Record<string, string> = {};
    for (const { schema, name } of rows) {
      const qualified = `${schema}.${name}`;
      if (exclude.includes(name) || exclude.includes(qualified)) continue;
      // Identifiers come from the catalog; quote them as identifiers.
      const ident = `${client.escapeIdentifier(schema)}.${client.escapeIdentifier(name)}`;
      const r = await client.query<{ h: string; n: string }>(
        `SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS h, count(*) AS n
           FROM ${ident} t`,
      );
      tables[qualified] = `${r.rows[0]?.n}:${r.rows[0]?.h}`;
    }
    return { tables };
  } finally {
    await client.end();
  }
}

/** Names of the tables whose digest differs (added, removed or changed). */
export function changedTables(before: DbDigest, after: DbDigest): string[] {
  const names = new Set([...Object.keys(before.tables), ...Object.keys(after.tables)]);
  return [...names].filter((n) => before.tables[n] !== after.tables[n]).sort();
}
