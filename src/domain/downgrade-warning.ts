/**
 * Downgrade warnings (SPEC 5, issue 5): a configurable number of days before a cycle boundary,
 * predict what that boundary will do to a customer if nothing changes in between, and when it
 * would downgrade them, say what would keep the tier.
 *
 * The prediction is the boundary's own decision — `decideTier` with trigger `boundary` at the
 * boundary instant — fed with the facts known at warning time, projected to the boundary:
 * - rolling windows end at the boundary: an order placed in (boundary − window, now] still
 *   counts then, an older one has dropped out by then (orders after `now` are not known);
 * - carry, lifetime points and spend, the largest order, tags and segments stay as they are
 *   (carry is the closing cycle's so far; the boundary reads the same cycle's carry).
 * Only drops the cycle rules cause (reason `cycle`) are warned about: an inactivity drop has its
 * own clock and is applied by the daily sync when it falls due, not by the boundary; a disabled or
 * deleted tier reassigns at once.
 *
 * When the warning falls due: `days` calendar days before the boundary on the program's wall
 * clock, but never before the cycle that the boundary closes starts (a lead as long as the cycle
 * or longer warns right after the previous boundary, once its carry has been reset).
 */
import { type CustomerTierState, decideTier, type TierDecision } from './assignment.js';
import { buildCustomerFacts, type CustomerRecords } from './customer-facts.js';
import { cycleBoundary, cycleIndexAt, nextBoundaryAfter } from './cycles.js';
import { subtractDuration } from './duration.js';
import { type MissingItem, missingItems, progressHeadline } from './progress.js';
import {
  type ConditionFact,
  type CustomerFacts,
  evaluateConditions,
  keepConditions,
  windowBounds,
} from './qualifications.js';
import type { ProgramSettings, TierConfig } from './types.js';

/** Lead time of a program that never set one. */
export const DEFAULT_DOWNGRADE_WARNING_DAYS = 7;
/** Longest lead time a merchant may set. */
export const MAX_DOWNGRADE_WARNING_DAYS = 366;

/** The lead time in force: the setting, the default when absent, 0 when off (0 or null). */
export function downgradeWarningDays(settings: Pick<ProgramSettings, 'downgradeWarningDays'>): number {
  const days = settings.downgradeWarningDays;
  if (days === undefined) return DEFAULT_DOWNGRADE_WARNING_DAYS;
  return days ?? 0;
}

/** Warnings go out only in cycle mode, with tiers on and a lead time above 0. */
export function warnsBeforeBoundaries(
  settings: Pick<ProgramSettings, 'tiersEnabled' | 'retention' | 'downgradeWarningDays'>,
): boolean {
  return (
    settings.tiersEnabled &&
    settings.retention.mode === 'cycle' &&
    settings.retention.cycle !== undefined &&
    downgradeWarningDays(settings) > 0
  );
}

/** One warning run: due `at`, about the boundary `boundary`. */
export interface ScheduledWarning {
  at: Date;
  boundary: Date;
}

type ScheduleSettings = Pick<
  ProgramSettings,
  'tiersEnabled' | 'retention' | 'timezone' | 'downgradeWarningDays'
>;

/** The warning of boundary number `k`: `days` local days before it, not before boundary k − 1. */
function warningOf(
  cycle: NonNullable<ProgramSettings['retention']['cycle']>,
  timeZone: string,
  k: number,
  days: number,
): ScheduledWarning {
  const boundary = cycleBoundary(cycle, timeZone, k);
  const previous = cycleBoundary(cycle, timeZone, k - 1);
  const lead = subtractDuration(boundary, `P${days}D`, timeZone);
  return { at: lead.getTime() > previous.getTime() ? lead : previous, boundary };
}

/** Every warning due in (from, to], oldest first; none when warnings are off. */
export function warningsBetween(settings: ScheduleSettings, from: Date, to: Date): ScheduledWarning[] {
  const out: ScheduledWarning[] = [];
  const cycle = settings.retention.cycle;
  if (!cycle || !warnsBeforeBoundaries(settings) || to.getTime() <= from.getTime()) return out;
  const days = downgradeWarningDays(settings);
  // A warning is never after its boundary, so the first candidate closes the cycle `from` is in.
  for (let k = cycleIndexAt(cycle, settings.timezone, from) + 1; ; k += 1) {
    const w = warningOf(cycle, settings.timezone, k, days);
    if (w.at.getTime() > to.getTime()) return out;
    if (w.at.getTime() > from.getTime()) out.push(w);
  }
}

/** The boundary a warning run at `at` is about: the first one strictly after it; null outside cycle mode. */
export function warnedBoundary(
  settings: Pick<ProgramSettings, 'retention' | 'timezone'>,
  at: Date,
): Date | null {
  const cycle = settings.retention.mode === 'cycle' ? settings.retention.cycle : undefined;
  return cycle ? nextBoundaryAfter(cycle, settings.timezone, at) : null;
}

/** The run key of the warning about `boundary`: one warning run per boundary, whatever the lead. */
export function warningKey(boundary: Date): string {
  return `warning:${boundary.toISOString()}`;
}

/**
 * Rolling windows as the boundary will read them: each ends at the boundary, so its exclusive start
 * is boundary − window. A set-based evaluation sums orders placed after `from` and up to now.
 */
export function boundaryWindows(
  windows: readonly string[],
  boundary: Date,
  timeZone: string,
): { key: string; from: Date }[] {
  return windows.map((key) => ({ key, from: windowBounds(boundary, key, timeZone).from }));
}

/**
 * A customer's facts projected to `boundary` from their records as known at `now` (the
 * per-customer path; a batch computes the same in SQL with `boundaryWindows`).
 */
export function projectFacts(
  records: CustomerRecords,
  tiers: readonly TierConfig[],
  windows: readonly string[],
  now: Date,
  boundary: Date,
  timeZone: string,
): CustomerFacts {
  const known = { ...records, orders: records.orders.filter((o) => o.placedAt.getTime() <= now.getTime()) };
  return buildCustomerFacts(known, tiers, windows, boundary, timeZone);
}

export interface DowngradeWarningInput {
  settings: Pick<ProgramSettings, 'tiersEnabled' | 'timezone' | 'retention' | 'currency'>;
  /** Every live tier, enabled or not. */
  tiers: readonly TierConfig[];
  /** The customer's tier and clocks now. */
  state: CustomerTierState;
  /** Facts projected to the boundary (`projectFacts`, or the batch query with `boundaryWindows`). */
  facts: CustomerFacts;
  /** The boundary warned about. */
  boundary: Date;
  /** The warning instant; must be before the boundary. */
  now: Date;
  /** Locale of the labels; default en-US. */
  locale?: string;
}

/** What the boundary would do and what would prevent it. */
export interface DowngradeWarning {
  /** The boundary that would downgrade the customer. */
  boundaryAt: Date;
  fromTierId: string;
  /** The tier the boundary would place them in (null: none). */
  toTierId: string | null;
  /** What keeps `fromTierId`: its maintain conditions (default its qualifications) at the boundary. */
  keep: {
    /** Each enabled condition, judged on the projected facts. */
    conditions: ConditionFact[];
    /** What is still missing by the boundary, with labels. */
    missing: MissingItem[];
    /** "1,250 points this cycle to keep Gold". */
    headline: string;
  };
  /** The predicted boundary decision with its facts. */
  decision: TierDecision;
}

/**
 * Whether the boundary would downgrade the customer if nothing changed until then; the warning
 * when it would, null when the customer keeps (or gains) their tier or nothing can be predicted.
 */
export function predictDowngrade(input: DowngradeWarningInput): DowngradeWarning | null {
  const { settings, tiers, state, facts, boundary, now } = input;
  if (now.getTime() >= boundary.getTime()) {
    throw new RangeError(
      `a warning (${now.toISOString()}) must come before its boundary (${boundary.toISOString()})`,
    );
  }
  if (!settings.tiersEnabled || settings.retention.mode !== 'cycle' || state.tierId === null) return null;
  const decision = decideTier({ settings, tiers, state, facts, asOf: boundary, trigger: 'boundary' });
  if (decision.direction !== 'down' || decision.reason !== 'cycle') return null;
  const current = tiers.find((t) => t.id === state.tierId);
  if (!current) return null; // unreachable: a deleted tier's reason is tier_deleted
  const conditions = keepConditions(current);
  const missing = missingItems(conditions, facts, { currency: settings.currency, locale: input.locale });
  return {
    boundaryAt: boundary,
    fromTierId: current.id,
    toTierId: decision.toTierId,
    keep: {
      conditions: evaluateConditions(conditions, facts).conditions,
      missing,
      headline: progressHeadline(missing, `keep ${current.title}`, input.locale) ?? `keep ${current.title}`,
    },
    decision,
  };
}
