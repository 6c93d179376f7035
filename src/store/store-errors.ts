/** Errors the storage layer raises for conditions every caller handles the same way. */

/**
 * The database cannot be reached, or the connection was lost during a statement. Nothing is
 * known to be wrong with the request: it may be sent again once the database is back (the HTTP
 * layer answers 503 `database_unavailable` with Retry-After).
 */
export class DatabaseUnavailableError extends Error {
  constructor(
    /**
     * True when the connection was lost while COMMIT was on its way: the unit of work may or may
     * not have committed, so it was not run again. A replay with the same natural key (order id)
     * or Idempotency-Key then returns the first answer.
     */
    readonly commitUnknown: boolean,
    options?: { cause?: unknown },
  ) {
    super(
      commitUnknown
        ? 'The database connection was lost while committing; the outcome is unknown'
        : 'The database is unavailable',
      options,
    );
    this.name = 'DatabaseUnavailableError';
  }
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** SQLSTATEs of a server shutting down, restarting or terminating the session (class 08 is added below). */
const SERVER_GONE = new Set(['57P01', '57P02', '57P03']);
/**
 * Class 08 "connection exception" also holds 08P01 protocol_violation, which a statement causes
 * (e.g. a bind message with more parameters than the statement uses): a bug, not a lost connection.
 */
const STATEMENT_FAULTS_IN_CLASS_08 = new Set(['08P01']);

/**
 * True for errors that say the connection is gone or could not be made (socket errors, a
 * terminated or shutting-down backend, pg's own "not queryable" / "terminated" / connect
 * timeout errors), as opposed to an error a statement caused.
 */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof DatabaseUnavailableError) return true;
  if (typeof err !== 'object' || err === null) return false;
  const code = 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  if (code !== undefined && STATEMENT_FAULTS_IN_CLASS_08.has(code)) return false;
  if (code !== undefined && (CONNECTION_CODES.has(code) || SERVER_GONE.has(code) || code.startsWith('08')))
    return true;
  const message = err instanceof Error ? err.message : '';
  return /Connection terminated|not queryable|timeout exceeded when trying to connect|Connection ended/i.test(
    message,
  );
}
