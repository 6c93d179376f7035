/**
 * Write-back pacing (docs/decisions/0051) against a stand-in that keeps Shopify's cost bucket for
 * real (a leaky bucket of 40 points restored at 30 per second; a write-back mutation costs 30:
 * 10 per mutation field) and reports it in `extensions.cost` on every answer, as Shopify does.
 * A burst of customers changing at once: reacting to THROTTLED answers (the old behaviour) gets
 * throttled; pacing by the reported bucket writes every customer without a single THROTTLED.
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
import { orderPayload } from './payloads.js';
import { type ShopifyStandIn, signedWebhook, startShopifyStandIn } from './shopify-stand-in.js';

const BURST = 6;

describe.each([
  ['reacting to THROTTLED answers (pacing off)', false],
  ['pacing by the reported bucket', true],
])('write-back %s', (_name, pacing) => {
  let db: Awaited<ReturnType<typeof createTempDatabase>>;
  let store: Store;
  let built: ReturnType<typeof buildApp>;
  let shop: ShopifyStandIn;

  beforeAll(async () => {
    db = await createTempDatabase();
    store = await openStore({ databaseUrl: db.url, dataDir: 'memory://' });
    shop = await startShopifyStandIn({
      shop: `pace-${pacing ? 'on' : 'off'}-${process.pid}.myshopify.com`,
    });
    built = buildApp({
      store,
      clock: { now: () => new Date() },
      logger: pino({ level: process.env.TEST_LOG ?? 'silent' }),
      adminToken: ADMIN_TOKEN,
      publicUrl: 'https://tierpass.example.com',
      secrets: new SecretBox([{ id: 't1', key: randomBytes(32) }]),
      shopify: { origin: () => shop.origin, writeBackRetryBaseMs: 50, writeBackPacing: pacing },
      rateLimits: { expensivePerProgram: 10_000, expensivePerClient: 10_000 },
    });
  }, 120_000);

  afterAll(async () => {
    await built?.services.outbox.close();
    await shop?.close();
    await store?.close();
    await db?.drop();
  }, 120_000);

  it(`writes a burst of ${BURST} customers ${pacing ? 'without a THROTTLED answer' : 'and is throttled'}`, async () => {
    const { app } = built;
    const { auth } = await createProgram({ app }, { currency: 'USD', retention: { mode: 'lifetime' } });
    await createTier({ app }, auth, { title: 'Bronze', benefits: { tag: 'tp-bronze' } });
    await createTier({ app }, auth, {
      title: 'Silver',
      qualifications: [{ type: 'lifetimeSpend', minAmount: 10_000 }],
      benefits: { tag: 'tp-silver' },
    });
    const secret = `shpss_${randomBytes(16).toString('hex')}`;
    const res = await request(app)
      .put('/v1/integrations/shopify')
      .set(auth)
      .send({ shopDomain: shop.shop, accessToken: shop.accessToken, webhookSecret: secret });
    expect(res.status).toBe(200);
    const ids = Array.from({ length: BURST }, (_, i) => String(8100 + i));
    for (const id of ids) shop.customers.set(id, { tags: [], metafields: new Map() });
    // Connecting is not paced (one-off calls); the burst meets the small bucket, starting full.
    shop.setBucket({ maximumAvailable: 40, restoreRate: 30 });
    const before = shop.throttledAnswers;

    // Every customer pays at once: each commit queues a write-back and kicks the handler.
    await Promise.all(
      ids.map(async (id, i) => {
        const w = signedWebhook(
          secret,
          shop.shop,
          'orders/paid',
          orderPayload({ id: 81_000 + i, customer: { id: Number(id) }, currency: 'USD', subtotal: 12_000 }),
        );
        const r = await request(app).post('/shopify/webhooks').set(w.headers).send(w.body);
        expect(r.body.result).toBe('applied');
      }),
    );
    const written = () =>
      ids.every((id) => shop.customers.get(id)?.metafields.get('tierpass.tier')?.value === 'Silver');
    for (let i = 0; i < 1200 && !written(); i++) {
      await built.services.shopifyWriteBacks.dispatch();
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(written()).toBe(true);
    for (const id of ids) expect(shop.customers.get(id)?.tags).toEqual(['tp-silver']);
    const throttled = shop.throttledAnswers - before;
    if (pacing) expect(throttled).toBe(0);
    else expect(throttled).toBeGreaterThan(0);
    // Every document the handler sent was valid against the Admin schema.
    for (const d of shop.documents) expect(d.errors).toEqual([]);
  }, 120_000);
});
