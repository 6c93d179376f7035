/**
 * The Agenda job `tierpass:shopify-pending` (docs/decisions/0051): the real scheduler on the
 * application's PostgreSQL database sweeps every program with a Shopify connection and applies
 * what was stranded between storage and effect — an `orders/paid` delivery stored but never
 * applied, and a privacy request still `recorded` — without any webhook arriving again.
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import request from 'supertest';
import { buildApp } from '../../src/app.js';
import { SecretBox } from '../../src/integrations/secrets/secret-box.js';
import { type Scheduler, startScheduler } from '../../src/jobs/scheduler.js';
import { openDatabase } from '../../src/store/open-store.js';
import { ADMIN_TOKEN, createProgram, createTier } from '../support/harness.js';
import { createTempDatabase } from '../support/temp-db.js';
import { customersRedactPayload, orderPayload } from './payloads.js';
import { type ShopifyStandIn, startShopifyStandIn } from './shopify-stand-in.js';

let temp: Awaited<ReturnType<typeof createTempDatabase>>;
let db: Awaited<ReturnType<typeof openDatabase>>;
let built: ReturnType<typeof buildApp>;
let shop: ShopifyStandIn;
let scheduler: Scheduler | undefined;
const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });

beforeAll(async () => {
  temp = await createTempDatabase();
  db = await openDatabase({ databaseUrl: temp.url, dataDir: 'memory://' });
  shop = await startShopifyStandIn({ shop: `pending-${process.pid}.myshopify.com`, currency: 'USD' });
  built = buildApp({
    store: db.store,
    clock: { now: () => new Date() },
    logger,
    adminToken: ADMIN_TOKEN,
    publicUrl: 'https://tierpass.example.com',
    secrets: new SecretBox([{ id: 't1', key: randomBytes(32) }]),
    shopify: { origin: () => shop.origin },
    rateLimits: { expensivePerProgram: 10_000, expensivePerClient: 10_000 },
  });
}, 120_000);

afterAll(async () => {
  await scheduler?.stop();
  await built?.services.outbox.close();
  await shop?.close();
  await db?.store.close();
  await temp?.drop();
}, 120_000);

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

it('applies a stored-but-unapplied order and a recorded privacy request with no redelivery', async () => {
  const { app } = built;
  const { auth, programId } = await createProgram(
    { app },
    { currency: 'USD', retention: { mode: 'lifetime' } },
  );
  await createTier({ app }, auth, { title: 'Bronze' });
  await createTier({ app }, auth, {
    title: 'Silver',
    qualifications: [{ type: 'lifetimeSpend', minAmount: 10_000 }],
  });
  const connected = await request(app)
    .put('/v1/integrations/shopify')
    .set(auth)
    .send({
      shopDomain: shop.shop,
      accessToken: shop.accessToken,
      webhookSecret: `shpss_${randomBytes(16).toString('hex')}`,
    });
  expect(connected.status).toBe(200);
  await request(app)
    .put('/v1/customers/7702')
    .set(auth)
    .send({ email: 'ro@example.com', name: 'Roosa Tamm' })
    .expect(201);

  // Stranded: a delivery stored without being applied (the process stopped between the two)
  // and an erasure request recorded whose operation never ran.
  const scope = db.store.scoped(programId);
  const now = new Date();
  await scope.shopify.receive({
    webhookId: 'wh-stranded-order',
    topic: 'orders/paid',
    payload: orderPayload({
      id: 88_001,
      customer: { id: 7701, email: 'pa@example.com' },
      currency: 'USD',
      subtotal: 12_000,
    }),
    receivedAt: now,
  });
  await scope.shopify.receive({
    webhookId: 'wh-stranded-redact',
    topic: 'customers/redact',
    payload: customersRedactPayload({ shop: shop.shop, customer: { id: 7702, email: 'ro@example.com' } }),
    receivedAt: now,
    processed: { result: 'recorded', detail: null, at: now },
  });
  expect((await request(app).get('/v1/customers/7701').set(auth)).status).toBe(404);

  scheduler = await startScheduler(
    db.agendaPool,
    {
      store: db.store,
      scheduling: built.services.scheduling,
      clock: { now: () => new Date() },
      logger,
      shopifyPending: built.services.shopifyPending,
    },
    { processEveryMs: 200, tickEveryMs: 60_000, lockLifetimeMs: 2000, name: 'pending-test' },
  );

  const applied = await until(async () => {
    const order = await scope.shopify.webhook('wh-stranded-order');
    const redact = await scope.shopify.webhook('wh-stranded-redact');
    return order?.result === 'applied' && redact?.result === 'applied';
  }, 60_000);
  expect(applied).toBe(true);
  const earned = await request(app).get('/v1/customers/7701').set(auth);
  expect(earned.status).toBe(200);
  expect(earned.body.tier?.title).toBe('Silver');
  const erased = await request(app).get('/v1/customers/7702').set(auth);
  expect(erased.body.email).toBeNull();
  // Nothing is left for a later sweep.
  expect(await scope.shopify.pending(10)).toEqual([]);
  expect(await scope.shopify.recorded(10)).toEqual([]);
}, 120_000);
