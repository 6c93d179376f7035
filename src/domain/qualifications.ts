/**
 * Qualification checks (SPEC 2.1): every enabled condition must hold. The rules read
 * precomputed facts only, so a per-customer service call and a set-based evaluation
 * over a million customers feed them the same way: the store asks `requiredWindows`
 * which rolling windows the tiers use, sums net spend per window with `windowBounds`
 * (e.g. one SUM … FILTER per window), and hands the sums over as `windowSpend`.
 */
import { subtractDuration } from './duration.js';
import type { Qualification, QualificationType, TierConfig } from './types.js';

/** What the rules know about a customer at one instant (`asOf`). Money in minor units. */
export interface CustomerFacts {
  /** The merchant's tags only; tags Tierpass applies as tier benefits never count. */
  tags: readonly string[];
  /** The merchant's segments. */
  segments: readonly string[];
  /** Largest net (after refunds) amount of any one order placed up to asOf; 0 without orders. */
  largestOrder: number;
  /** Qualifying points earned over all time (after refund reversals). */
  lifetimeEarned: number;
  /** Net order value over all time. */
  lifetimeSpend: number;
  /** Qualifying points of the current cycle (of the closing cycle at a boundary). */
  carry: number;
  /** Net spend of orders placed in (asOf − window, asOf], keyed by the window exactly as configured. */
  windowSpend: Readonly<Record<string, number>>;
}

/** How one condition was judged, kept with every tier change. */
export interface ConditionFact {
  type: QualificationType;
  /** Threshold (points or minor units) or the tag/segment required. */
  required: number | string;
  /** The customer's value, or whether they carry the tag/segment. */
  actual: number | boolean;
  met: boolean;
  /** The rolling window of an orderVolume condition. */
  window?: string;
}

/** The outcome of a list of conditions: met when all enabled ones are. */
export interface ConditionsResult {
  met: boolean;
  conditions: ConditionFact[];
}

/** A condition counts unless explicitly disabled. */
export function isEnabledCondition(q: Qualification): boolean {
  return q.enabled !== false;
}

/** An entry tier has no enabled qualification: everyone qualifies. */
export function isEntryTier(tier: Pick<TierConfig, 'qualifications'>): boolean {
  return !tier.qualifications.some(isEnabledCondition);
}

/** The conditions that keep a tier: its `maintain` list, or its qualifications when unset. */
export function keepConditions(tier: Pick<TierConfig, 'qualifications' | 'maintain'>): Qualification[] {
  return tier.maintain ?? tier.qualifications;
}

/** Net spend for one window; a missing sum is a programming error, not a zero. */
export function spendIn(facts: CustomerFacts, window: string): number {
  const spend = facts.windowSpend[window];
  if (spend === undefined) throw new RangeError(`no spend was computed for window ${window}`);
  return spend;
}

/** Judge one condition. */
export function evaluateCondition(q: Qualification, facts: CustomerFacts): ConditionFact {
  switch (q.type) {
    case 'tag': {
      const has = facts.tags.includes(q.tag);
      return { type: q.type, required: q.tag, actual: has, met: has };
    }
    case 'segment': {
      const has = facts.segments.includes(q.segment);
      return { type: q.type, required: q.segment, actual: has, met: has };
    }
    case 'largeOrder':
      return atLeast(q.type, q.minAmount, facts.largestOrder);
    case 'orderVolume':
      return { ...atLeast(q.type, q.minAmount, spendIn(facts, q.window)), window: q.window };
    case 'lifetimePoints':
      return atLeast(q.type, q.minPoints, facts.lifetimeEarned);
    case 'lifetimeSpend':
      return atLeast(q.type, q.minAmount, facts.lifetimeSpend);
    case 'carryPoints':
      return atLeast(q.type, q.minPoints, facts.carry);
  }
}

function atLeast(type: QualificationType, required: number, actual: number): ConditionFact {
  return { type, required, actual, met: actual >= required };
}

/** Judge all enabled conditions (AND); an empty list is met. */
export function evaluateConditions(
  conditions: readonly Qualification[],
  facts: CustomerFacts,
): ConditionsResult {
  const judged = conditions.filter(isEnabledCondition).map((q) => evaluateCondition(q, facts));
  return { met: judged.every((c) => c.met), conditions: judged };
}

/** Every rolling window the enabled tiers' qualifications and maintain conditions use, deduplicated. */
export function requiredWindows(tiers: readonly TierConfig[]): string[] {
  const windows = new Set<string>();
  for (const tier of tiers) {
    if (!tier.enabled) continue;
    for (const q of [...tier.qualifications, ...(tier.maintain ?? [])]) {
      if (q.type === 'orderVolume' && isEnabledCondition(q)) windows.add(q.window);
    }
  }
  return [...windows];
}

/** A window's bounds: orders with from < placedAt ≤ to count. */
export interface WindowBounds {
  /** Exclusive. */
  from: Date;
  /** Inclusive (the evaluation instant). */
  to: Date;
}

/** The bounds of a rolling window ending at `asOf`, in calendar units of the program time zone. */
export function windowBounds(asOf: Date, window: string, timeZone: string): WindowBounds {
  return { from: subtractDuration(asOf, window, timeZone), to: asOf };
}
