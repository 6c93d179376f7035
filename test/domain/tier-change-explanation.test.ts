/**
 * explainTierChange: every reason, every qualification type, currencies with 0, 2 and 3 decimals,
 * program time zones, and stored facts it cannot read. Facts come from the real `decideTier`
 * wherever a decision can produce them, stored as JSON (as the database returns them).
 */
import { type AssignmentInput, decideTier } from '../../src/domain/assignment.js';
import type { CustomerFacts } from '../../src/domain/qualifications.js';
import {
  describeCondition,
  type ExplainedChange,
  explainTierChange,
  formatProgramDate,
} from '../../src/domain/tier-change-explanation.js';
import type { ProgramSettings, Qualification, TierConfig } from '../../src/domain/types.js';
import { facts } from './fixtures.js';

const TITLES: Record<string, string> = { bronze: 'Bronze', silver: 'Silver', gold: 'Gold' };
const opts = (currency = 'USD', timeZone = 'UTC') => ({
  title: (id: string) => TITLES[id] ?? null,
  currency,
  timeZone,
});

function tier(
  id: string,
  rank: number,
  qualifications: Qualification[],
  maintain: Qualification[] | null = null,
): TierConfig {
  return {
    id,
    title: TITLES[id] ?? id,
    icon: null,
    visible: true,
    enabled: true,
    rank,
    qualifications,
    maintain,
    benefits: {},
  };
}

const settings = (retention: ProgramSettings['retention']) => ({
  tiersEnabled: true,
  timezone: 'UTC',
  retention,
});

/** A decision turned into a stored change (facts through JSON, as read back from jsonb). */
function stored(input: AssignmentInput): ExplainedChange {
  const d = decideTier(input);
  if (d.direction === 'none' || d.reason === null) throw new Error('no change decided');
  return {
    fromTierId: d.fromTierId,
    toTierId: d.toTierId,
    direction: d.direction,
    reason: d.reason,
    at: input.asOf.toISOString(),
    facts: JSON.parse(JSON.stringify(d.facts)),
  };
}

const AT = new Date('2027-02-01T12:00:00Z');
const state = (tierId: string | null) => ({
  tierId,
  tierSince: new Date('2026-01-01T00:00:00Z'),
  lastEarnedAt: new Date('2026-06-01T00:00:00Z'),
  lastChangeReason: null,
});

describe('upgrades (reason qualified)', () => {
  it('lists the conditions met, as in the issue', () => {
    const tiers = [
      tier('bronze', 0, []),
      tier('gold', 1, [
        { type: 'orderVolume', minAmount: 100000, window: 'P90D' },
        { type: 'lifetimePoints', minPoints: 7500 },
      ]),
    ];
    const change = stored({
      settings: settings({ mode: 'continuous' }),
      tiers,
      state: state('bronze'),
      facts: facts({ windowSpend: { P90D: 110000 }, lifetimeEarned: 8500 }),
      asOf: AT,
      trigger: 'event',
    });
    expect(explainTierChange(change, opts())).toBe(
      'Moved to Gold on 1 Feb 2027: $1,100.00 spent in the last 90 days (needs $1,000.00) and 8,500 lifetime points (needs 7,500).',
    );
  });

  it.each<[Qualification, Partial<CustomerFacts>, string]>([
    [{ type: 'tag', tag: 'vip' }, { tags: ['vip'] }, 'tagged "vip"'],
    [{ type: 'segment', segment: 'High AOV' }, { segments: ['High AOV'] }, 'in the "High AOV" segment'],
    [
      { type: 'largeOrder', minAmount: 50000 },
      { largestOrder: 61000 },
      'largest order $610.00 (needs $500.00)',
    ],
    [
      { type: 'orderVolume', minAmount: 40000, window: 'P12M' },
      { windowSpend: { P12M: 40000 } },
      '$400.00 spent in the last 12 months (needs $400.00)',
    ],
    [
      { type: 'lifetimePoints', minPoints: 3000 },
      { lifetimeEarned: 3001 },
      '3,001 lifetime points (needs 3,000)',
    ],
    [
      { type: 'lifetimeSpend', minAmount: 150000 },
      { lifetimeSpend: 200000 },
      '$2,000.00 spent in total (needs $1,500.00)',
    ],
    [{ type: 'carryPoints', minPoints: 1000 }, { carry: 1200 }, '1,200 points this cycle (needs 1,000)'],
  ])('%j is named in words', (q, f, words) => {
    const change = stored({
      settings: settings({ mode: 'lifetime' }),
      tiers: [tier('gold', 0, [q])],
      state: state(null),
      facts: facts(f),
      asOf: AT,
      trigger: 'event',
    });
    expect(explainTierChange(change, opts())).toBe(`Moved to Gold on 1 Feb 2027: ${words}.`);
  });

  it('says everyone qualifies for an entry tier', () => {
    const change = stored({
      settings: settings({ mode: 'lifetime' }),
      tiers: [tier('bronze', 0, [])],
      state: state(null),
      facts: facts(),
      asOf: AT,
      trigger: 'event',
    });
    expect(explainTierChange(change, opts())).toBe(
      'Moved to Bronze on 1 Feb 2027: everyone qualifies for Bronze.',
    );
  });
});

describe('downgrades', () => {
  const ladder = [
    tier('bronze', 0, []),
    tier('silver', 1, [{ type: 'orderVolume', minAmount: 40000, window: 'P12M' }]),
    tier('gold', 2, [
      { type: 'orderVolume', minAmount: 60000, window: 'P12M' },
      { type: 'tag', tag: 'vip' },
    ]),
  ];

  it('cycle: the keep conditions not met at the boundary', () => {
    const change = stored({
      settings: settings({ mode: 'cycle', cycle: { every: 'P6M', anchor: '2025-01-01' } }),
      tiers: ladder,
      state: state('gold'),
      facts: facts({ windowSpend: { P12M: 45000 }, tags: ['vip'] }),
      asOf: AT,
      trigger: 'boundary',
    });
    expect(change.reason).toBe('cycle');
    expect(explainTierChange(change, opts())).toBe(
      'Moved down to Silver on 1 Feb 2027 at the cycle boundary: the conditions to keep Gold were not met, with $450.00 spent in the last 12 months (needs $600.00).',
    );
  });

  it('cycle with maxDropPerCycle: says how far the conditions pointed', () => {
    const change = stored({
      settings: settings({
        mode: 'cycle',
        cycle: { every: 'P6M', anchor: '2025-01-01' },
        maxDropPerCycle: 1,
      }),
      tiers: ladder,
      state: state('gold'),
      facts: facts({ windowSpend: { P12M: 0 } }),
      asOf: AT,
      trigger: 'boundary',
    });
    expect(explainTierChange(change, opts())).toBe(
      'Moved down to Silver on 1 Feb 2027 at the cycle boundary: the conditions to keep Gold were not met, with $0.00 spent in the last 12 months (needs $600.00) and not tagged "vip"; at most 1 tier may be lost at one boundary, so not down to Bronze.',
    );
  });

  it('continuous: the conditions that no longer hold', () => {
    const change = stored({
      settings: settings({ mode: 'continuous' }),
      tiers: ladder,
      state: state('gold'),
      facts: facts({ windowSpend: { P12M: 70000 } }),
      asOf: AT,
      trigger: 'daily',
    });
    expect(change.reason).toBe('continuous');
    expect(explainTierChange(change, opts())).toBe(
      'Moved down to Silver on 1 Feb 2027: the conditions of Gold no longer held, with not tagged "vip".',
    );
  });

  it('continuous to no tier says "Left"', () => {
    const change = stored({
      settings: settings({ mode: 'continuous' }),
      tiers: [tier('silver', 0, [{ type: 'carryPoints', minPoints: 500 }])],
      state: state('silver'),
      facts: facts({ carry: 20 }),
      asOf: AT,
      trigger: 'event',
    });
    expect(explainTierChange(change, opts())).toBe(
      'Left Silver on 1 Feb 2027: the conditions of Silver no longer held, with 20 points this cycle (needs 500).',
    );
  });

  it('inactivity: since when nothing was earned, in the program time zone', () => {
    const change = stored({
      settings: { ...settings({ mode: 'continuous', inactivity: 'P6M' }), timezone: 'America/New_York' },
      tiers: [tier('bronze', 0, []), tier('silver', 1, [{ type: 'lifetimePoints', minPoints: 10 }])],
      state: { ...state('silver'), lastEarnedAt: new Date('2026-07-01T02:00:00Z') },
      facts: facts({ lifetimeEarned: 100 }),
      asOf: AT,
      trigger: 'daily',
    });
    expect(change.reason).toBe('inactivity');
    // 1 Jul 02:00 UTC is still 30 Jun in New York.
    expect(explainTierChange(change, opts('USD', 'America/New_York'))).toBe(
      'Moved down to Bronze on 1 Feb 2027: no points earned since 30 Jun 2026, so one tier was dropped.',
    );
  });

  it('tier_disabled and tier_deleted name the tier that went', () => {
    const disabled = stored({
      settings: settings({ mode: 'lifetime' }),
      tiers: [tier('bronze', 0, []), { ...tier('gold', 1, []), enabled: false }],
      state: state('gold'),
      facts: facts(),
      asOf: AT,
      trigger: 'resync',
    });
    expect(disabled.reason).toBe('tier_disabled');
    expect(explainTierChange(disabled, opts())).toBe(
      'Moved down to Bronze on 1 Feb 2027: Gold was disabled, and Bronze is the highest tier met.',
    );
    const deleted = stored({
      settings: settings({ mode: 'lifetime' }),
      tiers: [],
      state: state('gold'),
      facts: facts(),
      asOf: AT,
      trigger: 'resync',
    });
    expect(deleted.reason).toBe('tier_deleted');
    expect(explainTierChange(deleted, opts())).toBe(
      'Left Gold on 1 Feb 2027: Gold was deleted, and no other tier is met.',
    );
  });

  it('resync: up with the conditions met, down with those lost', () => {
    const up = stored({
      settings: settings({ mode: 'continuous' }),
      tiers: ladder,
      state: state('bronze'),
      facts: facts({ windowSpend: { P12M: 50000 } }),
      asOf: AT,
      trigger: 'resync',
    });
    expect(up.reason).toBe('resync');
    expect(explainTierChange(up, opts())).toBe(
      'Moved to Silver on 1 Feb 2027 when every customer was re-evaluated: $500.00 spent in the last 12 months (needs $400.00).',
    );
    const down = stored({
      settings: settings({ mode: 'continuous' }),
      tiers: ladder,
      state: state('silver'),
      facts: facts({ windowSpend: { P12M: 100 } }),
      asOf: AT,
      trigger: 'resync',
    });
    expect(explainTierChange(down, opts())).toBe(
      'Moved down to Bronze on 1 Feb 2027 when every customer was re-evaluated: the conditions of Silver no longer held, with $1.00 spent in the last 12 months (needs $400.00).',
    );
  });

  it('manual and unknown reasons', () => {
    const base = { fromTierId: 'gold', toTierId: 'silver', direction: 'down' as const, at: AT, facts: {} };
    expect(explainTierChange({ ...base, reason: 'manual' }, opts())).toBe(
      'Moved down to Silver on 1 Feb 2027: changed by hand.',
    );
    expect(explainTierChange({ ...base, reason: 'imported' }, opts())).toBe(
      'Moved down to Silver on 1 Feb 2027 (reason: imported).',
    );
  });
});

describe('formats', () => {
  const change = (amount: number): ExplainedChange => ({
    fromTierId: null,
    toTierId: 'gold',
    direction: 'up',
    reason: 'qualified',
    at: '2027-01-31T23:30:00Z',
    facts: {
      tiers: [
        {
          tierId: 'gold',
          test: 'qualifications',
          met: true,
          conditions: [{ type: 'lifetimeSpend', required: 100000, actual: amount, met: true }],
        },
      ],
    },
  });

  it.each([
    ['JPY', 'Asia/Tokyo', '1 Feb 2027', '¥123,456 spent in total (needs ¥100,000)'],
    ['USD', 'UTC', '31 Jan 2027', '$1,234.56 spent in total (needs $1,000.00)'],
    ['KWD', 'Asia/Kuwait', '1 Feb 2027', 'KWD\u00a0123.456 spent in total (needs KWD\u00a0100.000)'],
    ['EUR', 'America/Los_Angeles', '31 Jan 2027', '€1,234.56 spent in total (needs €1,000.00)'],
  ])('%s in %s', (currency, zone, date, words) => {
    expect(explainTierChange(change(123456), opts(currency, zone))).toBe(
      `Moved to Gold on ${date}: ${words}.`,
    );
  });

  it('names unknown tiers by id and formats dates on the program calendar', () => {
    expect(
      explainTierChange({ ...change(1), toTierId: 'tier_9', facts: null }, { ...opts(), title: () => null }),
    ).toBe('Moved to tier tier_9 on 31 Jan 2027.');
    expect(formatProgramDate('2027-12-31T23:00:00Z', 'Europe/Paris')).toBe('1 Jan 2028');
  });
});

describe('stored facts it cannot read', () => {
  it.each([
    null,
    42,
    'text',
    [],
    { tiers: 'x' },
    { tiers: [null, { tierId: 1 }] },
    {
      tiers: [
        {
          tierId: 'gold',
          met: true,
          conditions: [{ type: 'lifetimePoints', required: 'x', actual: 1, met: true }],
        },
      ],
    },
  ])('facts %j: the head only', (f) => {
    const text = explainTierChange(
      { fromTierId: null, toTierId: 'gold', direction: 'up', reason: 'qualified', at: AT, facts: f },
      opts(),
    );
    expect(text).toBe('Moved to Gold on 1 Feb 2027.');
  });

  it('an unknown condition type or a bad window is left out or kept as written', () => {
    expect(describeCondition({ type: 'future', required: 1, actual: 2, met: true }, 'USD')).toBeNull();
    expect(
      describeCondition(
        { type: 'orderVolume', required: 100, actual: 50, met: false, window: 'soon' },
        'USD',
      ),
    ).toBe('$0.50 spent in soon (needs $1.00)');
    expect(describeCondition({ type: 'tag', required: 'vip', actual: false, met: false }, 'USD')).toBe(
      'not tagged "vip"',
    );
    expect(describeCondition({ type: 'segment', required: 'B2B', actual: false, met: false }, 'USD')).toBe(
      'not in the "B2B" segment',
    );
  });
});
