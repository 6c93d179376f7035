import {
  formatMoney,
  formatPoints,
  missingItems,
  nextTierProgress,
  progressHeadline,
} from '../../src/domain/progress.js';
import { facts, keystoneGoldQualifications, keystoneTiers, tier } from './fixtures.js';

describe('labels', () => {
  it('formats minor units exactly in the program currency', () => {
    expect(formatMoney(12_000, 'USD')).toBe('$120.00');
    expect(formatMoney(5, 'USD')).toBe('$0.05');
    expect(formatMoney(-12_345, 'USD')).toBe('-$123.45');
    expect(formatMoney(123_456_789_012_345, 'USD')).toBe('$1,234,567,890,123.45');
    expect(formatMoney(1_500, 'JPY')).toBe('¥1,500');
    expect(formatMoney(1_500, 'KWD')).toBe('KWD\u00a01.500');
    expect(formatMoney(12_000, 'EUR', 'de-DE')).toBe('120,00\u00a0€');
  });

  it('formats points', () => {
    expect(formatPoints(1_250)).toBe('1,250 points');
    expect(formatPoints(1)).toBe('1 point');
  });
});

describe('what is missing', () => {
  it('lists each unmet condition with the gap and a label', () => {
    const f = facts({ windowSpend: { P90D: 38_000 }, lifetimeEarned: 3_750 });
    expect(missingItems(keystoneGoldQualifications, f, { currency: 'USD' })).toEqual([
      { type: 'tag', tag: 'email_subscriber', label: 'the "email_subscriber" tag' },
      { type: 'orderVolume', missing: 12_000, window: 'P90D', label: '$120.00 within 90 days' },
      { type: 'lifetimePoints', missing: 1_250, label: '1,250 points' },
    ]);
  });

  it('covers the other types', () => {
    const qs = [
      { type: 'segment', segment: 'High AOV' },
      { type: 'largeOrder', minAmount: 50_000 },
      { type: 'lifetimeSpend', minAmount: 100_000 },
      { type: 'carryPoints', minPoints: 2_000 },
      { type: 'orderVolume', minAmount: 30_000, window: 'P30D' },
    ] as const;
    const f = facts({
      largestOrder: 49_999,
      lifetimeSpend: 99_000,
      carry: 1_999,
      windowSpend: { P30D: 18_000 },
    });
    expect(missingItems([...qs], f, { currency: 'USD' })).toEqual([
      { type: 'segment', segment: 'High AOV', label: 'the "High AOV" segment' },
      { type: 'largeOrder', missing: 50_000, label: 'one order of $500.00 or more' },
      { type: 'lifetimeSpend', missing: 1_000, label: '$10.00' },
      { type: 'carryPoints', missing: 1, label: '1 point this cycle' },
      { type: 'orderVolume', missing: 12_000, window: 'P30D', label: '$120.00 within 30 days' },
    ]);
  });

  it('leaves out conditions already met and disabled ones', () => {
    const qs = [
      { type: 'lifetimePoints', minPoints: 100 },
      { type: 'tag', tag: 'x', enabled: false },
    ] as const;
    expect(missingItems([...qs], facts({ lifetimeEarned: 100 }), { currency: 'USD' })).toEqual([]);
  });
});

describe('next tier', () => {
  const base = { tiersEnabled: true, currency: 'USD', tiers: keystoneTiers() };

  it('points a Bronze customer at Silver with the points missing', () => {
    const p = nextTierProgress({ ...base, currentTierId: 'bronze', facts: facts({ lifetimeEarned: 1_750 }) });
    expect(p).toEqual({
      nextTierId: 'silver',
      missing: [{ type: 'lifetimePoints', missing: 1_250, label: '1,250 points' }],
    });
    expect(progressHeadline(p.missing, 'Silver')).toBe('1,250 points to Silver');
  });

  it('joins several items in the headline', () => {
    const p = nextTierProgress({
      ...base,
      currentTierId: 'silver',
      facts: facts({ tags: ['email_subscriber'], lifetimeEarned: 3_750, windowSpend: { P90D: 38_000 } }),
    });
    expect(p.nextTierId).toBe('gold');
    expect(progressHeadline(p.missing, 'Gold')).toBe('$120.00 within 90 days and 1,250 points to Gold');
  });

  it('has no next tier at the top, with tiers off, or nothing missing when all holds', () => {
    expect(nextTierProgress({ ...base, currentTierId: 'gold', facts: facts() })).toEqual({
      nextTierId: null,
      missing: [],
    });
    expect(
      nextTierProgress({ ...base, tiersEnabled: false, currentTierId: 'bronze', facts: facts() }).nextTierId,
    ).toBeNull();
    const p = nextTierProgress({ ...base, currentTierId: 'bronze', facts: facts({ lifetimeEarned: 3_000 }) });
    expect(p).toEqual({ nextTierId: 'silver', missing: [] });
    expect(progressHeadline(p.missing, 'Silver')).toBeNull();
  });

  it('starts from no tier at the lowest tier', () => {
    expect(nextTierProgress({ ...base, currentTierId: null, facts: facts() }).nextTierId).toBe('bronze');
  });

  it('skips hidden tiers for customers and disabled tiers always', () => {
    const tiers = [
      tier('bronze', 0),
      tier('secret', 1, { visible: false, qualifications: [{ type: 'tag', tag: 'insider' }] }),
      tier('off', 2, { enabled: false }),
      tier('gold', 3, { qualifications: [{ type: 'lifetimePoints', minPoints: 10 }] }),
    ];
    const input = { ...base, tiers, currentTierId: 'bronze', facts: facts() };
    expect(nextTierProgress(input).nextTierId).toBe('gold');
    expect(nextTierProgress({ ...input, includeHidden: true }).nextTierId).toBe('secret');
  });
});
