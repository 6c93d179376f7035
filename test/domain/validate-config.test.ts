import type { ProgramSettings, RetentionSettings, TierConfig } from '../../src/domain/types.js';
import {
  MAX_TIERS,
  validateConfig,
  validateSettings,
  validateTierOrder,
  validateTiers,
} from '../../src/domain/validate-config.js';
import { keystoneTiers, settings, tier } from './fixtures.js';

const codes = (issues: { code: string }[]) => issues.map((i) => i.code);
const cycle: RetentionSettings = { mode: 'cycle', cycle: { every: 'P3M', anchor: '2025-01-01' } };

describe('valid configurations', () => {
  it('accepts the Keystone ladder in continuous mode', () => {
    expect(validateConfig(settings({ mode: 'continuous', inactivity: 'P180D' }), keystoneTiers())).toEqual(
      [],
    );
  });

  it('accepts the Joy assessment in cycle mode', () => {
    const vol = (n: number) => [{ type: 'orderVolume', minAmount: n, window: 'P12M' } as const];
    const tiers = [
      tier('bronze', 0),
      tier('silver', 1, { qualifications: vol(40_000), maintain: vol(40_000) }),
      tier('gold', 2, { qualifications: vol(60_000), maintain: vol(60_000) }),
    ];
    const s = settings({ mode: 'cycle', cycle: { every: 'P6M', anchor: '2025-01-01' }, maxDropPerCycle: 1 });
    expect(validateConfig(s, tiers)).toEqual([]);
  });
});

describe('settings', () => {
  const ok = settings(cycle);
  const check = (over: Partial<ProgramSettings>) => validateSettings({ ...ok, ...over });

  it('refuses unknown currencies and time zones', () => {
    expect(check({ currency: 'XYZ', timezone: 'Mars/Olympus' })).toEqual([
      { path: 'currency', code: 'currency_invalid', message: 'unknown currency "XYZ"', severity: 'error' },
      {
        path: 'timezone',
        code: 'timezone_invalid',
        message: 'unknown time zone "Mars/Olympus"',
        severity: 'error',
      },
    ]);
  });

  it.each([0, -1, 1.23456, Number.NaN])('refuses points per unit %p', (ppu) => {
    expect(codes(check({ earning: { pointsPerUnit: ppu } }))).toEqual(['points_per_unit_invalid']);
  });

  it('refuses cycle mode without a cycle', () => {
    expect(check({ retention: { mode: 'cycle' } })).toEqual([
      expect.objectContaining({ path: 'retention.cycle', code: 'cycle_missing', severity: 'error' }),
    ]);
  });

  it('refuses a zero, malformed or sub-day cycle length', () => {
    const every = (e: string) =>
      codes(check({ retention: { mode: 'cycle', cycle: { every: e, anchor: '2025-01-01' } } }));
    expect(every('P0D')).toEqual(['duration_zero']);
    expect(every('P-3M')).toEqual(['duration_invalid']);
    expect(every('PT12H')).toEqual(['duration_not_calendar']);
  });

  it.each(['2025-02-30', '2025-01-01T00:00:00Z', 'January', ''])('refuses the anchor %j', (anchor) => {
    expect(check({ retention: { mode: 'cycle', cycle: { every: 'P3M', anchor } } })).toEqual([
      expect.objectContaining({ path: 'retention.cycle.anchor', code: 'anchor_invalid' }),
    ]);
  });

  it.each([0, -1, 1.5])('refuses maxDropPerCycle %p', (n) => {
    expect(codes(check({ retention: { ...cycle, maxDropPerCycle: n } }))).toEqual(['max_drop_invalid']);
  });

  it('refuses a zero inactivity duration', () => {
    expect(check({ retention: { ...cycle, inactivity: 'P0D' } })).toEqual([
      expect.objectContaining({ path: 'retention.inactivity', code: 'duration_zero' }),
    ]);
  });

  it('warns about settings the mode ignores', () => {
    const issues = check({
      retention: {
        mode: 'lifetime',
        cycle: { every: 'P1M', anchor: '2025-01-01' },
        maxDropPerCycle: 1,
        inactivity: 'P90D',
      },
    });
    expect(issues.map((i) => [i.code, i.severity])).toEqual([
      ['cycle_unused', 'warning'],
      ['max_drop_unused', 'warning'],
      ['inactivity_unused', 'warning'],
    ]);
  });
});

describe('tiers', () => {
  it(`refuses more than ${MAX_TIERS} tiers`, () => {
    const many = Array.from({ length: MAX_TIERS + 1 }, (_, i) => tier(`t${i}`, i));
    expect(codes(validateTiers(many))).toEqual(['too_many_tiers']);
    expect(validateTiers(many.slice(0, MAX_TIERS))).toEqual([]);
  });

  it('refuses duplicate ids and ranks and empty titles', () => {
    const issues = validateTiers([tier('a', 0), tier('a', 0, { title: ' ' })]);
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ['tiers[1].id', 'tier_id_duplicate'],
      ['tiers[1].rank', 'rank_duplicate'],
      ['tiers[1].title', 'title_empty'],
    ]);
  });

  it('refuses negative or fractional thresholds and bad windows', () => {
    const t = tier('x', 1, {
      qualifications: [
        { type: 'lifetimePoints', minPoints: -1 },
        { type: 'orderVolume', minAmount: 10.5, window: 'P0D' },
        { type: 'tag', tag: '' },
        { type: 'segment', segment: ' ' },
      ],
    });
    expect(validateTiers([tier('e', 0), t]).map((i) => [i.path, i.code])).toEqual([
      ['tiers[1].qualifications[0].minPoints', 'points_invalid'],
      ['tiers[1].qualifications[1].minAmount', 'amount_invalid'],
      ['tiers[1].qualifications[1].window', 'duration_zero'],
      ['tiers[1].qualifications[2].tag', 'tag_empty'],
      ['tiers[1].qualifications[3].segment', 'segment_empty'],
    ]);
  });

  it.each([0, -1.5])('refuses the multiplier %p', (m) => {
    expect(codes(validateTiers([tier('a', 0, { benefits: { multiplier: m } })]))).toEqual([
      'multiplier_invalid',
    ]);
  });

  it('refuses a multiplier with more than 3 decimals and a negative bonus', () => {
    const t = tier('a', 0, { benefits: { multiplier: 1.2345, bonusPoints: -5 } });
    expect(codes(validateTiers([t]))).toEqual(['multiplier_precision', 'bonus_invalid']);
  });

  it('refuses maintain thresholds above the qualification of the same type', () => {
    const t = tier('gold', 1, {
      qualifications: [
        { type: 'lifetimePoints', minPoints: 3_000 },
        { type: 'orderVolume', minAmount: 60_000, window: 'P12M' },
      ],
      maintain: [
        { type: 'lifetimePoints', minPoints: 5_000 },
        { type: 'orderVolume', minAmount: 90_000, window: 'P6M' }, // another window: not comparable
        { type: 'orderVolume', minAmount: 60_001, window: 'P12M' },
        { type: 'carryPoints', minPoints: 10 }, // no carry qualification to compare with
      ],
    });
    const issues = validateTiers([tier('e', 0), t], settings(cycle));
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ['tiers[1].maintain[0]', 'maintain_above_qualification'],
      ['tiers[1].maintain[2]', 'maintain_above_qualification'],
    ]);
    expect(issues[0]!.message).toBe(
      'keeping "Gold" would need 5000 (lifetimePoints) but entering it needs only 3000',
    );
  });

  it('refuses a qualification on a tag that some tier applies as a benefit', () => {
    const tiers: TierConfig[] = [
      tier('silver', 0, { benefits: { tag: 'vip' } }),
      tier('gold', 1, { qualifications: [{ type: 'tag', tag: 'vip' }] }),
    ];
    expect(validateTiers(tiers)).toEqual([
      expect.objectContaining({
        path: 'tiers[1].qualifications[0].tag',
        code: 'tag_is_tier_tag',
        severity: 'error',
      }),
    ]);
  });

  it('warns without an enabled entry tier, about carry points without cycles, and unused maintain', () => {
    const only = [tier('gold', 0, { qualifications: [{ type: 'carryPoints', minPoints: 1 }], maintain: [] })];
    expect(validateTiers(only, settings({ mode: 'lifetime' })).map((i) => [i.code, i.severity])).toEqual([
      ['maintain_unused', 'warning'],
      ['carry_without_cycle', 'warning'],
      ['no_entry_tier', 'warning'],
    ]);
  });
});

describe('tier order', () => {
  it('accepts a permutation of the existing tiers', () => {
    expect(validateTierOrder(['a', 'b', 'c'], ['c', 'a', 'b'])).toEqual([]);
  });

  it('refuses unknown, repeated and missing ids', () => {
    expect(validateTierOrder(['a', 'b', 'c'], ['a', 'x', 'a']).map((i) => [i.path, i.code])).toEqual([
      ['tierIds[1]', 'tier_unknown'],
      ['tierIds[2]', 'tier_duplicate'],
      ['tierIds', 'tier_missing'],
      ['tierIds', 'tier_missing'],
    ]);
  });
});
