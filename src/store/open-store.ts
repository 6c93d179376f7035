import { mkdir } from 'node:fs/promises';
import { lockDataDir } from './data-dir-lock.js';
import type { Store } from './port.js';
import { type AgendaPool, agendaPool } from './postgres/agenda-pool.js';
import type { GroupLimits } from './postgres/customer-tx-groups.js';
import { migrate } from './postgres/migrate.js';
import { createPgDriver } from './postgres/pg-driver.js';
import { createPostgresStore } from './postgres/postgres-store.js';
import type { SqlDriver } from './postgres/sql-driver.js';

export interface OpenStoreOptions {
  /** postgres:// URL of a PostgreSQL server; when absent the embedded PGlite is used. */
  databaseUrl?: string;
  /** PGlite data directory (created if missing), or `memory://` for a throwaway database. */
  dataDir: string;
  /** pg pool size (server only); default 10. */
  poolSize?: number;
  /** application_name of the server connections (pg_stat_activity); default `tierpass`. */
  applicationName?: string;
  /** Group commit of customer transactions (customer-tx-groups.ts); default 2 in flight, 32 per group. */
  customerGroups?: GroupLimits;
  /** Receives one line per migration applied. */
  logger?: { info(obj: object, msg?: string): void };
}

/** An open database: the Store, and a pg.Pool-shaped handle for Agenda's job tables. */
export interface OpenDatabase {
  store: Store;
  agendaPool: AgendaPool;
}

/**
 * PGlite on `dataDir`, held under the directory's lock (data-dir-lock.ts) from before it is
 * opened until it is closed; `memory://` needs none. Throws DataDirLockedError when another
 * process holds the directory.
 */
async function openEmbedded(dataDir: string): Promise<SqlDriver> {
  // Loaded only when used: the PGlite module alone adds ~50 MB to every process's resident memory.
  const { createPgliteDriver } = await import('./postgres/pglite-driver.js');
  if (dataDir.startsWith('memory://')) return createPgliteDriver(dataDir);
  await mkdir(dataDir, { recursive: true });
  const lock = await lockDataDir(dataDir);
  let driver: SqlDriver;
  try {
    driver = await createPgliteDriver(dataDir);
  } catch (err) {
    await lock.release();
    throw err;
  }
  return {
    ...driver,
    async close() {
      try {
        await driver.close();
      } finally {
        await lock.release();
      }
    },
  };
}

/** Open the configured database, apply pending migrations, and return the Store. */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  return (await openDatabase(opts)).store;
}

/** Like openStore, plus the handle the job scheduler keeps its jobs through. */
export async function openDatabase(opts: OpenStoreOptions): Promise<OpenDatabase> {
  let driver: SqlDriver;
  if (opts.databaseUrl) {
    driver = createPgDriver({
      connectionString: opts.databaseUrl,
      poolSize: opts.poolSize,
      applicationName: opts.applicationName ?? 'tierpass',
    });
  } else {
    driver = await openEmbedded(opts.dataDir);
  }
  try {
    await migrate(driver, opts.logger);
  } catch (err) {
    await driver.close().catch(() => {});
    throw err;
  }
  return {
    store: createPostgresStore(driver, { customerGroups: opts.customerGroups }),
    agendaPool: agendaPool(driver),
  };
}
