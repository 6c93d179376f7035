import request from 'supertest';
import { createProgram, type Harness, startHarness, uid } from '../support/harness.js';

let h: Harness;
let auth: { Authorization: string };
let programId: string;
beforeAll(async () => {
  h = await startHarness();
});
beforeEach(async () => {
  ({ auth, programId } = await createProgram(h, { earning: { pointsPerUnit: 10 } }));
});
afterAll(() => h.close());

async function customer(): Promise<string> {
  const id = uid('cust');
  await request(h.app).put(`/v1/customers/${id}`).set(auth).send({}).expect(201);
  return id;
}

async function balances(id: string) {
  return (await request(h.app).get(`/v1/customers/${id}`).set(auth)).body.balances;
}

async function expectLedgerMatches(id: string) {
  const sum = await h.store.scoped(programId).ledger.sum(id);
  expect(sum).toEqual(await balances(id));
}

describe('POST /v1/orders', () => {
  it('earns floor(net major units × pointsPerUnit) and records base and multiplier', async () => {
    const c = await customer();
    const res = await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: uid('o'), customerId: c, amount: 10000 });
    expect(res.status).toBe(201);
    expect(res.body.entries).toEqual([
      expect.objectContaining({
        type: 'earn',
        base: 1000,
        multiplier: 1,
        points: 1000,
        delta: { current: 1000, carry: 1000, lifetimeEarned: 1000, lifetimeSpend: 10000 },
      }),
    ]);
    expect(res.body.balances).toEqual({
      current: 1000,
      carry: 1000,
      lifetimeEarned: 1000,
      lifetimeSpend: 10000,
    });
    expect(res.body.customer.balances).toEqual(res.body.balances);

    const odd = await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: uid('o'), customerId: c, amount: 1234 });
    expect(odd.body.entries[0].points).toBe(123); // $12.34 × 10 = 123.4 → 123
    await expectLedgerMatches(c);
  });

  it('uses the currency minor unit (JPY has none)', async () => {
    const jp = await createProgram(h, { currency: 'JPY', earning: { pointsPerUnit: 0.1 } });
    await request(h.app).put('/v1/customers/k').set(jp.auth).send({}).expect(201);
    const res = await request(h.app)
      .post('/v1/orders')
      .set(jp.auth)
      .send({ id: 'o1', customerId: 'k', amount: 1999, currency: 'JPY' });
    expect(res.status).toBe(201);
    expect(res.body.entries[0].points).toBe(199);
    const wrong = await request(h.app)
      .post('/v1/orders')
      .set(jp.auth)
      .send({ id: 'o2', customerId: 'k', amount: 5, currency: 'USD' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.code).toBe('currency_mismatch');
  });

  it('returns the first response on replay and 409 for the same id with another body', async () => {
    const c = await customer();
    const id = uid('o');
    const first = await request(h.app).post('/v1/orders').set(auth).send({ id, customerId: c, amount: 5000 });
    const again = await request(h.app).post('/v1/orders').set(auth).send({ id, customerId: c, amount: 5000 });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    const other = await request(h.app).post('/v1/orders').set(auth).send({ id, customerId: c, amount: 7000 });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_conflict');
    expect(await balances(c)).toEqual({ current: 500, carry: 500, lifetimeEarned: 500, lifetimeSpend: 5000 });
    const ledger = await request(h.app).get(`/v1/customers/${c}/ledger`).set(auth);
    expect(ledger.body.data).toHaveLength(1);
  });

  it.each([
    [{ amount: -100 }, 'body.amount'],
    [{ amount: 10.5 }, 'body.amount'],
    [{ amount: '100' }, 'body.amount'],
    [{ amount: 0 }, 'body.amount'],
    [{ amount: 1_000_000_000_001 }, 'body.amount'],
    [{ amount: undefined }, 'body.amount'],
    [{ customerId: undefined }, 'body.customerId'],
    [{ placedAt: 'yesterday' }, 'body.placedAt'],
    [{ placedAt: '2025-01-01T10:00:00' }, 'body.placedAt'],
    [{ coupon: 'X' }, 'body'],
  ])('refuses %j with 400 naming %s and writes nothing', async (patch, path) => {
    const c = await customer();
    const res = await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: uid('o'), customerId: c, amount: 100, ...patch });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(await balances(c)).toEqual({ current: 0, carry: 0, lifetimeEarned: 0, lifetimeSpend: 0 });
  });

  it('answers 404 for an unknown customer and stores no order', async () => {
    const id = uid('o');
    const res = await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id, customerId: 'ghost', amount: 100 });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('customer_not_found');
    expect(await h.store.scoped(programId).orders.get(id)).toBeNull();
  });

  it('counts a backfilled order by its placedAt and refuses one from the future', async () => {
    const c = await customer();
    const past = await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: uid('o'), customerId: c, amount: 100, placedAt: '2020-02-01T12:00:00Z' });
    expect(past.status).toBe(201);
    expect(past.body.order.placedAt).toBe('2020-02-01T12:00:00.000Z');
    // Placed before the customer's current carry cycle began: lifetime figures only.
    expect(past.body.entries[0].delta).toEqual({
      current: 10,
      carry: 0,
      lifetimeEarned: 10,
      lifetimeSpend: 100,
    });
    const future = new Date(Date.now() + 3600_000).toISOString();
    const res = await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: uid('o'), customerId: c, amount: 100, placedAt: future });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('event_in_future');
  });

  it('refuses any time after a test program clock', async () => {
    const t = await createProgram(h, { mode: 'test', clockStart: '2025-01-01T00:00:00Z' });
    await request(h.app).put('/v1/customers/c').set(t.auth).send({}).expect(201);
    const late = await request(h.app)
      .post('/v1/orders')
      .set(t.auth)
      .send({ id: 'o', customerId: 'c', amount: 100, placedAt: '2025-01-01T00:00:01Z' });
    expect(late.status).toBe(422);
    const ok = await request(h.app)
      .post('/v1/orders')
      .set(t.auth)
      .send({ id: 'o', customerId: 'c', amount: 100 });
    expect(ok.status).toBe(201);
    expect(ok.body.order.placedAt).toBe('2025-01-01T00:00:00.000Z');
  });
});

describe('POST /v1/orders/:id/refunds', () => {
  it('reverses points in proportion; refunds adding up to the order reverse exactly all', async () => {
    const c = await customer();
    const o = uid('o');
    await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: o, customerId: c, amount: 10000 })
      .expect(201);
    const reversed: number[] = [];
    for (const [i, amount] of [3333, 3333, 3334].entries()) {
      const res = await request(h.app)
        .post(`/v1/orders/${o}/refunds`)
        .set(auth)
        .send({ id: `${o}-r${i}`, amount });
      expect(res.status).toBe(201);
      reversed.push(-res.body.entries[0].points);
    }
    expect(reversed).toEqual([333, 333, 334]);
    expect(await balances(c)).toEqual({ current: 0, carry: 0, lifetimeEarned: 0, lifetimeSpend: 0 });
    await expectLedgerMatches(c);
  });

  it('reverses a full refund exactly, replays, and refuses more than the order', async () => {
    const c = await customer();
    const o = uid('o');
    await request(h.app).post('/v1/orders').set(auth).send({ id: o, customerId: c, amount: 999 }).expect(201);
    const full = await request(h.app)
      .post(`/v1/orders/${o}/refunds`)
      .set(auth)
      .send({ id: `${o}-r`, amount: 999 });
    expect(full.status).toBe(201);
    expect(full.body.entries[0]).toMatchObject({ type: 'refund_reversal', points: -99 });
    expect(full.body.order.refundedAmount).toBe(999);
    const replay = await request(h.app)
      .post(`/v1/orders/${o}/refunds`)
      .set(auth)
      .send({ id: `${o}-r`, amount: 999 });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(full.body);
    const more = await request(h.app)
      .post(`/v1/orders/${o}/refunds`)
      .set(auth)
      .send({ id: `${o}-r2`, amount: 1 });
    expect(more.status).toBe(422);
    expect(more.body.error.code).toBe('refund_exceeds_order');
    const reused = await request(h.app)
      .post(`/v1/orders/${o}/refunds`)
      .set(auth)
      .send({ id: `${o}-r`, amount: 5 });
    expect(reused.status).toBe(409);
    expect(await balances(c)).toEqual({ current: 0, carry: 0, lifetimeEarned: 0, lifetimeSpend: 0 });
  });

  it('lets a refund take current below zero after a redemption, and records it', async () => {
    const c = await customer();
    const o = uid('o');
    await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: o, customerId: c, amount: 10000 })
      .expect(201);
    await request(h.app)
      .post(`/v1/customers/${c}/redemptions`)
      .set(auth)
      .set('Idempotency-Key', uid('k'))
      .send({ points: 800, reward: 'Mug' })
      .expect(201);
    const res = await request(h.app)
      .post(`/v1/orders/${o}/refunds`)
      .set(auth)
      .send({ id: uid('r'), amount: 10000 });
    expect(res.status).toBe(201);
    expect(res.body.balances).toEqual({ current: -800, carry: 0, lifetimeEarned: 0, lifetimeSpend: 0 });
    await expectLedgerMatches(c);
  });

  it('answers 404 for an unknown order', async () => {
    const res = await request(h.app).post('/v1/orders/nope/refunds').set(auth).send({ id: 'r', amount: 1 });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('order_not_found');
  });
});

describe('points and redemptions', () => {
  it('earns qualifying points, credits and adjusts, each replay-safe', async () => {
    const c = await customer();
    const key = uid('k');
    const earn = await request(h.app)
      .post(`/v1/customers/${c}/points`)
      .set(auth)
      .set('Idempotency-Key', key)
      .send({ points: 250, reason: 'signup' });
    expect(earn.status).toBe(201);
    expect(earn.body.entries[0]).toMatchObject({ type: 'earn', base: 250, multiplier: 1, points: 250 });
    const replay = await request(h.app)
      .post(`/v1/customers/${c}/points`)
      .set(auth)
      .set('Idempotency-Key', key)
      .send({ points: 250, reason: 'signup' });
    expect(replay.body).toEqual(earn.body);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const clash = await request(h.app)
      .post(`/v1/customers/${c}/points`)
      .set(auth)
      .set('Idempotency-Key', key)
      .send({ points: 300, reason: 'signup' });
    expect(clash.status).toBe(409);

    await request(h.app)
      .post(`/v1/customers/${c}/points`)
      .set(auth)
      .set('Idempotency-Key', uid('k'))
      .send({ points: 100, reason: 'goodwill', qualifying: false })
      .expect(201);
    const down = await request(h.app)
      .post(`/v1/customers/${c}/points`)
      .set(auth)
      .set('Idempotency-Key', uid('k'))
      .send({ points: -50, reason: 'correction' });
    expect(down.body.entries[0]).toMatchObject({ type: 'adjust', points: -50 });
    expect(await balances(c)).toEqual({ current: 300, carry: 250, lifetimeEarned: 250, lifetimeSpend: 0 });
    const qdown = await request(h.app)
      .post(`/v1/customers/${c}/points`)
      .set(auth)
      .set('Idempotency-Key', uid('k'))
      .send({ points: -50, reason: 'fraud', qualifying: true });
    expect(qdown.body.balances).toEqual({ current: 250, carry: 200, lifetimeEarned: 200, lifetimeSpend: 0 });
    await expectLedgerMatches(c);
  });

  it('redeems without touching tier-qualifying balances; 422 beyond the balance', async () => {
    const c = await customer();
    await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: uid('o'), customerId: c, amount: 2000 })
      .expect(201);
    const key = uid('k');
    const ok = await request(h.app)
      .post(`/v1/customers/${c}/redemptions`)
      .set(auth)
      .set('Idempotency-Key', key)
      .send({ points: 200, reward: 'Free shipping' });
    expect(ok.status).toBe(201);
    expect(ok.body.balances).toEqual({ current: 0, carry: 200, lifetimeEarned: 200, lifetimeSpend: 2000 });
    // A replay after the balance is spent still returns the first response.
    const replay = await request(h.app)
      .post(`/v1/customers/${c}/redemptions`)
      .set(auth)
      .set('Idempotency-Key', key)
      .send({ points: 200, reward: 'Free shipping' });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(ok.body);
    const broke = await request(h.app)
      .post(`/v1/customers/${c}/redemptions`)
      .set(auth)
      .set('Idempotency-Key', uid('k'))
      .send({ points: 1, reward: 'Sticker' });
    expect(broke.status).toBe(422);
    expect(broke.body.error.code).toBe('insufficient_points');
    await expectLedgerMatches(c);
  });

  it.each([
    ['no Idempotency-Key', {}, { points: 5, reason: 'x' }, 'idempotency_key_required'],
    ['zero points', { 'Idempotency-Key': 'k1' }, { points: 0, reason: 'x' }, 'validation_failed'],
    ['fractional points', { 'Idempotency-Key': 'k2' }, { points: 1.5, reason: 'x' }, 'validation_failed'],
    ['no reason', { 'Idempotency-Key': 'k3' }, { points: 5 }, 'validation_failed'],
    [
      'a key with spaces',
      { 'Idempotency-Key': 'a b' },
      { points: 5, reason: 'x' },
      'invalid_idempotency_key',
    ],
  ])('refuses %s with 400', async (_label, headers, body, code) => {
    const c = await customer();
    const res = await request(h.app).post(`/v1/customers/${c}/points`).set(auth).set(headers).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect(await balances(c)).toEqual({ current: 0, carry: 0, lifetimeEarned: 0, lifetimeSpend: 0 });
  });

  it('answers 404 for points to an unknown customer', async () => {
    const res = await request(h.app)
      .post('/v1/customers/ghost/points')
      .set(auth)
      .set('Idempotency-Key', uid('k'))
      .send({ points: 5, reason: 'x' });
    expect(res.status).toBe(404);
  });
});

describe('concurrency on the PostgreSQL server', () => {
  it('keeps balances exact under 50 concurrent orders for one customer', async () => {
    const c = await customer();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        request(h.app)
          .post('/v1/orders')
          .set(auth)
          .send({ id: `${c}-p${i}`, customerId: c, amount: 1000 }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    expect(await balances(c)).toEqual({
      current: 5000,
      carry: 5000,
      lifetimeEarned: 5000,
      lifetimeSpend: 50000,
    });
    await expectLedgerMatches(c);
  });

  it('keeps 20 customers exact under 200 concurrent orders mixed with unknown customers and taken ids', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => customer()));
    const before = (await h.store.groupCommitStats()).units;
    const sends = Array.from({ length: 200 }, (_, i) => {
      const c = ids[i % 20] as string;
      if (i % 25 === 3) return { id: uid('o'), customerId: uid('ghost'), amount: 1000, expect: 404 };
      // Order ids of other customers' orders (sent in the same burst): only the first one lands.
      if (i % 25 === 7) {
        const other = ids[Math.floor(i / 25)] as string; // 8 distinct customers
        return { id: `${ids[0]}-taken`, customerId: other, amount: 1000, expect: 0 };
      }
      return { id: `${c}-m${i}`, customerId: c, amount: 1000 + i, expect: 201 };
    });
    const results = await Promise.all(
      sends.map(({ expect: _, ...body }) => request(h.app).post('/v1/orders').set(auth).send(body)),
    );
    for (const [i, r] of results.entries()) {
      const sent = sends[i];
      if (sent?.expect === 404) expect([r.status, r.body.error.code]).toEqual([404, 'customer_not_found']);
      else if (sent?.expect === 201) expect(r.status).toBe(201);
    }
    const taken = results.filter((_, i) => sends[i]?.expect === 0);
    expect(taken.filter((r) => r.status === 201)).toHaveLength(1);
    expect(taken.filter((r) => r.status === 409)).toHaveLength(taken.length - 1);
    const winner = (await h.store.scoped(programId).orders.get(`${ids[0]}-taken`))?.customerId;
    for (const c of ids) {
      const spend = sends
        .filter((s, i) => s.customerId === c && (results[i]?.status ?? 0) === 201)
        .reduce((sum, s) => sum + s.amount, 0);
      const points = sends
        .filter((s, i) => s.customerId === c && results[i]?.status === 201)
        .reduce((sum, s) => sum + Math.floor((s.amount * 10) / 100), 0); // floor(major units × 10)
      expect(await balances(c)).toEqual({
        current: points,
        carry: points,
        lifetimeEarned: points,
        lifetimeSpend: spend,
      });
      await expectLedgerMatches(c);
      if (c === winner) expect(spend).toBeGreaterThan(0);
    }
    // Every committed order went through an event transaction (grouped when they waited).
    expect((await h.store.groupCommitStats()).units - before).toBe(
      results.filter((r) => r.status === 201).length,
    );
  });

  it('writes one ledger entry for 50 concurrent replays of one order', async () => {
    const c = await customer();
    const id = uid('o');
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        request(h.app).post('/v1/orders').set(auth).send({ id, customerId: c, amount: 1000 }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    expect(results.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(49);
    for (const r of results) expect(r.body).toEqual(results[0]?.body);
    const ledger = await request(h.app).get(`/v1/customers/${c}/ledger`).set(auth);
    expect(ledger.body.data).toHaveLength(1);
    expect(await balances(c)).toEqual({ current: 100, carry: 100, lifetimeEarned: 100, lifetimeSpend: 1000 });
  });

  it('applies 50 concurrent redemptions of 10 from 200 points exactly 20 times', async () => {
    const c = await customer();
    await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: uid('o'), customerId: c, amount: 2000 })
      .expect(201);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        request(h.app)
          .post(`/v1/customers/${c}/redemptions`)
          .set(auth)
          .set('Idempotency-Key', `${c}-k${i}`)
          .send({ points: 10, reward: 'r' }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(20);
    expect(results.filter((r) => r.status === 422)).toHaveLength(30);
    expect((await balances(c)).current).toBe(0);
    await expectLedgerMatches(c);
  });
});
