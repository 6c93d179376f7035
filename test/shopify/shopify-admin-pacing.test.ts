/**
 * The backfill's and the segment sync's Admin calls paced by the shop's cost bucket, shared with
 * the write-back (docs/decisions/0051, amendment): the real app on its own PostgreSQL database
 * and a stand-in shop on a real socket keeping Shopify's leaky bucket for real (1,000 points,
 * restored at 1,000 per second; an orders page costs 902, a customers or members page of 250
 * 752, a refund's line items 503, a write-back 30). The same runs without the admin pacing (the
 * behaviour before: react to THROTTLED answers) are throttled; paced, not once.
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import request from 'supertest';
import { buildApp } from '../../src/app.js';
import { SecretBox } from '../../src/integrations/secrets/secret-box.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/port.js';
import { ADMIN_TOKEN, createProgram, createTier } from '../support/harness.js';
import { createTempDatabase } from '../support/temp-db.js';
import { decimal, historyOrder } from './payloads.js';
import { type ShopifyStandIn, type StandInCustomer, startShopifyStandIn } from './shopify-stand-in.js';
import { dispatchUntil } from './write-back-wait.js';

const BUCKET = { maximumAvailable: 1_000, restoreRate: 1_000 };

const person = (id: string): StandInCustomer => ({
  legacyResourceId: id,
  email: `c${id}@example.com`,
  firstName: 'Ada',
  lastName: `N${id}`,
  tags: [],
  updatedAt: '2026-01-10T00:00:00Z',
});

describe.each([
  ['reacting to THROTTLED answers (admin pacing off)', false],
  ['paced by the shared bucket', true],
])('Admin reads %s', (_name, pacing) => {
  let db: Awaited<ReturnType<typeof createTempDatabase>>;
  let store: Store;
  let built: ReturnType<typeof buildApp>;
  const shops: ShopifyStandIn[] = [];

  beforeAll(async () => {
    db = await createTempDatabase();
    store = await openStore({ databaseUrl: db.url, dataDir: 'memory://' });
    built = buildApp({
      store,
      clock: { now: () => new Date() },
      logger: pino({ level: process.env.TEST_LOG ?? 'silent' }),
      adminToken: ADMIN_TOKEN,
      publicUrl: 'https://tierpass.example.com',
      secrets: new SecretBox([{ id: 't1', key: randomBytes(32) }]),
      shopify: {
        origin: (shop) => shops.find((s) => s.shop === shop)?.origin ?? 'http://127.0.0.1:9',
        adminPacing: pacing,
        writeBackRetryBaseMs: 50,
      },
      shopifyBackfill: { retryBaseMs: 20, bulkPollMs: 20 },
      // Throttled calls wait 50 ms, doubling: enough for the unpaced sync to end done too.
      shopifySegments: { pageSize: 250, throttleWaitMs: 50 },
      rateLimits: { expensivePerProgram: 10_000, expensivePerClient: 10_000 },
    });
  }, 120_000);

  afterAll(async () => {
    await built?.services.shopifyBackfill.idle();
    await built?.services.shopifySegments.idle();
    await built?.services.outbox.close();
    await Promise.all(shops.map((s) => s.close()));
    await store?.close();
    await db?.drop();
  }, 120_000);

  let seq = 0;
  /** A program connected to a fresh stand-in; its small bucket set once connected. */
  async function connected(writeBack: boolean) {
    seq += 1;
    const shop = await startShopifyStandIn({
      shop: `pace-${pacing ? 'on' : 'off'}-${seq}-${process.pid}.myshopify.com`,
    });
    shops.push(shop);
    const { app } = built;
    const { auth } = await createProgram({ app }, { currency: 'USD', retention: { mode: 'continuous' } });
    await createTier({ app }, auth, { title: 'Bronze', benefits: { tag: 'tp-bronze' } });
    await createTier({ app }, auth, {
      title: 'Silver',
      qualifications: [{ type: 'lifetimeSpend', minAmount: 10_000 }],
      benefits: { tag: 'tp-silver' },
    });
    await createTier({ app }, auth, {
      title: 'VIP',
      qualifications: [{ type: 'segment', segment: 'VIP customers' }],
    });
    const res = await request(app)
      .put('/v1/integrations/shopify')
      .set(auth)
      .send({
        shopDomain: shop.shop,
        accessToken: shop.accessToken,
        webhookSecret: `shpss_${randomBytes(16).toString('hex')}`,
      });
    expect(res.status).toBe(200);
    await request(app)
      .put('/v1/integrations/shopify/write-back')
      .set(auth)
      .send({ enabled: writeBack })
      .expect(200);
    shop.setBucket(BUCKET);
    return { shop, auth };
  }

  /** 30 customers (one page) and 120 paid orders (four pages), six of them partly refunded. */
  function history(shop: ShopifyStandIn): StandInCustomer[] {
    const people = Array.from({ length: 30 }, (_, i) => person(String(9_300 + i)));
    shop.history.customers.push(...people);
    for (let i = 0; i < 120; i++) {
      const who = people[i % people.length] as StandInCustomer;
      const at = new Date(Date.UTC(2026, 1, 1) + i * 3_600_000).toISOString();
      shop.history.orders.push(
        historyOrder(String(70_000 + i), who, 'USD', 3_000, at, {
          ...(i % 20 === 0
            ? {
                displayFinancialStatus: 'PARTIALLY_REFUNDED',
                refunds: [{ legacyResourceId: String(71_000 + i), lines: [decimal(500, 'USD')] }],
              }
            : {}),
        }),
      );
    }
    return people;
  }

  async function backfill(auth: { Authorization: string }, mode?: 'bulk') {
    const started = await request(built.app)
      .post('/v1/integrations/shopify/backfill')
      .set(auth)
      .send({ since: '2026-01-01T00:00:00Z', ...(mode ? { mode } : {}) });
    expect(started.status).toBe(202);
    await built.services.shopifyBackfill.idle();
    return (await request(built.app).get('/v1/integrations/shopify/backfill').set(auth)).body;
  }

  function valid(shop: ShopifyStandIn) {
    for (const d of shop.documents) expect(d.errors).toEqual([]);
    expect(shop.maxCostRefusals).toBe(0);
  }

  it(`backfills a shop with a 1,000-point bucket ${pacing ? 'without a THROTTLED answer' : 'and is throttled'}`, async () => {
    const { shop, auth } = await connected(false);
    history(shop);
    const before = shop.throttledAnswers;
    const done = await backfill(auth);
    expect(done).toMatchObject({
      state: 'done',
      customers: { done: 30 },
      orders: { done: 120, skipped: 0 },
      refunds: { done: 6 },
      errors: { count: 0 },
    });
    const throttled = shop.throttledAnswers - before;
    if (pacing) expect(throttled).toBe(0);
    else expect(throttled).toBeGreaterThan(0);
    valid(shop);
  }, 120_000);

  it(`backfills through a bulk export with a 1,000-point bucket ${pacing ? 'without a THROTTLED answer' : 'and is throttled'}`, async () => {
    const { shop, auth } = await connected(false);
    history(shop);
    const before = shop.throttledAnswers;
    const done = await backfill(auth, 'bulk');
    expect(done).toMatchObject({
      state: 'done',
      customers: { done: 30 },
      orders: { done: 120, skipped: 0, mode: 'bulk' },
      refunds: { done: 6 },
      errors: { count: 0 },
    });
    // One export read once; its run and polls take the bucket too (a few points each), the refund
    // reads (503 points requested each) are what throttles an unpaced run.
    expect(shop.bulk).toMatchObject({ runs: 1, downloads: 1 });
    const throttled = shop.throttledAnswers - before;
    if (pacing) expect(throttled).toBe(0);
    else expect(throttled).toBeGreaterThan(0);
    valid(shop);
  }, 120_000);

  it(`syncs a segment of 600 members in pages of 250 ${pacing ? 'without a THROTTLED answer' : 'and is throttled'}`, async () => {
    const { shop, auth } = await connected(false);
    const members = Array.from({ length: 600 }, (_, i) => String(40_000 + i));
    shop.segments.set('VIP customers', members);
    const before = shop.throttledAnswers;
    const started = await request(built.app).post('/v1/integrations/shopify/segments/sync').set(auth);
    expect(started.status).toBe(202);
    await built.services.shopifySegments.idle();
    const status = await request(built.app).get('/v1/integrations/shopify/segments').set(auth);
    expect(status.body.sync).toMatchObject({
      state: 'done',
      progress: { membersRead: 600, customersChanged: 600, customersEvaluated: 600 },
    });
    const throttled = shop.throttledAnswers - before;
    if (pacing) expect(throttled).toBe(0);
    else expect(throttled).toBeGreaterThan(0);
    valid(shop);
  }, 120_000);

  it(`backfills while the same shop's customers are written back ${pacing ? 'without a THROTTLED answer' : 'and is throttled'}`, async () => {
    const { shop, auth } = await connected(true);
    const people = history(shop);
    // Every customer exists in the shop: each placement and promotion is written back to it,
    // from the outbox, while the backfill reads the next pages.
    for (const p of people) shop.customers.set(p.legacyResourceId, { tags: [], metafields: new Map() });
    const before = shop.throttledAnswers;
    const done = await backfill(auth);
    expect(done).toMatchObject({ state: 'done', orders: { done: 120 }, errors: { count: 0 } });
    // Four orders of $30 (less a $5 refund for some): every customer is Silver in the end.
    const silver = () =>
      people.every(
        (p) => shop.customers.get(p.legacyResourceId)?.metafields.get('tierpass.tier')?.value === 'Silver',
      );
    await dispatchUntil(built.services.shopifyWriteBacks, silver, 'every customer written back Silver');
    for (const p of people) expect(shop.customers.get(p.legacyResourceId)?.tags).toEqual(['tp-silver']);
    const writes = shop.documents.filter((d) => d.query.includes('mutation TierpassCustomerWriteBack'));
    expect(writes.length).toBeGreaterThanOrEqual(people.length);
    const throttled = shop.throttledAnswers - before;
    if (pacing) expect(throttled).toBe(0);
    else expect(throttled).toBeGreaterThan(0);
    valid(shop);
  }, 120_000);
});
