/**
 * GET /v1/orders/:orderId (the order, its refunds, the entries it caused) and
 * GET /v1/customers/:customerId/orders (cursor pages, refunds included), with tenant isolation.
 */
import request from 'supertest';
import { createProgram, type Harness, startHarness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

type Auth = { Authorization: string };

async function post(auth: Auth, path: string, body: Record<string, unknown>, status = 201) {
  const res = await request(h.app).post(path).set(auth).send(body);
  expect(res.status).toBe(status);
  return res.body;
}

it('shows an order with its refunds, earn, bonus and reversals, and nothing of a later event', async () => {
  const { auth } = await createProgram(h, { earning: { pointsPerUnit: 10 } });
  const gold = await post(auth, '/v1/tiers', {
    title: 'Gold',
    qualifications: [{ type: 'lifetimePoints', minPoints: 1000 }],
    benefits: { bonusPoints: 500 },
  });
  await request(h.app).put('/v1/customers/ann').set(auth).send({ email: 'ann@example.com' });
  await post(auth, '/v1/orders', { id: 'o-1', customerId: 'ann', amount: 12000 });
  await post(auth, '/v1/orders', { id: 'o-2', customerId: 'ann', amount: 5000 });
  await post(auth, '/v1/orders/o-1/refunds', { id: 'r-1', amount: 2000 });
  await post(auth, '/v1/orders/o-1/refunds', { id: 'r-2', amount: 1000 });

  const res = await request(h.app).get('/v1/orders/o-1').set(auth);
  expect(res.status).toBe(200);
  expect(res.body.currency).toBe('USD');
  expect(res.body.order).toMatchObject({
    id: 'o-1',
    customerId: 'ann',
    amount: 12000,
    refundedAmount: 3000,
    netAmount: 9000,
    pointsAwarded: 1200,
    pointsReversed: 300,
    refunds: [
      { id: 'r-1', amount: 2000, createdAt: expect.any(String) },
      { id: 'r-2', amount: 1000, createdAt: expect.any(String) },
    ],
  });
  expect(
    res.body.entries.map((e: { type: string; key: string; points: number }) => [e.type, e.key, e.points]),
  ).toEqual([
    ['earn', 'order:o-1', 1200],
    ['bonus', `bonus:ann:${gold.id}`, 500],
    ['refund_reversal', 'refund:r-1', -200],
    ['refund_reversal', 'refund:r-2', -100],
  ]);
  // The second order caused no bonus: only its earn entry.
  const second = await request(h.app).get('/v1/orders/o-2').set(auth);
  expect(second.body.entries.map((e: { key: string }) => e.key)).toEqual(['order:o-2']);
  expect(second.body.order.refunds).toEqual([]);
});

it('answers 404 order_not_found for an unknown order and for another program’s', async () => {
  const a = await createProgram(h);
  const b = await createProgram(h);
  await request(h.app).put('/v1/customers/x').set(a.auth).send({});
  await post(a.auth, '/v1/orders', { id: 'mine', customerId: 'x', amount: 100 });
  for (const [auth, id] of [
    [b.auth, 'mine'],
    [a.auth, 'ghost'],
  ] as const) {
    const res = await request(h.app).get(`/v1/orders/${id}`).set(auth);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('order_not_found');
  }
  const other = await request(h.app).get('/v1/customers/x/orders').set(b.auth);
  expect(other.status).toBe(404);
  expect(other.body.error.code).toBe('customer_not_found');
});

it("pages through a customer's orders newest first, each with its refunds", async () => {
  const { auth } = await createProgram(h, { mode: 'test', clockStart: '2026-01-10T00:00:00Z' });
  await request(h.app).put('/v1/customers/bo').set(auth).send({});
  await request(h.app).put('/v1/customers/cy').set(auth).send({});
  const placed = ['2026-01-01', '2026-01-03', '2026-01-03', '2026-01-02', '2026-01-05'];
  for (const [i, day] of placed.entries()) {
    await post(auth, '/v1/orders', {
      id: `o-${i}`,
      customerId: 'bo',
      amount: 1000,
      placedAt: `${day}T10:00:00Z`,
    });
  }
  await post(auth, '/v1/orders', { id: 'cy-1', customerId: 'cy', amount: 1000 });
  await post(auth, '/v1/orders/o-1/refunds', { id: 'r', amount: 400 });
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
    const res = await request(h.app).get(`/v1/customers/bo/orders${q}`).set(auth);
    expect(res.status).toBe(200);
    for (const o of res.body.data) {
      seen.push(o.id);
      if (o.id === 'o-1')
        expect(o).toMatchObject({ refundedAmount: 400, refunds: [{ id: 'r', amount: 400 }] });
    }
    cursor = res.body.nextCursor;
  } while (cursor);
  expect(seen).toEqual(['o-4', 'o-2', 'o-1', 'o-3', 'o-0']);
  const bad = await request(h.app).get('/v1/customers/bo/orders?limit=0').set(auth);
  expect(bad.status).toBe(400);
});
