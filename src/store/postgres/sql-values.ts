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
