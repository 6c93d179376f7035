/**
 * Deliveries to a local receiver through the real app and PostgreSQL: what a tier change sends,
 * the Klaviyo shape, a receiver that fails and goes away then comes back (nothing lost, order
 * per customer kept, the same event id on every retry), the delivery log, redelivery,
 * unsubscribing, and the address check made again at delivery time.
 */
import { createHmac } from 'node:crypto';
import request from 'supertest';
import { fixedClock } from '../support/harness.js';
import type { Received, Receiver } from './receiver.js';
import {
  ALL_EVENTS,
  type Auth,
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
beforeAll(async () => {
  ({ h, receiver } = await startWithReceiver({ clock }));
});
afterAll(() => closeWithReceiver(h, receiver));
beforeEach(() => receiver.answer(200));

const customerOf = (r: Received) => (r.body.data.customer as { id: string } | undefined)?.id;
const dispatch = () => h.services.webhookDispatcher.dispatch();
const tick = (ms: number) => clock.set(new Date(clock.now().getTime() + ms));

async function order(auth: Auth, id: string, customerId: string, amount: number) {
  await request(h.app).post('/v1/orders').set(auth).send({ id, customerId, amount }).expect(201);
}

async function deliveries(auth: Auth, subId: string) {
  const res = await request(h.app).get(`/v1/webhooks/${subId}/deliveries?limit=200`).set(auth).expect(200);
  return res.body.data as {
    id: string;
    eventId: string;
    eventType: string;
    customerId: string;
    state: string;
    lastStatus: number | null;
    redeliveryOf: string | null;
    attempts: { at: string; status: number | null; error: string | null }[];
  }[];
}

describe('webhook deliveries', () => {
  it('an order upgrading a customer delivers a signed tier.upgraded with the change', async () => {
    const { auth } = await createProgram(h);
    const tiers = await threeTiers(h, auth);
    const sub = await subscribe(h, auth, { url: receiver.url, events: ['tier.upgraded', 'tier.downgraded'] });
    await request(h.app).put('/v1/customers/ada').set(auth).send({ email: 'ada@example.com' }).expect(201);
    await order(auth, 'ada-1', 'ada', 10_000); // $100 → 1,000 points → Silver
    const before = receiver.requests.length;
    await dispatch();
    const got = receiver.requests.slice(before).filter((r) => customerOf(r) === 'ada');
    expect(got.map((r) => [r.body.type, (r.body.data.to as { title: string }).title])).toEqual([
      ['tier.upgraded', 'Bronze'],
      ['tier.upgraded', 'Silver'],
    ]);
    const silver = got[1] as Received;
    expect(silver.body).toEqual({
      id: expect.stringMatching(/^evt_[0-9a-f]{32}$/),
      type: 'tier.upgraded',
      createdAt: clock.now().toISOString(),
      data: {
        customer: { id: 'ada', email: 'ada@example.com' },
        from: { id: tiers.bronze, title: 'Bronze' },
        to: { id: tiers.silver, title: 'Silver' },
        direction: 'up',
        reason: 'qualified',
        balances: { current: 1000, carry: 1000, lifetimeEarned: 1000, lifetimeSpend: 10_000 },
        occurredAt: clock.now().toISOString(),
      },
    });
    expect(silver.headers['tierpass-event-id']).toBe(silver.body.id);
    expect(silver.headers['content-type']).toBe('application/json');
    const [t, v1] = String(silver.headers['tierpass-signature']).split(',');
    const ts = Number(t?.slice(2));
    expect(Math.abs(ts - clock.now().getTime() / 1000)).toBeLessThan(2);
    const expected = createHmac('sha256', sub.secret).update(`${ts}.${silver.raw}`).digest('hex');
    expect(v1).toBe(`v1=${expected}`);
    // Delivered once: nothing is due any more.
    await dispatch();
    expect(receiver.requests.filter((r) => r.body.id === silver.body.id)).toHaveLength(1);
  });

  it('writes nothing for a program without a subscription wanting the type', async () => {
    const { auth } = await createProgram(h);
    await threeTiers(h, auth);
    await subscribe(h, auth, { url: receiver.url, events: ['tier.downgraded'] });
    const before = receiver.requests.length;
    await request(h.app)
      .put('/v1/customers/quiet')
      .set(auth)
      .send({ tags: ['x'] })
      .expect(201);
    await order(auth, 'quiet-1', 'quiet', 50_000);
    await dispatch();
    expect(receiver.requests.length).toBe(before);
  });

  it('shapes a klaviyo subscription like a Klaviyo Create Event request, signed the same way', async () => {
    const { auth } = await createProgram(h);
    const tiers = await threeTiers(h, auth);
    const sub = await subscribe(h, auth, { url: receiver.url, events: ['tier.upgraded'], format: 'klaviyo' });
    await request(h.app).put('/v1/customers/kla').set(auth).send({ email: 'kla@example.com' }).expect(201);
    await order(auth, 'kla-1', 'kla', 30_000); // → Gold
    const before = receiver.requests.length;
    await dispatch();
    const got = receiver.requests.slice(before);
    const gold = got.find((r) => JSON.stringify(r.body).includes('"to_tier":"Gold"'));
    if (!gold) throw new Error(`no Gold event in ${JSON.stringify(got.map((r) => r.body))}`);
    const attributes = (gold.body.data as unknown as { attributes: Record<string, unknown> }).attributes;
    expect(gold.body).toEqual({ data: { type: 'event', attributes: expect.any(Object) } });
    expect(attributes).toEqual({
      metric: { data: { type: 'metric', attributes: { name: 'Tier Upgraded' } } },
      profile: { data: { type: 'profile', attributes: { external_id: 'kla', email: 'kla@example.com' } } },
      properties: expect.objectContaining({
        event_type: 'tier.upgraded',
        from_tier: 'Bronze',
        to_tier: 'Gold',
        reason: 'qualified',
        points: 3000,
        $extra: expect.objectContaining({ to: { id: tiers.gold, title: 'Gold' } }),
      }),
      time: clock.now().toISOString(),
      unique_id: expect.stringMatching(/^evt_/),
    });
    expect(gold.headers['tierpass-event-id']).toBe(attributes.unique_id);
    const [t, v1] = String(gold.headers['tierpass-signature']).split(',');
    const expected = createHmac('sha256', sub.secret)
      .update(`${t?.slice(2)}.${gold.raw}`)
      .digest('hex');
    expect(v1).toBe(`v1=${expected}`);
  });

  it('a receiver failing, then down, then back gets every event once, in order per customer, same ids on retries', async () => {
    const { auth } = await createProgram(h);
    await threeTiers(h, auth);
    const sub = await subscribe(h, auth, { url: receiver.url, events: ALL_EVENTS });
    const customers = ['c1', 'c2', 'c3'];
    receiver.answer(500);
    const start = receiver.requests.length;
    for (const c of customers) {
      await request(h.app)
        .put(`/v1/customers/${c}`)
        .set(auth)
        .send({ email: `${c}@example.com` })
        .expect(201);
    }
    await dispatch(); // 500 for the first event of each customer
    for (const c of customers) await order(auth, `${c}-1`, c, 10_000); // Silver
    tick(31_000);
    await dispatch(); // 500 again: the second attempt of the same first events
    await receiver.down();
    for (const c of customers) await order(auth, `${c}-2`, c, 20_000); // Gold
    for (let i = 0; i < 3; i++) {
      tick(10 * 60_000);
      await dispatch(); // connection refused
    }
    for (const c of customers) {
      await request(h.app)
        .put(`/v1/customers/${c}`)
        .set(auth)
        .send({ tags: ['vip'] })
        .expect(200);
    }
    await receiver.up();
    receiver.answer(200);
    for (let i = 0; i < 10; i++) {
      tick(60 * 60_000);
      await dispatch();
    }

    const log = await deliveries(auth, sub.id);
    expect(log).toHaveLength(12); // 3 customers × (Bronze, Silver, Gold, tags)
    expect(log.every((d) => d.state === 'delivered' && d.lastStatus === 200)).toBe(true);
    const got = receiver.requests.slice(start);
    for (const c of customers) {
      // The customer's events in the order they happened (the log is newest first).
      const expected = log
        .filter((d) => d.customerId === c)
        .reverse()
        .map((d) => d.eventId);
      const seen = got.filter((r) => customerOf(r) === c);
      const types = seen.filter((r) => r.status === 200).map((r) => r.body.type);
      expect(types).toEqual(['tier.upgraded', 'tier.upgraded', 'tier.upgraded', 'customer.tags_changed']);
      // Every request is for the oldest event not yet delivered: never ahead of an earlier one.
      let next = 0;
      for (const r of seen) {
        expect(r.body.id).toBe(expected[next]);
        if (r.status === 200) next += 1;
      }
      expect(next).toBe(4);
      // The first event was tried (500) twice before it got through, with the same id and body.
      const first = seen.filter((r) => r.body.id === expected[0]);
      expect(first.map((r) => r.status)).toEqual([500, 500, 200]);
      expect(new Set(first.map((r) => r.raw)).size).toBe(1);
    }
    // The log shows the story: 500s, refused connections, then 200.
    const firstOfC1 = log.filter((d) => d.customerId === 'c1').at(-1);
    const statuses = firstOfC1?.attempts.map((a) => a.status);
    expect(statuses?.slice(0, 2)).toEqual([500, 500]);
    expect(statuses?.at(-1)).toBe(200);
    const refused = firstOfC1?.attempts.filter((a) => a.status === null) ?? [];
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]?.error).toMatch(/ECONNREFUSED/);
    // Retries are spaced by the backoff: 30 s, then doubling.
    const times = (firstOfC1?.attempts ?? []).map((a) => Date.parse(a.at));
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(30_000);
  });

  it('redelivers a delivered event as a new delivery with the same event id', async () => {
    const { auth } = await createProgram(h);
    await threeTiers(h, auth);
    const sub = await subscribe(h, auth, { url: receiver.url, events: ['tier.upgraded'] });
    await request(h.app).put('/v1/customers/re').set(auth).send({}).expect(201);
    await dispatch();
    const [first] = await deliveries(auth, sub.id);
    expect(first?.state).toBe('delivered');
    const res = await request(h.app)
      .post(`/v1/webhooks/${sub.id}/deliveries/${first?.id}/redeliver`)
      .set(auth)
      .expect(202);
    expect(res.body).toMatchObject({ eventId: first?.eventId, state: 'pending', redeliveryOf: first?.id });
    expect(res.body.id).not.toBe(first?.id);
    await dispatch();
    expect(receiver.requests.filter((r) => r.body.id === first?.eventId).map((r) => r.status)).toEqual([
      200, 200,
    ]);
    const log = await deliveries(auth, sub.id);
    expect(log.map((d) => [d.eventId, d.state])).toEqual([
      [first?.eventId, 'delivered'],
      [first?.eventId, 'delivered'],
    ]);
  });

  it('unsubscribing stops pending deliveries', async () => {
    const { auth } = await createProgram(h);
    await threeTiers(h, auth);
    const sub = await subscribe(h, auth, { url: receiver.url, events: ['tier.upgraded'] });
    receiver.answer(503);
    await request(h.app).put('/v1/customers/gone').set(auth).send({}).expect(201);
    await dispatch();
    const tried = receiver.requests.filter((r) => customerOf(r) === 'gone').length;
    expect(tried).toBe(1);
    await request(h.app).delete(`/v1/webhooks/${sub.id}`).set(auth).expect(204);
    receiver.answer(200);
    tick(3600_000);
    await dispatch();
    expect(receiver.requests.filter((r) => customerOf(r) === 'gone')).toHaveLength(tried);
  });

  it('checks the address again when delivering (a policy that refuses loopback sends nothing)', async () => {
    const { auth } = await createProgram(h);
    await threeTiers(h, auth);
    const sub = await subscribe(h, auth, { url: receiver.url, events: ['tier.upgraded'] });
    await request(h.app).put('/v1/customers/rebind').set(auth).send({}).expect(201);
    const strict = h.another({ policy: { allowLoopback: false, allowPrivate: false } });
    await strict.services.webhookDispatcher.dispatch();
    expect(receiver.requests.filter((r) => customerOf(r) === 'rebind')).toHaveLength(0);
    const [d] = await deliveries(auth, sub.id);
    expect(d?.state).toBe('pending');
    expect(d?.attempts[0]).toMatchObject({ status: null, error: expect.stringMatching(/loopback/) });
    tick(60_000);
    await dispatch();
    expect(receiver.requests.filter((r) => customerOf(r) === 'rebind').map((r) => r.status)).toEqual([200]);
  });

  it('a receiver answering 410 Gone disables the subscription', async () => {
    const { auth } = await createProgram(h);
    await threeTiers(h, auth);
    const sub = await subscribe(h, auth, { url: receiver.url, events: ['tier.upgraded'] });
    receiver.answer(410);
    await request(h.app).put('/v1/customers/g410').set(auth).send({}).expect(201);
    await dispatch();
    const got = await request(h.app).get(`/v1/webhooks/${sub.id}`).set(auth).expect(200);
    expect(got.body).toMatchObject({ state: 'disabled', disabledReason: expect.stringMatching(/410/) });
    const redeliver = await request(h.app)
      .post(`/v1/webhooks/${sub.id}/deliveries/${(await deliveries(auth, sub.id))[0]?.id}/redeliver`)
      .set(auth);
    expect(redeliver.status).toBe(409);
    expect(redeliver.body.error.code).toBe('webhook_disabled');
    // Disabled: new changes queue nothing for it.
    receiver.answer(200);
    await order(auth, 'g410-1', 'g410', 10_000);
    await dispatch();
    expect(receiver.requests.filter((r) => customerOf(r) === 'g410')).toHaveLength(1);
    const enabled = await request(h.app).post(`/v1/webhooks/${sub.id}/enable`).set(auth).expect(200);
    expect(enabled.body).toMatchObject({ state: 'enabled', disabledReason: null });
  });
});
