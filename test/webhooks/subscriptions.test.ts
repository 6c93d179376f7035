/** Subscribing, listing, unsubscribing, and the subscriptions that are refused (with nothing written). */
import request from 'supertest';
import type { Receiver } from './receiver.js';
import {
  ALL_EVENTS,
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

describe('webhook subscriptions', () => {
  it('subscribes with the secret shown once, lists without secrets, unsubscribes', async () => {
    const { auth } = await createProgram(h);
    const created = await subscribe(h, auth, { url: receiver.url, events: ALL_EVENTS });
    expect(created).toMatchObject({
      id: expect.stringMatching(/^wh_[0-9a-f]{24}$/),
      url: receiver.url,
      events: ALL_EVENTS,
      format: 'standard',
      state: 'enabled',
      disabledReason: null,
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/); // 256 random bits
    const klaviyo = await subscribe(h, auth, {
      url: receiver.url,
      events: ['tier.downgraded'],
      format: 'klaviyo',
    });
    expect(klaviyo.secret).not.toBe(created.secret);

    const list = await request(h.app).get('/v1/webhooks').set(auth).expect(200);
    expect(list.body.data.map((s: { id: string }) => s.id)).toEqual([created.id, klaviyo.id]);
    expect(JSON.stringify(list.body)).not.toContain('whsec_');
    const one = await request(h.app).get(`/v1/webhooks/${created.id}`).set(auth).expect(200);
    expect(one.body.secret).toBeUndefined();

    // Another program sees none of them.
    const other = await createProgram(h);
    expect((await request(h.app).get('/v1/webhooks').set(other.auth)).body.data).toEqual([]);
    await request(h.app).delete(`/v1/webhooks/${created.id}`).set(other.auth).expect(404);

    await request(h.app).delete(`/v1/webhooks/${created.id}`).set(auth).expect(204);
    const after = await request(h.app).get('/v1/webhooks').set(auth).expect(200);
    expect(after.body.data.map((s: { id: string }) => s.id)).toEqual([klaviyo.id]);
    const again = await request(h.app).delete(`/v1/webhooks/${created.id}`).set(auth);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('webhook_not_found');
  });

  it.each([
    ['an ftp URL', { url: 'ftp://127.0.0.1/hooks', events: ['tier.upgraded'] }, 'invalid_webhook_url'],
    ['a relative URL', { url: '/hooks', events: ['tier.upgraded'] }, 'invalid_webhook_url'],
    [
      'credentials in the URL',
      { url: 'http://u:p@127.0.0.1/x', events: ['tier.upgraded'] },
      'invalid_webhook_url',
    ],
    [
      'a private address (10/8)',
      { url: 'http://10.0.0.1/hooks', events: ['tier.upgraded'] },
      'webhook_url_not_allowed',
    ],
    [
      'a private address (192.168/16)',
      { url: 'https://192.168.1.1/x', events: ['tier.upgraded'] },
      'webhook_url_not_allowed',
    ],
    [
      'link-local metadata',
      { url: 'http://169.254.169.254/latest', events: ['tier.upgraded'] },
      'webhook_url_not_allowed',
    ],
    ['CGNAT', { url: 'http://100.64.0.1/x', events: ['tier.upgraded'] }, 'webhook_url_not_allowed'],
    [
      'unique-local IPv6',
      { url: 'http://[fd00::1]/x', events: ['tier.upgraded'] },
      'webhook_url_not_allowed',
    ],
    [
      'IPv4-mapped private IPv6',
      { url: 'http://[::ffff:10.0.0.1]/x', events: ['tier.upgraded'] },
      'webhook_url_not_allowed',
    ],
    [
      'the unspecified address',
      { url: 'http://0.0.0.0:8080/x', events: ['tier.upgraded'] },
      'webhook_url_not_allowed',
    ],
    [
      'an unknown event',
      { url: 'http://127.0.0.1/x', events: ['tier.upgraded', 'order.created'] },
      'unknown_webhook_event',
    ],
    ['no events', { url: 'http://127.0.0.1/x', events: [] }, 'validation_failed'],
    ['a missing url', { events: ['tier.upgraded'] }, 'validation_failed'],
    ['missing events', { url: 'http://127.0.0.1/x' }, 'validation_failed'],
    [
      'an unknown format',
      { url: 'http://127.0.0.1/x', events: ['tier.upgraded'], format: 'zapier' },
      'validation_failed',
    ],
    [
      'an unknown field',
      { url: 'http://127.0.0.1/x', events: ['tier.upgraded'], secret: 'mine' },
      'validation_failed',
    ],
  ])('refuses %s with 400 and writes nothing', async (_what, body, code) => {
    const { auth } = await createProgram(h);
    const res = await request(h.app).post('/v1/webhooks').set(auth).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect(JSON.stringify(res.body)).not.toContain('whsec_');
    expect((await request(h.app).get('/v1/webhooks').set(auth)).body.data).toEqual([]);
  });

  it('allows loopback only when configured, and private addresses only when configured', async () => {
    const strict = h.another({ policy: { allowLoopback: false, allowPrivate: false } });
    const { auth } = await createProgram(strict);
    const res = await request(strict.app)
      .post('/v1/webhooks')
      .set(auth)
      .send({ url: receiver.url, events: ALL_EVENTS });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('webhook_url_not_allowed');
    const localhost = await request(strict.app)
      .post('/v1/webhooks')
      .set(auth)
      .send({ url: 'http://localhost:9/x', events: ALL_EVENTS });
    expect(localhost.body.error.code).toBe('webhook_url_not_allowed');

    const internal = h.another({ policy: { allowLoopback: false, allowPrivate: true } });
    const ok = await request(internal.app)
      .post('/v1/webhooks')
      .set(auth)
      .send({ url: 'http://10.0.0.1/hooks', events: ALL_EVENTS });
    expect(ok.status).toBe(201);
  });

  it('answers 404 for unknown subscriptions and deliveries', async () => {
    const { auth } = await createProgram(h);
    const sub = await subscribe(h, auth, { url: receiver.url, events: ALL_EVENTS });
    const missing = await request(h.app).get('/v1/webhooks/wh_000000000000000000000000/deliveries').set(auth);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('webhook_not_found');
    const noDelivery = await request(h.app)
      .post(`/v1/webhooks/${sub.id}/deliveries/123456/redeliver`)
      .set(auth);
    expect(noDelivery.status).toBe(404);
    expect(noDelivery.body.error.code).toBe('delivery_not_found');
    const badId = await request(h.app).post(`/v1/webhooks/${sub.id}/deliveries/abc/redeliver`).set(auth);
    expect(badId.status).toBe(400);
  });

  it('describes every webhook endpoint in the OpenAPI document', async () => {
    const doc = (await request(h.app).get('/openapi.json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/webhooks',
        '/v1/webhooks/{webhookId}',
        '/v1/webhooks/{webhookId}/deliveries',
        '/v1/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver',
      ]),
    );
  });
});
