/**
 * Shopify segments end to end (docs/decisions/0048): the real app on its own PostgreSQL database,
 * the Shopify stand-in on a real socket (every document validated against the published Admin
 * schema, pages of one item, throttled calls), tiers with `segment` qualifications.
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
import { type ShopifyStandIn, startShopifyStandIn } from './shopify-stand-in.js';

let db: Awaited<ReturnType<typeof createTempDatabase>>;
let store: Store;
let built: ReturnType<typeof buildApp>;
let app: ReturnType<typeof buildApp>['app'];
const shops: ShopifyStandIn[] = [];
/** The app's clock runs this far ahead of the real one (the schedule test moves it). */
let ahead = 0;

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
    clock: { now: () => new Date(Date.now() + ahead) },
    logger: pino({ level: 'silent' }),
    adminToken: ADMIN_TOKEN,
    publicUrl: 'https://tierpass.example.com',
    secrets: new SecretBox([{ id: 't1', key: randomBytes(32) }]),
    shopify: { origin: byShop },
    // Pages of one: every member list is paginated; throttled calls wait 5 ms, then 10, ...
    shopifySegments: { pageSize: 1, throttleWaitMs: 5, everyMs: 60 * 60 * 1000 },
    rateLimits: { expensivePerProgram: 10_000, expensivePerClient: 10_000 },
  });
  app = built.app;
}, 120_000);

afterAll(async () => {
  await built.services.shopifySegments.idle();
  await Promise.all(shops.map((s) => s.close()));
  await store.close();
  await db.drop();
}, 120_000);

let shopSeq = 0;

/**
 * A program (continuous retention: a lost qualification drops the tier at once) with Bronze
 * (entry), Wholesale (a segment the shop lacks) and VIP (segment "VIP customers").
 */
async function connectedProgram() {
  shopSeq += 1;
  const shop = await startShopifyStandIn({ shop: `seg-${process.pid}-${shopSeq}.myshopify.com` });
  shops.push(shop);
  const { auth, programId } = await createProgram({ app }, { retention: { mode: 'continuous' } });
  await createTier({ app }, auth, { title: 'Bronze' });
  await createTier({ app }, auth, {
    title: 'Wholesale',
    qualifications: [{ type: 'segment', segment: 'Wholesale buyers' }],
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
  // Write-back (decision 0045) is tested on its own; here the shop sees only what this test sends.
  await request(app)
    .put('/v1/integrations/shopify/write-back')
    .set(auth)
    .send({ enabled: false })
    .expect(200);
  return { shop, auth, programId };
}

async function syncNow(auth: { Authorization: string }) {
  const started = await request(app).post('/v1/integrations/shopify/segments/sync').set(auth);
  expect(started.status).toBe(202);
  expect(started.body.sync).toMatchObject({ trigger: 'manual' });
  await built.services.shopifySegments.idle();
  const status = await request(app).get('/v1/integrations/shopify/segments').set(auth);
  expect(status.status).toBe(200);
  return status.body;
}

async function tierOf(auth: { Authorization: string }, id: string): Promise<string | null> {
  const res = await request(app).get(`/v1/customers/${id}`).set(auth);
  expect(res.status).toBe(200);
  return res.body.tier?.title ?? null;
}

async function upsert(auth: { Authorization: string }, id: string, body: Record<string, unknown> = {}) {
  const res = await request(app).put(`/v1/customers/${id}`).set(auth).send(body);
  expect([200, 201]).toContain(res.status);
  return res.body;
}

describe('segment qualifications from the shop', () => {
  it('puts members in the tier, removes former members on the next sync, re-evaluates only the changed', async () => {
    const { shop, auth } = await connectedProgram();
    await upsert(auth, '101', { email: 'a@example.com' });
    await upsert(auth, '102');
    await upsert(auth, '103');
    // A segment the merchant set through the API stays: the sync owns only the shop's segments.
    await upsert(auth, '104', { segments: ['newsletter'] });
    expect(await tierOf(auth, '101')).toBe('Bronze');

    shop.segments.set('VIP customers', ['101', '102', '104', '201']);
    shop.segments.set('Other segment', ['103']);
    shop.throttle(2);
    const first = await syncNow(auth);

    expect(first.sync).toMatchObject({
      state: 'done',
      error: null,
      progress: {
        percent: 100,
        segmentsTotal: 2,
        segmentsDone: 2,
        membersRead: 4,
        customersChanged: 4,
        customersEvaluated: 4,
      },
    });
    expect(first.warnings).toEqual(['The shop has no customer segment "Wholesale buyers"']);
    expect(first.sync.warnings).toEqual(first.warnings);
    expect(first.segments).toEqual([
      expect.objectContaining({
        label: 'Wholesale buyers',
        tiers: [expect.objectContaining({ title: 'Wholesale' })],
        found: false,
        memberCount: null,
      }),
      expect.objectContaining({
        label: 'VIP customers',
        tiers: [expect.objectContaining({ title: 'VIP' })],
        found: true,
        segmentId: shop.segmentId('VIP customers'),
        name: 'VIP customers',
        memberCount: 4,
        syncedAt: expect.any(String),
      }),
    ]);
    expect(await tierOf(auth, '101')).toBe('VIP');
    expect(await tierOf(auth, '102')).toBe('VIP');
    expect(await tierOf(auth, '103')).toBe('Bronze');
    // A member Tierpass did not know is created under the shop's customer id.
    expect(await tierOf(auth, '201')).toBe('VIP');
    const c104 = await request(app).get('/v1/customers/104').set(auth);
    expect(c104.body.segments.sort()).toEqual(['VIP customers', 'newsletter']);
    const c101 = await request(app).get('/v1/customers/101').set(auth);
    expect(c101.body.segments).toEqual(['VIP customers']);
    expect(c101.body.email).toBe('a@example.com');

    // Every document sent validated against the Admin schema; members were read page by page,
    // and the throttled calls were retried.
    const sent = shop.documents.filter((d) => d.query.includes('query TierpassSegment'));
    expect(sent.every((d) => d.errors.length === 0)).toBe(true);
    const memberPages = sent.filter((d) => d.query.includes('customerSegmentMembers'));
    expect(memberPages.length).toBe(4);
    // Two shop segments, a page each, after the two throttled calls.
    expect(sent.filter((d) => d.query.includes('segments(')).length).toBe(4);
    expect(memberPages.some((d) => typeof d.variables.after === 'string')).toBe(true);

    const before102 = (await request(app).get('/v1/customers/102').set(auth)).body;
    shop.segments.set('VIP customers', ['102', '103', '104', '201']);
    const second = await syncNow(auth);
    expect(second.sync.progress).toMatchObject({ customersChanged: 2, customersEvaluated: 2 });
    expect(await tierOf(auth, '101')).toBe('Bronze');
    expect(await tierOf(auth, '103')).toBe('VIP');
    expect(await tierOf(auth, '102')).toBe('VIP');
    // 102 stayed a member: not written, not re-evaluated.
    const after102 = (await request(app).get('/v1/customers/102').set(auth)).body;
    expect(after102.updatedAt).toBe(before102.updatedAt);
    const history101 = await request(app).get('/v1/customers/101/tier-history').set(auth);
    expect(history101.body.data.map((c: { toTier: { title: string } }) => c.toTier.title)).toEqual([
      'Bronze',
      'VIP',
      'Bronze',
    ]);

    // Nothing changed in the shop: nothing is re-evaluated.
    const third = await syncNow(auth);
    expect(third.sync.progress).toMatchObject({ customersChanged: 0, customersEvaluated: 0 });
  }, 120_000);

  it('resolves a segment named by its id and syncs on the schedule when due', async () => {
    const { shop, auth, programId } = await connectedProgram();
    shop.segments.set('VIP customers', ['301']);
    shop.segments.set('Wholesale buyers', []);
    const wholesaleId = shop.segmentId('Wholesale buyers');
    await createTier({ app }, auth, {
      title: 'Partner',
      qualifications: [{ type: 'segment', segment: wholesaleId }],
    });
    const first = await syncNow(auth);
    expect(first.warnings).toEqual([]);
    expect(first.segments.find((s: { label: string }) => s.label === wholesaleId)).toMatchObject({
      found: true,
      name: 'Wholesale buyers',
      memberCount: 0,
    });
    expect(await tierOf(auth, '301')).toBe('VIP');

    // Not due yet: the schedule leaves the program alone.
    shop.segments.set('VIP customers', ['302']);
    const segments = store.scoped(programId).shopifySegments;
    const manual = await segments.sync();
    await built.services.shopifySegments.syncDue();
    expect(await segments.sync()).toEqual(manual);
    // An hour later it syncs.
    ahead = 61 * 60 * 1000;
    try {
      await built.services.shopifySegments.syncDue();
    } finally {
      ahead = 0;
    }
    expect(await segments.sync()).toMatchObject({ state: 'done', trigger: 'schedule' });
    expect(await tierOf(auth, '301')).toBe('Bronze');
    expect(await tierOf(auth, '302')).toBe('VIP');
  }, 120_000);

  it('reports a shop that keeps throttling as a failed sync, changing nothing; 404 without a store', async () => {
    const { shop, auth } = await connectedProgram();
    await upsert(auth, '401');
    shop.segments.set('VIP customers', ['401']);
    shop.throttle(100);
    const failed = await syncNow(auth);
    expect(failed.sync).toMatchObject({ state: 'failed', error: 'shopify_throttled' });
    expect(await tierOf(auth, '401')).toBe('Bronze');
    expect(failed.segments.every((s: { found: boolean | null }) => s.found === null)).toBe(true);
    shop.throttle(0);
    const ok = await syncNow(auth);
    expect(ok.sync.state).toBe('done');
    expect(await tierOf(auth, '401')).toBe('VIP');

    const { auth: other } = await createProgram({ app });
    const none = await request(app).get('/v1/integrations/shopify/segments').set(other);
    expect(none.status).toBe(404);
    expect(none.body.error?.code ?? none.body.code).toBe('shopify_not_connected');
    const start = await request(app).post('/v1/integrations/shopify/segments/sync').set(other);
    expect(start.status).toBe(404);
  }, 120_000);
});
