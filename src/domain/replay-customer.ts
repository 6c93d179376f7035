/**
 * One customer inside a replay: balances moved only through ledger entries, orders
 * with their refunds, and tier changes applied with their benefits. The replay is the
 * reference model of the live services, so every rule comes from the domain modules.
 */
import {
  type CustomerTierState,
  decideTier,
  type EvaluationTrigger,
  type TierDecision,
} from './assignment.js';
import { entryBonus, tierTagChange } from './benefits.js';
import { buildCustomerFacts, type WindowStart } from './customer-facts.js';
import type { CustomerFacts } from './qualifications.js';
import type { Balances, LedgerEntryType, ProgramSettings, TierConfig } from './types.js';

/** What every customer of one replay shares. */
export interface ReplayContext {
  settings: ProgramSettings;
  tiers: readonly TierConfig[];
  /** Rolling windows the tiers use (requiredWindows). */
  windows: readonly string[];
  /** Window starts, memoised: every customer's daily sync asks for the same instants. */
  windowStart: WindowStart;
}

/** One ledger entry of a replay; balances always equal the sum of `delta`. */
export interface ReplayLedgerEntry {
  at: Date;
  type: LedgerEntryType;
  /** Points as shown to the merchant (awarded, bonus, redeemed, reversed, reset). */
  points: number;
  delta: Balances;
  /** Tier the customer was in when the entry was written. */
  tierId: string | null;
  orderId?: string;
  /** Earn entries: points before the multiplier, and the multiplier applied. */
  base?: number;
  multiplier?: number;
}

/** One tier change with what came with it. */
export interface ReplayTierChange extends TierDecision {
  at: Date;
  /** Bonus points awarded on entry, 0 when none. */
  bonus: number;
  tagsAdded: string[];
  tagsRemoved: string[];
}

export interface ReplayOrder {
  id: string;
  placedAt: Date;
  /** When its points landed (decides whether a refund reverses carry). */
  earnedAt: Date;
  amount: number;
  refunded: number;
  pointsAwarded: number;
  pointsReversed: number;
}

export interface CustomerSim {
  id: string;
  createdAt: Date;
  tags: string[];
  segments: string[];
  state: CustomerTierState;
  balances: Balances;
  /** Start of the current carry cycle. */
  carrySince: Date;
  tierTags: string[];
  bonused: Set<string>;
  orders: ReplayOrder[];
  ledger: ReplayLedgerEntry[];
  timeline: ReplayTierChange[];
}

const ZERO: Balances = { current: 0, carry: 0, lifetimeEarned: 0, lifetimeSpend: 0 };

export function newCustomerSim(id: string, createdAt: Date, tags: string[], segments: string[]): CustomerSim {
  return {
    id,
    createdAt,
    tags,
    segments,
    state: { tierId: null, tierSince: createdAt, lastChangeReason: null, lastEarnedAt: null },
    balances: { ...ZERO },
    carrySince: createdAt,
    tierTags: [],
    bonused: new Set(),
    orders: [],
    ledger: [],
    timeline: [],
  };
}

/** Append a ledger entry and move the balances by its delta. */
export function post(
  sim: CustomerSim,
  entry: Omit<ReplayLedgerEntry, 'delta' | 'tierId'> & { delta: Partial<Balances> },
): void {
  const delta = { ...ZERO, ...entry.delta };
  sim.ledger.push({ ...entry, delta, tierId: sim.state.tierId });
  sim.balances = {
    current: sim.balances.current + delta.current,
    carry: sim.balances.carry + delta.carry,
    lifetimeEarned: sim.balances.lifetimeEarned + delta.lifetimeEarned,
    lifetimeSpend: sim.balances.lifetimeSpend + delta.lifetimeSpend,
  };
}

/** The customer's facts at `at` (orders placed up to then, balances as they stand). */
export function factsAt(sim: CustomerSim, ctx: ReplayContext, at: Date): CustomerFacts {
  const orders = sim.orders.map((o) => ({ placedAt: o.placedAt, netAmount: o.amount - o.refunded }));
  const records = { tags: sim.tags, segments: sim.segments, orders, balances: sim.balances };
  return buildCustomerFacts(records, ctx.tiers, ctx.windows, at, ctx.settings.timezone, ctx.windowStart);
}

/** The tier the customer is in, if it still exists. */
export function currentTier(sim: CustomerSim, ctx: ReplayContext): TierConfig | null {
  return ctx.tiers.find((t) => t.id === sim.state.tierId) ?? null;
}

/** Evaluate and apply any tier change with its tags and bonus; returns the decision. */
export function evaluate(
  sim: CustomerSim,
  ctx: ReplayContext,
  at: Date,
  trigger: EvaluationTrigger,
): TierDecision {
  const decision = decideTier({
    settings: ctx.settings,
    tiers: ctx.tiers,
    state: sim.state,
    facts: factsAt(sim, ctx, at),
    asOf: at,
    trigger,
  });
  if (decision.direction === 'none') return decision;
  const toTier = ctx.tiers.find((t) => t.id === decision.toTierId) ?? null;
  const tags = tierTagChange(sim.tierTags, toTier);
  sim.tierTags = tags.tierTags;
  sim.state = {
    ...sim.state,
    tierId: decision.toTierId,
    tierSince: at,
    lastChangeReason: decision.reason,
  };
  const bonus = entryBonus(ctx.settings, decision, ctx.tiers, sim.bonused);
  if (bonus) {
    sim.bonused.add(bonus.tierId);
    post(sim, { at, type: 'bonus', points: bonus.points, delta: { current: bonus.points } });
  }
  sim.timeline.push({
    ...decision,
    at,
    bonus: bonus?.points ?? 0,
    tagsAdded: tags.add,
    tagsRemoved: tags.remove,
  });
  return decision;
}

/** Close the carry cycle at a boundary: carry back to 0 (an entry only when it was not 0). */
export function resetCarry(sim: CustomerSim, at: Date): void {
  if (sim.balances.carry !== 0) {
    post(sim, {
      at,
      type: 'carry_reset',
      points: -sim.balances.carry,
      delta: { carry: -sim.balances.carry },
    });
  }
  sim.carrySince = at;
}
