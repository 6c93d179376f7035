import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { OID, parseSafeNumber, type SqlDriver, type SqlQuery, type SqlResult } from './sql-driver.js';

type PgliteRunner = Pick<Transaction, 'query' | 'exec'>;

function on(runner: PgliteRunner): SqlQuery {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
      const res = await runner.query<R>(sql, [...params]);
      return { rows: res.rows, rowCount: res.rowCount ?? res.affectedRows ?? res.rows.length };
    },
    async exec(sql: string): Promise<void> {
      await runner.exec(sql);
    },
  };
}

/**
 * PGlite's own start parameters (passing startParams replaces them) plus a smaller buffer pool.
 * PostgreSQL's default shared_buffers (128 MB) is allocated and touched inside the WebAssembly
 * heap at start, and that heap never shrinks; 16 MB keeps the embedded default's idle memory
 * ~130 MB lower (docs/decisions/0022). Pages outside the pool are still read from the operating
 * system's file cache.
 */
export const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

/** Runs in the child: create the cluster in argv[2] with PGlite (CommonJS build at argv[1]), close. */
const INITDB_CHILD = `require(process.argv[1]).PGlite.create(process.argv[2])
  .then((db) => db.close())
  .catch((err) => { console.error(err); process.exit(1); });`;

/**
 * Create a new cluster in `dataDir` in a short-lived child process. Run in this process, initdb
 * leaves two extra WebAssembly instances' memory behind (resident ~860 MB against ~340 MB after a
 * plain reopen, measured; even a forced GC does not return it to the system).
 */
async function initdbInChild(dataDir: string): Promise<void> {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', INITDB_CHILD, entry, dataDir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`initdb in ${dataDir} failed (${signal ?? code}): ${stderr.trim()}`));
    });
  });
}

/**
 * SqlDriver over an in-process PGlite (`dataDir` a directory, or `memory://`).
 * PGlite has a single connection: statements and transactions run one at a time, so a
 * transaction must not await a query made outside it (it would wait for itself).
 */
export async function createPgliteDriver(dataDir: string): Promise<SqlDriver> {
  if (!dataDir.startsWith('memory://') && !existsSync(join(dataDir, 'PG_VERSION'))) {
    await initdbInChild(dataDir);
  }
  const db = await PGlite.create(dataDir, {
    parsers: { [OID.int8]: parseSafeNumber, [OID.numeric]: parseSafeNumber },
    startParams: PGLITE_START_PARAMS,
  });
  return {
    ...on(db),
    // PGlite's transaction() issues BEGIN/COMMIT, rolls back on throw, and queues behind other work.
    transaction: <T>(fn: (q: SqlQuery) => Promise<T>): Promise<T> => db.transaction((tx) => fn(on(tx))),
    close: () => db.close(),
  };
}
