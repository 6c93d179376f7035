/**
 * Recalculation cycles (SPEC 4): boundaries are anchor + k·every on the wall clock of
 * the program's time zone, the anchor being a calendar date read as local midnight.
 * Boundary k is always computed from the anchor (never by repeated addition), so a
 * monthly cycle anchored on the 31st returns to the 31st after February.
 * Cycle k is the half-open interval [boundary k, boundary k+1).
 */
import { approximateMs, type Duration, scaleDuration, shiftLocal, toDuration } from './duration.js';
import { fromLocal, type LocalDateTime, parseLocalDate } from './zoned-time.js';

/** The `retention.cycle` setting. */
export interface CycleSpec {
  /** ISO 8601 duration between boundaries, e.g. P3M. */
  every: string | Duration;
  /** Calendar date `YYYY-MM-DD` of one boundary, read as local midnight. */
  anchor: string;
}

/** One cycle: boundary `index` (inclusive) up to the next boundary (exclusive). */
export interface Cycle {
  index: number;
  start: Date;
  end: Date;
}

function anchorLocal(anchor: string): LocalDateTime {
  const local = parseLocalDate(anchor);
  if (!local) throw new RangeError(`cycle anchor "${anchor}" is not a calendar date YYYY-MM-DD`);
  return local;
}

/** Boundary number `k` (any integer; 0 is the anchor itself). */
export function cycleBoundary(cycle: CycleSpec, timeZone: string, k: number): Date {
  const every = toDuration(cycle.every);
  const n = Math.abs(k);
  const sign = k < 0 ? -1 : 1;
  const scaled = scaleDuration(every, n);
  const local = shiftLocal(anchorLocal(cycle.anchor), scaled, sign);
  const timeMs = ((scaled.hours * 60 + scaled.minutes) * 60 + scaled.seconds) * 1000;
  return new Date(fromLocal(local, timeZone).getTime() + sign * timeMs);
}

/** Index of the boundary at or before `at` (the cycle `at` falls in). */
export function cycleIndexAt(cycle: CycleSpec, timeZone: string, at: Date): number {
  const anchor = cycleBoundary(cycle, timeZone, 0).getTime();
  const t = at.getTime();
  let k = Math.floor((t - anchor) / approximateMs(toDuration(cycle.every)));
  while (cycleBoundary(cycle, timeZone, k).getTime() > t) k -= 1;
  while (cycleBoundary(cycle, timeZone, k + 1).getTime() <= t) k += 1;
  return k;
}

/** The cycle containing `at`: start ≤ at < end. */
export function cycleContaining(cycle: CycleSpec, timeZone: string, at: Date): Cycle {
  const index = cycleIndexAt(cycle, timeZone, at);
  return {
    index,
    start: cycleBoundary(cycle, timeZone, index),
    end: cycleBoundary(cycle, timeZone, index + 1),
  };
}

/** The first boundary strictly after `at`. */
export function nextBoundaryAfter(cycle: CycleSpec, timeZone: string, at: Date): Date {
  return cycleBoundary(cycle, timeZone, cycleIndexAt(cycle, timeZone, at) + 1);
}

/** Every boundary in (from, to], oldest first. */
export function boundariesBetween(cycle: CycleSpec, timeZone: string, from: Date, to: Date): Date[] {
  const out: Date[] = [];
  if (to.getTime() <= from.getTime()) return out;
  for (let k = cycleIndexAt(cycle, timeZone, from) + 1; ; k += 1) {
    const b = cycleBoundary(cycle, timeZone, k);
    if (b.getTime() > to.getTime()) return out;
    out.push(b);
  }
}

/** The first `count` boundaries strictly after `at`, oldest first. */
export function nextBoundaries(cycle: CycleSpec, timeZone: string, at: Date, count: number): Date[] {
  const first = cycleIndexAt(cycle, timeZone, at) + 1;
  return Array.from({ length: count }, (_, i) => cycleBoundary(cycle, timeZone, first + i));
}
