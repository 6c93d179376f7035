/**
 * The Shopify connector end to end (docs/decisions/0042): the real app on its own PostgreSQL
 * database, a Shopify stand-in on a real socket validating every GraphQL document against the
 * published Admin schema, and webhooks signed like Shopify's from its documented payloads.
 */
import { randomBytes } from 'node:crypto';
import { type Logger, pino } from 'pino';
import request from 'supertest';
import { buildApp } from '../../src/app.js';
import { ShopifyDeliveryRecords } from '../../src/features/shopify/shopify-delivery-records.js';
import type { ShopifyStore } from '../../src/features/shopify/shopify-store.js';
import { SUBSCRIPTION_FIELDS } from '../../src/features/shopify/shopify-subscriptions.js';
import { SecretBox } from '../../src/integrations/secrets/secret-box.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/port.js';
import type { ShopifyRepository } from '../../src/store/shopify-port.js';
import { ADMIN_TOKEN, createProgram, createTier } from '../support/harness.js';
import { createTempDatabase } from '../support/temp-db.js';
import { customerPayload, orderPayload, refundPayload } from './payloads.js';
import { type ShopifyStandIn, signedWebhook, startShopifyStandIn } from './shopify-stand-in.js';

const PUBLIC_URL = 'https://tierpass.example.com';
const CALLBACK = `${PUBLIC_URL}/shopify/webhooks`;

let db: Awaited<ReturnType<typeof createTempDatabase>>;
let store: Store;
let app: ReturnType<typeof buildApp>['app'];
let services: ReturnType<typeof buildApp>['services'];
const shops: ShopifyStandIn[] = [];

const secrets = new SecretBox([{ id: 't1', key: randomBytes(32) }]);
const byShop = (shop: string) => {
  const s = shops.find((x) => x.shop === shop);
  if (!s) throw new Error(`no stand-in for ${shop}`);
  return s.origin;
};

/** The app on the shared store; `shopify` options beside the stand-in origin. */
function appOnStore(shopify: NonNullable<Parameters<typeof buildApp>[0]['shopify']> = {}) {
  return buildApp({
    store,
    clock: { now: () => new Date() },
    logger: pino({ level: 'silent' }),
    adminToken: ADMIN_TOKEN,
    publicUrl: PUBLIC_URL,
    secrets,
    shopify: { origin: byShop, ...shopify },
    rateLimits: { expensivePerProgram: 10_000, expensivePerClient: 10_000 },
  });
}

beforeAll(async () => {
  db = await createTempDatabase();
  store = await openStore({ databaseUrl: db.url, dataDir: 'memory://' });
  // Shops are remembered for a minute here: a delivery that sees a change made through the app
  // right after it can only have been told of it (decision 0050).
  ({ app, services } = appOnStore({ shopCacheTtlMs: 60_000 }));
}, 120_000);

afterAll(async () => {
  await services.shopify.close();
  await Promise.all(shops.map((s) => s.close()));
  await store.close();
  await db.drop();
}, 120_000);

let shopSeq = 0;
async function standIn(currency: string) {
  shopSeq += 1;
  const s = await startShopifyStandIn({ shop: `tp-${process.pid}-${shopSeq}.myshopify.com`, currency });
  shops.push(s);
  return s;
}

/** A program in `currency` with Bronze (entry) and Silver (lifetime spend ≥ `silverAt` minor units), connected to a new stand-in. */
async function connected(currency: string, silverAt: number, extra: Record<string, unknown> = {}) {
  const shop = await standIn(currency);
  const { auth, programId } = await createProgram({ app }, { currency, retention: { mode: 'lifetime' } });
  await createTier({ app }, auth, { title: 'Bronze' });
  await createTier({ app }, auth, {
    title: 'Silver',
    qualifications: [{ type: 'lifetimeSpend', minAmount: silverAt }],
  });
  const secret = `shpss_${randomBytes(16).toString('hex')}`;
  const res = await request(app)
    .put('/v1/integrations/shopify')
    .set(auth)
    .send({ shopDomain: shop.shop, accessToken: shop.accessToken, webhookSecret: secret, ...extra });
  expect(res.status).toBe(200);
  const send = (topic: string, payload: unknown, webhookId?: string) => {
    // As the shop sends it to Tierpass's subscription: only the fields asked for (decision 0055).
    const w = signedWebhook(secret, shop.shop, topic, shop.sentAs(topic, payload), webhookId);
    return request(app).post('/shopify/webhooks').set(w.headers).send(w.body);
  };
  return { shop, auth, programId, secret, send, connection: res.body };
}

async function customer(auth: { Authorization: string }, id: string) {
  const res = await request(app).get(`/v1/customers/${id}`).set(auth);
  return res;
}

describe('connecting a store', () => {
  it('checks the credentials, registers the webhooks once, never returns a secret, and disconnects', async () => {
    const { shop, auth, secret, connection } = await connected('USD', 10_000);
    expect(connection).toMatchObject({
      shopDomain: shop.shop,
      currency: 'USD',
      state: 'connected',
      earnOn: 'subtotal',
    });
    expect(shop.subscriptions.map((s) => s.topic).sort()).toEqual([
      'APP_UNINSTALLED',
      'CUSTOMERS_CREATE',
      'CUSTOMERS_DELETE',
      'CUSTOMERS_UPDATE',
      'ORDERS_CANCELLED',
      'ORDERS_PAID',
      'REFUNDS_CREATE',
    ]);
    expect(new Set(shop.subscriptions.map((s) => s.callbackUrl))).toEqual(new Set([CALLBACK]));
    // Each asks for the fields Tierpass reads of its topic, no more (decision 0055).
    for (const sub of shop.subscriptions)
      expect(sub.includeFields).toEqual(SUBSCRIPTION_FIELDS[sub.topic as keyof typeof SUBSCRIPTION_FIELDS]);
    expect(shop.subscriptions.find((x) => x.topic === 'ORDERS_PAID')?.includeFields).toContain(
      'customer.email',
    );
    const shown = await request(app).get('/v1/integrations/shopify').set(auth);
    expect(shown.status).toBe(200);
    expect(JSON.stringify(shown.body)).not.toContain(shop.accessToken);
    expect(JSON.stringify(shown.body)).not.toContain(secret);
    // Stored sealed, not readable.
    const rows = await store.scoped((await request(app).get('/v1/program').set(auth)).body.id).shopify.get();
    expect(rows?.accessTokenSealed.startsWith('sb1.')).toBe(true);
    expect(rows?.accessTokenSealed).not.toContain(shop.accessToken);

    // Saving again (e.g. a new token) registers nothing twice.
    const again = await request(app)
      .put('/v1/integrations/shopify')
      .set(auth)
      .send({ shopDomain: shop.shop, accessToken: shop.accessToken, webhookSecret: secret });
    expect(again.status).toBe(200);
    expect(shop.subscriptions).toHaveLength(7);
    const writes = (name: string) =>
      shop.documents.filter((d) => d.query.includes(`mutation ${name}`)).length;
    expect(writes('TierpassWebhookSubscriptionUpdate')).toBe(0);
    expect(writes('TierpassWebhookSubscriptionCreate')).toBe(7);

    const gone = await request(app).delete('/v1/integrations/shopify').set(auth);
    expect(gone.status).toBe(204);
    expect(shop.subscriptions).toHaveLength(0);
    expect((await request(app).get('/v1/integrations/shopify').set(auth)).status).toBe(404);
  });

  it('asks a subscription made before decision 0055 (every field) for the fields read, without a second one', async () => {
    const { shop, auth, secret, send } = await connected('USD', 10_000);
    const paid = shop.subscriptions.find((x) => x.topic === 'ORDERS_PAID');
    const refunds = shop.subscriptions.find((x) => x.topic === 'REFUNDS_CREATE');
    if (!paid || !refunds) throw new Error('not subscribed');
    paid.includeFields = [];
    refunds.includeFields = ['id'];
    // Until then Shopify sends the whole payload, and it is applied the same.
    const whole = orderPayload({ id: 6901, customer: { id: 8901 }, currency: 'USD', subtotal: 1500 });
    expect(JSON.stringify(shop.sentAs('orders/paid', whole))).toBe(JSON.stringify(whole));
    expect((await send('orders/paid', whole)).body).toMatchObject({ result: 'applied' });
    expect((await customer(auth, '8901')).body.balances.lifetimeSpend).toBe(1500);

    const ids = shop.subscriptions.map((x) => x.id).sort();
    const res = await request(app)
      .put('/v1/integrations/shopify')
      .set(auth)
      .send({ shopDomain: shop.shop, accessToken: shop.accessToken, webhookSecret: secret });
    expect(res.status).toBe(200);
    expect(shop.subscriptions.map((x) => x.id).sort()).toEqual(ids);
    expect(paid.includeFields).toEqual(SUBSCRIPTION_FIELDS.ORDERS_PAID);
    expect(refunds.includeFields).toEqual(SUBSCRIPTION_FIELDS.REFUNDS_CREATE);
    expect(
      shop.documents.filter((d) => d.query.includes('mutation TierpassWebhookSubscriptionUpdate')),
    ).toHaveLength(2);
    // Now a delivery carries only those fields (no addresses, no line items) and earns the same.
    const trimmed = shop.sentAs('orders/paid', { ...whole, id: 6902 }) as Record<string, unknown>;
    expect(Object.keys(trimmed).sort()).toEqual([
      'created_at',
      'customer',
      'id',
      'processed_at',
      'subtotal_price_set',
      'test',
      'total_price_set',
    ]);
    expect(JSON.stringify(trimmed).length).toBeLessThan(JSON.stringify(whole).length / 4);
    expect((await send('orders/paid', { ...whole, id: 6902 })).body).toMatchObject({ result: 'applied' });
    expect((await customer(auth, '8901')).body.balances.lifetimeSpend).toBe(3000);
  });

  it('disconnects when a subscription is already gone at the shop', async () => {
    const { shop, auth } = await connected('USD', 10_000);
    shop.subscriptions.splice(0, 2);
    expect((await request(app).delete('/v1/integrations/shopify').set(auth)).status).toBe(204);
    expect(shop.subscriptions).toHaveLength(0);
    expect((await request(app).get('/v1/integrations/shopify').set(auth)).status).toBe(404);
  });

  it('refuses a wrong token, another currency and a malformed domain without storing anything', async () => {
    const shop = await standIn('USD');
    const { auth } = await createProgram({ app }, { currency: 'USD' });
    const wrong = await request(app)
      .put('/v1/integrations/shopify')
      .set(auth)
      .send({ shopDomain: shop.shop, accessToken: 'shpat_not-the-token', webhookSecret: 'shpss_0123456789' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.code).toBe('shopify_credentials_rejected');
    const { auth: eur } = await createProgram({ app }, { currency: 'EUR' });
    const currency = await request(app)
      .put('/v1/integrations/shopify')
      .set(eur)
      .send({ shopDomain: shop.shop, accessToken: shop.accessToken, webhookSecret: 'shpss_0123456789' });
    expect(currency.status).toBe(422);
    expect(currency.body.error.code).toBe('currency_mismatch');
    const domain = await request(app).put('/v1/integrations/shopify').set(auth).send({
      shopDomain: 'evil.example.com',
      accessToken: shop.accessToken,
      webhookSecret: 'shpss_0123456789',
    });
    expect(domain.status).toBe(400);
    expect(shop.subscriptions).toHaveLength(0);
    expect((await request(app).get('/v1/integrations/shopify').set(auth)).status).toBe(404);
  });

  it('answers 503 shopify_throttled when the shop throttles, and connects on the next try', async () => {
    const shop = await standIn('USD');
    const { auth } = await createProgram({ app }, { currency: 'USD' });
    shop.throttle(1);
    const body = { shopDomain: shop.shop, accessToken: shop.accessToken, webhookSecret: 'shpss_0123456789' };
    const first = await request(app).put('/v1/integrations/shopify').set(auth).send(body);
    expect(first.status).toBe(503);
    expect(first.body.error.code).toBe('shopify_throttled');
    const second = await request(app).put('/v1/integrations/shopify').set(auth).send(body);
    expect(second.status).toBe(200);
  });
});

describe('webhooks', () => {
  it('orders and refunds move a customer across a tier; replays change nothing (USD)', async () => {
    const { auth, send } = await connected('USD', 10_000);
    // $60 of merchandise, $10 shipping, $5 tax: only the $60 earns. The customer is created from the order.
    const first = orderPayload({
      id: 5001,
      customer: { id: 7001, email: 'ana@example.com', firstName: 'Ana', lastName: 'Lima' },
      currency: 'USD',
      subtotal: 6000,
      shipping: 1000,
      tax: 500,
    });
    const r1 = await send('orders/paid', first, 'wh-order-1');
    expect(r1.status).toBe(200);
    expect(r1.body).toEqual({ received: true, duplicate: false, result: 'applied' });
    let c = await customer(auth, '7001');
    expect(c.body).toMatchObject({
      email: 'ana@example.com',
      name: 'Ana Lima',
      balances: { lifetimeSpend: 6000 },
    });
    expect(c.body.tier.title).toBe('Bronze');

    const second = orderPayload({
      id: 5002,
      customer: { id: 7001 },
      currency: 'USD',
      subtotal: 5000,
      shipping: 700,
    });
    expect((await send('orders/paid', second, 'wh-order-2')).body.result).toBe('applied');
    c = await customer(auth, '7001');
    expect(c.body.balances.lifetimeSpend).toBe(11_000);
    expect(c.body.tier.title).toBe('Silver');
    const points = c.body.balances.current;

    // The same delivery again, and the same order in a new delivery: nothing changes.
    const dup = await send('orders/paid', second, 'wh-order-2');
    expect(dup.body).toEqual({ received: true, duplicate: true, result: null });
    await send('orders/paid', second, 'wh-order-2-redelivered');
    c = await customer(auth, '7001');
    expect(c.body.balances).toMatchObject({ lifetimeSpend: 11_000, current: points });

    // A refund of $25 of the second order's merchandise (plus tax and shipping, which reverse nothing).
    const refund = refundPayload({
      id: 9001,
      orderId: 5002,
      currency: 'USD',
      lines: [2500],
      lineTax: 200,
      shipping: 700,
    });
    expect((await send('refunds/create', refund, 'wh-refund-1')).body.result).toBe('applied');
    await send('refunds/create', refund, 'wh-refund-1-again');
    c = await customer(auth, '7001');
    expect(c.body.balances.lifetimeSpend).toBe(8500);
    expect(c.body.balances.current).toBe(points - Math.round(points * (5000 / 11_000) * 0.5));

    // Cancelling the first order reverses what is left of it.
    const cancel = orderPayload(
      { id: 5001, customer: { id: 7001 }, currency: 'USD', subtotal: 6000 },
      'orders-cancelled',
    );
    expect((await send('orders/cancelled', cancel, 'wh-cancel-1')).body.result).toBe('applied');
    c = await customer(auth, '7001');
    expect(c.body.balances.lifetimeSpend).toBe(2500);
    const orders = await request(app).get('/v1/customers/7001/orders').set(auth);
    expect(orders.status).toBe(200);
  });

  it('converts shop money by the currency exponent (JPY 0, KWD 3)', async () => {
    const jpy = await connected('JPY', 10_000);
    await jpy.send(
      'orders/paid',
      orderPayload({ id: 6001, customer: { id: 8001 }, currency: 'JPY', subtotal: 12_000, tax: 1200 }),
    );
    const c1 = await customer(jpy.auth, '8001');
    expect(c1.body.balances.lifetimeSpend).toBe(12_000);
    expect(c1.body.tier.title).toBe('Silver');

    const kwd = await connected('KWD', 50_000);
    const order = orderPayload({ id: 6002, customer: { id: 8002 }, currency: 'KWD', subtotal: 12_345 });
    expect((order.subtotal_price_set as { shop_money: { amount: string } }).shop_money.amount).toBe('12.345');
    await kwd.send('orders/paid', order);
    const c2 = await customer(kwd.auth, '8002');
    expect(c2.body.balances.lifetimeSpend).toBe(12_345);
    expect(c2.body.tier.title).toBe('Bronze');
  });

  it('ignores test orders unless the program counts them; total earning is a setting', async () => {
    const p = await connected('USD', 10_000);
    const r = await p.send(
      'orders/paid',
      orderPayload({ id: 6101, customer: { id: 8101 }, currency: 'USD', subtotal: 4000, test: true }),
    );
    expect(r.body.result).toBe('ignored');
    expect((await customer(p.auth, '8101')).status).toBe(404);

    const q = await connected('USD', 10_000, { earnOn: 'total', includeTestOrders: true });
    await q.send(
      'orders/paid',
      orderPayload({
        id: 6102,
        customer: { id: 8102 },
        currency: 'USD',
        subtotal: 4000,
        shipping: 500,
        tax: 300,
        test: true,
      }),
    );
    expect((await customer(q.auth, '8102')).body.balances.lifetimeSpend).toBe(4800);
  });

  it('keeps customers current from customers/create and update (email, name, merchant tags)', async () => {
    const p = await connected('USD', 10_000);
    await p.send(
      'customers/create',
      customerPayload({
        id: 8201,
        email: 'bob@example.com',
        firstName: 'Bob',
        lastName: 'Biller',
        tags: 'vip, wholesale',
      }),
    );
    let c = await customer(p.auth, '8201');
    expect(c.body).toMatchObject({ email: 'bob@example.com', name: 'Bob Biller' });
    expect([...c.body.tags].sort()).toEqual(['vip', 'wholesale']);
    await p.send(
      'customers/update',
      customerPayload({ id: 8201, email: 'bob@new.example.com', tags: 'vip' }),
    );
    c = await customer(p.auth, '8201');
    expect(c.body.email).toBe('bob@new.example.com');
    expect(c.body.tags).toEqual(['vip']);
  });

  it('orders customers/update deliveries by the shop’s updated_at: one older than the one applied changes nothing', async () => {
    const p = await connected('USD', 10_000);
    await createTier({ app }, p.auth, {
      title: 'VIP',
      qualifications: [{ type: 'tag', tag: 'vip' }],
      benefits: { tag: 'tier-vip' },
    });
    const scope = store.scoped(p.programId);
    const at = (minute: number) => `2026-03-02T10:0${minute}:00-05:00`;
    const update = (email: string, tags: string, minute: number, webhookId: string) =>
      p.send(
        'customers/update',
        customerPayload({ id: 8251, email, tags, updatedAt: at(minute) }),
        webhookId,
      );
    expect((await update('new@example.com', 'vip', 5, 'wh-8251-new')).body.result).toBe('applied');
    expect(await scope.shopify.webhook('wh-8251-new')).toMatchObject({ result: 'applied', detail: null });
    // Shopify delivered the earlier change late: answered 200, the newer fields stay, and its
    // record says it was ignored as stale (nothing of it was written).
    const late = await update('old@example.com', '', 3, 'wh-8251-late');
    expect(late.status).toBe(200);
    expect(late.body).toEqual({ received: true, duplicate: false, result: 'ignored' });
    expect(await scope.shopify.webhook('wh-8251-late')).toMatchObject({
      topic: 'customers/update',
      result: 'ignored',
      detail: 'stale_update',
    });
    let c = await customer(p.auth, '8251');
    expect(c.body).toMatchObject({ email: 'new@example.com', tags: ['vip'], tierTags: ['tier-vip'] });
    expect(c.body.tier.title).toBe('VIP');
    // Its redelivery is a duplicate, as any other.
    expect((await update('old@example.com', '', 3, 'wh-8251-late')).body).toEqual({
      received: true,
      duplicate: true,
      result: null,
    });
    // The same time again is not older: applied (another delivery of the applied change).
    expect((await update('new@example.com', 'vip', 5, 'wh-8251-same')).body.result).toBe('applied');
    // A later change applies.
    expect((await update('later@example.com', '', 7, 'wh-8251-later')).body.result).toBe('applied');
    expect(await scope.shopify.webhook('wh-8251-later')).toMatchObject({ result: 'applied', detail: null });
    c = await customer(p.auth, '8251');
    expect(c.body).toMatchObject({ email: 'later@example.com', tags: [] });
  });

  it('refuses forged, re-signed and unsigned bodies with 401 and changes nothing', async () => {
    const p = await connected('USD', 10_000);
    const order = orderPayload({ id: 6301, customer: { id: 8301 }, currency: 'USD', subtotal: 9000 });
    const genuine = signedWebhook(p.secret, p.shop.shop, 'orders/paid', order);
    // The body changed after signing.
    const forged = await request(app)
      .post('/shopify/webhooks')
      .set(genuine.headers)
      .send(genuine.body.replace('"90.00"', '"900.00"'));
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('shopify_signature_invalid');
    // Re-signed with another secret.
    const other = signedWebhook('shpss_someone-elses-secret', p.shop.shop, 'orders/paid', order);
    expect((await request(app).post('/shopify/webhooks').set(other.headers).send(other.body)).status).toBe(
      401,
    );
    // No signature at all.
    const { 'X-Shopify-Hmac-Sha256': _dropped, ...unsigned } = genuine.headers;
    expect((await request(app).post('/shopify/webhooks').set(unsigned).send(genuine.body)).status).toBe(401);
    // An unknown shop.
    const stranger = signedWebhook(p.secret, 'nobody.myshopify.com', 'orders/paid', order);
    expect(
      (await request(app).post('/shopify/webhooks').set(stranger.headers).send(stranger.body)).status,
    ).toBe(401);
    expect((await customer(p.auth, '8301')).status).toBe(404);
    const stored = await store
      .scoped((await request(app).get('/v1/program').set(p.auth)).body.id)
      .shopify.pending(10);
    expect(stored).toHaveLength(0);
  });

  it('refuses signed but malformed payloads with 400 and changes nothing', async () => {
    const p = await connected('USD', 10_000);
    const notJson = signedWebhook(p.secret, p.shop.shop, 'orders/paid', 'x');
    const bad = await request(app).post('/shopify/webhooks').set(notJson.headers).send('{not json');
    expect(bad.status).toBe(401); // the signature covers the exact bytes, so this is a forgery
    const raw = '{not json';
    const { createHmac } = await import('node:crypto');
    const headers = {
      ...notJson.headers,
      'X-Shopify-Hmac-Sha256': createHmac('sha256', p.secret).update(raw).digest('base64'),
    };
    const signedBad = await request(app).post('/shopify/webhooks').set(headers).send(raw);
    expect(signedBad.status).toBe(400);
    expect(signedBad.body.error.code).toBe('shopify_payload_invalid');
    const shapeless = await p.send('orders/paid', { id: 'nope' });
    expect(shapeless.status).toBe(400);
    expect(shapeless.body.error.code).toBe('shopify_payload_invalid');
  });

  it('applies a stored delivery that was never applied when Shopify redelivers it (a stop between store and effect)', async () => {
    const p = await connected('USD', 10_000);
    const programId = (await request(app).get('/v1/program').set(p.auth)).body.id as string;
    const order = orderPayload({ id: 6401, customer: { id: 8401 }, currency: 'USD', subtotal: 3000 });
    // The first attempt stored the delivery and stopped before its effect.
    await store.scoped(programId).shopify.receive({
      webhookId: 'wh-crashed',
      topic: 'orders/paid',
      payload: order,
      receivedAt: new Date(),
    });
    expect(await store.scoped(programId).shopify.pending(10)).toHaveLength(1);
    // The ledger had no such order, so the effect is new (`duplicate: false`); the stored row is
    // completed by the record written behind (decision 0050).
    const redelivered = await p.send('orders/paid', order, 'wh-crashed');
    expect(redelivered.body).toEqual({ received: true, duplicate: false, result: 'applied' });
    expect((await customer(p.auth, '8401')).body.balances.lifetimeSpend).toBe(3000);
    await services.shopify.idle();
    expect(await store.scoped(programId).shopify.pending(10)).toHaveLength(0);
    expect(await store.scoped(programId).shopify.webhook('wh-crashed')).toMatchObject({
      result: 'applied',
      payload: order,
    });
    const again = await p.send('orders/paid', order, 'wh-crashed');
    expect(again.body).toEqual({ received: true, duplicate: true, result: null });
    expect((await customer(p.auth, '8401')).body.balances.lifetimeSpend).toBe(3000);
  });

  it('applies privacy requests, and marks the store uninstalled on app/uninstalled', async () => {
    const p = await connected('USD', 10_000);
    const programId = (await request(app).get('/v1/program').set(p.auth)).body.id as string;
    const redact = {
      shop_id: 954889,
      shop_domain: p.shop.shop,
      customer: { id: 191167, email: 'john@example.com', phone: '555-625-1199' },
      orders_to_redact: [299938, 280263],
    };
    // Applied by the privacy operations (test/shopify/shopify-privacy.test.ts); kept without the email.
    expect((await p.send('customers/redact', redact, 'wh-redact-1')).body.result).toBe('applied');
    const recorded = await store.scoped(programId).shopify.byTopic(['customers/redact'], 10);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.payload).toEqual({ ...redact, customer: { id: 191167 } });
    expect(
      (await p.send('app/uninstalled', { id: 1, name: 'Shop', domain: p.shop.shop }, 'wh-uninstall')).body
        .result,
    ).toBe('applied');
    expect((await request(app).get('/v1/integrations/shopify').set(p.auth)).body.state).toBe('uninstalled');
    // Disconnecting an uninstalled store calls no longer reachable subscriptions.
    expect((await request(app).delete('/v1/integrations/shopify').set(p.auth)).status).toBe(204);
  });
});

describe('the remembered shop and grouped records (decision 0050)', () => {
  it('reads the shop again at once after a reconnect, a program change and a disconnect', async () => {
    const p = await connected('USD', 10_000);
    const testOrder = (id: number) =>
      orderPayload({ id, customer: { id: 8501 }, currency: 'USD', subtotal: 1000, test: true });
    expect((await p.send('orders/paid', testOrder(6501))).body.result).toBe('ignored');
    // Saved again counting test orders: the next delivery applies one.
    const saved = await request(app).put('/v1/integrations/shopify').set(p.auth).send({
      shopDomain: p.shop.shop,
      accessToken: p.shop.accessToken,
      webhookSecret: p.secret,
      includeTestOrders: true,
    });
    expect(saved.status).toBe(200);
    expect((await p.send('orders/paid', testOrder(6502))).body.result).toBe('applied');
    expect((await customer(p.auth, '8501')).body.balances.current).toBe(100);
    // The program earns twice as much from now on: the next order does.
    const changed = await request(app)
      .patch('/v1/program')
      .set(p.auth)
      .send({ earning: { pointsPerUnit: 20 } });
    expect(changed.status).toBe(200);
    expect((await p.send('orders/paid', testOrder(6503))).body.result).toBe('applied');
    expect((await customer(p.auth, '8501')).body.balances.current).toBe(300);
    // Disconnected: the shop's deliveries are refused at once, and change nothing.
    expect((await request(app).delete('/v1/integrations/shopify').set(p.auth)).status).toBe(204);
    const refused = await p.send('orders/paid', testOrder(6504));
    expect(refused.status).toBe(401);
    expect((await customer(p.auth, '8501')).body.balances.current).toBe(300);
  });

  it('tells a replay by its record: the effect applied again changes nothing, the first record stays', async () => {
    const p = await connected('USD', 10_000);
    const programId = (await request(app).get('/v1/program').set(p.auth)).body.id as string;
    const order = orderPayload({ id: 6601, customer: { id: 8601 }, currency: 'USD', subtotal: 4000 });
    // The same delivery eight times at once (Shopify retrying while the first is in flight) and
    // seven other deliveries of other orders beside them.
    const others = Array.from({ length: 7 }, (_, i) =>
      orderPayload({ id: 6610 + i, customer: { id: 8610 + i }, currency: 'USD', subtotal: 1000 }),
    );
    const replies = await Promise.all([
      ...Array.from({ length: 8 }, () => p.send('orders/paid', order, 'wh-many')),
      ...others.map((o, i) => p.send('orders/paid', o, `wh-other-${i}`)),
    ]);
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 200));
    const same = replies.slice(0, 8).map((r) => r.body);
    expect(same.filter((b) => !b.duplicate)).toEqual([
      { received: true, duplicate: false, result: 'applied' },
    ]);
    expect(same.filter((b) => b.duplicate)).toEqual(
      Array.from({ length: 7 }, () => ({ received: true, duplicate: true, result: null })),
    );
    expect(replies.slice(8).map((r) => r.body.result)).toEqual(others.map(() => 'applied'));
    await services.shopify.idle();
    const first = await store.scoped(programId).shopify.webhook('wh-many');
    expect(first).toMatchObject({ result: 'applied', payload: null });
    expect((await customer(p.auth, '8601')).body.balances.lifetimeSpend).toBe(4000);
    // Later, once more: applied again without effect, answered as a duplicate, the record as it was.
    const later = await p.send('orders/paid', order, 'wh-many');
    expect(later.body).toEqual({ received: true, duplicate: true, result: null });
    await services.shopify.idle();
    expect(await store.scoped(programId).shopify.webhook('wh-many')).toEqual(first);
    expect((await customer(p.auth, '8601')).body.balances.lifetimeSpend).toBe(4000);
    const orders = await request(app).get('/v1/customers/8601/orders').set(p.auth);
    expect(orders.body.data).toHaveLength(1);
  });
});

describe('records written behind (decision 0050)', () => {
  it('answers a keyed delivery once its effect is committed; its record is written by close, other records before the answer', async () => {
    const p = await connected('USD', 10_000);
    const scope = store.scoped(p.programId);
    // Another app on the same store whose batches wait an hour: only closing writes them.
    const slow = appOnStore({ recordsBehind: { delayMs: 3_600_000 } });
    const send = (topic: string, payload: unknown, webhookId: string) => {
      const w = signedWebhook(p.secret, p.shop.shop, topic, payload, webhookId);
      return request(slow.app).post('/shopify/webhooks').set(w.headers).send(w.body);
    };
    const order = orderPayload({ id: 6701, customer: { id: 8701 }, currency: 'USD', subtotal: 2500 });
    expect((await send('orders/paid', order, 'wh-behind')).body).toEqual({
      received: true,
      duplicate: false,
      result: 'applied',
    });
    expect((await customer(p.auth, '8701')).body.balances.lifetimeSpend).toBe(2500);
    expect(await scope.shopify.webhook('wh-behind')).toBeNull();
    // Replayed before its record exists: the ledger tells it, nothing changes.
    expect((await send('orders/paid', order, 'wh-behind')).body).toEqual({
      received: true,
      duplicate: true,
      result: null,
    });
    expect((await customer(p.auth, '8701')).body.balances.lifetimeSpend).toBe(2500);
    // A refund of it, written behind too; its replay told by the ledger's refund id.
    const refund = refundPayload({ id: 9701, orderId: 6701, currency: 'USD', lines: [500] });
    expect((await send('refunds/create', refund, 'wh-behind-refund')).body.result).toBe('applied');
    expect((await send('refunds/create', refund, 'wh-behind-refund')).body).toEqual({
      received: true,
      duplicate: true,
      result: null,
    });
    expect((await customer(p.auth, '8701')).body.balances.lifetimeSpend).toBe(2000);
    expect(await scope.shopify.webhook('wh-behind-refund')).toBeNull();
    // Ignored (the ledger is not asked), failed and non-keyed deliveries: recorded before the answer.
    const testOrder = orderPayload({
      id: 6702,
      customer: { id: 8701 },
      currency: 'USD',
      subtotal: 100,
      test: true,
    });
    expect((await send('orders/paid', testOrder, 'wh-ignored-now')).body.result).toBe('ignored');
    expect(await scope.shopify.webhook('wh-ignored-now')).toMatchObject({
      result: 'ignored',
      detail: 'test_order',
    });
    expect((await send('orders/paid', testOrder, 'wh-ignored-now')).body).toEqual({
      received: true,
      duplicate: true,
      result: null,
    });
    const euro = orderPayload({ id: 6703, customer: { id: 8701 }, currency: 'EUR', subtotal: 100 });
    expect((await send('orders/paid', euro, 'wh-failed-now')).body.result).toBe('failed');
    expect(await scope.shopify.webhook('wh-failed-now')).toMatchObject({ result: 'failed', payload: euro });
    expect(
      (await send('customers/update', customerPayload({ id: 8701 }), 'wh-customer-now')).body.result,
    ).toBe('applied');
    expect(await scope.shopify.webhook('wh-customer-now')).toMatchObject({ result: 'applied' });
    // Closed as main.ts closes it at shutdown: the queued records are written, without payloads.
    await slow.services.shopify.close();
    expect(await scope.shopify.webhook('wh-behind')).toMatchObject({
      topic: 'orders/paid',
      result: 'applied',
      detail: null,
      payload: null,
    });
    expect(await scope.shopify.webhook('wh-behind-refund')).toMatchObject({
      result: 'applied',
      payload: null,
    });
  });

  it('retries a batch whose write failed, and gives one up after its attempts, logged without payloads', async () => {
    const p = await connected('USD', 10_000);
    const scope = store.scoped(p.programId);
    let failures = 0;
    const calls: number[] = [];
    /** The real store, whose record writes fail while `failures` lasts. */
    const flaky: ShopifyStore = {
      shopifyShops: store.shopifyShops,
      scoped(programId) {
        const real = store.scoped(programId);
        const shopify: ShopifyRepository = Object.create(real.shopify);
        shopify.receiveMany = async (ws) => {
          calls.push(ws.length);
          if (failures > 0) {
            failures -= 1;
            throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
          }
          return real.shopify.receiveMany(ws);
        };
        return { shopify, program: real.program, orders: real.orders };
      },
    };
    const logged: { level: string; obj: unknown; msg: string }[] = [];
    const logger = {
      warn: (obj: unknown, msg: string) => logged.push({ level: 'warn', obj, msg }),
      error: (obj: unknown, msg: string) => logged.push({ level: 'error', obj, msg }),
    } as unknown as Pick<Logger, 'warn' | 'error'>;
    const records = new ShopifyDeliveryRecords(
      flaky,
      undefined,
      undefined,
      { attempts: 3, retryMs: 1 },
      logger,
    );
    const now = new Date();
    const row = (webhookId: string) => ({
      webhookId,
      topic: 'orders/paid',
      payload: null,
      receivedAt: now,
      processed: { result: 'applied' as const, detail: null, at: now },
    });

    failures = 2;
    records.later(p.programId, row('wh-retried-1'));
    records.later(p.programId, row('wh-retried-2'));
    await records.idle();
    expect(calls).toEqual([2, 2, 2]);
    expect(await scope.shopify.webhook('wh-retried-1')).toMatchObject({ result: 'applied' });
    expect(await scope.shopify.webhook('wh-retried-2')).toMatchObject({ result: 'applied' });
    expect(logged.map((l) => l.level)).toEqual(['warn', 'warn']);

    failures = 3;
    records.later(p.programId, row('wh-lost'));
    await records.close();
    expect(calls).toEqual([2, 2, 2, 1, 1, 1]);
    expect(await scope.shopify.webhook('wh-lost')).toBeNull();
    expect(logged.map((l) => l.level)).toEqual(['warn', 'warn', 'warn', 'warn', 'error']);
    expect(logged[4]?.obj).toEqual({
      programId: p.programId,
      records: 1,
      attempt: 3,
      code: 'ECONNRESET',
      message: 'Connection terminated unexpectedly',
    });

    // Bounded by count: a full batch is written at once, not after its (hour-long) delay.
    const counted = new ShopifyDeliveryRecords(flaky, undefined, undefined, {
      maxBatch: 2,
      delayMs: 3_600_000,
    });
    calls.length = 0;
    counted.later(p.programId, row('wh-counted-1'));
    expect(calls).toEqual([]);
    counted.later(p.programId, row('wh-counted-2'));
    expect(calls).toEqual([2]);
    await counted.idle();
    expect(await scope.shopify.webhook('wh-counted-2')).toMatchObject({ result: 'applied' });
  });
});

it('sent only GraphQL documents valid against Shopify’s published Admin schema', () => {
  const sent = shops.flatMap((s) => s.documents);
  expect(sent.length).toBeGreaterThan(20);
  const names = new Set(sent.map((d) => d.query.match(/^(?:query|mutation) (\w+)/)?.[1]));
  const connector = [
    'TierpassShop',
    'TierpassWebhookSubscriptions',
    'TierpassWebhookSubscriptionCreate',
    'TierpassWebhookSubscriptionUpdate',
    'TierpassWebhookSubscriptionDelete',
  ];
  // The write-back (decision 0045) runs after commits, so it may or may not have been sent yet.
  expect([...names].filter((n) => !connector.includes(n as string))).toEqual(
    names.has('TierpassCustomerWriteBack') ? ['TierpassCustomerWriteBack'] : [],
  );
  for (const n of connector) expect(names.has(n)).toBe(true);
  expect(sent.filter((d) => d.errors.length > 0)).toEqual([]);
});
