/**
 * One evaluation, one outcome (docs/decisions/0038). For one customer and one moment — an event
 * (order, refund, adjustment, redemption, a change of the merchant's fields), a cycle boundary, a
 * daily sync, an inactivity check, a resync, a downgrade warning — `decideOutcome` decides
 * everything that follows, as data: the ledger entries, the balances after them, the new tier
 * placement and the tier change with its facts, the effective tags added and removed, the complete
 * webhook events, the carry cycle closed, and whether the customer's wallet passes must be
 * refreshed. The event path (features/ledger, features/customers) and every recalculation run
 * (features/recalculation, features/downgrade-warnings) call it; a storage adapter only stores
 * what it returns.
 */
import { decideTier, type EvaluationTrigger, type TierDecision } from './assignment.js';
import { qualifyingTags } from './customer-facts.js';
import { type DowngradeWarning, predictDowngrade } from './downgrade-warning.js';
import type { CustomerFacts } from './qualifications.js';
import { applyDecision, type PlacementState } from './transition.js';
import type {
  Balances,
  NewLedgerEntry,
  NewTierChange,
  ProgramSettings,
  TierConfig,
  TierPlacement,
} from './types.js';
import {
  announce,
  downgradeWarningEvent,
  effectiveTags,
  evaluationEvents,
  type NewWebhookEvent,
  sameList,
} from './webhook-events.js';

/** What the rules read of a customer: identity, merchant fields, placement, balances. */
export interface OutcomeCustomer extends PlacementState {
  id: string;
  email: string | null;
  tags: string[];
  segments: string[];
  lastEarnedAt: Date | null;
  balances: Balances;
}

/** A tier as the rules and the events read it. */
export type OutcomeTier = TierConfig & { title: string };

/** Order facts at the moment: net spend per window and the largest order (zeros when not read). */
export interface OrderFacts {
  windowSpend: Record<string, number>;
  largestOrder: number;
}

/** The moment a customer is evaluated for. */
export type Moment =
  /** An event: its own entries come first; `tagsBefore` when the unit changed the merchant's tags. */
  | { type: 'event'; entries: readonly NewLedgerEntry[]; tagsBefore?: readonly string[] }
  /** A cycle boundary: evaluated on the closing cycle's facts, then the cycle is closed. */
  | { type: 'boundary'; closeCycle: { keyPrefix: string; reason: string } }
  /** A recalculation without a boundary. */
  | { type: 'daily' | 'inactivity' | 'resync' }
  /** A downgrade warning before `boundary` (facts projected to it): an event, nothing else. */
  | { type: 'warning'; boundary: Date };

/** Which wallet passes a change makes stale. The store queues a refresh for those the customer holds. */
export type PassKind = 'apple' | 'google';

export interface CustomerOutcome<C extends OutcomeCustomer = OutcomeCustomer> {
  customerId: string;
  /** Program time of the moment. */
  at: Date;
  /** Ledger entries in write order: the event's own, the tier bonus, the cycle's carry reset. */
  entries: NewLedgerEntry[];
  /** The customer after the moment (balances moved by `entries`, placement applied). */
  customer: C;
  /** The placement to store when the tier changed; null otherwise. */
  placement: TierPlacement | null;
  /** The tier change to record; null when the tier stays. */
  change: NewTierChange | null;
  /** The decision and facts behind it (null for a warning or an event with tiers off the path). */
  decision: TierDecision | null;
  /** The facts the rules read. */
  facts: CustomerFacts;
  /** Effective tags (merchant's and tier's) added and removed by the moment. */
  tags: { added: string[]; removed: string[] };
  /** Webhook events, complete (customer and balances after the moment included). */
  events: NewWebhookEvent[];
  /** The carry cycle closed at this instant (carrySince moves here), or null. */
  cycleClosedAt: Date | null;
  /** The wallet passes to refresh: any balance or tier movement makes both stale. */
  passes: PassKind[];
}

export interface OutcomeInput<C extends OutcomeCustomer> {
  settings: ProgramSettings;
  /** Every live tier, enabled or not, lowest rank first. */
  tiers: readonly OutcomeTier[];
  /** The customer before the moment (and before the event's own entries). */
  customer: C;
  /** Order facts at the moment (the event's own order included), or null when no tier reads orders. */
  orders: OrderFacts | null;
  moment: Moment;
  /** Program time of the moment. */
  at: Date;
}

/** Whether any enabled tier reads orders: only then are window sums and the largest order read. */
export function readsOrders(tiers: readonly TierConfig[]): boolean {
  return tiers.some(
    (t) =>
      t.enabled &&
      [...t.qualifications, ...(t.maintain ?? [])].some(
        (q) => q.type === 'orderVolume' || q.type === 'largeOrder',
      ),
  );
}

/** The facts the rules read of a customer: tags and segments, balances, order facts. */
export function customerFacts(
  customer: Pick<OutcomeCustomer, 'tags' | 'segments' | 'balances'>,
  orders: OrderFacts | null,
  tiers: readonly TierConfig[],
): CustomerFacts {
  return {
    tags: qualifyingTags(customer.tags, tiers),
    segments: customer.segments,
    largestOrder: orders?.largestOrder ?? 0,
    lifetimeEarned: customer.balances.lifetimeEarned,
    lifetimeSpend: customer.balances.lifetimeSpend,
    carry: customer.balances.carry,
    windowSpend: orders?.windowSpend ?? {},
  };
}

/** A pending order (written in the same unit, so not yet in the order facts) added to them. */
export function withPendingOrder(
  facts: OrderFacts,
  windows: readonly { key: string; from: Date }[],
  pending: { amount: number; placedAt: Date },
  asOf: Date,
): OrderFacts {
  if (pending.placedAt.getTime() > asOf.getTime()) return facts;
  const windowSpend = { ...facts.windowSpend };
  for (const w of windows) {
    if (pending.placedAt.getTime() > w.from.getTime()) {
      windowSpend[w.key] = (windowSpend[w.key] ?? 0) + pending.amount;
    }
  }
  return { windowSpend, largestOrder: Math.max(facts.largestOrder, pending.amount) };
}

/** Sum of the entries' deltas. */
export function sumDeltas(entries: readonly NewLedgerEntry[]): Balances {
  const sum = { current: 0, carry: 0, lifetimeEarned: 0, lifetimeSpend: 0 };
  for (const e of entries) {
    sum.current += e.delta.current;
    sum.carry += e.delta.carry;
    sum.lifetimeEarned += e.delta.lifetimeEarned;
    sum.lifetimeSpend += e.delta.lifetimeSpend;
  }
  return sum;
}

/** The customer once `entries` moved its balances at `at`. */
export function afterEntries<C extends OutcomeCustomer>(
  c: C,
  entries: readonly NewLedgerEntry[],
  at: Date,
): C {
  if (entries.length === 0) return c;
  const d = sumDeltas(entries);
  const b = c.balances;
  return {
    ...c,
    balances: {
      current: b.current + d.current,
      carry: b.carry + d.carry,
      lifetimeEarned: b.lifetimeEarned + d.lifetimeEarned,
      lifetimeSpend: b.lifetimeSpend + d.lifetimeSpend,
    },
    lastEarnedAt: d.lifetimeEarned > 0 ? at : c.lastEarnedAt,
  };
}

/** The entry bonus of a tier entered for the first time: its key makes a second award impossible. */
function bonusEntry(customerId: string, tierId: string, points: number, at: Date): NewLedgerEntry {
  return {
    type: 'bonus',
    key: `bonus:${customerId}:${tierId}`,
    orderId: null,
    base: null,
    multiplier: null,
    points,
    // Spendable only: never qualifying, never carry.
    delta: { current: points, carry: 0, lifetimeEarned: 0, lifetimeSpend: 0 },
    reason: 'tier_bonus',
    tierId,
    at,
  };
}

/** The carry reset closing a cycle: carry back to zero, recorded as an entry. */
function carryResetEntry(
  customerId: string,
  carry: number,
  tierId: string | null,
  close: { keyPrefix: string; reason: string },
  at: Date,
): NewLedgerEntry {
  return {
    type: 'carry_reset',
    key: `${close.keyPrefix}${customerId}`,
    orderId: null,
    base: null,
    multiplier: null,
    points: -carry,
    delta: { current: 0, carry: -carry, lifetimeEarned: 0, lifetimeSpend: 0 },
    reason: close.reason,
    tierId,
    at,
  };
}

function diffTags(
  before: readonly string[],
  after: readonly string[],
): { added: string[]; removed: string[] } {
  if (sameList(before, after)) return { added: [], removed: [] };
  const was = new Set(before);
  const now = new Set(after);
  return {
    added: [...now].filter((t) => !was.has(t)).sort(),
    removed: [...was].filter((t) => !now.has(t)).sort(),
  };
}

const TRIGGERS: Record<Exclude<Moment['type'], 'warning'>, EvaluationTrigger> = {
  event: 'event',
  boundary: 'boundary',
  daily: 'daily',
  inactivity: 'inactivity',
  resync: 'resync',
};

/** Decide everything that follows from one moment for one customer. Pure; time is `at`. */
export function decideOutcome<C extends OutcomeCustomer>(input: OutcomeInput<C>): CustomerOutcome<C> {
  const { settings, tiers, moment, at } = input;
  if (moment.type === 'warning') return warningOutcome(input, moment.boundary);
  const own = moment.type === 'event' ? moment.entries : [];
  const tagsBefore =
    moment.type === 'event' && moment.tagsBefore ? moment.tagsBefore : effectiveTags(input.customer);
  const afterEvent = afterEntries(input.customer, own, at);
  const facts = customerFacts(afterEvent, input.orders, tiers);
  const decision = decideTier({
    settings,
    tiers,
    state: {
      tierId: afterEvent.tierId,
      tierSince: afterEvent.tierSince,
      lastChangeReason: afterEvent.lastChangeReason,
      lastEarnedAt: afterEvent.lastEarnedAt,
    },
    facts,
    asOf: at,
    trigger: TRIGGERS[moment.type],
  });
  const t = applyDecision(afterEvent, decision, tiers, settings, at);
  const entries: NewLedgerEntry[] = [...own];
  if (t.change && t.bonus) entries.push(bonusEntry(afterEvent.id, t.bonus.tierId, t.bonus.points, at));
  let cycleClosedAt: Date | null = null;
  if (moment.type === 'boundary') {
    const carry = afterEvent.balances.carry;
    const tierId = t.change ? t.placement.tierId : afterEvent.tierId;
    if (carry > 0) entries.push(carryResetEntry(afterEvent.id, carry, tierId, moment.closeCycle, at));
    cycleClosedAt = at;
  }
  const moved = afterEntries(afterEvent, entries.slice(own.length), at);
  const customer: C = t.change ? { ...moved, ...t.placement } : moved;
  const change: NewTierChange | null = t.change ? { customerId: afterEvent.id, ...t.change } : null;
  // Tags move only with a placement (tier tags) or a change of merchant fields (an event's tagsBefore).
  const tagsAfter = t.change || moment.type === 'event' ? effectiveTags(customer) : tagsBefore;
  const events = evaluationEvents(afterEvent.id, tagsBefore, customer, change, tiers, at, tagsAfter).map(
    (e) => announce(e, customer, customer.balances),
  );
  return {
    customerId: afterEvent.id,
    at,
    entries,
    customer,
    placement: t.change ? t.placement : null,
    change,
    decision,
    facts,
    tags: diffTags(tagsBefore, tagsAfter),
    events,
    cycleClosedAt,
    // A balance or the tier moved: the pass shows both (SPEC 5).
    passes: entries.length > 0 || change ? ['apple', 'google'] : [],
  };
}

function warningOutcome<C extends OutcomeCustomer>(
  input: OutcomeInput<C>,
  boundary: Date,
): CustomerOutcome<C> {
  const { settings, tiers, customer, at } = input;
  const facts = customerFacts(customer, input.orders, tiers);
  const warning: DowngradeWarning | null = predictDowngrade({
    settings,
    tiers,
    state: customer,
    facts,
    boundary,
    now: at,
  });
  return {
    ...unchanged(customer, facts, at),
    events: warning
      ? [announce(downgradeWarningEvent(customer.id, warning, tiers, at), customer, customer.balances)]
      : [],
  };
}

function unchanged<C extends OutcomeCustomer>(
  customer: C,
  facts: CustomerFacts,
  at: Date,
): CustomerOutcome<C> {
  return {
    customerId: customer.id,
    at,
    entries: [],
    customer,
    placement: null,
    change: null,
    decision: null,
    facts,
    tags: { added: [], removed: [] },
    events: [],
    cycleClosedAt: null,
    passes: [],
  };
}

/** Whether the outcome writes nothing at all (most customers of a daily sync). */
export function isEmptyOutcome(o: CustomerOutcome): boolean {
  return (
    o.entries.length === 0 &&
    o.change === null &&
    o.events.length === 0 &&
    o.cycleClosedAt === null &&
    o.passes.length === 0
  );
}
