/**
 * A merchant's whole Shopify journey in one test (issue 14, "End to end"): connect a store with
 * history, backfill it, live orders and a refund move the customer across tiers, the tier tag and
 * metafields reach the shop in order (a throttled write-back retried on the way), and a
 * redaction removes the customer's email and name everywhere. The real app on its own
 * PostgreSQL database; the Shopify stand-in on a real socket validates every document against
 * the published Admin schema.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import request from 'supertest';
import { buildApp } from '../../src/app.js';
import { SecretBox } from '../../src/integrations/secrets/secret-box.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/port.js';
import { ADMIN_TOKEN, createProgram, createTier } from '../support/harness.js';
import { rowsMentioning as mentioning } from '../support/rows-mentioning.js';
import { createTempDatabase } from '../support/temp-db.js';
import { customersRedactPayload, historyOrder, orderPayload, refundPayload } from './payloads.js';
import {
  type ShopifyStandIn,
  type StandInCustomer,
  signedWebhook,
  startShopifyStandIn,
} from './shopify-stand-in.js';
import { dispatchUntil } from './write-back-wait.js';

let db: Awaited<ReturnType<typeof createTempDatabase>>;
let sql: pg.Client;
let store: Store;
let shop: ShopifyStandIn;
let built: ReturnType<typeof buildApp>;

beforeAll(async () => {
  db = await createTempDatabase();
  store = await openStore({ databaseUrl: db.url, dataDir: 'memory://' });
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  shop = await startShopifyStandIn({ shop: `journey-${process.pid}.myshopify.com`, currency: 'USD' });
  built = buildApp({
    store,
    clock: { now: () => new Date() },
    logger: pino({ level: process.env.TEST_LOG ?? 'silent' }),
    adminToken: ADMIN_TOKEN,
    publicUrl: 'https://tierpass.example.com',
    secrets: new SecretBox([{ id: 't1', key: randomBytes(32) }]),
    shopify: { origin: () => shop.origin, writeBackRetryBaseMs: 50 },
    shopifyBackfill: { leaseMs: 30_000, retryBaseMs: 20 },
    rateLimits: { expensivePerProgram: 10_000, expensivePerClient: 10_000 },
  });
}, 120_000);

afterAll(async () => {
  await built.services.shopifyBackfill.idle();
  await built.services.outbox.close();
  await shop.close();
  await sql?.end();
  await store.close();
  await db.drop();
}, 120_000);

const rowsMentioning = (needle: string) => mentioning(sql, needle);

const until = (done: () => boolean, what: string) =>
  dispatchUntil(built.services.shopifyWriteBacks, done, what);

it('connect, backfill, live orders and a refund across tiers, write-back in order, redaction', async () => {
  const { app } = built;
  const { auth } = await createProgram({ app }, { currency: 'USD', retention: { mode: 'continuous' } });
  await createTier({ app }, auth, { title: 'Bronze', benefits: { tag: 'tp-bronze' } });
  await createTier({ app }, auth, {
    title: 'Silver',
    qualifications: [{ type: 'lifetimeSpend', minAmount: 10_000 }],
    benefits: { tag: 'tp-silver' },
  });
  await createTier({ app }, auth, {
    title: 'Gold',
    qualifications: [{ type: 'lifetimeSpend', minAmount: 30_000 }],
    benefits: { tag: 'tp-gold' },
  });

  // The shop before install: Marisol has spent $150 since February, and carries the merchant's tag.
  const email = `marisol.journey.${process.pid}@example.com`;
  const marisol: StandInCustomer = {
    legacyResourceId: '9501',
    email,
    firstName: 'Marisol',
    lastName: 'Oyelaran',
    tags: ['VIP'],
    updatedAt: '2026-01-10T00:00:00Z',
  };
  shop.history.customers.push(marisol);
  shop.history.orders.push(
    historyOrder('6101', marisol, 'USD', 9_000, '2026-02-01T10:00:00Z'),
    historyOrder('6102', marisol, 'USD', 6_000, '2026-03-01T10:00:00Z'),
  );
  shop.customers.set('9501', { tags: ['VIP'], metafields: new Map() });

  // 1. Connect: credentials checked, webhooks registered, no secret returned.
  const secret = `shpss_${randomBytes(16).toString('hex')}`;
  const connected = await request(app)
    .put('/v1/integrations/shopify')
    .set(auth)
    .send({ shopDomain: shop.shop, accessToken: shop.accessToken, webhookSecret: secret });
  expect(connected.status).toBe(200);
  expect(JSON.stringify(connected.body)).not.toContain(secret);
  expect(JSON.stringify(connected.body)).not.toContain(shop.accessToken);

  // 2. Backfill: the history lands her in Silver.
  const started = await request(app)
    .post('/v1/integrations/shopify/backfill')
    .set(auth)
    .send({ since: '2026-01-01T00:00:00Z' });
  expect(started.status).toBe(202);
  await built.services.shopifyBackfill.idle();
  const backfill = await request(app).get('/v1/integrations/shopify/backfill').set(auth);
  expect(backfill.body).toMatchObject({ state: 'done', progress: 1, orders: { done: 2 } });
  const customer = async () => (await request(app).get('/v1/customers/9501').set(auth)).body;
  expect(await customer()).toMatchObject({
    email,
    name: 'Marisol Oyelaran',
    balances: { lifetimeSpend: 15_000 },
    tier: { title: 'Silver' },
  });
  const tierAtShop = () => shop.customers.get('9501')?.metafields.get('tierpass.tier')?.value;
  await until(() => tierAtShop() === 'Silver', 'Silver written after the backfill');
  expect(shop.customers.get('9501')?.tags).toEqual(['VIP', 'tp-silver']);

  // 3. A live order (the write-back throttled once on the way) makes her Gold.
  const send = (topic: string, payload: unknown) => {
    // As the shop sends it to Tierpass's subscription: only the fields asked for (decision 0055).
    const w = signedWebhook(secret, shop.shop, topic, shop.sentAs(topic, payload));
    return request(app).post('/shopify/webhooks').set(w.headers).send(w.body);
  };
  shop.throttle(1);
  const paid = await send(
    'orders/paid',
    orderPayload({ id: 6201, customer: { id: 9501, email }, currency: 'USD', subtotal: 20_000 }),
  );
  expect(paid.body.result).toBe('applied');
  expect((await customer()).tier.title).toBe('Gold');
  await until(() => tierAtShop() === 'Gold', 'Gold written after a throttled attempt');
  expect(shop.customers.get('9501')?.tags).toEqual(['VIP', 'tp-gold']);

  // 4. A partial refund of that order's merchandise takes her back to Silver.
  const refunded = await send(
    'refunds/create',
    refundPayload({ id: 6301, orderId: 6201, currency: 'USD', lines: [15_000] }),
  );
  expect(refunded.body.result).toBe('applied');
  expect(await customer()).toMatchObject({ balances: { lifetimeSpend: 20_000 }, tier: { title: 'Silver' } });
  await until(() => tierAtShop() === 'Silver', 'Silver written after the refund');
  expect(shop.customers.get('9501')?.tags).toEqual(['VIP', 'tp-silver']);
  expect(shop.customers.get('9501')?.metafields.get('tierpass.points')?.value).toBe(
    String((await customer()).balances.current),
  );

  // In order, never an older state after a newer one: (Bronze, while the backfill applied her
  // first order,) Silver, Gold, Silver; the throttled document was sent again.
  const seen = shop.customerWrites
    .filter((w) => w.customerId === '9501')
    .map((w) => w.metafields['tierpass.tier']);
  const changes = seen.filter((t, i) => t !== seen[i - 1]).join(' > ');
  expect(['Bronze > Silver > Gold > Silver', 'Silver > Gold > Silver']).toContain(changes);
  const sent = shop.documents.filter((d) => d.query.includes('TierpassCustomerWriteBack')).length;
  expect(sent).toBeGreaterThan(shop.customerWrites.length);

  // 5. The shop asks for her redaction: her email and name are gone everywhere; amounts stay.
  expect(Object.keys(await rowsMentioning(email)).length).toBeGreaterThan(0);
  const before = await customer();
  const redacted = await send(
    'customers/redact',
    customersRedactPayload({ shop: shop.shop, customer: { id: 9501, email }, orders: [6101, 6102, 6201] }),
  );
  expect(redacted.body).toMatchObject({ received: true, result: 'applied' });
  expect(await customer()).toMatchObject({
    email: null,
    name: null,
    balances: before.balances,
    tier: { title: 'Silver' },
  });
  expect(await rowsMentioning(email)).toEqual({});
  expect(await rowsMentioning('Marisol')).toEqual({});
  expect(await rowsMentioning('Oyelaran')).toEqual({});

  // Every document Tierpass sent validated against the Admin schema.
  expect(shop.documents.flatMap((d) => d.errors)).toEqual([]);
}, 240_000);
