/**
 * A `pg.Pool`-shaped view of the store's SqlDriver for Agenda's PostgreSQL backend, so
 * Agenda keeps its jobs in the same database on a server and on embedded PGlite alike.
 * Agenda only needs `query`, `connect` → client.query/release, and `end`; its statements
 * are single and self-contained (locks via `UPDATE … WHERE id = (SELECT … FOR UPDATE
 * SKIP LOCKED)`), so they interleave safely with the store's own transactions. LISTEN/
 * NOTIFY is not offered: Agenda polls (`disableNotifications`).
 */
import type { SqlDriver } from './sql-driver.js';

/** The subset of pg.Pool that @agendajs/postgres-backend uses. */
export interface AgendaPool {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[]; rowCount: number }>;
  connect(): Promise<{
    query(text: string, params?: unknown[]): Promise<{ rows: unknown[]; rowCount: number }>;
    release(): void;
  }>;
  end(): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): AgendaPool;
}

/** Several statements in one text (schema DDL) must go through the simple-query path. */
function isMultiStatement(text: string): boolean {
  return /;\s*\S/.test(text.replace(/\$\$[\s\S]*?\$\$/g, '$$$$'));
}

export function agendaPool(driver: SqlDriver): AgendaPool {
  const query = async (text: string, params: unknown[] = []) => {
    if (params.length === 0 && isMultiStatement(text)) {
      await driver.exec(text);
      return { rows: [], rowCount: 0 };
    }
    return driver.query<unknown>(text, params);
  };
  const pool: AgendaPool = {
    query,
    connect: async () => ({ query, release: () => {} }),
    // The store owns the connections and closes them.
    end: async () => {},
    on: () => pool,
  };
  return pool;
}
