/**
 * Webhooks on test clocks and from every source of change: a subscription failing for three
 * days is disabled (retries follow the test clock), recalculation-run downgrades emit
 * tier.downgraded, and merchant and tier tag changes emit customer.tags_changed.
 */
import request from 'supertest';
import type { Received, Receiver } from './receiver.js';
import {
  ALL_EVENTS,
  type Auth,
  advanceClock,
  closeWithReceiver,
  createProgram,
  startWithReceiver,
  subscribe,
  threeTiers,
  type WebhookHarness,
} from './webhook-harness.js';

let h: WebhookHarness;
let receiver: Receiver;
beforeAll(async () => {
  ({ h, receiver } = await startWithReceiver());
});
afterAll(() => closeWithReceiver(h, receiver));
beforeEach(() => receiver.answer(200));

const customerOf = (r: Received) => (r.body.data.customer as { id: string } | undefined)?.id;
const of = (customerId: string) => receiver.requests.filter((r) => customerOf(r) === customerId);

const advance = (auth: Auth, to: string) => advanceClock(h, auth, to);

describe('webhooks on a test clock', () => {
  it('retries on the test clock and disables a subscription failing for three days', async () => {
    const { auth } = await createProgram(h, {
      mode: 'test',
      clockStart: '2025-01-01T00:00:00Z',
      timezone: 'UTC',
    });
    await threeTiers(h, auth);
    const sub = await subscribe(h, auth, { url: receiver.url, events: ALL_EVENTS });
    receiver.answer(500);
    await request(h.app).put('/v1/customers/down3').set(auth).send({}).expect(201);
    await advance(auth, '2025-01-01T00:00:01Z');
    expect(of('down3').map((r) => r.status)).toEqual([500]);

    // Two days: retried at 30 s, 1 min, 2 min … (6 h apart at most); still enabled.
    await advance(auth, '2025-01-03T00:00:00Z');
    let got = await request(h.app).get(`/v1/webhooks/${sub.id}`).set(auth).expect(200);
    expect(got.body).toMatchObject({ state: 'enabled', failingSince: '2025-01-01T00:00:00.000Z' });
    const log = await request(h.app).get(`/v1/webhooks/${sub.id}/deliveries`).set(auth).expect(200);
    const times = log.body.data[0].attempts.map((a: { at: string }) => Date.parse(a.at) / 1000);
    const gaps = times.slice(1).map((t: number, i: number) => t - times[i]);
    expect(gaps.slice(0, 4)).toEqual([30, 60, 120, 240]);
    expect(Math.max(...gaps)).toBe(6 * 3600);
    expect(log.body.data[0].attempts.every((a: { status: number }) => a.status === 500)).toBe(true);
    expect(of('down3')).toHaveLength(times.length);
    expect(new Set(of('down3').map((r) => r.body.id)).size).toBe(1);

    // Past three days of failures: given up and disabled, with the reason on GET.
    await advance(auth, '2025-01-05T00:00:00Z');
    got = await request(h.app).get(`/v1/webhooks/${sub.id}`).set(auth).expect(200);
    expect(got.body).toMatchObject({
      state: 'disabled',
      disabledReason: expect.stringMatching(
        /failed for 3 days since 2025-01-01T00:00:00.000Z; last: HTTP 500/,
      ),
    });
    expect(Date.parse(got.body.disabledAt)).toBeGreaterThanOrEqual(Date.parse('2025-01-04T00:00:00Z'));
    const listed = await request(h.app).get('/v1/webhooks').set(auth).expect(200);
    expect(listed.body.data[0].disabledReason).toBe(got.body.disabledReason);
    const final = (await request(h.app).get(`/v1/webhooks/${sub.id}/deliveries`).set(auth)).body.data[0];
    expect(final.state).toBe('failed');
    const span = Date.parse(final.attempts.at(-1).at) - Date.parse(final.attempts[0].at);
    expect(span).toBeGreaterThanOrEqual(3 * 24 * 3600_000);
    const count = of('down3').length;
    await advance(auth, '2025-01-10T00:00:00Z');
    expect(of('down3')).toHaveLength(count);
  });

  it('a receiver back within three days gets the event; the failing streak ends', async () => {
    const { auth } = await createProgram(h, {
      mode: 'test',
      clockStart: '2025-01-01T00:00:00Z',
      timezone: 'UTC',
    });
    await threeTiers(h, auth);
    const sub = await subscribe(h, auth, { url: receiver.url, events: ALL_EVENTS });
    receiver.answer(502);
    await request(h.app).put('/v1/customers/back').set(auth).send({}).expect(201);
    await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: 'back-1', customerId: 'back', amount: 10_000 });
    await advance(auth, '2025-01-02T00:00:00Z');
    receiver.answer(200);
    await advance(auth, '2025-01-03T00:00:00Z');
    const ok = of('back').filter((r) => r.status === 200);
    expect(ok.map((r) => (r.body.data.to as { title: string }).title)).toEqual(['Bronze', 'Silver']);
    const got = await request(h.app).get(`/v1/webhooks/${sub.id}`).set(auth).expect(200);
    expect(got.body).toMatchObject({ state: 'enabled', failingSince: null });
  });

  it('a daily sync downgrading a customer (a recalculation run) emits tier.downgraded at program time', async () => {
    const { auth } = await createProgram(h, {
      mode: 'test',
      clockStart: '2025-01-01T00:00:00Z',
      timezone: 'UTC',
      retention: { mode: 'continuous' },
    });
    await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Bronze' }).expect(201);
    const gold = await request(h.app)
      .post('/v1/tiers')
      .set(auth)
      .send({ title: 'Gold', qualifications: [{ type: 'orderVolume', minAmount: 100_000, window: 'P90D' }] });
    await subscribe(h, auth, { url: receiver.url, events: ['tier.downgraded'] });
    await request(h.app).put('/v1/customers/k').set(auth).send({ email: 'k@example.com' }).expect(201);
    await advance(auth, '2025-01-10T12:00:00Z');
    await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: 'big', customerId: 'k', amount: 100_000 })
      .expect(201);
    await advance(auth, '2025-04-10T00:00:00Z');
    expect(of('k')).toHaveLength(0);
    const ran = await advance(auth, '2025-04-11T00:00:00Z'); // the order left the 90-day window
    expect(ran.map((r) => r.kind)).toEqual(['daily']);
    const [down] = of('k');
    expect(down?.body).toMatchObject({
      type: 'tier.downgraded',
      createdAt: '2025-04-11T00:00:00.000Z',
      data: {
        customer: { id: 'k', email: 'k@example.com' },
        from: { id: gold.body.id, title: 'Gold' },
        to: { title: 'Bronze' },
        direction: 'down',
        reason: 'continuous',
        occurredAt: '2025-04-11T00:00:00.000Z',
      },
    });
  });
});

describe('customer.tags_changed', () => {
  it('announces merchant tag changes and tier tags, with added and removed', async () => {
    const { auth } = await createProgram(h);
    await threeTiers(h, auth, 'gold_member');
    await subscribe(h, auth, { url: receiver.url, events: ['customer.tags_changed', 'tier.upgraded'] });
    const put = (tags: string[]) => request(h.app).put('/v1/customers/tags').set(auth).send({ tags });
    await put(['vip']).expect(201);
    await put(['vip', 'newsletter']).expect(200);
    await put(['newsletter', 'vip']).expect(200); // same set: no event
    await request(h.app)
      .post('/v1/orders')
      .set(auth)
      .send({ id: 'tags-1', customerId: 'tags', amount: 30_000 });
    await put(['newsletter']).expect(200);
    await h.services.webhookDispatcher.dispatch();
    const got = of('tags').filter((r) => r.body.type === 'customer.tags_changed');
    expect(got.map((r) => [r.body.data.added, r.body.data.removed, r.body.data.tags])).toEqual([
      [['vip'], [], ['vip']],
      [['newsletter'], [], ['newsletter', 'vip']],
      [['gold_member'], [], ['gold_member', 'newsletter', 'vip']],
      [[], ['vip'], ['gold_member', 'newsletter']],
    ]);
    // The tier tag arrives after the upgrade that brought it.
    const types = of('tags').map((r) => `${r.body.type}:${JSON.stringify(r.body.data.added ?? '')}`);
    expect(types.indexOf('tier.upgraded:""')).toBeLessThan(
      types.indexOf('customer.tags_changed:["gold_member"]'),
    );
  });
});
