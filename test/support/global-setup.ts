import pg from 'pg';
// Plain JavaScript, imported as is (jest loads this file without the moduleNameMapper).
import { buildConsole, consoleBuildNeeded } from '../../scripts/build.js';

/** What global-teardown needs to drop the database again (jest runs both in the same context). */
interface TestDatabase {
  /** URL of the server's maintenance database used to create and drop. */
  adminUrl: string;
  /** Name of the per-run database. */
  name: string;
}

// Read back by global-teardown.ts (same process and globals).
const testDbHolder = globalThis as typeof globalThis & { tierpassTestDatabase?: TestDatabase };

/**
 * Jest globalSetup: the console built when its build is stale (the browser suites drive the real
 * build; skipped before console/ exists), and one fresh database per run; test files share it and
 * create their own programs.
 */
export default async function globalSetup(): Promise<void> {
  if (consoleBuildNeeded()) {
    const started = Date.now();
    buildConsole();
    console.log(
      `\nbuilt console/dist for the browser tests in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `tierpass_test_${Date.now()}_${process.pid}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    // Identifiers cannot be parameters; the name is built from digits only.
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  process.env.TIERPASS_TEST_DATABASE_URL = url.toString();
  testDbHolder.tierpassTestDatabase = { adminUrl, name };
}
