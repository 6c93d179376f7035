/**
 * Wall-clock arithmetic in an IANA time zone with nothing but `Intl.DateTimeFormat`.
 * Local times that do not exist (a DST gap) resolve forward by the gap's length and
 * repeated local times (a DST overlap) resolve to the earlier instant — the
 * `compatible` disambiguation of Temporal and of RFC 5545.
 */

/** A local calendar date and time of day, without a zone. Months are 1–12. */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const DAY_MS = 86_400_000;

// Building a DateTimeFormat costs far more than using one; replays call this per day per customer.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Wall clock of a whole-second instant straight from Intl (the slow path). */
function intlLocal(t: number, timeZone: string): LocalDateTime {
  const out: LocalDateTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, millisecond: 0 };
  for (const part of formatterFor(timeZone).formatToParts(new Date(t))) {
    if (part.type in out) out[part.type as keyof LocalDateTime] = Number(part.value);
  }
  return out;
}

function intlOffset(t: number, timeZone: string): number {
  const whole = Math.floor(t / 1000) * 1000;
  return localAsUtc(intlLocal(whole, timeZone)) - whole;
}

const BUCKET_MS = 15 * 60_000;
const MAX_CACHED = 100_000;
// Offsets per zone per 15-minute bucket. A bucket is cached only when its first and last
// instants share one offset, so a bucket holding a transition is always computed exactly.
// Replays and batch evaluations ask for the same few instants for every customer.
const offsets = new Map<string, Map<number, number>>();

/** The zone's UTC offset at `instant` in milliseconds (east of UTC is positive). */
export function offsetAt(instant: Date, timeZone: string): number {
  const t = instant.getTime();
  const bucket = Math.floor(t / BUCKET_MS);
  let zone = offsets.get(timeZone);
  if (!zone) {
    zone = new Map();
    offsets.set(timeZone, zone);
  }
  const hit = zone.get(bucket);
  if (hit !== undefined) return hit;
  const first = intlOffset(bucket * BUCKET_MS, timeZone);
  const last = intlOffset((bucket + 1) * BUCKET_MS - 1, timeZone);
  if (first !== last) return intlOffset(t, timeZone);
  if (zone.size >= MAX_CACHED) zone.clear();
  zone.set(bucket, first);
  return first;
}

/** The wall-clock reading of `instant` in `timeZone`. */
export function toLocal(instant: Date, timeZone: string): LocalDateTime {
  const d = new Date(instant.getTime() + offsetAt(instant, timeZone));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
  };
}

/** `local` read as if it were UTC, in epoch milliseconds. */
export function localAsUtc(local: LocalDateTime): number {
  const d = new Date(0);
  d.setUTCFullYear(local.year, local.month - 1, local.day);
  d.setUTCHours(local.hour, local.minute, local.second, local.millisecond);
  return d.getTime();
}

/** The instant at which the wall clock in `timeZone` reads `local` (gap → later, overlap → earlier). */
export function fromLocal(local: LocalDateTime, timeZone: string): Date {
  const wall = localAsUtc(local);
  const before = offsetAt(new Date(wall - DAY_MS), timeZone);
  const after = offsetAt(new Date(wall + DAY_MS), timeZone);
  const candidates = [...new Set([before, after])]
    .map((offset) => wall - offset)
    .filter((t) => localAsUtc(toLocal(new Date(t), timeZone)) === wall)
    .sort((a, b) => a - b);
  const first = candidates[0];
  if (first !== undefined) return new Date(first);
  // A gap: read the wall time with the offset in force before the jump, which lands after it.
  return new Date(wall - before);
}

/** Number of days in a month of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parse a calendar date `YYYY-MM-DD` (a real date: no 2025-02-30), or null. */
export function parseLocalDate(text: string): LocalDateTime | null {
  const m = DATE_RE.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day, hour: 0, minute: 0, second: 0, millisecond: 0 };
}

/** The instant the local day containing `instant` starts in `timeZone`. */
export function startOfLocalDay(instant: Date, timeZone: string): Date {
  const l = toLocal(instant, timeZone);
  return fromLocal({ ...l, hour: 0, minute: 0, second: 0, millisecond: 0 }, timeZone);
}

/** The `YYYY-MM-DD` date of `instant` on the wall clock of `timeZone`. */
export function localDateString(instant: Date, timeZone: string): string {
  const l = toLocal(instant, timeZone);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(l.year, 4)}-${pad(l.month)}-${pad(l.day)}`;
}

/** The `YYYY-MM-DDTHH:mm` reading of `instant` on the wall clock of `timeZone`. */
export function localMinuteString(instant: Date, timeZone: string): string {
  const l = toLocal(instant, timeZone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${localDateString(instant, timeZone)}T${pad(l.hour)}:${pad(l.minute)}`;
}
