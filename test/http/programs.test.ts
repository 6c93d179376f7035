import request from 'supertest';
import { ADMIN_TOKEN, createProgram, type Harness, startHarness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };

describe('POST /v1/programs', () => {
  it('creates a program with defaults and a high-entropy key shown once', async () => {
    const res = await request(h.app).post('/v1/programs').set(admin).send({ name: 'Keystone' });
    expect(res.status).toBe(201);
    expect(res.body.apiKey).toMatch(/^tp_live_[A-Za-z0-9_-]{43}$/);
    expect(res.body.program).toMatchObject({
      name: 'Keystone',
      mode: 'live',
      tiersEnabled: true,
      currency: 'USD',
      timezone: 'UTC',
      earning: { pointsPerUnit: 1 },
      retention: { mode: 'continuous' },
      clock: null,
    });
    const got = await request(h.app).get('/v1/program').set('Authorization', `Bearer ${res.body.apiKey}`);
    expect(got.status).toBe(200);
    expect(got.body.id).toBe(res.body.program.id);
    expect(JSON.stringify(got.body)).not.toContain(res.body.apiKey);
  });

  it('stores a test program clock starting at clockStart', async () => {
    const res = await request(h.app).post('/v1/programs').set(admin).send({
      name: 'Rehearsal',
      mode: 'test',
      clockStart: '2025-01-01T00:00:00+01:00',
      timezone: 'Europe/Paris',
    });
    expect(res.status).toBe(201);
    expect(res.body.apiKey).toMatch(/^tp_test_/);
    expect(res.body.program.clock).toEqual({ now: '2024-12-31T23:00:00.000Z' });
  });

  it('requires the admin token', async () => {
    expect((await request(h.app).post('/v1/programs').send({ name: 'x' })).status).toBe(401);
    const wrong = await request(h.app)
      .post('/v1/programs')
      .set('Authorization', 'Bearer wrong')
      .send({ name: 'x' });
    expect(wrong.status).toBe(401);
  });

  it.each([
    [{}, 'body.name'],
    [{ name: 'x', currency: 'usd' }, 'body.currency'],
    [{ name: 'x', currency: 'XYZ' }, 'body.currency'],
    [{ name: 'x', timezone: 'Mars/Base' }, 'body.timezone'],
    [{ name: 'x', earning: { pointsPerUnit: 0 } }, 'body.earning.pointsPerUnit'],
    [{ name: 'x', earning: { pointsPerUnit: 1.23456 } }, 'body.earning.pointsPerUnit'],
    [{ name: 'x', retention: { mode: 'cycle' } }, 'body.retention.cycle'],
    [
      { name: 'x', retention: { mode: 'cycle', cycle: { every: 'P0D', anchor: '2025-01-01' } } },
      'body.retention.cycle.every',
    ],
    [
      { name: 'x', retention: { mode: 'cycle', cycle: { every: 'P3M', anchor: 'soon' } } },
      'body.retention.cycle.anchor',
    ],
    [{ name: 'x', retention: { mode: 'lifetime', inactivity: 'P6M' } }, 'body.retention.inactivity'],
    [{ name: 'x', clockStart: '2025-01-01T00:00:00Z' }, 'body.clockStart'],
    [{ name: 'x', surprise: true }, 'body'],
  ])('refuses %j with 400 naming %s', async (body, path) => {
    const res = await request(h.app).post('/v1/programs').set(admin).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });
});

describe('PATCH /v1/program', () => {
  it('changes settings and keeps the rest', async () => {
    const { auth } = await createProgram(h, { timezone: 'America/New_York' });
    const res = await request(h.app)
      .patch('/v1/program')
      .set(auth)
      .send({
        tiersEnabled: false,
        retention: { mode: 'cycle', cycle: { every: 'P3M', anchor: '2025-01-01' }, maxDropPerCycle: 1 },
      });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      tiersEnabled: false,
      timezone: 'America/New_York',
      earning: { pointsPerUnit: 10 },
      retention: { mode: 'cycle', cycle: { every: 'P3M', anchor: '2025-01-01' }, maxDropPerCycle: 1 },
    });
    expect((await request(h.app).get('/v1/program').set(auth)).body.tiersEnabled).toBe(false);
  });

  it('refuses bad values and a mode switch, changing nothing', async () => {
    const { auth } = await createProgram(h);
    const bad = await request(h.app)
      .patch('/v1/program')
      .set(auth)
      .send({ currency: 'ZZZ', tiersEnabled: false });
    expect(bad.status).toBe(400);
    const mode = await request(h.app).patch('/v1/program').set(auth).send({ mode: 'test' });
    expect(mode.status).toBe(409);
    expect(mode.body.error.code).toBe('mode_immutable');
    const after = await request(h.app).get('/v1/program').set(auth);
    expect(after.body).toMatchObject({ currency: 'USD', tiersEnabled: true, mode: 'live' });
  });
});

describe('tenancy', () => {
  it("never lets one program read or change another program's data", async () => {
    const a = await createProgram(h);
    const b = await createProgram(h);
    await request(h.app)
      .put('/v1/customers/shared-id')
      .set(a.auth)
      .send({ email: 'a@example.com' })
      .expect(201);
    const tier = await request(h.app).post('/v1/tiers').set(a.auth).send({ title: 'Gold' }).expect(201);
    await request(h.app)
      .post('/v1/orders')
      .set(a.auth)
      .send({ id: 'order-1', customerId: 'shared-id', amount: 1000 })
      .expect(201);

    expect((await request(h.app).get('/v1/customers/shared-id').set(b.auth)).status).toBe(404);
    expect((await request(h.app).get(`/v1/tiers/${tier.body.id}`).set(b.auth)).status).toBe(404);
    expect(
      (await request(h.app).patch(`/v1/tiers/${tier.body.id}`).set(b.auth).send({ title: 'Mine' })).status,
    ).toBe(404);
    expect((await request(h.app).delete(`/v1/tiers/${tier.body.id}`).set(b.auth)).status).toBe(404);
    expect((await request(h.app).get('/v1/tiers').set(b.auth)).body.data).toEqual([]);
    const refund = await request(h.app)
      .post('/v1/orders/order-1/refunds')
      .set(b.auth)
      .send({ id: 'r1', amount: 10 });
    expect(refund.status).toBe(404);
    // The same merchant ids live independently in program B.
    await request(h.app).put('/v1/customers/shared-id').set(b.auth).send({}).expect(201);
    const own = await request(h.app)
      .post('/v1/orders')
      .set(b.auth)
      .send({ id: 'order-1', customerId: 'shared-id', amount: 500 });
    expect(own.status).toBe(201);
    const aCustomer = await request(h.app).get('/v1/customers/shared-id').set(a.auth);
    expect(aCustomer.body.balances.lifetimeSpend).toBe(1000);
    expect(aCustomer.body.email).toBe('a@example.com');
  });
});
