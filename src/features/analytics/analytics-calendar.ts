/**
 * Local calendar ranges and bucket labels of the analytics endpoints: a date range
 * `from`..`to` (both included) is the instants [local midnight of from, local midnight
 * after to) in the program's zone; buckets are labelled by their local start date.
 */
import { addDuration } from '../../domain/duration.js';
import { fromLocal, parseLocalDate } from '../../domain/zoned-time.js';
import { badRequest } from '../../errors.js';

/** An instant range cut from local dates. */
export interface LocalRange {
  /** Local midnight starting `from`. */
  start: Date;
  /** Local midnight after `to` (exclusive). */
  end: Date;
}

const DAY_MS = 86_400_000;

function plainDay(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

function plainDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Local midnight starting `date` (YYYY-MM-DD) in `timeZone`. */
export function localMidnight(date: string, timeZone: string): Date {
  const local = parseLocalDate(date);
  if (!local) throw badRequest('validation_failed', `${date} is not a date`);
  return fromLocal(local, timeZone);
}

/**
 * The instants of `from`..`to`, refused (400) when from > to or longer than `maxSpan`
 * (an ISO duration counted from `from`).
 */
export function localRange(from: string, to: string, timeZone: string, maxSpan: string): LocalRange {
  if (from > to) {
    throw badRequest('invalid_range', 'from must not be after to', [
      { path: 'query.from', code: 'invalid_range', message: `${from} is after ${to}` },
    ]);
  }
  const start = localMidnight(from, timeZone);
  const end = addDuration(localMidnight(to, timeZone), 'P1D', timeZone);
  if (end.getTime() > addDuration(start, maxSpan, timeZone).getTime()) {
    throw badRequest('range_too_large', `The range may span at most ${maxSpan}`, [
      { path: 'query.to', code: 'range_too_large', message: `at most ${maxSpan} after from` },
    ]);
  }
  return { start, end };
}

/** Start dates of every day or ISO week (Monday) that overlaps from..to. */
export function bucketStarts(from: string, to: string, interval: 'day' | 'week'): string[] {
  let first = plainDay(from);
  const last = plainDay(to);
  const step = interval === 'day' ? 1 : 7;
  if (interval === 'week') first -= (new Date(first * DAY_MS).getUTCDay() + 6) % 7;
  const out: string[] = [];
  for (let d = first; d <= last; d += step) out.push(plainDate(d));
  return out;
}

/** Every month (YYYY-MM) from the month of `from` to the month of `to`. */
export function monthsBetween(from: string, to: string): string[] {
  let [y, m] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  const out: string[] = [];
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return out;
}
