import request from 'supertest';
import { createProgram, createTier, type Harness, startHarness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

type Auth = { Authorization: string };

const tier = (auth: Auth, body: Record<string, unknown>) => createTier(h, auth, body);

async function advance(auth: Auth, to: string) {
  const res = await request(h.app).post('/v1/test-clock/advance').set(auth).send({ to });
  expect(res.status).toBe(200);
  expect(res.body.now).toBe(new Date(to).toISOString());
  return res.body.ran as { kind: string; at: string; state: string; processed: number }[];
}

async function tierTitle(auth: Auth, id: string): Promise<string | null> {
  const res = await request(h.app).get(`/v1/customers/${id}`).set(auth);
  return res.body.tier?.title ?? null;
}

describe('test clock', () => {
  it('reads the clock, refuses going backwards, and is only for test programs', async () => {
    const t = await createProgram(h, { mode: 'test', clockStart: '2025-01-01T00:00:00Z' });
    expect((await request(h.app).get('/v1/test-clock').set(t.auth)).body).toEqual({
      now: '2025-01-01T00:00:00.000Z',
    });
    const back = await request(h.app)
      .post('/v1/test-clock/advance')
      .set(t.auth)
      .send({ to: '2024-12-31T00:00:00Z' });
    expect(back.status).toBe(422);
    expect(back.body.error.code).toBe('clock_not_forward');
    const live = await createProgram(h);
    const res = await request(h.app)
      .post('/v1/test-clock/advance')
      .set(live.auth)
      .send({ to: '2030-01-01T00:00:00Z' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('not_a_test_program');
  });

  it("rehearses Joy's tier assessment: Gold kept for three cycles, lost at the fourth", async () => {
    const { auth } = await createProgram(h, {
      mode: 'test',
      clockStart: '2025-01-01T00:00:00Z',
      timezone: 'UTC',
      retention: { mode: 'cycle', cycle: { every: 'P6M', anchor: '2025-01-01' } },
    });
    await tier(auth, { title: 'Bronze' });
    await tier(auth, {
      title: 'Silver',
      qualifications: [{ type: 'orderVolume', minAmount: 40000, window: 'P12M' }],
    });
    await tier(auth, {
      title: 'Gold',
      qualifications: [{ type: 'orderVolume', minAmount: 60000, window: 'P12M' }],
    });
    await request(h.app).put('/v1/customers/joy').set(auth).send({}).expect(201);

    await advance(auth, '2025-01-10T12:00:00Z');
    await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: 'o1', customerId: 'joy', amount: 70000 })
      .expect(201);
    expect(await tierTitle(auth, 'joy')).toBe('Gold');

    const first = await advance(auth, '2025-07-01T00:00:00Z');
    expect(first.map((r) => [r.kind, r.at, r.state])).toEqual([
      ['warning', '2025-06-24T00:00:00.000Z', 'done'], // downgrade warnings, 7 days ahead by default
      ['cycle', '2025-07-01T00:00:00.000Z', 'done'],
    ]);
    expect(await tierTitle(auth, 'joy')).toBe('Gold'); // cycle 1: $700 in the last 12 months

    await advance(auth, '2025-12-15T12:00:00Z');
    await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: 'o2', customerId: 'joy', amount: 60000 })
      .expect(201);
    await advance(auth, '2026-01-01T00:00:00Z');
    expect(await tierTitle(auth, 'joy')).toBe('Gold'); // cycle 2
    await advance(auth, '2026-05-01T12:00:00Z');
    await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: 'o3', customerId: 'joy', amount: 45000 })
      .expect(201);
    await advance(auth, '2026-07-01T00:00:00Z');
    expect(await tierTitle(auth, 'joy')).toBe('Gold'); // cycle 3: $600 + $450 since 2025-07-01

    const fourth = await advance(auth, '2027-01-01T00:00:00Z');
    expect(fourth.map((r) => r.kind)).toEqual(['warning', 'cycle']);
    expect(await tierTitle(auth, 'joy')).toBe('Silver'); // cycle 4: only $450 in 2026
    const history = await request(h.app).get('/v1/customers/joy/tier-history').set(auth);
    expect(history.body.data[0]).toMatchObject({
      direction: 'down',
      reason: 'cycle',
      at: '2027-01-01T00:00:00.000Z',
    });
  });

  it('expires a continuous rolling window at the daily sync (Keystone day 100)', async () => {
    const { auth } = await createProgram(h, {
      mode: 'test',
      clockStart: '2025-01-01T00:00:00Z',
      timezone: 'UTC',
      retention: { mode: 'continuous' },
    });
    await tier(auth, { title: 'Bronze' });
    await tier(auth, {
      title: 'Gold',
      qualifications: [{ type: 'orderVolume', minAmount: 100000, window: 'P90D' }],
    });
    await request(h.app).put('/v1/customers/k').set(auth).send({}).expect(201);
    await advance(auth, '2025-01-10T12:00:00Z'); // day 10
    await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: 'big', customerId: 'k', amount: 100000 })
      .expect(201);
    expect(await tierTitle(auth, 'k')).toBe('Gold');
    const ran = await advance(auth, '2025-04-10T00:00:00Z'); // day 100: window (day 10 00:00, day 100] still holds it
    expect(ran.every((r) => r.kind === 'daily' && r.state === 'done')).toBe(true);
    expect(ran).toHaveLength(90);
    expect(await tierTitle(auth, 'k')).toBe('Gold');
    await advance(auth, '2025-04-11T00:00:00Z'); // day 101: the order left the window
    expect(await tierTitle(auth, 'k')).toBe('Bronze');
    const history = await request(h.app).get('/v1/customers/k/tier-history').set(auth);
    expect(history.body.data[0]).toMatchObject({
      direction: 'down',
      reason: 'continuous',
      at: '2025-04-11T00:00:00.000Z',
    });
  });

  it('resyncs 5 minutes after the tier order changes, pushed back by a further change', async () => {
    const { auth } = await createProgram(h, {
      mode: 'test',
      clockStart: '2025-01-01T00:00:00Z',
      retention: { mode: 'lifetime' },
    });
    const a = await tier(auth, { title: 'A' });
    const b = await tier(auth, { title: 'B' });
    await request(h.app).put('/v1/customers/c').set(auth).send({}).expect(201);
    expect(await tierTitle(auth, 'c')).toBe('B'); // both are entry tiers: the highest one
    await request(h.app)
      .put('/v1/tiers/order')
      .set(auth)
      .send({ tierIds: [b, a] })
      .expect(200);
    await advance(auth, '2025-01-01T00:03:00Z');
    await request(h.app)
      .put('/v1/tiers/order')
      .set(auth)
      .send({ tierIds: [b, a] })
      .expect(200);
    expect(await advance(auth, '2025-01-01T00:07:00Z')).toEqual([]); // pushed back to 00:08
    expect(await tierTitle(auth, 'c')).toBe('B');
    const ran = await advance(auth, '2025-01-01T00:08:00Z');
    expect(ran.map((r) => [r.kind, r.at])).toEqual([['resync', '2025-01-01T00:08:00.000Z']]);
    // A is now the highest tier.
    expect(await tierTitle(auth, 'c')).toBe('A');
    const history = await request(h.app).get('/v1/customers/c/tier-history').set(auth);
    expect(history.body.data[0]).toMatchObject({ reason: 'resync', direction: 'up', toTierId: a });
  });

  it('reassigns members of a disabled tier at once (reason tier_disabled)', async () => {
    const { auth } = await createProgram(h, { mode: 'test', clockStart: '2025-01-01T00:00:00Z' });
    await tier(auth, { title: 'Bronze' });
    const silver = await tier(auth, {
      title: 'Silver',
      qualifications: [{ type: 'lifetimeSpend', minAmount: 100 }],
    });
    await request(h.app).put('/v1/customers/s').set(auth).send({}).expect(201);
    await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: 'o', customerId: 's', amount: 500 })
      .expect(201);
    expect(await tierTitle(auth, 's')).toBe('Silver');
    await request(h.app).patch(`/v1/tiers/${silver}`).set(auth).send({ enabled: false }).expect(200);
    expect(await tierTitle(auth, 's')).toBe('Bronze');
    // Already done: the next advance has no resync left to run.
    expect((await advance(auth, '2025-01-01T00:00:01Z')).map((r) => r.kind)).not.toContain('resync');
    const history = await request(h.app).get('/v1/customers/s/tier-history').set(auth);
    expect(history.body.data[0]).toMatchObject({ reason: 'tier_disabled', direction: 'down' });
  });
});

it('runs two resyncs asked for at the same frozen instant (disable, then re-enable)', async () => {
  const { auth } = await createProgram(h, { mode: 'test', clockStart: '2025-01-01T00:00:00Z' });
  await tier(auth, { title: 'Bronze' });
  const silver = await tier(auth, {
    title: 'Silver',
    qualifications: [{ type: 'lifetimeSpend', minAmount: 100 }],
  });
  await request(h.app).put('/v1/customers/f').set(auth).send({}).expect(201);
  await request(h.app)
    .post('/v1/orders')
    .set(auth)
    .send({ id: 'o', customerId: 'f', amount: 500 })
    .expect(201);
  await request(h.app).patch(`/v1/tiers/${silver}`).set(auth).send({ enabled: false }).expect(200);
  expect(await tierTitle(auth, 'f')).toBe('Bronze');
  await request(h.app).patch(`/v1/tiers/${silver}`).set(auth).send({ enabled: true }).expect(200);
  expect(await tierTitle(auth, 'f')).toBe('Silver');
});

it('resets carry at each cycle and keeps Gold by the closing cycle’s carry (JeriCommerce)', async () => {
  const { auth } = await createProgram(h, {
    mode: 'test',
    clockStart: '2025-01-01T00:00:00Z',
    timezone: 'UTC',
    earning: { pointsPerUnit: 10 },
    retention: { mode: 'cycle', cycle: { every: 'P3M', anchor: '2025-01-01' } },
  });
  await tier(auth, { title: 'Bronze' });
  await tier(auth, { title: 'Gold', qualifications: [{ type: 'carryPoints', minPoints: 2000 }] });
  await request(h.app).put('/v1/customers/j').set(auth).send({}).expect(201);
  await advance(auth, '2025-02-01T00:00:00Z');
  await request(h.app)
    .post('/v1/orders')
    .set(auth)
    .send({ id: 'j1', customerId: 'j', amount: 25000 })
    .expect(201);
  // Spending every point never costs the tier.
  await request(h.app)
    .post('/v1/customers/j/redemptions')
    .set(auth)
    .set('Idempotency-Key', 'spend-all')
    .send({ points: 2500, reward: 'Bag' })
    .expect(201);
  let c = (await request(h.app).get('/v1/customers/j').set(auth)).body;
  expect(c.tier.title).toBe('Gold');
  expect(c.balances).toMatchObject({ current: 0, carry: 2500, lifetimeEarned: 2500 });

  await advance(auth, '2025-04-01T00:00:00Z'); // boundary: 2,500 carry in the closing cycle keeps Gold
  c = (await request(h.app).get('/v1/customers/j').set(auth)).body;
  expect(c.tier.title).toBe('Gold');
  expect(c.balances).toMatchObject({ current: 0, carry: 0, lifetimeEarned: 2500 });
  const ledger = (await request(h.app).get('/v1/customers/j/ledger').set(auth)).body.data;
  expect(ledger[0]).toMatchObject({ type: 'carry_reset', delta: { carry: -2500, current: 0 } });

  await advance(auth, '2025-07-01T00:00:00Z'); // nothing earned this cycle: down at the boundary
  c = (await request(h.app).get('/v1/customers/j').set(auth)).body;
  expect(c.tier.title).toBe('Bronze');
  const history = (await request(h.app).get('/v1/customers/j/tier-history').set(auth)).body.data;
  expect(history[0]).toMatchObject({ reason: 'cycle', direction: 'down', at: '2025-07-01T00:00:00.000Z' });
});

it('never downgrades in a one-way (lifetime) program, a year on', async () => {
  const { auth } = await createProgram(h, {
    mode: 'test',
    clockStart: '2025-01-01T00:00:00Z',
    retention: { mode: 'lifetime' },
  });
  await tier(auth, { title: 'Tier 1' });
  await tier(auth, { title: 'Tier 2', qualifications: [{ type: 'lifetimeSpend', minAmount: 50000 }] });
  await request(h.app).put('/v1/customers/v').set(auth).send({}).expect(201);
  await request(h.app)
    .post('/v1/orders')
    .set(auth)
    .send({ id: 'v1', customerId: 'v', amount: 50000 })
    .expect(201);
  await request(h.app).post('/v1/orders/v1/refunds').set(auth).send({ id: 'r1', amount: 50000 }).expect(201);
  // Only the resync asked for by creating the tiers runs: no cycles, no daily syncs.
  expect((await advance(auth, '2026-01-01T00:00:00Z')).map((r) => r.kind)).toEqual(['resync']);
  expect(await tierTitle(auth, 'v')).toBe('Tier 2');
});
