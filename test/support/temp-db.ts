/** A database of its own for a test that must not see other test files' programs (e.g. a scheduler walking all of them). */
import pg from 'pg';
import { testDatabaseUrl } from './db.js';

export async function createTempDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = new URL(testDatabaseUrl());
  const name = `tierpass_tmp_${Date.now()}_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  // Identifiers cannot be parameters; the name is built from digits only.
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base.toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
