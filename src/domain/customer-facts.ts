/**
 * Building `CustomerFacts` from a customer's own records — the per-customer path
 * (replays, a single event). A set-based evaluation computes the same numbers in SQL.
 */

import { type CustomerFacts, windowBounds } from './qualifications.js';
import type { Balances, TierConfig } from './types.js';

/** One order as the rules see it. */
export interface OrderFact {
  placedAt: Date;
  /** Amount minus its refunds, minor units (a fully refunded order is 0). */
  netAmount: number;
}

/** Order-derived facts as of one instant. */
export interface OrderSummary {
  /** Net spend per window in (asOf − window, asOf]. */
  windowSpend: Record<string, number>;
  /** Largest net order placed up to asOf (0 without orders). */
  largestOrder: number;
  /** Net spend of orders placed up to asOf. */
  totalSpend: number;
}

/** The exclusive start of a window ending at `asOf`; replays pass a memoised one. */
export type WindowStart = (asOf: Date, window: string) => Date;

/** Sum orders placed up to `asOf` overall and per rolling window. */
export function summarizeOrders(
  orders: readonly OrderFact[],
  asOf: Date,
  windows: readonly string[],
  timeZone: string,
  windowStart: WindowStart = (at, w) => windowBounds(at, w, timeZone).from,
): OrderSummary {
  const bounds = windows.map((w) => [w, windowStart(asOf, w).getTime()] as const);
  const windowSpend: Record<string, number> = Object.fromEntries(windows.map((w) => [w, 0]));
  let largestOrder = 0;
  let totalSpend = 0;
  const to = asOf.getTime();
  for (const order of orders) {
    const t = order.placedAt.getTime();
    if (t > to) continue;
    totalSpend += order.netAmount;
    largestOrder = Math.max(largestOrder, order.netAmount);
    for (const [w, from] of bounds) {
      if (t > from) windowSpend[w] = (windowSpend[w] ?? 0) + order.netAmount;
    }
  }
  return { windowSpend, largestOrder, totalSpend };
}

/** Every tag some tier applies as a benefit. */
export function tierBenefitTags(tiers: readonly TierConfig[]): Set<string> {
  return new Set(tiers.flatMap((t) => (t.benefits.tag ? [t.benefits.tag] : [])));
}

/**
 * The merchant tags that may count toward a qualification: a tag that is also a tier's
 * benefit tag is dropped even when it comes back from the shop (which mirrors tier
 * tags), so a tier can never qualify a customer for itself.
 */
export function qualifyingTags(merchantTags: readonly string[], tiers: readonly TierConfig[]): string[] {
  if (merchantTags.length === 0) return [];
  let tierTags = benefitTagsOf.get(tiers);
  if (!tierTags) {
    tierTags = tierBenefitTags(tiers);
    benefitTagsOf.set(tiers, tierTags);
  }
  const drop = tierTags;
  return merchantTags.filter((t) => !drop.has(t));
}

/**
 * The benefit tags of a tier list, computed once per list: a recalculation batch asks for every
 * customer with the same list. Tier lists are not mutated once read (a new list on every read).
 */
const benefitTagsOf = new WeakMap<readonly TierConfig[], Set<string>>();

/** Everything a customer's own records say, as facts at `asOf`. */
export interface CustomerRecords {
  tags: readonly string[];
  segments: readonly string[];
  orders: readonly OrderFact[];
  balances: Pick<Balances, 'carry' | 'lifetimeEarned'>;
}

/** Facts at `asOf` for the windows the tiers use. Spend comes from the orders placed up to asOf. */
export function buildCustomerFacts(
  records: CustomerRecords,
  tiers: readonly TierConfig[],
  windows: readonly string[],
  asOf: Date,
  timeZone: string,
  windowStart?: WindowStart,
): CustomerFacts {
  const summary = summarizeOrders(records.orders, asOf, windows, timeZone, windowStart);
  return {
    tags: qualifyingTags(records.tags, tiers),
    segments: records.segments,
    largestOrder: summary.largestOrder,
    lifetimeEarned: records.balances.lifetimeEarned,
    lifetimeSpend: summary.totalSpend,
    carry: records.balances.carry,
    windowSpend: summary.windowSpend,
  };
}
