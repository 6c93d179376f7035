/** Value helpers shared by the repositories. */

/** A JS value as a jsonb parameter (pass with `$n::jsonb`); undefined is stored as JSON null. */
export function jsonParam(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** The single row a statement must return. */
export function one<R>(rows: R[], what: string): R {
  const row = rows[0];
  if (row === undefined) throw new Error(`expected one ${what} row, got none`);
  return row;
}

/**
 * The row an ON CONFLICT DO NOTHING collided with. Under READ COMMITTED the next
 * statement sees the committed winner, so a miss means it was deleted meanwhile.
 */
export function existingRow<T>(row: T | null, id: string): T {
  if (row === null) throw new Error(`${id} conflicted with a row that is no longer visible`);
  return row;
}

/**
 * `value` as a SQL string literal, for the rare statement sent without parameters (simple query
 * protocol, several statements in one round trip). Quotes doubled; with a backslash, an E''
 * literal with backslashes doubled — right whatever standard_conforming_strings says, as pg's
 * escapeLiteral. NUL cannot be in PostgreSQL text and is refused.
 */
export function sqlLiteral(value: string): string {
  if (value.includes('\0')) throw new RangeError('a SQL literal cannot hold NUL');
  const quoted = `'${value.replaceAll("'", "''").replaceAll('\\', '\\\\')}'`;
  return value.includes('\\') ? `E${quoted}` : quoted;
}
