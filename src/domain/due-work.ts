/**
 * What falls due for a program between two instants (SPEC 4, 5, 9): cycle boundaries,
 * downgrade warnings before them, daily syncs at local midnight, and a debounced resync. The live scheduler and a test
 * clock's advance both run exactly this list, in this order, so rehearsals match reality.
 */

import { boundariesBetween } from './cycles.js';
import { warningKey, warningsBetween } from './downgrade-warning.js';
import { addDuration } from './duration.js';
import type { ProgramSettings } from './types.js';
import { localDateString, startOfLocalDay } from './zoned-time.js';

export type DueKind = 'cycle' | 'daily' | 'resync' | 'warning';

/** One piece of scheduled work. */
export interface DueItem {
  kind: DueKind;
  /** When it falls due; the evaluation instant of its run. */
  at: Date;
  /** Stable key: the same boundary or day always gets the same key (exactly once). */
  key: string;
}

/** Daily syncs are needed where rolling windows or inactivity can change a tier without an event. */
export function needsDailySync(settings: Pick<ProgramSettings, 'retention'>): boolean {
  const r = settings.retention;
  return r.mode === 'continuous' || (r.mode !== 'lifetime' && r.inactivity !== undefined);
}

/** Local midnights in (from, to], oldest first. */
export function localMidnightsBetween(from: Date, to: Date, timeZone: string): Date[] {
  const out: Date[] = [];
  let day = startOfLocalDay(from, timeZone);
  for (;;) {
    if (day.getTime() > from.getTime()) {
      if (day.getTime() > to.getTime()) return out;
      out.push(day);
    }
    day = addDuration(day, 'P1D', timeZone);
  }
}

/** The run key of requested resync number `seq`: each request runs once. */
export function resyncKey(seq: number): string {
  return `resync:${seq}`;
}

const ORDER: Record<DueKind, number> = { resync: 0, cycle: 1, daily: 2, warning: 3 };

/**
 * Everything due in (from, to], in time order; at the same instant a resync first, then
 * the cycle boundary, then the daily sync (which then sees the boundary's outcome), then a
 * downgrade warning (which sees both). A warning's key names its boundary: one per boundary.
 */
export function dueWork(
  settings: Pick<ProgramSettings, 'retention' | 'timezone' | 'tiersEnabled' | 'downgradeWarningDays'>,
  from: Date,
  to: Date,
  resync: { dueAt: Date; seq: number } | null,
): DueItem[] {
  const items: DueItem[] = [];
  if (to.getTime() <= from.getTime()) return items;
  const tz = settings.timezone;
  if (resync && resync.dueAt.getTime() <= to.getTime()) {
    const at = resync.dueAt.getTime() > from.getTime() ? resync.dueAt : from;
    items.push({ kind: 'resync', at, key: resyncKey(resync.seq) });
  }
  // Cycle boundaries run even with tiers switched off: carry still resets each cycle.
  const cycle = settings.retention.mode === 'cycle' ? settings.retention.cycle : undefined;
  if (cycle) {
    for (const at of boundariesBetween(cycle, tz, from, to)) {
      items.push({ kind: 'cycle', at, key: `cycle:${at.toISOString()}` });
    }
  }
  for (const w of warningsBetween(settings, from, to)) {
    items.push({ kind: 'warning', at: w.at, key: warningKey(w.boundary) });
  }
  if (settings.tiersEnabled && needsDailySync(settings)) {
    for (const at of localMidnightsBetween(from, to, tz)) {
      items.push({ kind: 'daily', at, key: `daily:${localDateString(at, tz)}` });
    }
  }
  return items.sort((a, b) => a.at.getTime() - b.at.getTime() || ORDER[a.kind] - ORDER[b.kind]);
}
