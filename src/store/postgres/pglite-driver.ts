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
 * SqlDriver over an in-process PGlite (`dataDir` a directory, or `memory://`).
 * PGlite has a single connection: statements and transactions run one at a time, so a
 * transaction must not await a query made outside it (it would wait for itself).
 */
export async function createPgliteDriver(dataDir: string): Promise<SqlDriver> {
  const db = await PGlite.create(dataDir, {
    parsers: { [OID.int8]: parseSafeNumber, [OID.numeric]: parseSafeNumber },
  });
  return {
    ...on(db),
    // PGlite's transaction() issues BEGIN/COMMIT, rolls back on throw, and queues behind other work.
    transaction: <T>(fn: (q: SqlQuery) => Promise<T>): Promise<T> => db.transaction((tx) => fn(on(tx))),
    close: () => db.close(),
  };
}
