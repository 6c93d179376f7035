/**
 * ISO 8601 durations (`P90D`, `P12M`, `P1Y6M`, `P2W`, `PT12H`) and calendar arithmetic
 * in a program's time zone. Date parts are calendar units on the local wall clock
 * (P1D is 23 or 25 hours across a DST change, P1M from Jan 31 is the last day of
 * February); time parts are exact elapsed time. See docs/decisions/0005.
 */
import { daysInMonth, fromLocal, type LocalDateTime, localAsUtc, toLocal } from './zoned-time.js';

/** A positive ISO 8601 duration; every part is a non-negative integer. */
export interface Duration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

export type DurationIssueCode = 'duration_invalid' | 'duration_zero';

export type DurationParse =
  | { ok: true; duration: Duration }
  | { ok: false; code: DurationIssueCode; message: string };

const DURATION_RE = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
/** Largest accepted value of one part; keeps all arithmetic far inside safe integers. */
export const MAX_DURATION_PART = 100_000;

/** Parse an ISO 8601 duration; zero, negative, fractional and empty (`P`, `PT`) ones are refused. */
export function parseDuration(text: string): DurationParse {
  const m = typeof text === 'string' ? DURATION_RE.exec(text) : null;
  if (!m || text === 'P' || text.endsWith('T')) {
    const hint =
      typeof text === 'string' && text.startsWith('-') ? ' (negative durations are not allowed)' : '';
    return {
      ok: false,
      code: 'duration_invalid',
      message: `"${String(text)}" is not an ISO 8601 duration such as P90D, P12M or P1Y${hint}`,
    };
  }
  const [years, months, weeks, days, hours, minutes, seconds] = m.slice(1).map((g) => Number(g ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const duration: Duration = { years, months, weeks, days, hours, minutes, seconds };
  const parts = Object.values(duration);
  if (parts.some((p) => p > MAX_DURATION_PART)) {
    return { ok: false, code: 'duration_invalid', message: `"${text}" is too long` };
  }
  if (parts.every((p) => p === 0)) {
    return {
      ok: false,
      code: 'duration_zero',
      message: `"${text}" is an empty duration; it must be positive`,
    };
  }
  return { ok: true, duration };
}

/** Parse a duration known to be valid (validated configuration); throws otherwise. */
export function toDuration(value: string | Duration): Duration {
  if (typeof value !== 'string') return value;
  const parsed = parseDuration(value);
  if (!parsed.ok) throw new RangeError(parsed.message);
  return parsed.duration;
}

/** True when the duration has only calendar (date) parts. */
export function isDateOnly(d: Duration): boolean {
  return d.hours === 0 && d.minutes === 0 && d.seconds === 0;
}

/** The duration `k` times over (k ≥ 0); cycles use it to compute anchor + k·every without drift. */
export function scaleDuration(d: Duration, k: number): Duration {
  return {
    years: d.years * k,
    months: d.months * k,
    weeks: d.weeks * k,
    days: d.days * k,
    hours: d.hours * k,
    minutes: d.minutes * k,
    seconds: d.seconds * k,
  };
}

/** Rough length in milliseconds, only for estimates (a month counts 30.436875 days). */
export function approximateMs(d: Duration): number {
  const days = d.years * 365.2425 + d.months * 30.436875 + d.weeks * 7 + d.days;
  return days * 86_400_000 + ((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000;
}

/**
 * Shift a wall-clock date/time by the date parts of `d` (sign +1 or −1): years and
 * months first, clamping the day to the end of a shorter month, then weeks and days.
 */
export function shiftLocal(local: LocalDateTime, d: Duration, sign: 1 | -1): LocalDateTime {
  const monthIndex = local.year * 12 + (local.month - 1) + sign * (d.years * 12 + d.months);
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12 + 1;
  const day = Math.min(local.day, daysInMonth(year, month));
  const shifted = new Date(localAsUtc({ ...local, year, month, day }));
  shifted.setUTCDate(shifted.getUTCDate() + sign * (d.weeks * 7 + d.days));
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: local.hour,
    minute: local.minute,
    second: local.second,
    millisecond: local.millisecond,
  };
}

function timeMs(d: Duration): number {
  return ((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000;
}

function move(instant: Date, value: string | Duration, timeZone: string, sign: 1 | -1): Date {
  const d = toDuration(value);
  let t = instant.getTime();
  if (d.years || d.months || d.weeks || d.days) {
    t = fromLocal(shiftLocal(toLocal(instant, timeZone), d, sign), timeZone).getTime();
  }
  return new Date(t + sign * timeMs(d));
}

/** `instant` + `duration`, with calendar parts on the wall clock of `timeZone`. */
export function addDuration(instant: Date, duration: string | Duration, timeZone: string): Date {
  return move(instant, duration, timeZone, 1);
}

/** `instant` − `duration`, with calendar parts on the wall clock of `timeZone`. */
export function subtractDuration(instant: Date, duration: string | Duration, timeZone: string): Date {
  return move(instant, duration, timeZone, -1);
}

const UNITS: [keyof Duration, string][] = [
  ['years', 'year'],
  ['months', 'month'],
  ['weeks', 'week'],
  ['days', 'day'],
  ['hours', 'hour'],
  ['minutes', 'minute'],
  ['seconds', 'second'],
];

/** Human wording of a duration: `P30D` → "30 days", `P1Y6M` → "1 year 6 months". */
export function describeDuration(value: string | Duration): string {
  const d = toDuration(value);
  return UNITS.filter(([key]) => d[key] > 0)
    .map(([key, unit]) => `${d[key].toLocaleString('en-US')} ${unit}${d[key] === 1 ? '' : 's'}`)
    .join(' ');
}
