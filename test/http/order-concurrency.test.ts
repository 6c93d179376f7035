/** Orders, replays and redemptions under concurrency, on the PostgreSQL server. */
import request from 'supertest';
import { type Harness, uid } from '../support/harness.js';
import { orderTests } from './order-tests.js';

const { t, customer, balances, expectLedgerMatches } = orderTests();
let h: Harness;
let auth: { Authorization: string };
let programId: string;
beforeEach(() => {
  ({ h, auth, programId } = t);
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
