/**
 * POST /v1/webhooks/{id}/test (docs/decisions/0032) through the real app, PostgreSQL and a
 * receiver on a real socket: a signed ping whatever the subscription's events, in the delivery
 * log with its status code and error, attempted once, redeliverable; the Klaviyo shape; refused
 * on a disabled subscription; another program's or a bad id is a 4xx that writes nothing.
 */
import { createHmac } from 'node:crypto';
import { pino } from 'pino';
import request from 'supertest';
import { buildApp } from '../../src/app.js';
import { ADMIN_TOKEN, fixedClock } from '../support/harness.js';
import type { Received, Receiver } from './receiver.js';
import {
  type Auth,
  closeWithReceiver,
  createProgram,
  LOOPBACK_ONLY,
  startWithReceiver,
  subscribe,
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

const dispatch = () => h.services.webhookDispatcher.dispatch();
const pingsTo = (subId: string) =>
  receiver.requests.filter((r) => r.headers['tierpass-event-type'] === 'ping' && subscriptionOf(r) === subId);
const subscriptionOf = (r: Received) =>
  (r.body.data?.subscriptionId ??
    (r.body as { data?: { attributes?: { properties?: { $extra?: { subscriptionId?: string } } } } }).data
      ?.attributes?.properties?.$extra?.subscriptionId) as string | undefined;

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  customerId: string | null;
  state: string;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  redeliveryOf: string | null;
  attempts: { status: number | null; error: string | null }[];
}

async function deliveries(auth: Auth, subId: string): Promise<Delivery[]> {
  const res = await request(h.app).get(`/v1/webhooks/${subId}/deliveries`).set(auth).expect(200);
  return res.body.data;
}

function verify(r: Received, secret: string): boolean {
  const [t, v1] = String(r.headers['tierpass-signature']).split(',');
  const ts = t?.slice(2) ?? '';
  return v1 === `v1=${createHmac('sha256', secret).update(`${ts}.${r.raw}`).digest('hex')}`;
}

describe('POST /v1/webhooks/{id}/test', () => {
  it('sends a signed ping whatever the events filter and logs it with its status code', async () => {
    const { programId, auth } = await createProgram(h);
    const sub = await subscribe(h, auth, { url: receiver.url, events: ['tier.downgraded'] });
    const res = await request(h.app).post(`/v1/webhooks/${sub.id}/test`).set(auth).expect(202);
    expect(res.body).toMatchObject({
      eventId: expect.stringMatching(/^evt_[0-9a-f]{32}$/),
      eventType: 'ping',
      customerId: null,
      state: 'pending',
      attempts: [],
    });

    await dispatch();
    const got = pingsTo(sub.id);
    expect(got).toHaveLength(1);
    const ping = got[0] as Received;
    expect(ping.body).toEqual({
      id: res.body.eventId,
      type: 'ping',
      createdAt: clock.now().toISOString(),
      data: { programId, subscriptionId: sub.id, message: expect.stringContaining('test event') },
    });
    expect(ping.headers['tierpass-event-id']).toBe(res.body.eventId);
    expect(ping.headers['tierpass-delivery-id']).toBe(res.body.id);
    expect(verify(ping, sub.secret)).toBe(true);
    expect(verify(ping, `${sub.secret}x`)).toBe(false);

    const [logged] = await deliveries(auth, sub.id);
    expect(logged).toMatchObject({
      id: res.body.id,
      eventType: 'ping',
      customerId: null,
      state: 'delivered',
      lastStatus: 200,
      lastError: null,
      nextAttemptAt: null,
    });
    expect(logged?.attempts.map((a) => a.status)).toEqual([200]);
  });

  it('a failing receiver: the error is logged, the ping is not retried, a redelivery goes through', async () => {
    const { auth } = await createProgram(h);
    const sub = await subscribe(h, auth, { url: receiver.url, events: ['tier.upgraded'] });
    receiver.answer(500);
    const sent = await request(h.app).post(`/v1/webhooks/${sub.id}/test`).set(auth).expect(202);
    await dispatch();
    const [failed] = await deliveries(auth, sub.id);
    expect(failed).toMatchObject({
      state: 'failed',
      lastStatus: 500,
      lastError: 'HTTP 500',
      nextAttemptAt: null,
    });
    expect(failed?.attempts).toEqual([expect.objectContaining({ status: 500, error: 'HTTP 500' })]);
    // An hour later nothing was retried.
    clock.set(new Date(clock.now().getTime() + 3600_000));
    await dispatch();
    expect(pingsTo(sub.id)).toHaveLength(1);

    receiver.answer(200);
    const again = await request(h.app)
      .post(`/v1/webhooks/${sub.id}/deliveries/${sent.body.id}/redeliver`)
      .set(auth)
      .expect(202);
    expect(again.body).toMatchObject({
      eventId: sent.body.eventId,
      eventType: 'ping',
      redeliveryOf: sent.body.id,
    });
    await dispatch();
    const log = await deliveries(auth, sub.id);
    expect(log.map((d) => [d.id, d.state, d.lastStatus])).toEqual([
      [again.body.id, 'delivered', 200],
      [sent.body.id, 'failed', 500],
    ]);
    const got = pingsTo(sub.id);
    expect(got.map((r) => [r.status, r.body.id])).toEqual([
      [500, sent.body.eventId],
      [200, sent.body.eventId],
    ]);
    expect(got.every((r) => verify(r, sub.secret))).toBe(true);
  });

  it('a Klaviyo subscription gets a ping in the Klaviyo Create Event shape', async () => {
    const { programId, auth } = await createProgram(h);
    const sub = await subscribe(h, auth, {
      url: receiver.url,
      events: ['tier.downgraded'],
      format: 'klaviyo',
    });
    const sent = await request(h.app).post(`/v1/webhooks/${sub.id}/test`).set(auth).expect(202);
    await dispatch();
    const [ping] = pingsTo(sub.id);
    expect(ping?.body).toEqual({
      data: {
        type: 'event',
        attributes: {
          properties: {
            event_type: 'ping',
            message: expect.stringContaining('test event'),
            $extra: { programId, subscriptionId: sub.id, message: expect.any(String) },
          },
          time: clock.now().toISOString(),
          unique_id: sent.body.eventId,
          metric: { data: { type: 'metric', attributes: { name: 'Tierpass Ping' } } },
          profile: { data: { type: 'profile', attributes: { external_id: 'tierpass-ping' } } },
        },
      },
    });
    expect(verify(ping as Received, sub.secret)).toBe(true);
  });

  it('is refused on a disabled subscription until it is enabled again', async () => {
    const { auth } = await createProgram(h);
    const sub = await subscribe(h, auth, { url: receiver.url, events: ['tier.upgraded'] });
    // A ping is a real attempt: a 410 Gone disables the subscription.
    receiver.answer(410);
    await request(h.app).post(`/v1/webhooks/${sub.id}/test`).set(auth).expect(202);
    await dispatch();
    const got = await request(h.app).get(`/v1/webhooks/${sub.id}`).set(auth).expect(200);
    expect(got.body).toMatchObject({ state: 'disabled', disabledReason: expect.stringMatching(/410/) });

    const refused = await request(h.app).post(`/v1/webhooks/${sub.id}/test`).set(auth);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('webhook_disabled');
    expect(refused.body.error.message).toMatch(/410/);
    expect(await deliveries(auth, sub.id)).toHaveLength(1);

    receiver.answer(200);
    await request(h.app).post(`/v1/webhooks/${sub.id}/enable`).set(auth).expect(200);
    await request(h.app).post(`/v1/webhooks/${sub.id}/test`).set(auth).expect(202);
    await dispatch();
    expect((await deliveries(auth, sub.id)).map((d) => d.lastStatus)).toEqual([200, 410]);
  });

  it('another program’s, a deleted, an unknown or a malformed id: 4xx and nothing written', async () => {
    const { auth } = await createProgram(h);
    const other = await createProgram(h);
    const sub = await subscribe(h, auth, { url: receiver.url, events: ['tier.upgraded'] });
    const gone = await subscribe(h, auth, { url: receiver.url, events: ['tier.upgraded'] });
    await request(h.app).delete(`/v1/webhooks/${gone.id}`).set(auth).expect(204);

    const cases: [Auth, string, number, string][] = [
      [other.auth, sub.id, 404, 'webhook_not_found'],
      [auth, gone.id, 404, 'webhook_not_found'],
      [auth, 'wh_000000000000000000000000', 404, 'webhook_not_found'],
      [auth, 'x'.repeat(65), 400, 'validation_failed'],
    ];
    for (const [who, id, status, code] of cases) {
      const res = await request(h.app)
        .post(`/v1/webhooks/${encodeURIComponent(id)}/test`)
        .set(who);
      expect([id, res.status, res.body.error?.code]).toEqual([id, status, code]);
    }
    await request(h.app).post(`/v1/webhooks/${sub.id}/test`).expect(401);
    expect(await deliveries(auth, sub.id)).toEqual([]);
  });

  it('on a test program the ping is stamped and attempted at the test clock', async () => {
    const { auth } = await createProgram(h, {
      mode: 'test',
      clockStart: '2025-03-01T00:00:00Z',
      timezone: 'UTC',
    });
    const sub = await subscribe(h, auth, { url: receiver.url, events: ['tier.upgraded'] });
    await request(h.app).post(`/v1/webhooks/${sub.id}/test`).set(auth).expect(202);
    await dispatch();
    const [ping] = pingsTo(sub.id);
    expect(ping?.body.createdAt).toBe('2025-03-01T00:00:00.000Z');
    const [logged] = await deliveries(auth, sub.id);
    expect(logged).toMatchObject({ state: 'delivered', lastStatus: 200 });
    expect(logged?.attempts[0]).toMatchObject({ at: '2025-03-01T00:00:00.000Z' });
  });

  it('is rate-limited per program as an expensive operation', async () => {
    const limited = buildApp({
      store: h.store,
      clock,
      logger: pino({ level: 'silent' }),
      adminToken: ADMIN_TOKEN,
      webhooks: { policy: LOOPBACK_ONLY },
      rateLimits: { expensivePerProgram: 2 },
    });
    try {
      const { auth } = await createProgram(limited);
      const sub = await subscribe(limited, auth, { url: receiver.url, events: ['tier.upgraded'] });
      for (let i = 0; i < 2; i++)
        await request(limited.app).post(`/v1/webhooks/${sub.id}/test`).set(auth).expect(202);
      const refused = await request(limited.app).post(`/v1/webhooks/${sub.id}/test`).set(auth);
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('rate_limited');
      expect(refused.headers['retry-after']).toMatch(/^\d+$/);
      expect(await deliveries(auth, sub.id)).toHaveLength(2);
    } finally {
      limited.services.webhookSender.close();
    }
  });
});
