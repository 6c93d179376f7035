import { mkdir } from 'node:fs/promises';
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

/** Open the configured database, apply pending migrations, and return the Store. */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  return (await openDatabase(opts)).store;
}

/** Like openStore, plus the handle the job scheduler keeps its jobs through. */
export async function openDatabase(opts: OpenStoreOptions): Promise<OpenDatabase> {
  let driver: SqlDriver;
  if (opts.databaseUrl) {
    driver = createPgDriver({ connectionString: opts.databaseUrl, poolSize: opts.poolSize });
  } else {
    if (!opts.dataDir.startsWith('memory://')) await mkdir(opts.dataDir, { recursive: true });
    // Loaded only when used: the PGlite module alone adds ~50 MB to every process's resident memory.
    const { createPgliteDriver } = await import('./postgres/pglite-driver.js');
    driver = await createPgliteDriver(opts.dataDir);
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
