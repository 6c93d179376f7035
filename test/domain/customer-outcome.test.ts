/**
 * One evaluation, one outcome (docs/decisions/0038): `decideOutcome` decides everything a moment
 * causes for one customer, as data; the event path and every recalculation run store exactly this.
 */
import {
  type CustomerOutcome,
  customerFacts,
  decideOutcome,
  isEmptyOutcome,
  type Moment,
  type OrderFacts,
  type OutcomeCustomer,
  readsOrders,
  withPendingOrder,
} from '../../src/domain/customer-outcome.js';
import type { NewLedgerEntry, ProgramSettings, TierConfig } from '../../src/domain/types.js';
import { settings, tier } from './fixtures.js';

const T = new Date('2025-04-01T04:00:00.000Z');
const quarterly = settings(
  { mode: 'cycle', cycle: { every: 'P3M', anchor: '2025-01-01' } },
  { timezone: 'UTC' },
);
const continuous = settings({ mode: 'continuous' }, { timezone: 'UTC' });

const tiers: TierConfig[] = [
  tier('bronze', 0),
  tier('silver', 1, {
    qualifications: [{ type: 'lifetimePoints', minPoints: 1_000 }],
    benefits: { bonusPoints: 200, tag: 'vip-silver' },
  }),
  tier('gold', 2, {
    qualifications: [{ type: 'orderVolume', minAmount: 50_000, window: 'P90D' }],
    benefits: { bonusPoints: 500, tag: 'vip-gold' },
  }),
];

function customer(over: Partial<OutcomeCustomer> = {}): OutcomeCustomer {
  return {
    id: 'ann',
    email: 'ann@example.com',
    tags: ['newsletter'],
    segments: [],
    tierId: 'bronze',
    tierTags: [],
    tierSince: new Date('2025-01-01T00:00:00Z'),
    lastChangeReason: 'qualified',
    bonusedTierIds: [],
    lastEarnedAt: null,
    balances: { current: 900, carry: 900, lifetimeEarned: 900, lifetimeSpend: 90_000 },
    ...over,
  };
}

function earn(points: number, key = 'order:o1'): NewLedgerEntry {
  return {
    type: 'earn',
    key,
    orderId: 'o1',
    base: points,
    multiplier: '1',
    points,
    delta: { current: points, carry: points, lifetimeEarned: points, lifetimeSpend: points * 100 },
    reason: 'order',
    tierId: 'bronze',
    at: T,
  };
}

function decide(
  moment: Moment,
  over: { customer?: Partial<OutcomeCustomer>; orders?: OrderFacts | null; settings?: ProgramSettings } = {},
): CustomerOutcome {
  return decideOutcome({
    settings: over.settings ?? quarterly,
    tiers,
    customer: customer(over.customer),
    orders: over.orders === undefined ? { windowSpend: { P90D: 0 }, largestOrder: 0 } : over.orders,
    moment,
    at: T,
  });
}

describe('an event', () => {
  it('that upgrades: own entry, then the entry bonus; placement, change, tags, complete events, both passes', () => {
    const o = decide({ type: 'event', entries: [earn(150)] });
    expect(o.entries.map((e) => [e.type, e.key, e.points])).toEqual([
      ['earn', 'order:o1', 150],
      ['bonus', 'bonus:ann:silver', 200],
    ]);
    expect(o.customer.balances).toEqual({
      current: 1_250,
      carry: 1_050,
      lifetimeEarned: 1_050,
      lifetimeSpend: 105_000,
    });
    expect(o.customer.lastEarnedAt).toEqual(T);
    expect(o.placement).toEqual({
      tierId: 'silver',
      tierTags: ['vip-silver'],
      tierSince: T,
      lastChangeReason: 'qualified',
      bonusedTierIds: ['silver'],
    });
    expect(o.change).toMatchObject({
      customerId: 'ann',
      fromTierId: 'bronze',
      toTierId: 'silver',
      direction: 'up',
      at: T,
    });
    expect(o.tags).toEqual({ added: ['vip-silver'], removed: [] });
    expect(o.events.map((e) => e.type)).toEqual(['tier.upgraded', 'customer.tags_changed']);
    for (const e of o.events) {
      // Complete: the receiver's customer and balances after the whole moment (bonus included).
      expect(e.data).toMatchObject({
        customer: { id: 'ann', email: 'ann@example.com' },
        balances: { current: 1_250, carry: 1_050, lifetimeEarned: 1_050, lifetimeSpend: 105_000 },
      });
    }
    expect(o.events[0]?.data).toMatchObject({
      from: { id: 'bronze', title: 'Bronze' },
      to: { id: 'silver', title: 'Silver' },
    });
    expect(o.passes).toEqual(['apple', 'google']);
    expect(o.cycleClosedAt).toBeNull();
  });

  it('that moves only balances: its entry, no change, no events, both passes refreshed', () => {
    const o = decide({ type: 'event', entries: [earn(10)] });
    expect(o.entries).toHaveLength(1);
    expect(o.change).toBeNull();
    expect(o.placement).toBeNull();
    expect(o.events).toEqual([]);
    expect(o.passes).toEqual(['apple', 'google']);
    expect(isEmptyOutcome(o)).toBe(false);
  });

  it('never awards a bonus twice', () => {
    const o = decide({ type: 'event', entries: [earn(150)] }, { customer: { bonusedTierIds: ['silver'] } });
    expect(o.change?.toTierId).toBe('silver');
    expect(o.entries.map((e) => e.type)).toEqual(['earn']);
  });

  it("announces a change of the merchant's tags with tagsBefore, and writes nothing else", () => {
    const o = decide({ type: 'event', entries: [], tagsBefore: ['old'] });
    expect(o.entries).toEqual([]);
    expect(o.change).toBeNull();
    expect(o.tags).toEqual({ added: ['newsletter'], removed: ['old'] });
    expect(o.events.map((e) => e.type)).toEqual(['customer.tags_changed']);
    expect(o.passes).toEqual([]);
  });

  it('with nothing to do is empty', () => {
    const o = decide({ type: 'event', entries: [] });
    expect(isEmptyOutcome(o)).toBe(true);
  });

  it('reads order windows from the given facts (the pending order included by withPendingOrder)', () => {
    const windows = [{ key: 'P90D', from: new Date('2025-01-01T04:00:00Z') }];
    const base = { windowSpend: { P90D: 40_000 }, largestOrder: 20_000 };
    const pending = withPendingOrder(base, windows, { amount: 15_000, placedAt: T }, T);
    expect(pending).toEqual({ windowSpend: { P90D: 55_000 }, largestOrder: 20_000 });
    // An order placed after the moment, or before the window, does not count in it.
    expect(
      withPendingOrder(base, windows, { amount: 15_000, placedAt: new Date(T.getTime() + 1) }, T),
    ).toEqual(base);
    expect(
      withPendingOrder(base, windows, { amount: 25_000, placedAt: new Date('2024-12-01T00:00:00Z') }, T),
    ).toEqual({
      windowSpend: { P90D: 40_000 },
      largestOrder: 25_000,
    });
    const o = decide({ type: 'event', entries: [earn(10)] }, { orders: pending });
    expect(o.change?.toTierId).toBe('gold');
    expect(o.entries.map((e) => e.key)).toEqual(['order:o1', 'bonus:ann:gold']);
    expect(o.facts.windowSpend).toEqual({ P90D: 55_000 });
  });
});

describe('a cycle boundary', () => {
  const boundary: Moment = {
    type: 'boundary',
    closeCycle: { keyPrefix: 'carry_reset:b:', reason: 'cycle_boundary' },
  };

  it('evaluates on the closing cycle, then closes it: a carry_reset entry of -carry in the new tier', () => {
    const o = decide(boundary, {
      customer: {
        tierId: 'gold',
        tierTags: ['vip-gold'],
        bonusedTierIds: ['gold'],
        balances: { current: 900, carry: 900, lifetimeEarned: 900, lifetimeSpend: 0 },
      },
    });
    expect(o.change).toMatchObject({
      fromTierId: 'gold',
      toTierId: 'bronze',
      direction: 'down',
      reason: 'cycle',
    });
    expect(o.entries).toEqual([
      expect.objectContaining({
        type: 'carry_reset',
        key: 'carry_reset:b:ann',
        points: -900,
        tierId: 'bronze',
        reason: 'cycle_boundary',
        at: T,
      }),
    ]);
    expect(o.entries[0]?.delta).toEqual({ current: 0, carry: -900, lifetimeEarned: 0, lifetimeSpend: 0 });
    expect(o.customer.balances.carry).toBe(0);
    expect(o.cycleClosedAt).toEqual(T);
    // The events carry the balances after the reset, as receivers see the customer.
    expect(o.events[0]?.data).toMatchObject({ balances: { carry: 0, current: 900 } });
    expect(o.tags).toEqual({ added: [], removed: ['vip-gold'] });
  });

  it('closes the cycle of a customer without carry too, with no entry', () => {
    const o = decide(boundary, {
      customer: { balances: { current: 5, carry: 0, lifetimeEarned: 5, lifetimeSpend: 0 } },
    });
    expect(o.entries).toEqual([]);
    expect(o.cycleClosedAt).toEqual(T);
    expect(o.change).toBeNull();
    expect(isEmptyOutcome(o)).toBe(false);
  });
});

describe('a daily sync and a warning', () => {
  it('a continuous daily sync drops a customer whose window no longer holds', () => {
    const o = decide(
      { type: 'daily' },
      {
        settings: continuous,
        customer: { tierId: 'gold', tierTags: ['vip-gold'], bonusedTierIds: ['gold'] },
        orders: { windowSpend: { P90D: 10_000 }, largestOrder: 10_000 },
      },
    );
    expect(o.change).toMatchObject({ fromTierId: 'gold', direction: 'down', reason: 'continuous' });
    expect(o.entries).toEqual([]);
    expect(o.passes).toEqual(['apple', 'google']);
  });

  it('a daily sync that changes nothing is empty', () => {
    expect(isEmptyOutcome(decide({ type: 'daily' }, { settings: continuous }))).toBe(true);
  });

  it('a warning writes one complete event and nothing else', () => {
    const o = decide(
      { type: 'warning', boundary: new Date('2025-07-01T00:00:00Z') },
      { customer: { tierId: 'gold', tierTags: ['vip-gold'], bonusedTierIds: ['gold'] } },
    );
    expect(o.events.map((e) => e.type)).toEqual(['tier.downgrade_warning']);
    expect(o.events[0]?.data).toMatchObject({
      tier: { id: 'gold', title: 'Gold' },
      downgradeTo: { id: 'bronze', title: 'Bronze' },
      customer: { id: 'ann', email: 'ann@example.com' },
      balances: { current: 900 },
    });
    expect(o.entries).toEqual([]);
    expect(o.change).toBeNull();
    expect(o.passes).toEqual([]);
    expect(isEmptyOutcome(decide({ type: 'warning', boundary: new Date('2025-07-01T00:00:00Z') }))).toBe(
      true,
    );
  });
});

describe('facts', () => {
  it('are built the same for every path: merchant tags less tier benefit tags, balances, order facts or zeros', () => {
    const withTags = tiers.map((t) =>
      t.id === 'gold' ? { ...t, qualifications: [{ type: 'tag' as const, tag: 'vip' }] } : t,
    );
    expect(customerFacts(customer({ tags: ['vip', 'vip-silver', 'other'] }), null, withTags)).toEqual({
      tags: ['vip', 'other'],
      segments: [],
      largestOrder: 0,
      lifetimeEarned: 900,
      lifetimeSpend: 90_000,
      carry: 900,
      windowSpend: {},
    });
    expect(readsOrders(tiers)).toBe(true);
    expect(readsOrders(tiers.filter((t) => t.id !== 'gold'))).toBe(false);
    expect(readsOrders(tiers.map((t) => ({ ...t, enabled: t.id !== 'gold' })))).toBe(false);
  });
});
