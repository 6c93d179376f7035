import { type CustomerTierState, decideTier } from '../../src/domain/assignment.js';
import { buildCustomerFacts, type CustomerRecords } from '../../src/domain/customer-facts.js';
import {
  boundaryWindows,
  DEFAULT_DOWNGRADE_WARNING_DAYS,
  downgradeWarningDays,
  predictDowngrade,
  projectFacts,
  warnedBoundary,
  warningKey,
  warningsBetween,
  warnsBeforeBoundaries,
} from '../../src/domain/downgrade-warning.js';
import { dueWork } from '../../src/domain/due-work.js';
import { requiredWindows } from '../../src/domain/qualifications.js';
import type { ProgramSettings, RetentionSettings, TierConfig } from '../../src/domain/types.js';
import { facts, settings, tier } from './fixtures.js';

const quarterly: RetentionSettings = { mode: 'cycle', cycle: { every: 'P3M', anchor: '2025-01-01' } };
const utc = (r: RetentionSettings, over: Partial<ProgramSettings> = {}) =>
  settings(r, { timezone: 'UTC', ...over });
const iso = (d: Date) => d.toISOString();
const warnings = (s: ProgramSettings, from: string, to: string) =>
  warningsBetween(s, new Date(from), new Date(to)).map((w) => [iso(w.at), iso(w.boundary)]);

describe('the lead time', () => {
  it('defaults to 7 days when never set; 0 and null switch warnings off', () => {
    expect(DEFAULT_DOWNGRADE_WARNING_DAYS).toBe(7);
    expect(downgradeWarningDays({})).toBe(7);
    expect(downgradeWarningDays({ downgradeWarningDays: 14 })).toBe(14);
    expect(downgradeWarningDays({ downgradeWarningDays: 0 })).toBe(0);
    expect(downgradeWarningDays({ downgradeWarningDays: null })).toBe(0);
  });

  it('warns only in cycle mode with tiers on and a lead above 0', () => {
    expect(warnsBeforeBoundaries(utc(quarterly))).toBe(true);
    expect(warnsBeforeBoundaries(utc(quarterly, { downgradeWarningDays: 0 }))).toBe(false);
    expect(warnsBeforeBoundaries(utc(quarterly, { downgradeWarningDays: null }))).toBe(false);
    expect(warnsBeforeBoundaries(utc(quarterly, { tiersEnabled: false }))).toBe(false);
    expect(warnsBeforeBoundaries(utc({ mode: 'continuous' }))).toBe(false);
    expect(warnsBeforeBoundaries(utc({ mode: 'lifetime' }))).toBe(false);
  });
});

describe('when warnings fall due', () => {
  it('is the lead in days before each boundary, one per boundary, in (from, to]', () => {
    expect(warnings(utc(quarterly), '2025-01-01T00:00:00Z', '2025-12-31T00:00:00Z')).toEqual([
      ['2025-03-25T00:00:00.000Z', '2025-04-01T00:00:00.000Z'],
      ['2025-06-24T00:00:00.000Z', '2025-07-01T00:00:00.000Z'],
      ['2025-09-24T00:00:00.000Z', '2025-10-01T00:00:00.000Z'],
      ['2025-12-25T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
    ]);
    // Exclusive start, inclusive end: a window ending on a warning includes it, the next excludes it.
    expect(warnings(utc(quarterly), '2025-03-01T00:00:00Z', '2025-03-25T00:00:00Z')).toHaveLength(1);
    expect(warnings(utc(quarterly), '2025-03-25T00:00:00Z', '2025-06-23T23:59:59Z')).toEqual([]);
    // The boundary lies beyond `to` while its warning does not.
    expect(warnings(utc(quarterly), '2025-03-31T00:00:00Z', '2025-06-30T00:00:00Z')).toEqual([
      ['2025-06-24T00:00:00.000Z', '2025-07-01T00:00:00.000Z'],
    ]);
    expect(warnings(utc(quarterly), '2025-05-01T00:00:00Z', '2025-05-01T00:00:00Z')).toEqual([]);
  });

  it('counts calendar days on the program wall clock, across a DST change', () => {
    const ny = settings(quarterly, { timezone: 'America/New_York', downgradeWarningDays: 30 });
    // Boundary 2025-04-01 00:00 EDT (04:00Z); 30 local days earlier is 2025-03-02 00:00 EST (05:00Z).
    expect(warnings(ny, '2025-01-01T05:00:00Z', '2025-04-01T04:00:00Z')).toEqual([
      ['2025-03-02T05:00:00.000Z', '2025-04-01T04:00:00.000Z'],
    ]);
  });

  it('follows month-end boundaries (anchored on the 31st)', () => {
    const monthly = utc({ mode: 'cycle', cycle: { every: 'P1M', anchor: '2025-01-31' } });
    expect(warnings(monthly, '2025-01-31T00:00:00Z', '2025-04-30T00:00:00Z')).toEqual([
      ['2025-02-21T00:00:00.000Z', '2025-02-28T00:00:00.000Z'],
      ['2025-03-24T00:00:00.000Z', '2025-03-31T00:00:00.000Z'],
      ['2025-04-23T00:00:00.000Z', '2025-04-30T00:00:00.000Z'],
    ]);
  });

  it('never warns before the cycle the boundary closes: a lead as long as the cycle warns at its start', () => {
    const weekly = utc({ mode: 'cycle', cycle: { every: 'P1W', anchor: '2025-01-06' } });
    expect(
      warnings({ ...weekly, downgradeWarningDays: 7 }, '2025-01-06T00:00:00Z', '2025-01-20T00:00:00Z'),
    ).toEqual([
      ['2025-01-13T00:00:00.000Z', '2025-01-20T00:00:00.000Z'],
      ['2025-01-20T00:00:00.000Z', '2025-01-27T00:00:00.000Z'],
    ]);
    expect(
      warnings({ ...weekly, downgradeWarningDays: 30 }, '2025-01-06T00:00:00Z', '2025-01-13T00:00:00Z'),
    ).toEqual([['2025-01-13T00:00:00.000Z', '2025-01-20T00:00:00.000Z']]);
    // Never two warnings at one instant, never one for a boundary already past.
    const all = warnings(
      { ...weekly, downgradeWarningDays: 30 },
      '2025-01-01T00:00:00Z',
      '2025-03-01T00:00:00Z',
    );
    expect(new Set(all.map(([at]) => at)).size).toBe(all.length);
    expect(all.every(([at, b]) => at! < b!)).toBe(true);
  });

  it('has none when warnings are off, tiers are off, or outside cycle mode', () => {
    const range = ['2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z'] as const;
    expect(warnings(utc(quarterly, { downgradeWarningDays: 0 }), ...range)).toEqual([]);
    expect(warnings(utc(quarterly, { tiersEnabled: false }), ...range)).toEqual([]);
    expect(warnings(utc({ mode: 'continuous' }), ...range)).toEqual([]);
  });

  it('names the boundary a warning run is about, and keys the run by that boundary', () => {
    const s = utc(quarterly);
    expect(iso(warnedBoundary(s, new Date('2025-03-25T00:00:00Z'))!)).toBe('2025-04-01T00:00:00.000Z');
    // A clamped warning at the previous boundary is about the next one.
    expect(iso(warnedBoundary(s, new Date('2025-04-01T00:00:00Z'))!)).toBe('2025-07-01T00:00:00.000Z');
    expect(warnedBoundary(utc({ mode: 'continuous' }), new Date('2025-03-25T00:00:00Z'))).toBeNull();
    expect(warningKey(new Date('2025-04-01T00:00:00Z'))).toBe('warning:2025-04-01T00:00:00.000Z');
  });

  it('is part of the due work: after the boundary and the daily sync of the same instant', () => {
    const s = utc(
      { mode: 'cycle', cycle: { every: 'P1W', anchor: '2025-01-06' }, inactivity: 'P1Y' },
      { downgradeWarningDays: 10 },
    );
    const items = dueWork(s, new Date('2025-01-12T12:00:00Z'), new Date('2025-01-13T00:00:00Z'), null);
    expect(items.map((i) => [i.kind, iso(i.at), i.key])).toEqual([
      ['cycle', '2025-01-13T00:00:00.000Z', 'cycle:2025-01-13T00:00:00.000Z'],
      ['daily', '2025-01-13T00:00:00.000Z', 'daily:2025-01-13'],
      ['warning', '2025-01-13T00:00:00.000Z', 'warning:2025-01-20T00:00:00.000Z'],
    ]);
    const quarter = dueWork(utc(quarterly), new Date('2025-01-01Z'), new Date('2025-07-01Z'), null);
    expect(quarter.map((i) => i.key)).toEqual([
      'warning:2025-04-01T00:00:00.000Z',
      'cycle:2025-04-01T00:00:00.000Z',
      'warning:2025-07-01T00:00:00.000Z',
      'cycle:2025-07-01T00:00:00.000Z',
    ]);
    expect(
      dueWork(
        utc(quarterly, { downgradeWarningDays: null }),
        new Date('2025-01-01Z'),
        new Date('2025-07-01Z'),
        null,
      ).map((i) => i.kind),
    ).toEqual(['cycle', 'cycle']);
  });
});

const BOUNDARY = new Date('2025-07-01T00:00:00Z');
const NOW = new Date('2025-06-24T00:00:00Z');

function state(tierId: string | null, over: Partial<CustomerTierState> = {}): CustomerTierState {
  return {
    tierId,
    tierSince: new Date('2025-01-10T00:00:00Z'),
    lastChangeReason: 'qualified',
    lastEarnedAt: new Date('2025-06-01T00:00:00Z'),
    ...over,
  };
}

/** JeriCommerce-style: Bronze entry, Silver 500 carry, Gold 2,000 carry. */
function carryLadder(over: Record<string, Partial<TierConfig>> = {}): TierConfig[] {
  return [
    tier('bronze', 0, over.bronze),
    tier('silver', 1, { qualifications: [{ type: 'carryPoints', minPoints: 500 }], ...over.silver }),
    tier('gold', 2, { qualifications: [{ type: 'carryPoints', minPoints: 2_000 }], ...over.gold }),
  ];
}

function predict(
  tiers: TierConfig[],
  s: CustomerTierState,
  f = facts(),
  over: {
    retention?: RetentionSettings;
    program?: Partial<ProgramSettings>;
    now?: Date;
    locale?: string;
  } = {},
) {
  return predictDowngrade({
    settings: utc(over.retention ?? quarterly, over.program),
    tiers,
    state: s,
    facts: f,
    boundary: BOUNDARY,
    now: over.now ?? NOW,
    locale: over.locale,
  });
}

describe('predicting the boundary', () => {
  it('warns a Gold customer short of carry, with what keeps Gold and where they would land', () => {
    const w = predict(carryLadder(), state('gold'), facts({ carry: 1_250 }));
    expect(w).toMatchObject({
      boundaryAt: BOUNDARY,
      fromTierId: 'gold',
      toTierId: 'silver',
      keep: {
        conditions: [{ type: 'carryPoints', required: 2_000, actual: 1_250, met: false }],
        missing: [{ type: 'carryPoints', missing: 750, label: '750 points this cycle' }],
        headline: '750 points this cycle to keep Gold',
      },
    });
    // The decision is the boundary's own: the same facts a boundary run would store.
    expect(w?.decision).toMatchObject({
      direction: 'down',
      reason: 'cycle',
      facts: { trigger: 'boundary', asOf: BOUNDARY },
    });
  });

  it('does not warn a customer who keeps their tier, or gains one', () => {
    expect(predict(carryLadder(), state('gold'), facts({ carry: 2_000 }))).toBeNull();
    expect(predict(carryLadder(), state('silver'), facts({ carry: 600 }))).toBeNull();
    expect(predict(carryLadder(), state('silver'), facts({ carry: 2_500 }))).toBeNull();
    // The entry tier cannot be lost.
    expect(predict(carryLadder(), state('bronze'), facts())).toBeNull();
  });

  it('judges the tier by its maintain conditions when set, and lists every unmet one', () => {
    const tiers = carryLadder({
      gold: {
        maintain: [
          { type: 'carryPoints', minPoints: 1_000 },
          { type: 'orderVolume', minAmount: 30_000, window: 'P6M' },
          { type: 'tag', tag: 'vip' },
          { type: 'lifetimeSpend', minAmount: 1, enabled: false },
        ],
      },
    });
    const w = predict(tiers, state('gold'), facts({ carry: 1_500, windowSpend: { P6M: 12_000 } }));
    expect(w?.keep.missing).toEqual([
      { type: 'orderVolume', missing: 18_000, window: 'P6M', label: '$180.00 within 6 months' },
      { type: 'tag', tag: 'vip', label: 'the "vip" tag' },
    ]);
    expect(w?.keep.conditions.map((c) => [c.type, c.met])).toEqual([
      ['carryPoints', true],
      ['orderVolume', false],
      ['tag', false],
    ]);
    expect(w?.keep.headline).toBe('$180.00 within 6 months and the "vip" tag to keep Gold');
    expect(w?.toTierId).toBe('silver');
  });

  it('predicts a fall limited by maxDropPerCycle, and a fall to no tier', () => {
    const limited = { ...quarterly, maxDropPerCycle: 1 };
    const four = [
      ...carryLadder(),
      tier('platinum', 3, { qualifications: [{ type: 'carryPoints', minPoints: 5_000 }] }),
    ];
    const w = predict(four, state('platinum'), facts({ carry: 0 }), { retention: limited });
    expect(w).toMatchObject({ fromTierId: 'platinum', toTierId: 'gold' });
    expect(w?.decision.facts.maxDrop).toEqual({ limit: 1, wantedTierId: 'bronze' });
    expect(w?.keep.headline).toBe('5,000 points this cycle to keep Platinum');
    const noEntry = carryLadder({ bronze: { qualifications: [{ type: 'tag', tag: 'member' }] } });
    expect(predict(noEntry, state('bronze'))).toMatchObject({ fromTierId: 'bronze', toTierId: null });
  });

  it('warns about hidden tiers too (merchant-facing), formatting money in the program currency', () => {
    const tiers = [
      tier('basic', 0),
      tier('club', 1, {
        visible: false,
        qualifications: [{ type: 'lifetimeSpend', minAmount: 10_000 }],
        maintain: [{ type: 'orderVolume', minAmount: 5_000, window: 'P3M' }],
      }),
    ];
    const w = predict(tiers, state('club'), facts({ lifetimeSpend: 20_000, windowSpend: { P3M: 0 } }), {
      program: { currency: 'EUR' },
      locale: 'de-DE',
    });
    expect(w?.keep.missing[0]?.label).toBe('50,00\u00a0€ within 3 months');
  });

  it('leaves inactivity to its own clock: a customer meeting maintain is not warned', () => {
    const inactive = { ...quarterly, inactivity: 'P3M' };
    const idle = state('gold', {
      lastEarnedAt: new Date('2025-01-01T00:00:00Z'),
      tierSince: new Date('2025-01-01T00:00:00Z'),
    });
    // Inactivity would be due at the boundary, but that drop is not a cycle downgrade.
    expect(predict(carryLadder(), idle, facts({ carry: 2_000 }), { retention: inactive })).toBeNull();
    // Failing maintain is warned even when inactivity is also due.
    expect(predict(carryLadder(), idle, facts({ carry: 100 }), { retention: inactive })?.toTierId).toBe(
      'bronze',
    );
  });

  it('never warns outside cycle mode, with tiers off, without a tier, or for a disabled or deleted tier', () => {
    const low = facts({ carry: 0 });
    expect(predict(carryLadder(), state('gold'), low, { retention: { mode: 'continuous' } })).toBeNull();
    expect(predict(carryLadder(), state('gold'), low, { retention: { mode: 'lifetime' } })).toBeNull();
    expect(predict(carryLadder(), state('gold'), low, { program: { tiersEnabled: false } })).toBeNull();
    expect(predict(carryLadder(), state(null), low)).toBeNull();
    expect(predict(carryLadder({ gold: { enabled: false } }), state('gold'), low)).toBeNull();
    expect(predict(carryLadder().slice(0, 2), state('gold'), low)).toBeNull();
  });

  it('refuses a warning instant at or after its boundary', () => {
    expect(() => predict(carryLadder(), state('gold'), facts(), { now: BOUNDARY })).toThrow(RangeError);
  });
});

describe('facts projected to the boundary (Joy: $600 in 12 months keeps Gold)', () => {
  const joyTiers = [
    tier('bronze', 0),
    tier('silver', 1, { qualifications: [{ type: 'orderVolume', minAmount: 40_000, window: 'P12M' }] }),
    tier('gold', 2, { qualifications: [{ type: 'orderVolume', minAmount: 60_000, window: 'P12M' }] }),
  ];
  const windows = requiredWindows(joyTiers);
  const records = (orders: [string, number][]): CustomerRecords => ({
    tags: [],
    segments: [],
    orders: orders.map(([at, netAmount]) => ({ placedAt: new Date(at), netAmount })),
    balances: { carry: 0, lifetimeEarned: 0 },
  });

  it('drops orders that leave the window before the boundary, and ignores orders not yet placed', () => {
    // $700 on 2024-06-28 is inside the window today (12 months back from 06-24) but out by 07-01.
    const r = records([
      ['2024-06-28T12:00:00Z', 70_000],
      ['2025-05-01T00:00:00Z', 45_000],
      ['2025-06-28T00:00:00Z', 99_000], // after the warning instant: unknown at warning time
    ]);
    const projected = projectFacts(r, joyTiers, windows, NOW, BOUNDARY, 'UTC');
    expect(projected.windowSpend).toEqual({ P12M: 45_000 });
    expect(projected.lifetimeSpend).toBe(115_000);
    const w = predict(joyTiers, state('gold'), projected);
    expect(w).toMatchObject({
      toTierId: 'silver',
      keep: { missing: [{ type: 'orderVolume', missing: 15_000, label: '$150.00 within 12 months' }] },
    });
    expect(boundaryWindows(windows, BOUNDARY, 'UTC')).toEqual([
      { key: 'P12M', from: new Date('2024-07-01T00:00:00Z') },
    ]);
  });

  it('predicts exactly what the boundary decides when nothing changes in between', () => {
    // A deterministic spread of order histories, tiers and carry; compared with the boundary itself.
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const ladder = [
      tier('bronze', 0),
      tier('silver', 1, {
        qualifications: [{ type: 'orderVolume', minAmount: 40_000, window: 'P12M' }],
        maintain: [{ type: 'orderVolume', minAmount: 30_000, window: 'P6M' }],
      }),
      tier('gold', 2, {
        qualifications: [
          { type: 'orderVolume', minAmount: 60_000, window: 'P12M' },
          { type: 'carryPoints', minPoints: 1_000 },
        ],
      }),
    ];
    const w = requiredWindows(ladder);
    let warned = 0;
    for (let i = 0; i < 400; i += 1) {
      const orders: [string, number][] = Array.from({ length: rnd(5) }, () => [
        new Date(NOW.getTime() - rnd(500) * 86_400_000 - rnd(86_400_000)).toISOString(),
        rnd(40_000),
      ]);
      const r = { ...records(orders), balances: { carry: rnd(2_000), lifetimeEarned: 5_000 } };
      const s = state(['bronze', 'silver', 'gold'][rnd(3)]!);
      const retention = rnd(2) === 0 ? quarterly : { ...quarterly, maxDropPerCycle: 1 };
      const prediction = predict(ladder, s, projectFacts(r, ladder, w, NOW, BOUNDARY, 'UTC'), { retention });
      const atBoundary = decideTier({
        settings: utc(retention),
        tiers: ladder,
        state: s,
        facts: buildCustomerFacts(r, ladder, w, BOUNDARY, 'UTC'),
        asOf: BOUNDARY,
        trigger: 'boundary',
      });
      const downgraded = atBoundary.direction === 'down' && atBoundary.reason === 'cycle';
      expect(prediction !== null).toBe(downgraded);
      if (prediction) {
        warned += 1;
        expect(prediction.toTierId).toBe(atBoundary.toTierId);
        expect(prediction.decision).toEqual(atBoundary);
      }
    }
    expect(warned).toBeGreaterThan(50); // the spread exercises both outcomes
  });
});
