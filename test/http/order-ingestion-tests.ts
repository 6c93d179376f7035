import request from 'supertest';
import { createProgram, type Harness, type StoreKind, uid } from '../support/harness.js';
import { orderTests } from './order-tests.js';

/** The order ingestion tests, run on PostgreSQL (orders.test.ts) and on the in-memory store (orders.memory.test.ts). */
export function orderIngestionTests(store: StoreKind): void {
  const { t, customer, balances, expectLedgerMatches } = orderTests(store);
  let h: Harness;
  let auth: { Authorization: string };
  let programId: string;
  beforeEach(() => {
    ({ h, auth, programId } = t);
  });

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
      const first = await request(h.app)
        .post('/v1/orders')
        .set(auth)
        .send({ id, customerId: c, amount: 5000 });
      const again = await request(h.app)
        .post('/v1/orders')
        .set(auth)
        .send({ id, customerId: c, amount: 5000 });
      expect(again.status).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      const other = await request(h.app)
        .post('/v1/orders')
        .set(auth)
        .send({ id, customerId: c, amount: 7000 });
      expect(other.status).toBe(409);
      expect(other.body.error.code).toBe('idempotency_conflict');
      expect(await balances(c)).toEqual({
        current: 500,
        carry: 500,
        lifetimeEarned: 500,
        lifetimeSpend: 5000,
      });
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
      await request(h.app)
        .post('/v1/orders')
        .set(auth)
        .send({ id: o, customerId: c, amount: 999 })
        .expect(201);
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
      expect(qdown.body.balances).toEqual({
        current: 250,
        carry: 200,
        lifetimeEarned: 200,
        lifetimeSpend: 0,
      });
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
}
