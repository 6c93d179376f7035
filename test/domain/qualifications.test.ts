import { buildCustomerFacts, qualifyingTags, summarizeOrders } from '../../src/domain/customer-facts.js';
import {
  evaluateCondition,
  evaluateConditions,
  isEntryTier,
  keepConditions,
  requiredWindows,
  spendIn,
  windowBounds,
} from '../../src/domain/qualifications.js';
import { day, facts, keystoneGoldQualifications, keystoneTiers, ny, tier } from './fixtures.js';

const NY = 'America/New_York';

describe('each qualification type', () => {
  it('tag holds only for a merchant tag the customer carries', () => {
    const q = { type: 'tag', tag: 'vip' } as const;
    expect(evaluateCondition(q, facts({ tags: ['vip'] }))).toEqual({
      type: 'tag',
      required: 'vip',
      actual: true,
      met: true,
    });
    expect(evaluateCondition(q, facts({ tags: ['VIP', 'vip2'] })).met).toBe(false);
  });

  it('segment holds for a member of the segment', () => {
    const q = { type: 'segment', segment: 'High AOV' } as const;
    expect(evaluateCondition(q, facts({ segments: ['High AOV'] })).met).toBe(true);
    expect(evaluateCondition(q, facts({ segments: [] })).met).toBe(false);
  });

  it.each([
    ['largeOrder', { type: 'largeOrder', minAmount: 50_000 }, 'largestOrder'],
    ['lifetimeSpend', { type: 'lifetimeSpend', minAmount: 50_000 }, 'lifetimeSpend'],
  ] as const)('%s holds at exactly the threshold and not one cent below', (_n, q, field) => {
    expect(evaluateCondition(q, facts({ [field]: 50_000 }))).toMatchObject({ met: true, actual: 50_000 });
    expect(evaluateCondition(q, facts({ [field]: 49_999 }))).toMatchObject({ met: false, required: 50_000 });
  });

  it.each([
    ['lifetimePoints', { type: 'lifetimePoints', minPoints: 5_000 }, 'lifetimeEarned'],
    ['carryPoints', { type: 'carryPoints', minPoints: 5_000 }, 'carry'],
  ] as const)('%s holds at exactly the threshold and not one point below', (_n, q, field) => {
    expect(evaluateCondition(q, facts({ [field]: 5_000 })).met).toBe(true);
    expect(evaluateCondition(q, facts({ [field]: 4_999 })).met).toBe(false);
  });

  it('orderVolume reads the spend of its own window and reports it', () => {
    const q = { type: 'orderVolume', minAmount: 100_000, window: 'P90D' } as const;
    const f = facts({ windowSpend: { P90D: 100_000, P30D: 5 } });
    expect(evaluateCondition(q, f)).toEqual({
      type: 'orderVolume',
      required: 100_000,
      actual: 100_000,
      met: true,
      window: 'P90D',
    });
    expect(evaluateCondition(q, facts({ windowSpend: { P90D: 99_999 } })).met).toBe(false);
  });

  it('a window the store did not compute is an error, never a silent zero', () => {
    expect(() => spendIn(facts({ windowSpend: { P30D: 1 } }), 'P90D')).toThrow(/P90D/);
  });
});

describe('AND over enabled qualifications', () => {
  const all = facts({ tags: ['email_subscriber'], windowSpend: { P90D: 50_000 }, lifetimeEarned: 5_000 });

  it('Keystone Gold qualifies with all three', () => {
    const r = evaluateConditions(keystoneGoldQualifications, all);
    expect(r.met).toBe(true);
    expect(r.conditions.map((c) => c.met)).toEqual([true, true, true]);
  });

  it.each([
    ['no tag', { tags: [] }],
    ['$499.99 in 90 days', { windowSpend: { P90D: 49_999 } }],
    ['4,999 points', { lifetimeEarned: 4_999 }],
  ])('Keystone Gold with 2 of 3 (%s) does not qualify', (_label, missing) => {
    const r = evaluateConditions(keystoneGoldQualifications, { ...all, ...missing });
    expect(r.met).toBe(false);
    expect(r.conditions.filter((c) => !c.met)).toHaveLength(1);
  });

  it('ignores disabled conditions', () => {
    const qs = [
      { type: 'tag', tag: 'email_subscriber', enabled: false },
      { type: 'lifetimePoints', minPoints: 100 },
    ] as const;
    const r = evaluateConditions([...qs], facts({ lifetimeEarned: 100 }));
    expect(r).toEqual({
      met: true,
      conditions: [{ type: 'lifetimePoints', required: 100, actual: 100, met: true }],
    });
  });

  it('an empty list holds (entry tier), also when every condition is disabled', () => {
    expect(evaluateConditions([], facts()).met).toBe(true);
    expect(isEntryTier(tier('bronze', 0))).toBe(true);
    expect(isEntryTier(tier('x', 0, { qualifications: [{ type: 'tag', tag: 'a', enabled: false }] }))).toBe(
      true,
    );
    expect(isEntryTier(tier('x', 0, { qualifications: [{ type: 'tag', tag: 'a' }] }))).toBe(false);
  });

  it('keep conditions default to the qualifications', () => {
    const q = [{ type: 'lifetimePoints', minPoints: 1 }] as const;
    const m = [{ type: 'lifetimePoints', minPoints: 0 }] as const;
    expect(keepConditions(tier('a', 1, { qualifications: [...q] }))).toEqual(q);
    expect(keepConditions(tier('a', 1, { qualifications: [...q], maintain: [...m] }))).toEqual(m);
  });
});

describe('rolling windows (asOf − window, asOf]', () => {
  const asOf = day(100); // 2025-04-10 00:00 in New York
  const spend = (placedAt: Date, netAmount = 100) =>
    summarizeOrders([{ placedAt, netAmount }], asOf, ['P90D'], NY).windowSpend.P90D;

  it('Keystone day 100: orders from day 10 on count, day 9 does not', () => {
    expect(windowBounds(asOf, 'P90D', NY).from).toEqual(day(10));
    expect(spend(day(9, '23:59:59'))).toBe(0);
    expect(spend(day(10, '00:00:01'))).toBe(100);
    expect(spend(day(10, '12:00:00'))).toBe(100);
    expect(spend(day(55))).toBe(100);
    expect(spend(day(99, '23:59:59'))).toBe(100);
  });

  it('the start edge is exclusive and the end edge inclusive', () => {
    expect(spend(day(10))).toBe(0); // exactly asOf − 90 days
    expect(spend(new Date(day(10).getTime() + 1))).toBe(100);
    expect(spend(asOf)).toBe(100); // exactly asOf
    expect(spend(new Date(asOf.getTime() + 1))).toBe(0); // after asOf: not yet
  });

  it('an evaluation in the afternoon moves the start to the same time of day 90 days back', () => {
    const later = day(100, '15:00:00');
    const at = (time: string) =>
      summarizeOrders([{ placedAt: day(10, time), netAmount: 1 }], later, ['P90D'], NY).windowSpend.P90D;
    expect(at('14:59:59')).toBe(0);
    expect(at('15:00:01')).toBe(1);
  });

  it('counts 90 calendar days across DST (not 90 × 24 hours)', () => {
    const { from } = windowBounds(ny('2025-06-01T00:00:00'), 'P90D', NY);
    expect(from).toEqual(ny('2025-03-03T00:00:00')); // EST start, EDT end
  });

  it('month windows are calendar months in the program time zone', () => {
    expect(windowBounds(ny('2025-03-31T00:00:00'), 'P1M', NY).from).toEqual(ny('2025-02-28T00:00:00'));
    expect(windowBounds(ny('2026-07-01T00:00:00'), 'P12M', NY).from).toEqual(ny('2025-07-01T00:00:00'));
  });

  it('sums net amounts per window; fully refunded orders count 0', () => {
    const orders = [
      { placedAt: day(5), netAmount: 10_000 },
      { placedAt: day(80), netAmount: 0 }, // fully refunded
      { placedAt: day(90), netAmount: 2_500 }, // partly refunded
      { placedAt: day(120), netAmount: 99_999 }, // after asOf
    ];
    expect(summarizeOrders(orders, asOf, ['P90D', 'P30D', 'P1Y'], NY)).toEqual({
      windowSpend: { P90D: 2_500, P30D: 2_500, P1Y: 12_500 },
      largestOrder: 10_000,
      totalSpend: 12_500,
    });
  });
});

describe('windows needed by a set-based evaluation', () => {
  it('lists each window of enabled tiers once, from qualifications and maintain', () => {
    const tiers = [
      tier('a', 0, { qualifications: [{ type: 'orderVolume', minAmount: 1, window: 'P90D' }] }),
      tier('b', 1, {
        qualifications: [{ type: 'orderVolume', minAmount: 2, window: 'P90D' }],
        maintain: [{ type: 'orderVolume', minAmount: 1, window: 'P12M' }],
      }),
      tier('c', 2, {
        enabled: false,
        qualifications: [{ type: 'orderVolume', minAmount: 1, window: 'P7D' }],
      }),
      tier('d', 3, {
        qualifications: [{ type: 'orderVolume', minAmount: 1, window: 'P1D', enabled: false }],
      }),
    ];
    expect(requiredWindows(tiers)).toEqual(['P90D', 'P12M']);
  });
});

describe('tier tags never qualify', () => {
  it('drops tags that are tier benefit tags, even when the shop mirrors them back', () => {
    expect(qualifyingTags(['email_subscriber', 'gold_tier'], keystoneTiers())).toEqual(['email_subscriber']);
  });

  it('a customer whose only "vip" tag is a tier benefit does not meet a vip tag qualification', () => {
    const tiers = [
      tier('silver', 0, { benefits: { tag: 'vip' } }),
      tier('gold', 1, { qualifications: [{ type: 'tag', tag: 'vip' }] }),
    ];
    const f = buildCustomerFacts(
      { tags: ['vip'], segments: [], orders: [], balances: { carry: 0, lifetimeEarned: 0 } },
      tiers,
      [],
      day(1),
      NY,
    );
    expect(f.tags).toEqual([]);
    expect(evaluateConditions(tiers[1]!.qualifications, f).met).toBe(false);
  });

  it('builds facts from records as of an instant', () => {
    const f = buildCustomerFacts(
      {
        tags: ['email_subscriber'],
        segments: ['s'],
        orders: [
          { placedAt: day(1), netAmount: 30_000 },
          { placedAt: day(50), netAmount: 20_000 },
        ],
        balances: { carry: 700, lifetimeEarned: 5_000 },
      },
      keystoneTiers(),
      ['P90D'],
      day(100),
      NY,
    );
    expect(f).toEqual({
      tags: ['email_subscriber'],
      segments: ['s'],
      largestOrder: 30_000,
      lifetimeEarned: 5_000,
      lifetimeSpend: 50_000,
      carry: 700,
      windowSpend: { P90D: 20_000 },
    });
  });
});
