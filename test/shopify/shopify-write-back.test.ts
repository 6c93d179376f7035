/**
 * The Shopify write-back end to end (docs/decisions/0045): live `orders/paid` webhooks move a
 * customer across tiers and the outbox handler writes the tier tags and metafields to a Shopify
 * stand-in on a real socket, which validates every document against the published Admin schema
 * and executes it. Writes are asynchronous (after the commit): the test waits for the shop's
 * state, never for a time.
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
import { dispatchUntil } from './write-back-wait.js';

let db: Awaited<ReturnType<typeof createTempDatabase>>;
let store: Store;
let built: ReturnType<typeof buildApp>;
const shops: ShopifyStandIn[] = [];

beforeAll(async () => {
  db = await createTempDatabase();
  store = await openStore({ databaseUrl: db.url, dataDir: 'memory://' });
  const byShop = (shop: string) => {
    const s = shops.find((x) => x.shop === shop);
    if (!s) throw new Error(`no stand-in for ${shop}`);
    return s.origin;
  };
  built = buildApp({
    store,
    clock: { now: () => new Date() },
    logger: pino({ level: process.env.TEST_LOG ?? 'silent' }),
    adminToken: ADMIN_TOKEN,
    publicUrl: 'https://tierpass.example.com',
    secrets: new SecretBox([{ id: 't1', key: randomBytes(32) }]),
    shopify: { origin: byShop, writeBackRetryBaseMs: 50 },
    rateLimits: { expensivePerProgram: 10_000, expensivePerClient: 10_000 },
  });
}, 120_000);

afterAll(async () => {
  await built.services.outbox.close();
  await Promise.all(shops.map((s) => s.close()));
  await store.close();
  await db.drop();
}, 120_000);

let seq = 0;

/** A program with Bronze, Silver and Gold (tier tags `tp-bronze`, …) connected to a new stand-in. */
async function connected(program: Record<string, unknown>, silver: unknown[], gold: unknown[]) {
  seq += 1;
  const shop = await startShopifyStandIn({ shop: `wb-${process.pid}-${seq}.myshopify.com` });
  shops.push(shop);
  const { app } = built;
  const { auth } = await createProgram({ app }, { currency: 'USD', ...program });
  await createTier({ app }, auth, { title: 'Bronze', benefits: { tag: 'tp-bronze' } });
  await createTier({ app }, auth, {
    title: 'Silver',
    qualifications: silver,
    benefits: { tag: 'tp-silver' },
  });
  await createTier({ app }, auth, { title: 'Gold', qualifications: gold, benefits: { tag: 'tp-gold' } });
  const secret = `shpss_${randomBytes(16).toString('hex')}`;
  const res = await request(app)
    .put('/v1/integrations/shopify')
    .set(auth)
    .send({ shopDomain: shop.shop, accessToken: shop.accessToken, webhookSecret: secret });
  expect(res.status).toBe(200);
  let orderId = 50_000;
  const pay = async (customerId: number, subtotal: number, processedAt?: string) => {
    orderId += 1;
    const w = signedWebhook(
      secret,
      shop.shop,
      'orders/paid',
      orderPayload({ id: orderId, customer: { id: customerId }, currency: 'USD', subtotal, processedAt }),
    );
    const r = await request(app).post('/shopify/webhooks').set(w.headers).send(w.body);
    expect(r.body.result).toBe('applied');
  };
  return { shop, auth, pay };
}

const until = (done: () => boolean, what: string) =>
  dispatchUntil(built.services.shopifyWriteBacks, done, what);

const tierOf = (shop: ShopifyStandIn, id: string) =>
  shop.customers.get(id)?.metafields.get('tierpass.tier')?.value;

describe('Shopify write-back', () => {
  it('writes tier tags and metafields in order, removes the old tier tag, keeps the merchant’s tags, and retries throttling', async () => {
    const { shop, auth, pay } = await connected(
      { retention: { mode: 'lifetime' } },
      [{ type: 'lifetimeSpend', minAmount: 10_000 }],
      [{ type: 'lifetimeSpend', minAmount: 30_000 }],
    );
    shop.customers.set('7101', { tags: ['VIP', 'wholesale'], metafields: new Map() });

    await pay(7101, 6000);
    const points = (id: string) => shop.customers.get(id)?.metafields.get('tierpass.points')?.value;
    // The customer is created from the order, then the order earns: the shop ends at the latest state.
    await until(() => tierOf(shop, '7101') === 'Bronze' && points('7101') === '600', 'Bronze written');
    expect(shop.customers.get('7101')?.tags).toEqual(['VIP', 'wholesale', 'tp-bronze']);
    const bronze = shop.customers.get('7101')?.metafields;
    expect(bronze?.get('tierpass.points')).toEqual({ type: 'number_integer', value: '600' });
    expect(bronze?.get('tierpass.next_tier')).toEqual({ type: 'single_line_text_field', value: 'Silver' });
    expect(bronze?.get('tierpass.progress')?.value).toBe('$40.00 to Silver');

    // Throttled twice (Shopify's cost error), then a 429 with Retry-After: retried, and it lands.
    shop.throttle(2);
    await pay(7101, 5000);
    await until(() => points('7101') === '1100', 'Silver written after throttling');
    expect(tierOf(shop, '7101')).toBe('Silver');
    expect(shop.customers.get('7101')?.tags).toEqual(['VIP', 'wholesale', 'tp-silver']);
    shop.tooManyRequests(1, 1);
    await pay(7101, 20_000);
    await until(() => points('7101') === '3100', 'Gold written after a 429');
    expect(tierOf(shop, '7101')).toBe('Gold');
    const gold = shop.customers.get('7101');
    expect(gold?.tags).toEqual(['VIP', 'wholesale', 'tp-gold']);
    expect(gold?.metafields.get('tierpass.points')?.value).toBe('3100');
    expect(gold?.metafields.get('tierpass.next_tier')?.value).toBe('none');

    // In order: the shop saw Bronze, then Silver, then Gold, never an older state after a newer one.
    const seen = shop.customerWrites
      .filter((w) => w.customerId === '7101')
      .map((w) => w.metafields['tierpass.tier']);
    expect(seen.filter((t, i) => t !== seen[i - 1])).toEqual(['Bronze', 'Silver', 'Gold']);
    const written = shop.customerWrites.map((w) => Number(w.metafields['tierpass.points']));
    expect(written).toEqual([...written].sort((a, b) => a - b));
    // The two THROTTLED answers were write-back documents the shop refused, then sent again.
    const sent = shop.documents.filter((d) => d.query.includes('TierpassCustomerWriteBack')).length;
    expect(sent - shop.customerWrites.length).toBeGreaterThanOrEqual(2);
    // Every document sent validated against the Admin schema.
    expect(shop.documents.flatMap((d) => d.errors)).toEqual([]);
    expect(shop.documents.some((d) => d.query.includes('TierpassCustomerWriteBack'))).toBe(true);

    const status = await request(built.app).get('/v1/integrations/shopify/write-back').set(auth);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ enabled: true, failed: 0, lastError: null });
    expect(status.body.synced).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('records a customer the shop does not know as a visible failure, and writes nothing when turned off', async () => {
    const { shop, auth, pay } = await connected(
      { retention: { mode: 'lifetime' } },
      [{ type: 'lifetimeSpend', minAmount: 10_000 }],
      [{ type: 'lifetimeSpend', minAmount: 30_000 }],
    );
    await pay(7201, 6000);
    await until(() => shop.documents.some((d) => d.query.includes('TierpassCustomerWriteBack')), 'a write');
    let status = await request(built.app).get('/v1/integrations/shopify/write-back').set(auth);
    for (let i = 0; i < 200 && status.body.failed === 0; i++) {
      await built.services.shopifyWriteBacks.dispatch();
      status = await request(built.app).get('/v1/integrations/shopify/write-back').set(auth);
    }
    expect(status.body.failed).toBeGreaterThanOrEqual(1);
    expect(status.body).toMatchObject({
      synced: 0,
      lastError: { code: 'shopify_customer_not_found' },
    });

    const off = await request(built.app)
      .put('/v1/integrations/shopify/write-back')
      .set(auth)
      .send({ enabled: false });
    expect(off.status).toBe(200);
    expect(off.body.enabled).toBe(false);
    shop.customers.set('7202', { tags: [], metafields: new Map() });
    await pay(7202, 6000);
    await built.services.shopifyWriteBacks.dispatch();
    // Nothing about 7202 reaches the shop (7201's second row may still be written meanwhile:
    // it was queued, and postponed while its first row was in flight, before the switch).
    const about7202 = shop.documents.filter((d) => d.variables.id === 'gid://shopify/Customer/7202');
    expect(about7202).toEqual([]);
    expect(shop.customers.get('7202')?.tags).toEqual([]);
    const bad = await request(built.app)
      .put('/v1/integrations/shopify/write-back')
      .set(auth)
      .send({ enabled: 'yes' });
    expect(bad.status).toBe(400);
  }, 120_000);

  it('writes back a demotion at a cycle boundary', async () => {
    const { shop, auth, pay } = await connected(
      {
        mode: 'test',
        clockStart: '2026-01-05T00:00:00Z',
        retention: { mode: 'cycle', cycle: { every: 'P1M', anchor: '2026-01-01' } },
      },
      [{ type: 'carryPoints', minPoints: 500 }],
      [{ type: 'carryPoints', minPoints: 100_000 }],
    );
    shop.customers.set('7301', { tags: ['newsletter'], metafields: new Map() });
    await pay(7301, 6000, '2026-01-05T00:00:00Z');
    await until(() => tierOf(shop, '7301') === 'Silver', 'Silver written');
    expect(shop.customers.get('7301')?.tags).toEqual(['newsletter', 'tp-silver']);

    // Two boundaries: January's carry keeps Silver at 1 February, an empty February loses it at 1 March.
    const advanced = await request(built.app)
      .post('/v1/test-clock/advance')
      .set(auth)
      .send({ to: '2026-03-02T00:00:00Z' });
    expect(advanced.status).toBe(200);
    const c = await request(built.app).get('/v1/customers/7301').set(auth);
    expect(c.body.tier.title).toBe('Bronze');
    await until(() => tierOf(shop, '7301') === 'Bronze', 'the demotion written');
    expect(shop.customers.get('7301')?.tags).toEqual(['newsletter', 'tp-bronze']);
    expect(shop.documents.flatMap((d) => d.errors)).toEqual([]);
  }, 120_000);
});
