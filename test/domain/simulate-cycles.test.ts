/** JeriCommerce (seed 002, carry points and cycles) and Joy (seed 003, tier assessment). */
import { type ReplayEvent, simulate } from '../../src/domain/simulate.js';
import type { Qualification, RetentionSettings } from '../../src/domain/types.js';
import { settings, tier } from './fixtures.js';

const utc = (s: string) => new Date(`${s}Z`);

describe('JeriCommerce: current vs carry points, quarterly recalculation', () => {
  const carry = (n: number): Qualification[] => [{ type: 'carryPoints', minPoints: n }];
  const tiers = [
    tier('bronze', 0),
    tier('silver', 1, { qualifications: carry(500), benefits: { multiplier: 1.5 } }),
    tier('gold', 2, { qualifications: carry(2_000), benefits: { multiplier: 2 } }),
    tier('platinum', 3, { qualifications: carry(5_000), benefits: { multiplier: 3 } }),
  ];
  const retention: RetentionSettings = { mode: 'cycle', cycle: { every: 'P3M', anchor: '2025-01-01' } };
  const ev = {
    order: (id: string, at: string, amount: number): ReplayEvent => ({
      type: 'order',
      id,
      customerId: 'c',
      amount,
      at: utc(at),
    }),
    redeem: (at: string, points: number): ReplayEvent => ({
      type: 'redemption',
      customerId: 'c',
      points,
      at: utc(at),
    }),
    refund: (orderId: string, at: string, amount: number): ReplayEvent => ({
      type: 'refund',
      orderId,
      amount,
      at: utc(at),
    }),
  };
  const run = (events: ReplayEvent[], until: string) =>
    simulate({
      settings: settings(retention, { timezone: 'UTC' }),
      tiers,
      customers: [{ id: 'c', createdAt: utc('2025-01-01T00:00:00') }],
      events,
      until: utc(until),
    });

  const story = [
    ev.order('q1', '2025-01-15T10:00:00', 20_000), // 2,000 carry → Gold at once
    ev.redeem('2025-02-01T10:00:00', 2_000), // spend everything
    ev.order('q2', '2025-05-10T10:00:00', 3_000), // Q2: 300 base × 2 = 600 carry
  ];

  it('redeeming every point keeps Gold; carry decides at the boundary and then resets', () => {
    const r = run(story, '2025-10-01T00:00:00');
    const c = r.customers[0]!;
    expect(c.timeline.map((t) => [t.at.toISOString(), t.fromTierId, t.toTierId, t.reason])).toEqual([
      ['2025-01-01T00:00:00.000Z', null, 'bronze', 'qualified'],
      ['2025-01-15T10:00:00.000Z', 'bronze', 'gold', 'qualified'],
      ['2025-07-01T00:00:00.000Z', 'gold', 'silver', 'cycle'], // Q2 carry 600 < 2,000 but ≥ 500
      ['2025-10-01T00:00:00.000Z', 'silver', 'bronze', 'cycle'], // Q3 carry 0
    ]);
    expect(
      c.ledger.filter((e) => e.type === 'carry_reset').map((e) => [e.at.toISOString(), e.points]),
    ).toEqual([
      ['2025-04-01T00:00:00.000Z', -2_000],
      ['2025-07-01T00:00:00.000Z', -600],
    ]);
    expect(c.balances).toEqual({ current: 600, carry: 0, lifetimeEarned: 2_600, lifetimeSpend: 23_000 });
    expect(r.boundaries.map((b) => b.toISOString())).toEqual([
      '2025-04-01T00:00:00.000Z',
      '2025-07-01T00:00:00.000Z',
      '2025-10-01T00:00:00.000Z',
    ]);
  });

  it('the Q1 boundary kept Gold with the facts of the closing cycle', () => {
    const c = run(story, '2025-04-01T00:00:00').customers[0]!;
    expect(c.tierId).toBe('gold');
    expect(c.balances.carry).toBe(0);
    expect(c.balances.current).toBe(0);
  });

  it('a refund reverses carry only for an order of the current cycle', () => {
    const events = [
      ...story,
      ev.refund('q1', '2025-05-20T10:00:00', 10_000),
      ev.refund('q2', '2025-05-21T10:00:00', 1_500),
    ];
    const c = run(events, '2025-06-01T00:00:00').customers[0]!;
    const reversals = c.ledger.filter((e) => e.type === 'refund_reversal');
    expect(reversals.map((e) => [e.orderId, e.delta.current, e.delta.carry, e.delta.lifetimeEarned])).toEqual(
      [
        ['q1', -1_000, 0, -1_000], // placed and earned in Q1: carry of Q2 untouched
        ['q2', -300, -300, -300],
      ],
    );
    expect(c.balances).toEqual({ current: -700, carry: 300, lifetimeEarned: 1_300, lifetimeSpend: 11_500 });
    expect(c.tierId).toBe('gold'); // no downgrade between boundaries
  });

  it('an order stamped exactly on a boundary belongs to the new cycle', () => {
    const c = run([ev.order('b', '2025-04-01T00:00:00', 20_000)], '2025-07-01T00:00:00').customers[0]!;
    expect(c.ledger.map((e) => [e.type, e.points])).toEqual([
      ['earn', 2_000],
      ['carry_reset', -2_000], // at 2025-07-01, not at 2025-04-01
    ]);
    expect(c.timeline.map((t) => t.toTierId)).toEqual(['bronze', 'gold']);
  });
});

describe('Joy: tier assessment (cycle P6M from 2025-01-01, review window P12M)', () => {
  const vol = (n: number): Qualification[] => [{ type: 'orderVolume', minAmount: n, window: 'P12M' }];
  const tiers = [
    tier('bronze', 0),
    tier('silver', 1, { qualifications: vol(40_000), maintain: vol(40_000) }),
    tier('gold', 2, { qualifications: vol(60_000), maintain: vol(60_000) }),
  ];
  const LA = 'America/Los_Angeles';
  const la = (date: string, hour = 10) => new Date(`${date}T${String(hour + 8).padStart(2, '0')}:00:00Z`); // PST
  const orders: ReplayEvent[] = [
    { type: 'order', id: 'a', customerId: 'j', amount: 70_000, at: la('2025-02-01') },
    { type: 'order', id: 'b', customerId: 'j', amount: 30_000, at: la('2025-11-15') },
    { type: 'order', id: 'c', customerId: 'j', amount: 35_000, at: la('2026-05-01', 9) }, // 10:00 PDT
  ];
  const run = (retention: RetentionSettings) =>
    simulate({
      settings: settings(retention, { timezone: LA }),
      tiers,
      customers: [{ id: 'j', createdAt: la('2025-01-01') }],
      events: orders,
      until: new Date('2027-07-02T00:00:00Z'),
    }).customers[0]!;
  const assessment: RetentionSettings = { mode: 'cycle', cycle: { every: 'P6M', anchor: '2025-01-01' } };

  it('keeps Gold for three assessments and downgrades at the fourth', () => {
    const j = run(assessment);
    expect(j.timeline.map((t) => [t.at.toISOString(), t.fromTierId, t.toTierId, t.reason])).toEqual([
      [la('2025-01-01').toISOString(), null, 'bronze', 'qualified'],
      [la('2025-02-01').toISOString(), 'bronze', 'gold', 'qualified'],
      // 2025-07-01: $700 in 12 months, kept. 2026-01-01: $1,000, kept. 2026-07-01: $300 + $350, kept.
      // 2027-01-01 00:00 PST: only $350 in (2026-01-01, 2027-01-01] — below Silver's $400 too.
      ['2027-01-01T08:00:00.000Z', 'gold', 'bronze', 'cycle'],
    ]);
    const last = j.timeline[2]!;
    expect(last.facts.tiers.map((t) => [t.tierId, t.test, t.conditions[0]?.actual])).toEqual([
      ['gold', 'maintain', 35_000],
      ['silver', 'maintain', 35_000],
      ['bronze', 'maintain', undefined],
    ]);
  });

  it('stays Gold mid-cycle even while the rolling 12 months are short', () => {
    // On 2026-02-15 only order b is in the last 12 months ($300): continuous mode would drop,
    // the assessment waits for the boundary, where b + c add up to $650.
    const j = run(assessment);
    expect(j.timeline.filter((t) => t.at < new Date('2027-01-01T00:00:00Z')).at(-1)?.toTierId).toBe('gold');
    const cont = run({ mode: 'continuous' });
    expect(cont.timeline.map((t) => [t.at.toISOString(), t.toTierId, t.reason])).toEqual([
      [la('2025-01-01').toISOString(), 'bronze', 'qualified'],
      [la('2025-02-01').toISOString(), 'gold', 'qualified'],
      ['2026-02-02T08:00:00.000Z', 'bronze', 'continuous'], // first midnight with order a out of the window
      [la('2026-05-01', 9).toISOString(), 'gold', 'qualified'], // $300 + $350
      ['2026-11-16T08:00:00.000Z', 'bronze', 'continuous'], // order b out: $350 left
    ]);
  });

  it('with maxDropPerCycle 1 the fall takes two assessments', () => {
    const j = run({ ...assessment, maxDropPerCycle: 1 });
    expect(j.timeline.slice(2).map((t) => [t.at.toISOString(), t.toTierId, t.facts.maxDrop])).toEqual([
      ['2027-01-01T08:00:00.000Z', 'silver', { limit: 1, wantedTierId: 'bronze' }],
      ['2027-07-01T07:00:00.000Z', 'bronze', undefined],
    ]);
  });
});

describe('cycle boundaries across DST', () => {
  it('resets carry at local midnight on the first of each month in Berlin', () => {
    const r = simulate({
      settings: settings(
        { mode: 'cycle', cycle: { every: 'P1M', anchor: '2025-01-01' } },
        { timezone: 'Europe/Berlin' },
      ),
      tiers: [tier('base', 0)],
      customers: [{ id: 'b', createdAt: new Date('2025-02-15T00:00:00Z') }],
      events: [
        { type: 'points', customerId: 'b', points: 10, at: new Date('2025-03-15T00:00:00Z') },
        { type: 'points', customerId: 'b', points: 20, at: new Date('2025-04-15T00:00:00Z') },
        { type: 'points', customerId: 'b', points: 30, at: new Date('2025-10-15T00:00:00Z') },
      ],
      until: new Date('2025-11-02T00:00:00Z'),
    });
    const resets = r.customers[0]!.ledger.filter((e) => e.type === 'carry_reset');
    expect(resets.map((e) => [e.at.toISOString(), e.points])).toEqual([
      ['2025-03-31T22:00:00.000Z', -10], // 2025-04-01 00:00 CEST
      ['2025-04-30T22:00:00.000Z', -20],
      ['2025-10-31T23:00:00.000Z', -30], // 2025-11-01 00:00 CET
    ]);
    expect(r.boundaries[0]!.toISOString()).toBe('2025-02-28T23:00:00.000Z');
  });
});
