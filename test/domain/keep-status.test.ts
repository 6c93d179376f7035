/** keepStatus / keepBoundary: what keeps a tier at the next cycle boundary (cycle mode only). */
import { keepBoundary, keepStatus } from '../../src/domain/keep-status.js';
import type { CustomerFacts } from '../../src/domain/qualifications.js';
import type { ProgramSettings, TierConfig } from '../../src/domain/types.js';

const settings: Pick<ProgramSettings, 'tiersEnabled' | 'retention' | 'timezone' | 'currency'> = {
  tiersEnabled: true,
  currency: 'USD',
  timezone: 'America/New_York',
  retention: { mode: 'cycle', cycle: { every: 'P3M', anchor: '2027-01-01' } },
};
const gold: TierConfig = {
  id: 'gold',
  title: 'Gold',
  icon: null,
  visible: true,
  enabled: true,
  rank: 1,
  qualifications: [{ type: 'carryPoints', minPoints: 1000 }],
  maintain: null,
  benefits: {},
};
const facts = (carry: number): CustomerFacts => ({
  tags: [],
  segments: [],
  largestOrder: 0,
  lifetimeEarned: carry,
  lifetimeSpend: 0,
  carry,
  windowSpend: {},
});
const now = new Date('2027-02-10T12:00:00Z');

it('finds the next boundary in the program time zone, and none outside cycle mode or with tiers off', () => {
  expect(keepBoundary(settings, now)?.toISOString()).toBe('2027-04-01T04:00:00.000Z');
  expect(keepBoundary({ ...settings, retention: { mode: 'continuous' } }, now)).toBeNull();
  expect(keepBoundary({ ...settings, tiersEnabled: false }, now)).toBeNull();
});

it('says what is missing by the boundary, with the qualifications as default maintain conditions', () => {
  const boundary = keepBoundary(settings, now) as Date;
  const status = keepStatus({ settings, tiers: [gold], tierId: 'gold', facts: facts(250), boundary });
  expect(status).toEqual({
    boundaryAt: boundary,
    tierId: 'gold',
    met: false,
    conditions: [{ type: 'carryPoints', required: 1000, actual: 250, met: false }],
    missing: [{ type: 'carryPoints', missing: 750, label: '750 points this cycle' }],
    headline: '750 points this cycle by 1 Apr 2027 to keep Gold',
  });
});

it('says the tier is kept once the maintain conditions hold', () => {
  const boundary = keepBoundary(settings, now) as Date;
  const tiers = [{ ...gold, maintain: [{ type: 'carryPoints' as const, minPoints: 200 }] }];
  const status = keepStatus({ settings, tiers, tierId: 'gold', facts: facts(250), boundary });
  expect(status).toMatchObject({
    met: true,
    missing: [],
    headline: 'Gold is kept at the boundary on 1 Apr 2027',
  });
});

it('is null without a tier, for a deleted tier and for a disabled one', () => {
  const boundary = keepBoundary(settings, now) as Date;
  expect(keepStatus({ settings, tiers: [gold], tierId: null, facts: facts(0), boundary })).toBeNull();
  expect(keepStatus({ settings, tiers: [], tierId: 'gold', facts: facts(0), boundary })).toBeNull();
  const off = [{ ...gold, enabled: false }];
  expect(keepStatus({ settings, tiers: off, tierId: 'gold', facts: facts(0), boundary })).toBeNull();
});
