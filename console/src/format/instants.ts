/** Instants from the API (ISO 8601) shown on the program's wall clock, and datetime-local text read back on it. */
import { fromLocal, localMinuteString, parseLocalDate } from '../../../src/domain/zoned-time.js';

const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string | undefined, timeStyle: 'short' | 'medium'): Intl.DateTimeFormat {
  const key = `${timeZone ?? ''} ${timeStyle}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(undefined, { timeZone, dateStyle: 'medium', timeStyle });
    formats.set(key, f);
  }
  return f;
}

/** `2025-03-01T09:30:00Z` → "1 Mar 2025, 10:30:00" (to the second) in `timeZone` (the browser's when absent). */
export function formatInstant(iso: string, timeZone?: string): string {
  return format(timeZone, 'medium').format(new Date(iso));
}

/** `2025-02-01T05:00:00Z` in America/New_York → "Feb 1, 2025, 12:00 AM" (the viewer's locale). */
export function formatInZone(iso: string, timeZone: string): string {
  return format(timeZone, 'short').format(new Date(iso));
}

/** The `YYYY-MM-DDTHH:mm` a datetime-local input shows for `iso` on the zone's wall clock. */
export function localInputValue(iso: string, timeZone: string): string {
  return localMinuteString(new Date(iso), timeZone);
}

/** The instant a datetime-local value names on the zone's wall clock, or null when incomplete. */
export function instantOfLocalInput(text: string, timeZone: string): Date | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})$/.exec(text);
  const day = m ? parseLocalDate(m[1] as string) : null;
  if (!m || !day) return null;
  const hour = Number(m[2]);
  const minute = Number(m[3]);
  if (hour > 23 || minute > 59) return null;
  return fromLocal({ ...day, hour, minute }, timeZone);
}
