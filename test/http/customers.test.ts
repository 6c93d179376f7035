import request from 'supertest';
import { createProgram, type Harness, startHarness, uid } from '../support/harness.js';

let h: Harness;
let auth: { Authorization: string };
beforeAll(async () => {
  h = await startHarness();
});
beforeEach(async () => {
  ({ auth } = await createProgram(h));
});
afterAll(() => h.close());

describe('PUT /v1/customers/:id', () => {
  it('creates (201) then updates (200) only the given fields, de-duplicating tags', async () => {
    const id = uid('cust');
    const created = await request(h.app)
      .put(`/v1/customers/${id}`)
      .set(auth)
      .send({
        email: 'ann@example.com',
        name: 'Ann',
        tags: ['vip', 'vip', 'email_subscriber'],
        segments: ['High AOV'],
      });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id,
      email: 'ann@example.com',
      name: 'Ann',
      tags: ['vip', 'email_subscriber'],
      segments: ['High AOV'],
      tier: null,
      balances: { current: 0, carry: 0, lifetimeEarned: 0, lifetimeSpend: 0 },
      multiplier: 1,
      tierTags: [],
    });
    const updated = await request(h.app)
      .put(`/v1/customers/${id}`)
      .set(auth)
      .send({ tags: ['wholesale'] });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      email: 'ann@example.com',
      name: 'Ann',
      tags: ['wholesale'],
      segments: ['High AOV'],
    });
    const got = await request(h.app).get(`/v1/customers/${id}`).set(auth);
    expect(got.body.tags).toEqual(['wholesale']);
  });

  it.each([
    [{ email: 'not-an-email' }, 'body.email'],
    [{ tags: 'vip' }, 'body.tags'],
    [{ tags: [''] }, 'body.tags.0'],
    [{ segments: [42] }, 'body.segments.0'],
    [{ nickname: 'x' }, 'body'],
  ])('refuses %j naming %s and creates nothing', async (body, path) => {
    const id = uid('cust');
    const res = await request(h.app).put(`/v1/customers/${id}`).set(auth).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect((await request(h.app).get(`/v1/customers/${id}`).set(auth)).status).toBe(404);
  });

  it('refuses ids with spaces or over 128 characters', async () => {
    expect((await request(h.app).put('/v1/customers/a%20b').set(auth).send({})).status).toBe(400);
    expect(
      (
        await request(h.app)
          .put(`/v1/customers/${'x'.repeat(129)}`)
          .set(auth)
          .send({})
      ).status,
    ).toBe(400);
  });

  it('answers 404 customer_not_found for an unknown customer', async () => {
    const res = await request(h.app).get('/v1/customers/ghost').set(auth);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('customer_not_found');
    expect((await request(h.app).get('/v1/customers/ghost/ledger').set(auth)).status).toBe(404);
  });
});

describe('GET /v1/customers/:id/ledger', () => {
  it('pages newest first with a cursor', async () => {
    const id = uid('cust');
    await request(h.app).put(`/v1/customers/${id}`).set(auth).send({}).expect(201);
    for (let i = 1; i <= 5; i++) {
      await request(h.app)
        .post('/v1/orders')
        .set(auth)
        .send({ id: `${id}-o${i}`, customerId: id, amount: i * 100 })
        .expect(201);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/v1/customers/${id}/ledger?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await request(h.app).get(url).set(auth);
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((e: { orderId: string }) => e.orderId));
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([5, 4, 3, 2, 1].map((i) => `${id}-o${i}`));
  });

  it('refuses a limit out of range', async () => {
    const id = uid('cust');
    await request(h.app).put(`/v1/customers/${id}`).set(auth).send({}).expect(201);
    expect((await request(h.app).get(`/v1/customers/${id}/ledger?limit=0`).set(auth)).status).toBe(400);
    expect((await request(h.app).get(`/v1/customers/${id}/ledger?limit=1000`).set(auth)).status).toBe(400);
  });
});

it('refuses a cursor that was not issued as nextCursor', async () => {
  const { auth: a } = await createProgram(h);
  await request(h.app).put('/v1/customers/c1').set(a).send({}).expect(201);
  const res = await request(h.app).get('/v1/customers/c1/ledger?cursor=abc').set(a);
  expect(res.status).toBe(400);
  expect(res.body.error.details[0].path).toBe('query.cursor');
});

it('orders ledger pages by entry id numerically (entry 10 comes after entry 9)', async () => {
  const { auth: a } = await createProgram(h);
  await request(h.app).put('/v1/customers/many').set(a).send({}).expect(201);
  for (let i = 1; i <= 12; i++) {
    await request(h.app)
      .post('/v1/orders')
      .set(a)
      .send({ id: `m${i}`, customerId: 'many', amount: 100 })
      .expect(201);
  }
  const first = await request(h.app).get('/v1/customers/many/ledger?limit=5').set(a);
  const rest = await request(h.app)
    .get(`/v1/customers/many/ledger?limit=20&cursor=${first.body.nextCursor}`)
    .set(a);
  const orders = [...first.body.data, ...rest.body.data].map((e: { orderId: string }) => e.orderId);
  expect(orders).toEqual(Array.from({ length: 12 }, (_, i) => `m${12 - i}`));
  const ids = [...first.body.data, ...rest.body.data].map((e: { id: string }) => Number(e.id));
  expect(ids).toEqual([...ids].sort((x, y) => y - x));
});
