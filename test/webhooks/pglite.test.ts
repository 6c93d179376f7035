/** The same webhook SQL on the embedded store (PGlite): emit, claim in order, retry, deliver. */
import request from 'supertest';
import { fixedClock } from '../support/harness.js';
import type { Receiver } from './receiver.js';
import {
  closeWithReceiver,
  createProgram,
  startWithReceiver,
  subscribe,
  threeTiers,
  type WebhookHarness,
} from './webhook-harness.js';

const clock = fixedClock(new Date());
let h: WebhookHarness;
let receiver: Receiver;
// Generous: PGlite's initdb and migrations in WebAssembly overran 30 s on the busy shared machine.
beforeAll(async () => {
  ({ h, receiver } = await startWithReceiver({ clock, embedded: true }));
}, 180_000);
afterAll(() => closeWithReceiver(h, receiver));

it('delivers in order with retries on PGlite', async () => {
  const { auth } = await createProgram(h);
  await threeTiers(h, auth);
  const sub = await subscribe(h, auth, { url: receiver.url, events: ['tier.upgraded'] });
  receiver.answer(500);
  await request(h.app).put('/v1/customers/p').set(auth).send({}).expect(201);
  await request(h.app)
    .post('/v1/orders')
    .set(auth)
    .send({ id: 'p-1', customerId: 'p', amount: 30_000 })
    .expect(201);
  await h.services.webhookDispatcher.dispatch();
  expect(receiver.requests.map((r) => r.status)).toEqual([500]);
  receiver.answer(200);
  clock.set(new Date(clock.now().getTime() + 60_000));
  await h.services.webhookDispatcher.dispatch();
  expect(receiver.requests.map((r) => [(r.body.data.to as { title: string }).title, r.status])).toEqual([
    ['Bronze', 500],
    ['Bronze', 200],
    ['Gold', 200],
  ]);
  const log = await request(h.app).get(`/v1/webhooks/${sub.id}/deliveries`).set(auth).expect(200);
  expect(log.body.data.map((d: { state: string }) => d.state)).toEqual(['delivered', 'delivered']);
});
