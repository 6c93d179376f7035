import {
  earnOrder,
  earnPoints,
  effectiveMultiplier,
  entryBonus,
  tierTagChange,
} from '../../src/domain/benefits.js';
import { keystoneTiers, settings, tier } from './fixtures.js';

const on = { tiersEnabled: true };
const off = { tiersEnabled: false };
const [bronze, silver, gold] = keystoneTiers() as [
  ReturnType<typeof tier>,
  ReturnType<typeof tier>,
  ReturnType<typeof tier>,
];

describe('multiplier', () => {
  it('is the current tier multiplier, 1 without one, in a disabled tier or with tiers off', () => {
    expect(effectiveMultiplier(on, gold)).toBe(1.5);
    expect(effectiveMultiplier(on, bronze)).toBe(1);
    expect(effectiveMultiplier(on, null)).toBe(1);
    expect(effectiveMultiplier(on, { ...gold, enabled: false })).toBe(1);
    expect(effectiveMultiplier(off, gold)).toBe(1);
  });

  it('Keystone: 10 points per $1, Gold 1.5×, a $100 order → base 1,000, awarded 1,500', () => {
    const s = settings({ mode: 'continuous' });
    expect(earnOrder(s, gold, 10_000)).toEqual({ base: 1_000, multiplier: 1.5, awarded: 1_500 });
    expect(earnOrder(s, bronze, 10_000)).toEqual({ base: 1_000, multiplier: 1, awarded: 1_000 });
    expect(earnOrder({ ...s, tiersEnabled: false }, gold, 10_000).awarded).toBe(1_000);
  });

  it('rounds down per order and works in zero-decimal currencies', () => {
    const s = settings({ mode: 'continuous' });
    expect(earnOrder(s, silver, 1_999)).toEqual({ base: 199, multiplier: 1.25, awarded: 249 });
    expect(earnOrder({ ...s, currency: 'JPY', earning: { pointsPerUnit: 0.1 } }, gold, 1_234).awarded).toBe(
      185,
    );
  });

  it('multiplies non-order earnings too', () => {
    expect(earnPoints(on, gold, 101)).toEqual({ base: 101, multiplier: 1.5, awarded: 151 });
    expect(earnPoints(off, gold, 101).awarded).toBe(101);
  });
});

describe('tier tags', () => {
  it('adds the tag on entering and removes it on leaving', () => {
    expect(tierTagChange([], gold)).toEqual({ add: ['gold_tier'], remove: [], tierTags: ['gold_tier'] });
    expect(tierTagChange(['gold_tier'], silver)).toEqual({ add: [], remove: ['gold_tier'], tierTags: [] });
    expect(tierTagChange(['gold_tier'], gold)).toEqual({ add: [], remove: [], tierTags: ['gold_tier'] });
  });

  it('replaces one tier tag by the next', () => {
    const platinum = tier('platinum', 3, { benefits: { tag: 'platinum_vip' } });
    expect(tierTagChange(['gold_tier'], platinum)).toEqual({
      add: ['platinum_vip'],
      remove: ['gold_tier'],
      tierTags: ['platinum_vip'],
    });
  });

  it('removes every tier tag when the customer has no tier', () => {
    expect(tierTagChange(['gold_tier', 'stale'], null)).toEqual({
      add: [],
      remove: ['gold_tier', 'stale'],
      tierTags: [],
    });
  });
});

describe('one-time bonus', () => {
  const tiers = keystoneTiers();
  const up = (toTierId: string) => ({ direction: 'up' as const, toTierId });

  it('pays the bonus on first upward entry', () => {
    expect(entryBonus(on, up('gold'), tiers, new Set())).toEqual({ tierId: 'gold', points: 500 });
  });

  it('never pays twice for the same tier', () => {
    expect(entryBonus(on, up('gold'), tiers, new Set(['gold']))).toBeNull();
  });

  it('pays nothing on a downgrade, for a tier without bonus, or with tiers off', () => {
    expect(entryBonus(on, { direction: 'down', toTierId: 'silver' }, tiers, new Set())).toBeNull();
    expect(entryBonus(on, up('bronze'), tiers, new Set())).toBeNull();
    expect(entryBonus(off, up('gold'), tiers, new Set())).toBeNull();
    expect(entryBonus(on, { direction: 'none', toTierId: 'gold' }, tiers, new Set())).toBeNull();
  });
});
