/**
 * PostgreSQL array literals built in one pass (pass with `$n::text[]`, `$n::bigint[]`, …). The
 * driver's own array serialisation quotes and regex-escapes every element into a new string;
 * a batch statement sends 19 arrays of 5,000 elements, so that is 95,000 short-lived strings per
 * statement. Here an array becomes one string, and an element is escaped only when it holds a
 * quote or a backslash (BENCHMARKS.md, "The boundary's memory").
 */

const NEEDS_ESCAPE = /["\\]/;

function quoted(s: string): string {
  return NEEDS_ESCAPE.test(s) ? `"${s.replace(/["\\]/g, '\\$&')}"` : `"${s}"`;
}

/** A text[] (or timestamptz[], numeric[] from strings) literal; null elements are NULL. */
export function textArray(values: readonly (string | null | undefined)[]): string {
  if (values.length === 0) return '{}';
  let plain = true;
  for (const v of values) {
    if (v === null || v === undefined || v.indexOf('"') >= 0 || v.indexOf('\\') >= 0) {
      plain = false;
      break;
    }
  }
  if (plain) return `{"${values.join('","')}"}`;
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    parts[i] = v === null || v === undefined ? 'NULL' : quoted(v);
  }
  return `{${parts.join(',')}}`;
}

/** An int[]/bigint[]/numeric[] literal of finite numbers; null elements are NULL. */
export function numberArray(values: readonly (number | null | undefined)[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = 'NULL';
    else if (Number.isFinite(v)) parts[i] = String(v);
    else throw new Error(`not a finite number: ${v}`);
  }
  return `{${parts.join(',')}}`;
}

/** A boolean[] literal. */
export function booleanArray(values: readonly boolean[]): string {
  let s = '{';
  for (let i = 0; i < values.length; i++) s += (i === 0 ? '' : ',') + (values[i] ? 't' : 'f');
  return `${s}}`;
}
