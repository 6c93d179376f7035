/**
 * Pure replay of a program (`POST /v1/simulations/replay`, test clocks, end-to-end
 * checks): customers and a list of events in, each customer's tier timeline and final
 * balances out. Between events it runs what the scheduler would, in time order: cycle
 * boundaries (evaluation, then carry reset), daily syncs at local midnight in continuous
 * mode, and inactivity drops at the instant they fall due. At one instant, scheduled
 * work runs before events: an event stamped exactly on a boundary belongs to the new cycle.
 * Customers never affect each other, so each one is replayed on its own.
 */
import type { WindowStart } from './customer-facts.js';
import { boundariesBetween } from './cycles.js';
import { inactivityDueAt } from './inactivity.js';
import { requiredWindows, windowBounds } from './qualifications.js';
import {
  type CustomerSim,
  evaluate,
  newCustomerSim,
  type ReplayContext,
  type ReplayLedgerEntry,
  type ReplayTierChange,
  resetCarry,
} from './replay-customer.js';
import { applyEffect, type ReplayEvent } from './replay-events.js';
import type { Balances, ProgramSettings, TierConfig } from './types.js';
import { localDateString } from './zoned-time.js';

export type { ReplayEvent } from './replay-events.js';

export interface ReplayCustomer {
  id: string;
  /** Default: the replay start. */
  createdAt?: Date;
  /** Merchant tags and segments at creation. */
  tags?: string[];
  segments?: string[];
}

export interface ReplayInput {
  settings: ProgramSettings;
  tiers: readonly TierConfig[];
  customers: readonly ReplayCustomer[];
  events: readonly ReplayEvent[];
  /** Start of the replay; default the earliest customer creation or event. */
  from?: Date;
  /** Everything up to and including this instant runs. */
  until: Date;
}

/** An event that could not apply (it changes nothing). */
export interface ReplayRejection {
  /** Position in the input `events`. */
  index: number;
  code: string;
  message: string;
}

export interface ReplayCustomerResult {
  id: string;
  tierId: string | null;
  balances: Balances;
  tierTags: string[];
  bonusedTierIds: string[];
  timeline: ReplayTierChange[];
  ledger: ReplayLedgerEntry[];
}

export interface ReplayResult {
  customers: ReplayCustomerResult[];
  /** Cycle boundaries in (from, until]. */
  boundaries: Date[];
  rejected: ReplayRejection[];
}

type Indexed = { index: number; event: ReplayEvent };
type Reject = (index: number, code: string, message: string) => void;

function startOf(input: ReplayInput): Date {
  if (input.from) return input.from;
  let t = input.until.getTime();
  for (const c of input.customers) if (c.createdAt) t = Math.min(t, c.createdAt.getTime());
  for (const e of input.events) t = Math.min(t, e.at.getTime());
  return new Date(t);
}

function memoise(fn: WindowStart): WindowStart {
  const cache = new Map<string, Date>();
  return (at, window) => {
    const key = `${at.getTime()}|${window}`;
    let hit = cache.get(key);
    if (!hit) {
      hit = fn(at, window);
      cache.set(key, hit);
    }
    return hit;
  };
}

function localMidnights(from: Date, until: Date, timeZone: string): Date[] {
  return boundariesBetween({ every: 'P1D', anchor: localDateString(from, timeZone) }, timeZone, from, until);
}

/** Replay everything up to `until`. */
export function simulate(input: ReplayInput): ReplayResult {
  const { settings, until } = input;
  const from = startOf(input);
  const tz = settings.timezone;
  const ctx: ReplayContext = {
    settings,
    tiers: input.tiers,
    windows: requiredWindows(input.tiers),
    windowStart: memoise((at, w) => windowBounds(at, w, tz).from),
  };
  const cycle = settings.retention.mode === 'cycle' ? settings.retention.cycle : undefined;
  const boundaries = cycle ? boundariesBetween(cycle, tz, from, until) : [];
  // Between events only rolling windows change facts; without them a daily sync finds nothing.
  const daily =
    settings.retention.mode === 'continuous' && ctx.windows.length > 0 ? localMidnights(from, until, tz) : [];

  const rejected: ReplayRejection[] = [];
  const reject: Reject = (index, code, message) => rejected.push({ index, code, message });
  const orderOwner = new Map<string, string>();
  for (const e of input.events)
    if (e.type === 'order' && !orderOwner.has(e.id)) orderOwner.set(e.id, e.customerId);

  const perCustomer = new Map<string, Indexed[]>(input.customers.map((c) => [c.id, []]));
  input.events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.at.getTime() - b.event.at.getTime() || a.index - b.index)
    .forEach((item) => {
      const e = item.event;
      const owner = e.type === 'refund' ? orderOwner.get(e.orderId) : e.customerId;
      const list = owner === undefined ? undefined : perCustomer.get(owner);
      if (!list && e.type === 'refund') reject(item.index, 'unknown_order', `no order ${e.orderId}`);
      else if (!list) reject(item.index, 'unknown_customer', `no customer ${owner}`);
      else if (e.at.getTime() > until.getTime())
        reject(item.index, 'after_until', 'event after the replay end');
      else list.push(item);
    });

  const customers = input.customers.map((c) => {
    const sim = newCustomerSim(c.id, c.createdAt ?? from, [...(c.tags ?? [])], [...(c.segments ?? [])]);
    runCustomer(sim, ctx, perCustomer.get(c.id) ?? [], { boundaries, daily, until }, reject);
    return {
      id: sim.id,
      tierId: sim.state.tierId,
      balances: sim.balances,
      tierTags: sim.tierTags,
      bonusedTierIds: [...sim.bonused],
      timeline: sim.timeline,
      ledger: sim.ledger,
    };
  });
  rejected.sort((a, b) => a.index - b.index);
  return { customers, boundaries, rejected };
}

interface Schedule {
  boundaries: Date[];
  daily: Date[];
  until: Date;
}

/** When the customer's inactivity drop falls due; recomputed only when its inputs change. */
function inactivityClock(ctx: ReplayContext): (sim: CustomerSim) => number {
  const { retention, tiersEnabled, timezone } = ctx.settings;
  let key = '';
  let due = Number.POSITIVE_INFINITY;
  return (sim) => {
    const { state } = sim;
    if (!tiersEnabled || retention.mode === 'lifetime' || !retention.inactivity || state.tierId === null) {
      return Number.POSITIVE_INFINITY;
    }
    const k = `${state.tierSince.getTime()}|${state.lastEarnedAt?.getTime()}`;
    if (k !== key) {
      key = k;
      due = inactivityDueAt(state, retention.inactivity, timezone).getTime();
    }
    return due;
  };
}

function runCustomer(
  sim: CustomerSim,
  ctx: ReplayContext,
  events: Indexed[],
  s: Schedule,
  reject: Reject,
): void {
  const created = sim.createdAt.getTime();
  evaluate(sim, ctx, sim.createdAt, 'event');
  let b = s.boundaries.findIndex((d) => d.getTime() > created);
  let d = s.daily.findIndex((x) => x.getTime() > created);
  if (b < 0) b = s.boundaries.length;
  if (d < 0) d = s.daily.length;
  let e = 0;
  let idleDue = Number.NaN; // an inactivity deadline already checked without effect
  const inactivityDue = inactivityClock(ctx);
  const end = s.until.getTime();
  for (;;) {
    const nextB = s.boundaries[b]?.getTime() ?? Number.POSITIVE_INFINITY;
    const nextD = s.daily[d]?.getTime() ?? Number.POSITIVE_INFINITY;
    const due = inactivityDue(sim);
    const nextI = due === idleDue ? Number.POSITIVE_INFINITY : due;
    const nextE = events[e]?.event.at.getTime() ?? Number.POSITIVE_INFINITY;
    const t = Math.min(nextB, nextD, nextI, nextE);
    if (t > end) return;
    const at = new Date(t);
    if (t === nextB) {
      evaluate(sim, ctx, at, 'boundary');
      resetCarry(sim, at);
      b += 1;
    } else if (t === nextD) {
      evaluate(sim, ctx, at, 'daily');
      d += 1;
    } else if (t === nextI) {
      if (evaluate(sim, ctx, at, 'inactivity').direction === 'none') idleDue = due;
    } else {
      const item = events[e]!;
      e += 1;
      if (t < created) reject(item.index, 'before_customer', 'event before the customer was created');
      else applyEvent(sim, ctx, item, reject);
    }
  }
}

function applyEvent(sim: CustomerSim, ctx: ReplayContext, item: Indexed, reject: Reject): void {
  const problem = applyEffect(sim, ctx, item.event);
  if (problem) reject(item.index, problem.code, problem.message);
  else if (item.event.type !== 'redemption') evaluate(sim, ctx, item.event.at, 'event'); // redeeming never touches tier status
}
