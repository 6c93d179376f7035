import pg from 'pg';

// Jest loads this file without the moduleNameMapper, so it cannot import global-setup.ts: same shape, inlined.
const holder = globalThis as typeof globalThis & {
  tierpassTestDatabase?: { adminUrl: string; name: string };
};

/** Jest globalTeardown: drop the per-run database, disconnecting anything left behind. */
export default async function globalTeardown(): Promise<void> {
  const db = holder.tierpassTestDatabase;
  if (!db) return;
  const client = new pg.Client({ connectionString: db.adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${db.name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
  holder.tierpassTestDatabase = undefined;
}
