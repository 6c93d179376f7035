/**
 * The effect of one replay event on a customer's balances and records: the same
 * arithmetic as the live ledger (earning.ts for points and refund reversals, the
 * multiplier of the tier the customer is in when the event happens).
 */
import { earnOrder, earnPoints } from './benefits.js';
import { refundReversal } from './earning.js';
import { type CustomerSim, currentTier, post, type ReplayContext } from './replay-customer.js';

/** An input event; amounts in minor units, `at` is when it happens in program time. */
export type ReplayEvent =
  | { type: 'order'; at: Date; id: string; customerId: string; amount: number; placedAt?: Date }
  | { type: 'refund'; at: Date; orderId: string; amount: number; id?: string }
  | { type: 'points'; at: Date; customerId: string; points: number; qualifying?: boolean; reason?: string }
  | { type: 'redemption'; at: Date; customerId: string; points: number; reward?: string }
  | { type: 'customer'; at: Date; customerId: string; tags?: string[]; segments?: string[] };

/** Why an event could not apply. */
export interface EventProblem {
  code: string;
  message: string;
}

/** Apply one event's effect on balances and records; a problem means nothing changed. */
export function applyEffect(sim: CustomerSim, ctx: ReplayContext, ev: ReplayEvent): EventProblem | null {
  const at = ev.at;
  const fail = (code: string, message: string): EventProblem => ({ code, message });
  const whole = (n: number, min: number) => Number.isInteger(n) && n >= min;
  switch (ev.type) {
    case 'order': {
      const placedAt = ev.placedAt ?? at;
      if (!whole(ev.amount, 0)) return fail('amount_invalid', 'amount must be a whole number ≥ 0');
      if (placedAt.getTime() > at.getTime())
        return fail('placed_in_future', 'placedAt is after the event time');
      if (sim.orders.some((o) => o.id === ev.id)) return fail('order_duplicate', `order ${ev.id} exists`);
      const earn = earnOrder(ctx.settings, currentTier(sim, ctx), ev.amount);
      const a = earn.awarded;
      sim.orders.push({
        id: ev.id,
        placedAt,
        earnedAt: at,
        amount: ev.amount,
        refunded: 0,
        pointsAwarded: a,
        pointsReversed: 0,
      });
      post(sim, {
        at,
        type: 'earn',
        points: a,
        base: earn.base,
        multiplier: earn.multiplier,
        orderId: ev.id,
        // Carry holds the current cycle's points: a backfilled order placed before the cycle
        // began counts for lifetime figures only (same rule as the live order service).
        delta: {
          current: a,
          carry: placedAt.getTime() >= sim.carrySince.getTime() ? a : 0,
          lifetimeEarned: a,
          lifetimeSpend: ev.amount,
        },
      });
      if (a > 0) sim.state = { ...sim.state, lastEarnedAt: at };
      break;
    }
    case 'refund': {
      const order = sim.orders.find((o) => o.id === ev.orderId);
      if (!order) return fail('unknown_order', `order ${ev.orderId} does not exist yet`);
      if (!whole(ev.amount, 1)) return fail('amount_invalid', 'amount must be a whole number ≥ 1');
      if (ev.amount > order.amount - order.refunded)
        return fail('refund_exceeds_order', 'more than the order left');
      const state = {
        amount: order.amount,
        refundedBefore: order.refunded,
        pointsAwarded: order.pointsAwarded,
        pointsReversedBefore: order.pointsReversed,
      };
      const r = refundReversal(state, ev.amount);
      // SPEC 2.1: a refund reverses carry only when its order was placed in the current cycle.
      const inCycle = order.placedAt.getTime() >= sim.carrySince.getTime();
      order.refunded += ev.amount;
      order.pointsReversed += r;
      post(sim, {
        at,
        type: 'refund_reversal',
        points: -r,
        orderId: order.id,
        delta: {
          current: -r,
          carry: inCycle ? -Math.min(r, sim.balances.carry) : 0,
          lifetimeEarned: -r,
          lifetimeSpend: -ev.amount,
        },
      });
      break;
    }
    case 'points': {
      if (ev.qualifying === false) {
        if (!Number.isInteger(ev.points) || ev.points === 0)
          return fail('points_invalid', 'a non-zero whole number');
        post(sim, { at, type: 'adjust', points: ev.points, delta: { current: ev.points } });
        break;
      }
      if (!whole(ev.points, 1)) return fail('points_invalid', 'qualifying points must be a whole number ≥ 1');
      const earn = earnPoints(ctx.settings, currentTier(sim, ctx), ev.points);
      const a = earn.awarded;
      post(sim, {
        at,
        type: 'earn',
        points: a,
        base: earn.base,
        multiplier: earn.multiplier,
        delta: { current: a, carry: a, lifetimeEarned: a },
      });
      if (a > 0) sim.state = { ...sim.state, lastEarnedAt: at };
      break;
    }
    case 'redemption':
      if (!whole(ev.points, 1)) return fail('points_invalid', 'points must be a whole number ≥ 1');
      if (ev.points > sim.balances.current) return fail('insufficient_balance', 'not enough points');
      post(sim, { at, type: 'redeem', points: -ev.points, delta: { current: -ev.points } });
      break;
    case 'customer':
      if (ev.tags) sim.tags = [...ev.tags];
      if (ev.segments) sim.segments = [...ev.segments];
      break;
  }
  return null;
}
