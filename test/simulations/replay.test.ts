/** POST /v1/simulations/replay: the seed scenarios through HTTP, with exact expected values. */
import request from 'supertest';
import { createProgram, type Harness, startHarness } from '../support/harness.js';

let h: Harness;
let auth: { Authorization: string };
beforeAll(async () => {
  h = await startHarness();
  ({ auth } = await createProgram(h, { earning: { pointsPerUnit: 1 } }));
});
afterAll(() => h.close());

const replay = (body: Record<string, unknown>) =>
  request(h.app).post('/v1/simulations/replay').set(auth).send(body);

type Change = {
  at: string;
  fromTierId: string | null;
  toTierId: string | null;
  reason: string;
  bonus: number;
};
type Entry = {
  type: string;
  orderId: string | null;
  base: number | null;
  multiplier: number | null;
  points: number;
};

describe('Keystone (continuous, New York): 1.5× Gold, bonus once', () => {
  const order = (id: string, at: string, amount: number) => ({
    type: 'order',
    id,
    customerId: 'ann',
    amount,
    at,
  });
  const body = (events: unknown[], until: string) => ({
    program: {
      timezone: 'America/New_York',
      earning: { pointsPerUnit: 10 },
      retention: { mode: 'continuous' },
    },
    tiers: [
      { id: 'bronze', title: 'Bronze' },
      {
        id: 'silver',
        title: 'Silver',
        qualifications: [{ type: 'lifetimePoints', minPoints: 3_000 }],
        benefits: { multiplier: 1.25, bonusPoints: 300 },
      },
      {
        id: 'gold',
        title: 'Gold',
        qualifications: [
          { type: 'tag', tag: 'email_subscriber' },
          { type: 'orderVolume', minAmount: 50_000, window: 'P90D' },
          { type: 'lifetimePoints', minPoints: 5_000 },
        ],
        benefits: { tag: 'gold_tier', multiplier: 1.5, bonusPoints: 500 },
      },
    ],
    customers: [{ id: 'ann', createdAt: '2025-01-01T09:00:00-05:00', tags: ['email_subscriber'] }],
    events,
    until,
  });
  const story = [
    order('o1', '2025-01-10T12:00:00-05:00', 30_000), // 3,000 points → Silver
    order('o2', '2025-02-01T12:00:00-05:00', 20_000), // at Silver 1.25× → 2,500; $500 in 90 days → Gold
    order('o3', '2025-02-02T12:00:00-05:00', 10_000), // $100 at Gold 1.5× → 1,500
  ];

  it('earns 1,500 points on $100 after upgrading to Gold', async () => {
    const res = await replay(body(story, '2025-02-03T00:00:00-05:00'));
    expect(res.status).toBe(200);
    const ann = res.body.customers[0];
    expect(ann.timeline.map((c: Change) => [c.at, c.fromTierId, c.toTierId, c.reason, c.bonus])).toEqual([
      ['2025-01-01T14:00:00.000Z', null, 'bronze', 'qualified', 0],
      ['2025-01-10T17:00:00.000Z', 'bronze', 'silver', 'qualified', 300],
      ['2025-02-01T17:00:00.000Z', 'silver', 'gold', 'qualified', 500],
    ]);
    const earns = ann.ledger.filter((e: Entry) => e.type === 'earn');
    expect(earns.map((e: Entry) => [e.orderId, e.base, e.multiplier, e.points])).toEqual([
      ['o1', 3_000, 1, 3_000],
      ['o2', 2_000, 1.25, 2_500],
      ['o3', 1_000, 1.5, 1_500],
    ]);
    expect(ann).toMatchObject({
      tierId: 'gold',
      tierTags: ['gold_tier'],
      bonusedTierIds: ['silver', 'gold'],
      balances: { current: 7_800, carry: 7_000, lifetimeEarned: 7_000, lifetimeSpend: 60_000 },
    });
    expect(ann.timeline[2].facts.tiers[0]).toMatchObject({
      tierId: 'gold',
      test: 'qualifications',
      met: true,
    });
    expect(res.body.rejected).toEqual([]);
  });

  it('pays the Gold bonus once across leaving (daily sync, window expires) and re-entering', async () => {
    const res = await replay(
      body([...story, order('o4', '2025-05-01T12:00:00-04:00', 50_000)], '2025-06-01T00:00:00-04:00'),
    );
    const ann = res.body.customers[0];
    expect(ann.timeline.map((c: Change) => [c.at, c.toTierId, c.reason, c.bonus])).toEqual([
      ['2025-01-01T14:00:00.000Z', 'bronze', 'qualified', 0],
      ['2025-01-10T17:00:00.000Z', 'silver', 'qualified', 300],
      ['2025-02-01T17:00:00.000Z', 'gold', 'qualified', 500],
      ['2025-04-11T04:00:00.000Z', 'silver', 'continuous', 0],
      ['2025-05-01T16:00:00.000Z', 'gold', 'qualified', 0],
    ]);
    expect(ann.ledger.filter((e: Entry) => e.type === 'bonus').map((e: Entry) => e.points)).toEqual([
      300, 500,
    ]);
    expect(ann.ledger.find((e: Entry) => e.orderId === 'o4').points).toBe(6_250); // at Silver 1.25×
    expect(ann.balances).toEqual({
      current: 14_050,
      carry: 13_250,
      lifetimeEarned: 13_250,
      lifetimeSpend: 110_000,
    });
  });
});

describe('Joy (cycle P6M from 2025-01-01, maintain $400 / $600 in P12M, Los Angeles)', () => {
  const vol = (n: number) => [{ type: 'orderVolume', minAmount: n, window: 'P12M' }];
  const order = (id: string, at: string, amount: number) => ({
    type: 'order',
    id,
    customerId: 'j',
    amount,
    at,
  });

  it('keeps Gold through three assessments and downgrades at the fourth', async () => {
    const res = await replay({
      program: {
        timezone: 'America/Los_Angeles',
        retention: { mode: 'cycle', cycle: { every: 'P6M', anchor: '2025-01-01' } },
      },
      tiers: [
        { id: 'bronze', title: 'Bronze' },
        { id: 'silver', title: 'Silver', qualifications: vol(40_000), maintain: vol(40_000) },
        { id: 'gold', title: 'Gold', qualifications: vol(60_000), maintain: vol(60_000) },
      ],
      customers: [{ id: 'j', createdAt: '2025-01-01T10:00:00-08:00' }],
      events: [
        order('a', '2025-02-01T10:00:00-08:00', 70_000),
        order('b', '2025-11-15T10:00:00-08:00', 30_000),
        order('c', '2026-05-01T10:00:00-07:00', 35_000),
      ],
      until: '2027-07-02T00:00:00Z',
    });
    expect(res.status).toBe(200);
    expect(res.body.boundaries).toEqual([
      '2025-07-01T07:00:00.000Z',
      '2026-01-01T08:00:00.000Z',
      '2026-07-01T07:00:00.000Z',
      '2027-01-01T08:00:00.000Z',
      '2027-07-01T07:00:00.000Z',
    ]);
    const j = res.body.customers[0];
    // Kept at 2025-07-01 ($700), 2026-01-01 ($1,000), 2026-07-01 ($650); only $350 at 2027-01-01.
    expect(j.timeline.map((c: Change) => [c.at, c.fromTierId, c.toTierId, c.reason])).toEqual([
      ['2025-01-01T18:00:00.000Z', null, 'bronze', 'qualified'],
      ['2025-02-01T18:00:00.000Z', 'bronze', 'gold', 'qualified'],
      ['2027-01-01T08:00:00.000Z', 'gold', 'bronze', 'cycle'],
    ]);
    expect(j.timeline[2].direction).toBe('down');
    expect(
      j.timeline[2].facts.tiers.map((t: { tierId: string; test: string }) => [t.tierId, t.test]),
    ).toEqual([
      ['gold', 'maintain'],
      ['silver', 'maintain'],
      ['bronze', 'maintain'],
    ]);
    expect(j.tierId).toBe('bronze');
  });
});

describe('one-way program (lifetime retention)', () => {
  it('never downgrades, even after a full refund and an expired window', async () => {
    const res = await replay({
      program: { retention: { mode: 'lifetime' } },
      tiers: [
        { id: 'member', title: 'Member' },
        {
          id: 'vip',
          title: 'VIP',
          qualifications: [{ type: 'orderVolume', minAmount: 50_000, window: 'P90D' }],
        },
      ],
      customers: [{ id: 'v', createdAt: '2025-01-01T00:00:00Z' }],
      events: [
        { type: 'order', id: 'big', customerId: 'v', amount: 60_000, at: '2025-01-05T00:00:00Z' },
        { type: 'refund', orderId: 'big', amount: 60_000, at: '2025-01-15T00:00:00Z' },
      ],
      until: '2026-01-01T00:00:00Z',
    });
    const v = res.body.customers[0];
    expect(v.timeline.map((c: Change) => [c.toTierId, c.reason])).toEqual([
      ['member', 'qualified'],
      ['vip', 'qualified'],
    ]);
    expect(v.tierId).toBe('vip');
    expect(v.balances).toEqual({ current: 0, carry: 0, lifetimeEarned: 0, lifetimeSpend: 0 });
    expect(v.ledger.map((e: Entry) => [e.type, e.points])).toEqual([
      ['earn', 600],
      ['refund_reversal', -600],
    ]);
  });
});
