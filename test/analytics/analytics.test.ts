/**
 * Analytics over data created through the real API at controlled times (a live program
 * on a settable clock, New York time): distribution now and in the past, movements by
 * day and week, points per tier per month.
 */
import request from 'supertest';
import { createProgram, fixedClock, type Harness, startHarness, uid } from '../support/harness.js';

const clock = fixedClock(new Date('2025-03-01T12:00:00Z'));
let h: Harness;
let auth: { Authorization: string };
const tier: Record<'bronze' | 'silver' | 'gold', string> = { bronze: '', silver: '', gold: '' };
const c = { a: uid('a'), b: uid('b'), cc: uid('c'), d: uid('d') };

async function at<T>(instant: string, fn: () => Promise<T>): Promise<T> {
  clock.set(new Date(instant));
  return fn();
}

const put = (id: string) => request(h.app).put(`/v1/customers/${id}`).set(auth).send({}).expect(201);
const order = (id: string, customerId: string, amount: number) =>
  request(h.app).post('/v1/orders').set(auth).send({ id, customerId, amount }).expect(201);

beforeAll(async () => {
  h = await startHarness({ clock });
  ({ auth } = await createProgram(h, { timezone: 'America/New_York', earning: { pointsPerUnit: 10 } }));
  const create = async (body: Record<string, unknown>) =>
    (await request(h.app).post('/v1/tiers').set(auth).send(body).expect(201)).body.id as string;
  tier.bronze = await create({ title: 'Bronze' });
  tier.silver = await create({
    title: 'Silver',
    qualifications: [{ type: 'lifetimeSpend', minAmount: 40_000 }],
  });
  tier.gold = await create({
    title: 'Gold',
    qualifications: [{ type: 'lifetimeSpend', minAmount: 100_000 }],
    benefits: { multiplier: 1.5, bonusPoints: 500 },
  });
  // Mon 2025-03-03 10:00 EST: three customers enter Bronze.
  await at('2025-03-03T15:00:00Z', async () => {
    for (const id of [c.a, c.b, c.cc]) await put(id);
  });
  // Tue 10:00 EST: A reaches Silver. Tue 22:00 EST (already Wednesday in UTC): B jumps to Gold.
  await at('2025-03-04T15:00:00Z', () => order('oa', c.a, 40_000));
  await at('2025-03-05T03:00:00Z', () => order('ob', c.b, 100_000));
  // Tue 2025-03-11 (EDT): A's order is refunded, A drops back to Bronze.
  await at('2025-03-11T15:00:00Z', () =>
    request(h.app).post('/v1/orders/oa/refunds').set(auth).send({ id: 'ra', amount: 40_000 }).expect(201),
  );
  await at('2025-03-12T15:00:00Z', () => put(c.d));
  // April: B earns at Gold 1.5×.
  await at('2025-04-02T15:00:00Z', () => order('ob2', c.b, 10_000));
  clock.set(new Date('2025-04-10T12:00:00Z'));
});
afterAll(() => h.close());

const get = (path: string) => request(h.app).get(path).set(auth);

describe('GET /v1/analytics/distribution', () => {
  it('counts customers per tier now', async () => {
    const res = await get('/v1/analytics/distribution');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      at: '2025-04-10T12:00:00.000Z',
      source: 'current',
      total: 4,
      distribution: { [tier.bronze]: 3, [tier.silver]: 0, [tier.gold]: 1, none: 0 },
    });
    expect(res.body.tiers.map((t: { title: string; customers: number }) => [t.title, t.customers])).toEqual([
      ['Bronze', 3],
      ['Silver', 0],
      ['Gold', 1],
      [null, 0],
    ]);
  });

  it('reconstructs a past instant from tier changes, leaving out customers created later', async () => {
    const res = await get('/v1/analytics/distribution?at=2025-03-04T20:00:00Z');
    expect(res.body).toMatchObject({
      at: '2025-03-04T20:00:00.000Z',
      source: 'history',
      total: 3,
      distribution: { [tier.bronze]: 2, [tier.silver]: 1, [tier.gold]: 0, none: 0 },
    });
  });

  it('reads a date as the end of that day in the program time zone', async () => {
    const res = await get('/v1/analytics/distribution?at=2025-03-04');
    expect(res.body.at).toBe('2025-03-05T04:59:59.999Z');
    expect(res.body.distribution).toEqual({ [tier.bronze]: 1, [tier.silver]: 1, [tier.gold]: 1, none: 0 });
    const before = await get('/v1/analytics/distribution?at=2025-03-01');
    expect(before.body.total).toBe(0);
  });

  it('refuses a future instant and a malformed at', async () => {
    const future = await get('/v1/analytics/distribution?at=2026-01-01');
    expect(future.status).toBe(400);
    expect(future.body.error.code).toBe('at_in_future');
    const bad = await get('/v1/analytics/distribution?at=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
  });
});

describe('GET /v1/analytics/movements', () => {
  it('counts upgrades, downgrades and entries per local day, by reason', async () => {
    const res = await get('/v1/analytics/movements?from=2025-03-03&to=2025-03-12&interval=day');
    expect(res.status).toBe(200);
    expect(res.body.timezone).toBe('America/New_York');
    const busy = res.body.buckets.filter(
      (b: { upgrades: number; downgrades: number; entries: number }) =>
        b.upgrades + b.downgrades + b.entries > 0,
    );
    const none = { upgradesByReason: {}, downgradesByReason: {} };
    expect(busy).toEqual([
      { start: '2025-03-03', upgrades: 0, downgrades: 0, entries: 3, ...none },
      {
        start: '2025-03-04',
        upgrades: 2,
        downgrades: 0,
        entries: 0,
        ...none,
        upgradesByReason: { qualified: 2 },
      },
      {
        start: '2025-03-11',
        upgrades: 0,
        downgrades: 1,
        entries: 0,
        ...none,
        downgradesByReason: { continuous: 1 },
      },
      { start: '2025-03-12', upgrades: 0, downgrades: 0, entries: 1, ...none },
    ]);
    expect(res.body.buckets).toHaveLength(10);
    expect(res.body.totals).toEqual({
      upgrades: 2,
      downgrades: 1,
      entries: 4,
      upgradesByReason: { qualified: 2 },
      downgradesByReason: { continuous: 1 },
    });
  });

  it('groups by ISO week (Monday) in the program time zone', async () => {
    const res = await get('/v1/analytics/movements?from=2025-03-05&to=2025-03-16&interval=week');
    expect(
      res.body.buckets.map((b: { start: string; upgrades: number; downgrades: number; entries: number }) => [
        b.start,
        b.upgrades,
        b.downgrades,
        b.entries,
      ]),
    ).toEqual([
      ['2025-03-03', 0, 0, 0], // B's upgrade was Tuesday evening local time, before `from`
      ['2025-03-10', 0, 1, 1],
    ]);
    const whole = await get('/v1/analytics/movements?from=2025-03-03&to=2025-03-16&interval=week');
    expect(
      whole.body.buckets.map((b: { upgrades: number; entries: number }) => [b.upgrades, b.entries]),
    ).toEqual([
      [2, 3],
      [0, 1],
    ]);
  });

  it.each([
    ['from after to', 'from=2025-03-10&to=2025-03-01', 'invalid_range'],
    ['more than two years of days', 'from=2023-01-01&to=2025-01-01', 'range_too_large'],
    ['more than five years of weeks', 'from=2019-01-01&to=2025-01-01&interval=week', 'range_too_large'],
    ['an unknown interval', 'from=2025-03-01&to=2025-03-10&interval=month', 'validation_failed'],
    ['a missing from', 'to=2025-03-10', 'validation_failed'],
    ['an impossible date', 'from=2025-02-30&to=2025-03-10', 'validation_failed'],
    ['an unknown parameter', 'from=2025-03-01&to=2025-03-10&tier=gold', 'validation_failed'],
  ])('refuses %s with 400', async (_name, qs, code) => {
    const res = await get(`/v1/analytics/movements?${qs}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
  });

  it('accepts exactly two years of days', async () => {
    const res = await get('/v1/analytics/movements?from=2023-01-01&to=2024-12-31');
    expect(res.status).toBe(200);
    expect(res.body.buckets).toHaveLength(731);
  });
});

describe('GET /v1/analytics/earnings', () => {
  it('sums points awarded per tier per month and bonus points paid per tier', async () => {
    const res = await get('/v1/analytics/earnings?from=2025-03-01&to=2025-04-30');
    expect(res.status).toBe(200);
    const zero = { awarded: 0, base: 0, bonus: 0, bonuses: 0 };
    expect(res.body.months).toEqual([
      {
        month: '2025-03',
        tiers: [
          // Both upgrading orders earned at Bronze, the tier the customer was in.
          { tierId: tier.bronze, title: 'Bronze', awarded: 14_000, base: 14_000, bonus: 0, bonuses: 0 },
          { tierId: tier.silver, title: 'Silver', ...zero },
          { tierId: tier.gold, title: 'Gold', awarded: 0, base: 0, bonus: 500, bonuses: 1 },
        ],
      },
      {
        month: '2025-04',
        tiers: [
          { tierId: tier.bronze, title: 'Bronze', ...zero },
          { tierId: tier.silver, title: 'Silver', ...zero },
          { tierId: tier.gold, title: 'Gold', awarded: 1_500, base: 1_000, bonus: 0, bonuses: 0 },
        ],
      },
    ]);
    expect(res.body.tiers).toEqual([
      { id: tier.bronze, title: 'Bronze', awarded: 14_000, base: 14_000, bonus: 0, bonuses: 0 },
      { id: tier.silver, title: 'Silver', ...zero },
      { id: tier.gold, title: 'Gold', awarded: 1_500, base: 1_000, bonus: 500, bonuses: 1 },
    ]);
  });

  it('cuts months at local midnight and refuses bad ranges', async () => {
    const april = await get('/v1/analytics/earnings?from=2025-04-01&to=2025-04-30');
    expect(april.body.tiers.find((t: { id: string }) => t.id === tier.gold)).toMatchObject({
      awarded: 1_500,
    });
    expect((await get('/v1/analytics/earnings?from=2025-04-30&to=2025-04-01')).body.error.code).toBe(
      'invalid_range',
    );
    expect((await get('/v1/analytics/earnings?from=2015-01-01&to=2025-04-01')).body.error.code).toBe(
      'range_too_large',
    );
  });

  it('needs the merchant API key', async () => {
    expect((await request(h.app).get('/v1/analytics/earnings?from=2025-04-01&to=2025-04-30')).status).toBe(
      401,
    );
  });
});

describe('OpenAPI', () => {
  it('describes the simulation and analytics endpoints', async () => {
    const paths = (await request(h.app).get('/openapi.json')).body.paths;
    for (const [path, method] of [
      ['/v1/simulations', 'post'],
      ['/v1/simulations/replay', 'post'],
      ['/v1/analytics/distribution', 'get'],
      ['/v1/analytics/movements', 'get'],
      ['/v1/analytics/earnings', 'get'],
    ]) {
      expect(paths[path as string]?.[method as string]).toBeDefined();
    }
    const movements = paths['/v1/analytics/movements'].get.parameters.map((p: { name: string }) => p.name);
    expect(movements).toEqual(['from', 'to', 'interval']);
  });
});
