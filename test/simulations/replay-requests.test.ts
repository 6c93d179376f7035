/** POST /v1/simulations/replay: clear 400s, rejected events, no writes, the program's own tiers. */
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

describe('replay requests', () => {
  const base = {
    tiers: [{ id: 'base', title: 'Base' }],
    customers: [{ id: 'x', createdAt: '2025-01-01T00:00:00Z' }],
    until: '2025-02-01T00:00:00Z',
  };
  const order = (over: Record<string, unknown> = {}) => ({
    type: 'order',
    id: 'o',
    customerId: 'x',
    amount: 1_000,
    at: '2025-01-10T00:00:00Z',
    ...over,
  });

  it('refuses an unknown event type', async () => {
    const res = await replay({
      ...base,
      events: [{ type: 'gift', customerId: 'x', at: '2025-01-10T00:00:00Z' }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details[0]).toMatchObject({
      path: 'body.events.0.type',
      message: 'type must be one of order, refund, points, redemption, customer',
    });
  });

  it('refuses amounts that are not integer minor units', async () => {
    const res = await replay({ ...base, events: [order({ amount: 10.5 })] });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ path: 'body.events.0.amount' });
  });

  it.each([
    [
      'events out of time order',
      [order(), order({ id: 'p', at: '2025-01-09T00:00:00Z' })],
      'body.events.1.at',
      'events_out_of_order',
    ],
    [
      'an event after until',
      [order({ at: '2025-03-01T00:00:00Z' })],
      'body.events.0.at',
      'event_after_until',
    ],
    ['an unknown customer', [order({ customerId: 'ghost' })], 'body.events.0.customerId', 'unknown_customer'],
    [
      'a refund of an unknown order',
      [{ type: 'refund', orderId: 'nope', amount: 1, at: '2025-01-10T00:00:00Z' }],
      'body.events.0.orderId',
      'unknown_order',
    ],
    ['a duplicate order', [order(), order()], 'body.events.1.id', 'duplicate_order'],
    [
      'placedAt after at',
      [order({ placedAt: '2025-01-11T00:00:00Z' })],
      'body.events.0.placedAt',
      'placed_after_event',
    ],
    [
      'an event before its customer exists',
      [order({ at: '2024-12-31T00:00:00Z' })],
      'body.events.0.at',
      'event_before_customer',
    ],
  ])('refuses %s (400 invalid_replay)', async (_name, events, path, code) => {
    const res = await replay({ ...base, events });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_replay');
    expect(res.body.error.details).toContainEqual(expect.objectContaining({ path, code }));
  });

  it('refuses a replay longer than five years and an invalid tier configuration', async () => {
    const long = await replay({ ...base, events: [], until: '2030-06-01T00:00:00Z' });
    expect(long.body.error.details).toContainEqual(expect.objectContaining({ code: 'replay_too_long' }));
    const customers = Array.from({ length: 100 }, (_, i) => ({
      id: `c${i}`,
      createdAt: '2025-01-01T00:00:00Z',
    }));
    const big = await replay({ ...base, customers, events: [], until: '2026-06-01T00:00:00Z' });
    expect(big.status).toBe(400);
    expect(big.body.error.details).toEqual([expect.objectContaining({ code: 'replay_too_large' })]);
    const bad = await replay({
      ...base,
      tiers: [
        { title: 'A', benefits: { tag: 't' } },
        { title: 'B', qualifications: [{ type: 'tag', tag: 't' }] },
      ],
      events: [],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_configuration');
  });

  it('reports events the live API would refuse (insufficient points) and writes nothing', async () => {
    const res = await replay({
      ...base,
      events: [order(), { type: 'redemption', customerId: 'x', points: 5_000, at: '2025-01-11T00:00:00Z' }],
    });
    expect(res.status).toBe(200);
    expect(res.body.rejected).toEqual([expect.objectContaining({ index: 1, code: 'insufficient_balance' })]);
    expect(res.body.customers[0].balances.current).toBe(10); // $10 at the program's 1 point per $1
    expect((await request(h.app).get('/v1/customers/x').set(auth)).status).toBe(404);
  });

  it("uses the program's own tiers when the request has none", async () => {
    const tier = await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Club' }).expect(201);
    const res = await replay({ ...base, tiers: undefined, events: [] });
    expect(res.body.customers[0].tierId).toBe(tier.body.id);
  });
});
