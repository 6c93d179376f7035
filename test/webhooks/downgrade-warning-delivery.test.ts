/**
 * tier.downgrade_warning delivered end to end: a test program's clock advanced to a week before
 * the boundary delivers one signed warning to a local receiver (standard and Klaviyo formats),
 * advancing again delivers nothing more, and the boundary then sends the downgrade it predicted.
 */
import { createHmac } from 'node:crypto';
import request from 'supertest';
import type { Received, Receiver } from './receiver.js';
import {
  type Auth,
  advanceClock,
  closeWithReceiver,
  createProgram,
  startWithReceiver,
  subscribe,
  type WebhookHarness,
} from './webhook-harness.js';

let h: WebhookHarness;
let receiver: Receiver;
beforeAll(async () => {
  ({ h, receiver } = await startWithReceiver());
});
afterAll(() => closeWithReceiver(h, receiver));

const advance = async (auth: Auth, to: string) =>
  (await advanceClock(h, auth, to)).map((r) => [r.kind, r.at]);

const ofType = (type: string) => receiver.requests.filter((r) => r.body.type === type);
const customerOf = (r: Received) => (r.body.data.customer as { id: string }).id;

it('delivers one signed warning a week before the boundary, then the downgrade it predicted', async () => {
  const { auth } = await createProgram(h, {
    mode: 'test',
    clockStart: '2025-01-01T00:00:00Z',
    timezone: 'UTC',
    earning: { pointsPerUnit: 10 },
    retention: { mode: 'cycle', cycle: { every: 'P3M', anchor: '2025-01-01' } },
  });
  const standard = await subscribe(h, auth, {
    url: receiver.url,
    events: ['tier.downgrade_warning', 'tier.downgraded'],
  });
  await subscribe(h, auth, {
    url: `${receiver.url}?klaviyo`,
    events: ['tier.downgrade_warning'],
    format: 'klaviyo',
  });
  const post = async (body: object) => (await request(h.app).post('/v1/tiers').set(auth).send(body)).body.id;
  const bronze = await post({ title: 'Bronze' });
  const gold = await post({ title: 'Gold', qualifications: [{ type: 'carryPoints', minPoints: 2000 }] });
  for (const id of ['wendy', 'kept']) {
    await request(h.app)
      .put(`/v1/customers/${id}`)
      .set(auth)
      .send({ email: `${id}@example.com` })
      .expect(201);
  }
  await advance(auth, '2025-02-01T00:00:00Z');
  await request(h.app)
    .post('/v1/orders')
    .set(auth)
    .send({ id: 'w1', customerId: 'wendy', amount: 12_500 })
    .expect(201);
  await request(h.app)
    .post('/v1/orders')
    .set(auth)
    .send({ id: 'k1', customerId: 'kept', amount: 20_000 })
    .expect(201);
  // A second order lifts Wendy to Gold; its refund takes the carry back to 1,250, and cycle mode keeps her
  // Gold until the boundary: a week before it she is 750 points short.
  await request(h.app)
    .post('/v1/orders')
    .set(auth)
    .send({ id: 'w2', customerId: 'wendy', amount: 10_000 })
    .expect(201);
  await request(h.app)
    .post('/v1/orders/w2/refunds')
    .set(auth)
    .send({ id: 'w2r', amount: 10_000 })
    .expect(201);
  expect((await request(h.app).get('/v1/customers/wendy').set(auth)).body).toMatchObject({
    tier: { title: 'Gold' },
    balances: { carry: 1250 },
  });

  expect(await advance(auth, '2025-03-25T00:00:00Z')).toEqual([['warning', '2025-03-25T00:00:00.000Z']]);
  const warned = ofType('tier.downgrade_warning');
  expect(warned).toHaveLength(1);
  const [w] = warned;
  expect(w!.body).toMatchObject({
    type: 'tier.downgrade_warning',
    createdAt: '2025-03-25T00:00:00.000Z',
    data: {
      customer: { id: 'wendy', email: 'wendy@example.com' },
      tier: { id: gold, title: 'Gold' },
      downgradeTo: { id: bronze, title: 'Bronze' },
      boundaryAt: '2025-04-01T00:00:00.000Z',
      keep: {
        headline: '750 points this cycle to keep Gold',
        missing: [{ type: 'carryPoints', missing: 750, label: '750 points this cycle' }],
      },
      balances: { carry: 1250 },
    },
  });
  const [t, v1] = String(w!.headers['tierpass-signature']).split(',');
  const expected = createHmac('sha256', standard.secret)
    .update(`${t!.slice(2)}.${w!.raw}`)
    .digest('hex');
  expect(v1).toBe(`v1=${expected}`);
  // The Klaviyo subscription gets the same event as a "Tier Downgrade Warning" metric.
  const klaviyo = receiver.requests.filter((r) => r.raw.includes('Tier Downgrade Warning'));
  expect(klaviyo).toHaveLength(1);
  expect(klaviyo[0]!.raw).toContain('wendy@example.com');

  // Advancing again before the boundary delivers nothing more.
  expect(await advance(auth, '2025-03-31T00:00:00Z')).toEqual([]);
  expect(ofType('tier.downgrade_warning')).toHaveLength(1);

  // The boundary downgrades Wendy as predicted, and only her.
  expect(await advance(auth, '2025-04-01T00:00:00Z')).toEqual([['cycle', '2025-04-01T00:00:00.000Z']]);
  const downgraded = ofType('tier.downgraded');
  expect(downgraded.map(customerOf)).toEqual(['wendy']);
  expect(downgraded[0]!.body.data).toMatchObject({ from: { id: gold }, to: { id: bronze }, reason: 'cycle' });
});
