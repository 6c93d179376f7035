/**
 * The small SQL surface the repositories need, so the same SQL runs on a PostgreSQL
 * server (pg) and embedded (PGlite). Both drivers return int8/numeric as JS numbers,
 * timestamptz as Date, jsonb parsed and text[] as string arrays.
 */

/** Result of one statement. */
export interface SqlResult<R> {
  /** Rows returned (RETURNING included). */
  rows: R[];
  /** Rows returned or affected. */
  rowCount: number;
}

/** Runs statements on one connection or transaction. */
export interface SqlQuery {
  /** One parameterised statement. */
  query<R>(sql: string, params?: readonly unknown[]): Promise<SqlResult<R>>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** A connection source that can also run atomic units of work. */
export interface SqlDriver extends SqlQuery {
  /** Run `fn` between BEGIN and COMMIT; ROLLBACK and rethrow when it throws. */
  transaction<T>(fn: (q: SqlQuery) => Promise<T>): Promise<T>;
  /** Release connections. */
  close(): Promise<void>;
}

/** PostgreSQL type oids the drivers parse themselves. */
export const OID = { int8: 20, numeric: 1700 } as const;

/**
 * int8/numeric → number. Balances and money stay far below 2^53, so a value beyond
 * it means corrupt data: fail loudly instead of silently rounding.
 */
export function parseSafeNumber(text: string): number {
  const n = Number(text);
  if (Number.isInteger(n) && !Number.isSafeInteger(n)) {
    throw new RangeError(`integer ${text} is outside the safe JS number range`);
  }
  return n;
}
