/** One-way lifetime tiers (seed 004), inactivity demotion, and the replay's own rules. */
import { type ReplayEvent, simulate } from '../../src/domain/simulate.js';
import type { Qualification, RetentionSettings, TierConfig } from '../../src/domain/types.js';
import { settings, tier } from './fixtures.js';

const utc = (s: string) => new Date(`${s}Z`);
const points = (n: number): Qualification[] => [{ type: 'lifetimePoints', minPoints: n }];

describe('one-way VIP program (lifetime): nobody is ever downgraded', () => {
  const spend = (n: number): Qualification[] => [{ type: 'lifetimeSpend', minAmount: n }];
  const tiers = [
    tier('t1', 0),
    tier('t2', 1, { qualifications: spend(10_000) }),
    tier('t3', 2, { qualifications: spend(50_000) }),
    tier('t4', 3, { qualifications: spend(100_000) }),
    tier('t5', 4, { qualifications: spend(250_000) }),
  ];

  it('climbs with lifetime spend and keeps the tier through refunds and years of silence', () => {
    const events: ReplayEvent[] = [
      { type: 'order', id: 'o1', customerId: 'v', amount: 60_000, at: utc('2025-01-05T12:00:00') },
      { type: 'order', id: 'o2', customerId: 'v', amount: 45_000, at: utc('2025-03-05T12:00:00') },
      { type: 'refund', orderId: 'o2', amount: 45_000, at: utc('2025-03-20T12:00:00') },
      { type: 'refund', orderId: 'o1', amount: 60_000, at: utc('2025-03-21T12:00:00') },
    ];
    const retention: RetentionSettings = { mode: 'lifetime', inactivity: 'P30D' }; // inactivity: no effect
    const r = simulate({
      settings: settings(retention, { timezone: 'UTC' }),
      tiers,
      customers: [{ id: 'v', createdAt: utc('2025-01-01T00:00:00') }],
      events,
      until: utc('2027-12-31T00:00:00'),
    });
    const v = r.customers[0]!;
    expect(v.timeline.map((t) => [t.toTierId, t.direction])).toEqual([
      ['t1', 'up'],
      ['t3', 'up'],
      ['t4', 'up'],
    ]);
    expect(v.tierId).toBe('t4');
    expect(v.balances.lifetimeSpend).toBe(0);
  });
});

describe('inactivity (continuous, P90D)', () => {
  const tiers = [
    tier('bronze', 0),
    tier('silver', 1, { qualifications: points(500) }),
    tier('gold', 2, { qualifications: points(2_000) }),
  ];
  const retention: RetentionSettings = { mode: 'continuous', inactivity: 'P90D' };
  const earn = (at: string, n: number): ReplayEvent => ({
    type: 'points',
    customerId: 'i',
    points: n,
    at: utc(at),
  });
  const run = (events: ReplayEvent[], until: string, extra: Partial<TierConfig> = {}) =>
    simulate({
      settings: settings(retention, { timezone: 'UTC' }),
      tiers: tiers.map((t) => (t.id === 'gold' ? { ...t, ...extra } : t)),
      customers: [{ id: 'i', createdAt: utc('2025-01-01T00:00:00') }],
      events,
      until: utc(until),
    }).customers[0]!;

  it('drops one tier per 90 quiet days, the clock restarting after each drop, and never re-upgrades by itself', () => {
    const i = run([earn('2025-01-10T08:00:00', 3_000)], '2025-12-31T00:00:00');
    expect(i.timeline.map((t) => [t.at.toISOString(), t.toTierId, t.reason])).toEqual([
      ['2025-01-01T00:00:00.000Z', 'bronze', 'qualified'],
      ['2025-01-10T08:00:00.000Z', 'gold', 'qualified'],
      ['2025-04-10T08:00:00.000Z', 'silver', 'inactivity'], // 90 days after the last earn
      ['2025-07-09T08:00:00.000Z', 'bronze', 'inactivity'], // 90 days after the drop
    ]);
    expect(i.timeline[2]!.facts.inactivity).toEqual({
      since: utc('2025-01-10T08:00:00'),
      dueAt: utc('2025-04-10T08:00:00'),
    });
    // 3,000 lifetime points still qualify for Gold, yet daily syncs leave the demotion in place.
    expect(i.tierId).toBe('bronze');
  });

  it('earning again brings the customer straight back to the tier they qualify for', () => {
    const i = run(
      [earn('2025-01-10T08:00:00', 3_000), earn('2025-05-01T12:00:00', 1)],
      '2025-06-01T00:00:00',
    );
    expect(i.timeline.slice(2).map((t) => [t.at.toISOString(), t.toTierId, t.reason])).toEqual([
      ['2025-04-10T08:00:00.000Z', 'silver', 'inactivity'],
      ['2025-05-01T12:00:00.000Z', 'gold', 'qualified'],
    ]);
  });

  it('earning in time restarts the clock', () => {
    const i = run(
      [earn('2025-01-10T08:00:00', 3_000), earn('2025-04-10T07:59:59', 1)],
      '2025-07-09T07:59:00',
    );
    expect(i.tierId).toBe('gold');
    expect(i.timeline).toHaveLength(2);
  });

  it('redemptions, refunds and adjustments are no activity', () => {
    const events: ReplayEvent[] = [
      earn('2025-01-10T08:00:00', 3_000),
      { type: 'redemption', customerId: 'i', points: 10, at: utc('2025-03-01T00:00:00') },
      { type: 'points', customerId: 'i', points: 5, qualifying: false, at: utc('2025-03-02T00:00:00') },
    ];
    expect(run(events, '2025-04-11T00:00:00').tierId).toBe('silver');
  });
});

describe('replay rules', () => {
  const tiers = [
    tier('bronze', 0),
    tier('hidden', 1, { visible: false, qualifications: points(100), benefits: { multiplier: 2 } }),
    tier('off', 2, { enabled: false, qualifications: points(200), benefits: { bonusPoints: 999 } }),
  ];
  const base = {
    settings: settings({ mode: 'continuous' }, { timezone: 'UTC' }),
    tiers,
    customers: [{ id: 'a', createdAt: utc('2025-01-01T00:00:00') }],
    until: utc('2025-02-01T00:00:00'),
  };

  it('places customers in hidden tiers (with their benefits) and never in disabled ones', () => {
    const r = simulate({
      ...base,
      events: [
        { type: 'points', customerId: 'a', points: 300, at: utc('2025-01-02T00:00:00') },
        { type: 'points', customerId: 'a', points: 10, at: utc('2025-01-03T00:00:00') },
      ],
    });
    const a = r.customers[0]!;
    expect(a.tierId).toBe('hidden');
    expect(a.ledger.map((e) => [e.type, e.base, e.multiplier, e.points])).toEqual([
      ['earn', 300, 1, 300],
      ['earn', 10, 2, 20],
    ]);
  });

  it('applies tag changes as events', () => {
    const t = [tier('bronze', 0), tier('vip', 1, { qualifications: [{ type: 'tag', tag: 'vip' }] })];
    const r = simulate({
      ...base,
      tiers: t,
      events: [
        { type: 'customer', customerId: 'a', tags: ['vip'], at: utc('2025-01-05T00:00:00') },
        { type: 'customer', customerId: 'a', tags: [], at: utc('2025-01-06T00:00:00') },
      ],
    });
    expect(r.customers[0]!.timeline.map((c) => [c.toTierId, c.reason])).toEqual([
      ['bronze', 'qualified'],
      ['vip', 'qualified'],
      ['bronze', 'continuous'],
    ]);
  });

  it('counts a backfilled order in windows by its placedAt', () => {
    const t = [
      tier('bronze', 0),
      tier('active', 1, { qualifications: [{ type: 'orderVolume', minAmount: 100, window: 'P7D' }] }),
    ];
    const r = simulate({
      ...base,
      tiers: t,
      events: [
        {
          type: 'order',
          id: 'x',
          customerId: 'a',
          amount: 100,
          placedAt: utc('2025-01-01T00:00:00'),
          at: utc('2025-01-07T12:00:00'),
        },
      ],
    });
    expect(r.customers[0]!.timeline.map((c) => [c.at.toISOString(), c.toTierId])).toEqual([
      ['2025-01-01T00:00:00.000Z', 'bronze'],
      ['2025-01-07T12:00:00.000Z', 'active'],
      ['2025-01-08T00:00:00.000Z', 'bronze'], // placed Jan 1: out of (Jan 1, Jan 8]
    ]);
  });

  it('refuses events that cannot apply and reports them by position', () => {
    const r = simulate({
      ...base,
      events: [
        { type: 'order', id: 'o', customerId: 'a', amount: 1_000, at: utc('2025-01-02T00:00:00') },
        { type: 'order', id: 'o', customerId: 'a', amount: 1_000, at: utc('2025-01-03T00:00:00') },
        { type: 'order', id: 'p', customerId: 'ghost', amount: 1, at: utc('2025-01-03T00:00:00') },
        { type: 'refund', orderId: 'nope', amount: 1, at: utc('2025-01-03T00:00:00') },
        { type: 'refund', orderId: 'o', amount: 1_001, at: utc('2025-01-04T00:00:00') },
        { type: 'redemption', customerId: 'a', points: 101, at: utc('2025-01-04T00:00:00') },
        {
          type: 'order',
          id: 'q',
          customerId: 'a',
          amount: 1,
          placedAt: utc('2025-01-09T00:00:00'),
          at: utc('2025-01-05T00:00:00'),
        },
        { type: 'points', customerId: 'a', points: 1, at: utc('2025-03-01T00:00:00') },
        { type: 'points', customerId: 'a', points: -5, at: utc('2025-01-05T00:00:00') },
        { type: 'order', id: 'r', customerId: 'a', amount: 1.5, at: utc('2025-01-05T00:00:00') },
      ],
    });
    expect(r.rejected.map((x) => [x.index, x.code])).toEqual([
      [1, 'order_duplicate'],
      [2, 'unknown_customer'],
      [3, 'unknown_order'],
      [4, 'refund_exceeds_order'],
      [5, 'insufficient_balance'],
      [6, 'placed_in_future'],
      [7, 'after_until'],
      [8, 'points_invalid'],
      [9, 'amount_invalid'],
    ]);
    expect(r.customers[0]!.balances).toEqual({
      current: 100,
      carry: 100,
      lifetimeEarned: 100,
      lifetimeSpend: 1_000,
    });
  });

  it('refuses events from before the customer existed', () => {
    const r = simulate({
      ...base,
      customers: [{ id: 'a', createdAt: utc('2025-01-10T00:00:00') }],
      from: utc('2025-01-01T00:00:00'),
      events: [{ type: 'points', customerId: 'a', points: 1, at: utc('2025-01-02T00:00:00') }],
    });
    expect(r.rejected).toEqual([expect.objectContaining({ index: 0, code: 'before_customer' })]);
    expect(r.customers[0]!.timeline[0]!.at).toEqual(utc('2025-01-10T00:00:00'));
  });

  it('replays customers independently and keeps their input order', () => {
    const r = simulate({
      ...base,
      customers: [{ id: 'z' }, { id: 'a' }],
      events: [{ type: 'points', customerId: 'a', points: 150, at: utc('2025-01-02T00:00:00') }],
    });
    expect(r.customers.map((c) => [c.id, c.tierId])).toEqual([
      ['z', 'bronze'],
      ['a', 'hidden'],
    ]);
  });
});
