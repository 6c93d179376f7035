/**
 * The Shopify history backfill's orders phase through a bulk operation (docs/decisions/0046,
 * amendment "Bulk operations"), end to end: the real app on its own PostgreSQL database, a
 * stand-in shop on a real socket running the bulk query (validated against the Admin schema and
 * Shopify's bulk rules), polled until it completes, its JSONL export downloaded from the same
 * socket; live webhooks meanwhile; a worker stopped in the middle of the file and resumed.
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import request from 'supertest';
import { buildApp } from '../../src/app.js';
import { bulkCursor } from '../../src/features/shopify/shopify-backfill-bulk.js';
import { SecretBox } from '../../src/integrations/secrets/secret-box.js';
import { BULK_ORDER_PAGE } from '../../src/integrations/shopify/admin-bulk.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/port.js';
import type { ShopifyBackfillRecord } from '../../src/store/shopify-backfill-port.js';
import { ADMIN_TOKEN, createProgram, createTier } from '../support/harness.js';
import { createTempDatabase } from '../support/temp-db.js';
import { historyOrder as order, orderPayload } from './payloads.js';
import {
  type ShopifyStandIn,
  type StandInCustomer,
  type StandInOrder,
  signedWebhook,
  startShopifyStandIn,
} from './shopify-stand-in.js';

let db: Awaited<ReturnType<typeof createTempDatabase>>;
let store: Store;
const shops: ShopifyStandIn[] = [];
const secrets = new SecretBox([{ id: 't1', key: randomBytes(32) }]);
let afterPage: ((b: ShopifyBackfillRecord) => Promise<void>) | undefined;

const byShop = (shop: string) => {
  const s = shops.find((x) => x.shop === shop);
  if (!s) throw new Error(`no stand-in for ${shop}`);
  return s.origin;
};

type Mode = 'auto' | 'paged' | 'bulk';

/**
 * The app as a process would build it, reading orders `mode`; `skewMs` moves its clock;
 * `idleMs`: how long a silent download is waited for (the default 60 s unless given).
 */
function build(mode: Mode, skewMs = 0, idleMs?: number) {
  return buildApp({
    store,
    clock: { now: () => new Date(Date.now() + skewMs) },
    logger: pino({ level: 'silent' }),
    adminToken: ADMIN_TOKEN,
    publicUrl: 'https://tierpass.example.com',
    secrets,
    shopify: { origin: byShop, bulkDownloadIdleMs: idleMs },
    shopifyBackfill: {
      leaseMs: 30_000,
      retryBaseMs: 20,
      bulkPollMs: 20,
      ordersMode: mode,
      bulkFromCustomers: 10,
      afterPage: (b) => afterPage?.(b) ?? Promise.resolve(),
    },
    rateLimits: { expensivePerProgram: 10_000, expensivePerClient: 10_000 },
  });
}
const apps = new Map<Mode, ReturnType<typeof build>>();
const app = (mode: Mode) => {
  let a = apps.get(mode);
  if (!a) {
    a = build(mode);
    apps.set(mode, a);
  }
  return a;
};

beforeAll(async () => {
  db = await createTempDatabase();
  store = await openStore({ databaseUrl: db.url, dataDir: 'memory://' });
}, 120_000);

afterAll(async () => {
  for (const a of apps.values()) await a.services.shopifyBackfill.idle();
  await Promise.all(shops.map((s) => s.close()));
  await store.close();
  await db.drop();
}, 120_000);

afterEach(() => {
  afterPage = undefined;
});

let seq = 0;
async function connected(mode: Mode, currency = 'USD', silverAt = 10_000) {
  seq += 1;
  const shop = await startShopifyStandIn({ shop: `bulk-${process.pid}-${seq}.myshopify.com`, currency });
  shops.push(shop);
  const a = app(mode).app;
  const { auth } = await createProgram({ app: a }, { currency, retention: { mode: 'lifetime' } });
  await createTier({ app: a }, auth, { title: 'Bronze' });
  await createTier({ app: a }, auth, {
    title: 'Silver',
    qualifications: [{ type: 'lifetimeSpend', minAmount: silverAt }],
  });
  const secret = `shpss_${randomBytes(16).toString('hex')}`;
  await request(a)
    .put('/v1/integrations/shopify')
    .set(auth)
    .send({ shopDomain: shop.shop, accessToken: shop.accessToken, webhookSecret: secret })
    .expect(200);
  await request(a).put('/v1/integrations/shopify/write-back').set(auth).send({ enabled: false }).expect(200);
  const send = (topic: string, payload: unknown) => {
    const w = signedWebhook(secret, shop.shop, topic, payload);
    return request(a).post('/shopify/webhooks').set(w.headers).send(w.body);
  };
  return { shop, auth, send, a };
}

function person(id: string): StandInCustomer {
  return {
    legacyResourceId: id,
    email: `c${id}@example.com`,
    firstName: 'Ada',
    lastName: `N${id}`,
    tags: [],
    updatedAt: '2026-01-10T00:00:00Z',
  };
}

const start = (a: ReturnType<typeof build>['app'], auth: { Authorization: string }, mode?: string) =>
  request(a)
    .post('/v1/integrations/shopify/backfill')
    .set(auth)
    .send({ since: '2026-01-01T00:00:00Z', ...(mode ? { mode } : {}) });
const status = (a: ReturnType<typeof build>['app'], auth: { Authorization: string }) =>
  request(a).get('/v1/integrations/shopify/backfill').set(auth);

async function finished(mode: Mode, auth: { Authorization: string }) {
  await app(mode).services.shopifyBackfill.idle();
  return (await status(app(mode).app, auth)).body;
}

const op = (d: ShopifyStandIn['documents'][number]) => /^(?:query|mutation)\s+(\w+)/.exec(d.query)?.[1];

function allValid(shop: ShopifyStandIn) {
  for (const d of shop.documents) expect({ op: op(d), errors: d.errors }).toEqual({ op: op(d), errors: [] });
  expect(shop.maxCostRefusals).toBe(0);
}

/** A history with what earning must net out: refunds of several lines, a cancellation, a test order, an unpaid one. */
function mixedHistory(): { customers: StandInCustomer[]; orders: StandInOrder[] } {
  const [a, b, c, d] = ['9001', '9002', '9003', '9004'].map(person) as [
    StandInCustomer,
    StandInCustomer,
    StandInCustomer,
    StandInCustomer,
  ];
  return {
    customers: [a, b, c, d],
    orders: [
      order('5001', a, 'USD', 6_000, '2026-02-01T10:00:00Z'),
      order('5002', a, 'USD', 5_000, '2026-03-01T10:00:00Z'),
      order('5003', b, 'USD', 6_000, '2026-02-02T10:00:00Z'),
      // $40 of merchandise; two refunds of $15 + $5 and $2.50 + $2.50: 1,500 counts.
      order('5004', b, 'USD', 4_000, '2026-02-03T10:00:00Z', {
        displayFinancialStatus: 'PARTIALLY_REFUNDED',
        refunds: [
          { legacyResourceId: '7701', lines: ['15.00', '5.00'] },
          { legacyResourceId: '7702', lines: ['2.50', '2.50'] },
        ],
      }),
      order('5005', b, 'USD', 50_000, '2026-02-04T10:00:00Z', { test: true }),
      order('5006', b, 'USD', 50_000, '2026-02-05T10:00:00Z', { displayFinancialStatus: 'PENDING' }),
      order('5007', b, 'USD', 50_000, '2025-06-01T10:00:00Z'),
      order('5008', c, 'USD', 9_000, '2026-02-06T10:00:00Z', {
        cancelledAt: '2026-02-07T10:00:00Z',
        displayFinancialStatus: 'REFUNDED',
      }),
      order('5009', null, 'USD', 9_000, '2026-02-08T10:00:00Z'),
      order('5010', d, 'USD', 12_000, '2026-04-08T10:00:00Z'),
    ],
  };
}

const standing = async (a: ReturnType<typeof build>['app'], auth: { Authorization: string }, ids: string[]) =>
  Promise.all(
    ids.map(async (id) => {
      const c = (await request(a).get(`/v1/customers/${id}`).set(auth)).body;
      return { id, spend: c.balances?.lifetimeSpend, tier: c.tier?.title };
    }),
  );

describe('backfilling orders through a bulk operation', () => {
  it('lands customers as the paged path does, shows the export being prepared, and a live orders/paid changes nothing extra', async () => {
    const paged = await connected('paged');
    const bulk = await connected('bulk');
    for (const s of [paged.shop, bulk.shop]) {
      const h = mixedHistory();
      s.history.customers.push(...h.customers);
      s.history.orders.push(...h.orders);
    }
    bulk.shop.bulk.pollsBeforeComplete = 3;
    // Held while Shopify prepares the export: the progress says so, and a live delivery lands.
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let paused: () => void = () => undefined;
    const pausedAt = new Promise<void>((r) => {
      paused = r;
    });
    afterPage = async (bf) => {
      if (bf.phase === 'orders' && bulkCursor(bf.cursor)?.status === 'RUNNING') {
        paused();
        await held;
      }
    };
    expect((await start(bulk.a, bulk.auth)).status).toBe(202);
    await pausedAt;
    const midway = (await status(bulk.a, bulk.auth)).body;
    expect(midway).toMatchObject({
      state: 'running',
      phase: 'orders',
      customers: { done: 4 },
      orders: { done: 0, mode: 'bulk', export: { status: 'RUNNING', preparing: true } },
    });
    expect(midway.progress).toBeGreaterThan(0);
    expect(midway.progress).toBeLessThan(0.9);
    const live = await bulk.send(
      'orders/paid',
      orderPayload({
        id: 5003,
        customer: { id: 9002 },
        currency: 'USD',
        subtotal: 6_000,
        processedAt: '2026-02-02T10:00:00Z',
      }),
    );
    expect(live.body.result).toBe('applied');
    release();
    afterPage = undefined;

    const viaBulk = await finished('bulk', bulk.auth);
    expect((await start(paged.a, paged.auth)).status).toBe(202);
    const viaPages = await finished('paged', paged.auth);
    const expected = {
      state: 'done',
      progress: 1,
      customers: { done: 4 },
      // 5001-5004, 5008, 5010 earned; 5005 test, 5006 unpaid, 5009 without a customer skipped.
      orders: { done: 6, skipped: 3, estimatedTotal: 9 },
      // Two refunds and a cancellation.
      refunds: { done: 3 },
      errors: { count: 0, last: null },
    };
    expect(viaBulk).toMatchObject({ ...expected, orders: { ...expected.orders, mode: 'bulk' } });
    expect(viaBulk.orders.export).toMatchObject({ status: 'COMPLETED', preparing: false, orders: 9 });
    expect(viaPages).toMatchObject({
      ...expected,
      orders: { ...expected.orders, mode: 'paged', export: null },
    });

    const ids = ['9001', '9002', '9003', '9004'];
    const fromBulk = await standing(bulk.a, bulk.auth, ids);
    expect(fromBulk).toEqual(await standing(paged.a, paged.auth, ids));
    expect(fromBulk).toEqual([
      { id: '9001', spend: 11_000, tier: 'Silver' },
      // Silver on reaching 10,000 before the refunds; lifetime retention keeps it.
      { id: '9002', spend: 7_500, tier: 'Silver' },
      { id: '9003', spend: 0, tier: 'Bronze' },
      { id: '9004', spend: 12_000, tier: 'Silver' },
    ]);

    // One export, polled until complete, downloaded once; no orders page read; refund lines per refund.
    expect(bulk.shop.bulk).toMatchObject({ runs: 1, refusedRuns: 0, downloads: 1 });
    expect(bulk.shop.bulk.polls).toBeGreaterThanOrEqual(3);
    const ops = bulk.shop.documents.map(op);
    expect(ops).not.toContain('TierpassHistoryOrders');
    expect(ops.filter((o) => o === 'TierpassBulkRun')).toHaveLength(1);
    expect(ops.filter((o) => o === 'TierpassHistoryRefundLines')).toHaveLength(2);
    expect(bulk.shop.bulk.operations[0]?.query).toContain("processed_at:>='2026-01-01T00:00:00.000Z'");
    expect(paged.shop.bulk.runs).toBe(0);
    allValid(bulk.shop);
    allValid(paged.shop);
  }, 120_000);

  it('resumes a worker stopped in the middle of the file: the same export, nothing applied twice (auto picks bulk for a large shop)', async () => {
    const { shop, auth, a } = await connected('auto');
    const people = Array.from({ length: 40 }, (_, i) => person(String(20_000 + i)));
    shop.history.customers.push(...people);
    const expected = new Map<string, number>();
    for (let i = 0; i < 600; i++) {
      const p = people[i % people.length] as StandInCustomer;
      const amount = 1_000 + ((i * 37) % 2_000);
      const refunded = i % 50 === 7;
      shop.history.orders.push(
        order(
          String(70_000 + i),
          p,
          'USD',
          amount,
          new Date(Date.UTC(2026, 1, 1) + i * 600_000).toISOString(),
          {
            ...(refunded
              ? {
                  displayFinancialStatus: 'PARTIALLY_REFUNDED',
                  refunds: [{ legacyResourceId: String(170_000 + i), lines: ['1.00', '2.00', '3.00'] }],
                }
              : {}),
          },
        ),
      );
      const id = p.legacyResourceId;
      expected.set(id, (expected.get(id) ?? 0) + amount - (refunded ? 600 : 0));
    }
    let stopped = false;
    afterPage = async (bf) => {
      if (!stopped && bf.phase === 'orders' && bf.ordersDone > 0) {
        stopped = true;
        throw new Error('the process dies here');
      }
    };
    expect((await start(a, auth)).status).toBe(202);
    await app('auto').services.shopifyBackfill.idle();
    const midway = (await status(a, auth)).body;
    expect(midway).toMatchObject({
      state: 'running',
      phase: 'orders',
      orders: { done: BULK_ORDER_PAGE, estimatedTotal: 600, mode: 'bulk', export: { preparing: false } },
    });
    expect(midway.progress).toBeGreaterThan(0.05);
    expect(midway.progress).toBeLessThan(0.9);
    expect(shop.bulk).toMatchObject({ runs: 1, downloads: 1 });

    const restarted = build('auto', 60_000);
    expect(await restarted.services.shopifyBackfill.resumeOrphaned()).toBe(1);
    const done = (await status(restarted.app, auth)).body;
    expect(done).toMatchObject({
      state: 'done',
      orders: { done: 600, skipped: 0, estimatedTotal: 600, mode: 'bulk' },
      refunds: { done: 12 },
      errors: { count: 0 },
    });
    // The same operation polled again and its file downloaded again; no second export.
    expect(shop.bulk).toMatchObject({ runs: 1, refusedRuns: 0, downloads: 2 });
    for (const [id, spend] of expected) {
      const c = await request(a).get(`/v1/customers/${id}`).set(auth);
      expect({ id, spend: c.body.balances.lifetimeSpend }).toEqual({ id, spend });
    }
    allValid(shop);
  }, 120_000);

  it('starts a new export from where it was when the stored one expired, counting every order once', async () => {
    const { shop, auth, a } = await connected('bulk');
    const p = person('30001');
    shop.history.customers.push(p);
    // Pairs processed at the same instant, one across the page boundary (orders 249 and 250).
    const instant = (i: number) =>
      new Date(Date.UTC(2026, 1, 1) + Math.floor((i + 1) / 2) * 600_000).toISOString();
    for (let i = 0; i < 400; i++) {
      const at = instant(i);
      shop.history.orders.push(order(String(80_000 + i), p, 'USD', 100, at));
    }
    let stopped = false;
    afterPage = async (bf) => {
      if (!stopped && bf.phase === 'orders' && bf.ordersDone > 0) {
        stopped = true;
        throw new Error('the process dies here');
      }
    };
    expect((await start(a, auth)).status).toBe(202);
    await app('bulk').services.shopifyBackfill.idle();
    const first = shop.bulk.operations[0];
    shop.bulk.expire(first?.id as string);
    const restarted = build('bulk', 60_000);
    expect(await restarted.services.shopifyBackfill.resumeOrphaned()).toBe(1);
    const done = (await status(restarted.app, auth)).body;
    expect(done).toMatchObject({ state: 'done', orders: { done: 400, skipped: 0 }, errors: { count: 0 } });
    expect(shop.bulk.runs).toBe(2);
    // From the processed time reached, not from `since`.
    expect(shop.bulk.operations[1]?.query).toContain(`processed_at:>='${instant(BULK_ORDER_PAGE - 1)}'`);
    expect((await request(a).get('/v1/customers/30001').set(auth)).body.balances.lifetimeSpend).toBe(40_000);
    allValid(shop);
  }, 120_000);

  it('reads the file again when its download breaks off, applying each order once', async () => {
    const { shop, auth, a } = await connected('bulk');
    const p = person('35001');
    shop.history.customers.push(p);
    for (let i = 0; i < 600; i++) {
      const at = new Date(Date.UTC(2026, 1, 1) + i * 60_000).toISOString();
      shop.history.orders.push(order(String(85_000 + i), p, 'USD', 100, at));
    }
    // Cut in the second page of 250: the first is applied, the second never completes.
    shop.bulk.breakNextDownloadAfter(300);
    expect((await start(a, auth)).status).toBe(202);
    expect(await finished('bulk', auth)).toMatchObject({
      state: 'done',
      orders: { done: 600, skipped: 0, estimatedTotal: 600 },
      errors: { count: 0 },
    });
    expect(shop.bulk).toMatchObject({ runs: 1, downloads: 2 });
    expect((await request(a).get('/v1/customers/35001').set(auth)).body.balances.lifetimeSpend).toBe(60_000);
  }, 120_000);

  it('drops a download that goes silent and reads the file again', async () => {
    const { shop, auth, a } = await connected('bulk');
    const p = person('36001');
    shop.history.customers.push(p);
    for (let i = 0; i < 400; i++) {
      const at = new Date(Date.UTC(2026, 1, 1) + i * 60_000).toISOString();
      shop.history.orders.push(order(String(86_000 + i), p, 'USD', 100, at));
    }
    // The socket stays open after 300 lines; this process gives up after a second of silence.
    shop.bulk.stallNextDownloadAfter(300);
    const impatient = build('bulk', 0, 1_000);
    const res = await request(impatient.app)
      .post('/v1/integrations/shopify/backfill')
      .set(auth)
      .send({ since: '2026-01-01T00:00:00Z' });
    expect(res.status).toBe(202);
    await impatient.services.shopifyBackfill.idle();
    expect((await status(a, auth)).body).toMatchObject({
      state: 'done',
      orders: { done: 400, skipped: 0, estimatedTotal: 400 },
      errors: { count: 0 },
    });
    expect(shop.bulk).toMatchObject({ runs: 1, downloads: 2 });
    expect((await request(a).get('/v1/customers/36001').set(auth)).body.balances.lifetimeSpend).toBe(40_000);
  }, 120_000);

  it('starts a new export when Shopify fails one with INTERNAL_SERVER_ERROR, twice at most', async () => {
    // Two failures: the third export completes and every order lands once.
    const flaky = await connected('bulk');
    flaky.shop.history.customers.push(person('41001'));
    flaky.shop.history.orders.push(
      order('91001', person('41001'), 'USD', 1_000, '2026-02-01T00:00:00Z'),
      order('91002', person('41001'), 'USD', 2_000, '2026-02-02T00:00:00Z'),
    );
    flaky.shop.bulk.failNext('INTERNAL_SERVER_ERROR', 2);
    expect((await start(flaky.a, flaky.auth)).status).toBe(202);
    expect(await finished('bulk', flaky.auth)).toMatchObject({
      state: 'done',
      orders: { done: 2, mode: 'bulk' },
      errors: { count: 0 },
    });
    expect(flaky.shop.bulk).toMatchObject({ runs: 3, downloads: 1 });
    expect(
      (await request(flaky.a).get('/v1/customers/41001').set(flaky.auth)).body.balances.lifetimeSpend,
    ).toBe(3_000);

    // Three in a row: the backfill fails with Shopify's code.
    const broken = await connected('bulk');
    broken.shop.history.customers.push(person('42001'));
    broken.shop.history.orders.push(order('92001', person('42001'), 'USD', 1_000, '2026-02-01T00:00:00Z'));
    broken.shop.bulk.failNext('INTERNAL_SERVER_ERROR', 3);
    expect((await start(broken.a, broken.auth)).status).toBe(202);
    expect(await finished('bulk', broken.auth)).toMatchObject({
      state: 'failed',
      orders: { done: 0, mode: 'bulk', export: { status: 'FAILED' } },
      errors: { last: 'shopify_bulk_internal_server_error' },
    });
    expect(broken.shop.bulk).toMatchObject({ runs: 3, downloads: 0 });
    allValid(flaky.shop);
    allValid(broken.shop);
  }, 120_000);

  it('fails with a stable code when Shopify fails the export or another bulk query holds the shop', async () => {
    // A server reading pages by default; the start request asks for a bulk export.
    const failing = await connected('paged');
    failing.shop.history.customers.push(person('40001'));
    failing.shop.history.orders.push(order('90001', person('40001'), 'USD', 1_000, '2026-02-01T00:00:00Z'));
    failing.shop.bulk.failNext('TIMEOUT');
    const bad = await start(failing.a, failing.auth, 'fast');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(JSON.stringify(bad.body.error)).toContain('mode');
    expect((await status(failing.a, failing.auth)).status).toBe(404);
    expect((await start(failing.a, failing.auth, 'bulk')).status).toBe(202);
    expect(await finished('paged', failing.auth)).toMatchObject({
      state: 'failed',
      phase: 'orders',
      orders: { done: 0, mode: 'bulk', export: { status: 'FAILED' } },
      errors: { last: 'shopify_bulk_timeout' },
    });

    // Another app's (or a merchant tool's) bulk query is running on the shop: Shopify's userError.
    const busy = await connected('bulk');
    const other = await fetch(`${busy.shop.origin}/admin/api/2026-10/graphql.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': busy.shop.accessToken },
      body: JSON.stringify({
        query: `mutation Other($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { message } } }`,
        variables: { q: '{ customers { edges { node { id email } } } }' },
      }),
    });
    expect(
      ((await other.json()) as { data: { bulkOperationRunQuery: { bulkOperation: { id: string } } } }).data
        .bulkOperationRunQuery.bulkOperation.id,
    ).toEqual(expect.any(String));
    expect((await start(busy.a, busy.auth)).status).toBe(202);
    expect(await finished('bulk', busy.auth)).toMatchObject({
      state: 'failed',
      errors: { last: 'shopify_bulk_operation_running' },
    });
    expect(busy.shop.bulk).toMatchObject({ runs: 1, refusedRuns: 1 });
  }, 120_000);

  it('the stand-in refuses what Shopify refuses in a bulk query: a connection inside a list (refund line items of Order.refunds)', async () => {
    const { shop } = await connected('paged');
    const res = await fetch(`${shop.origin}/admin/api/2026-10/graphql.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': shop.accessToken },
      body: JSON.stringify({
        query: `mutation Nested($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { message } } }`,
        variables: {
          q: '{ orders { edges { node { id refunds { id refundLineItems { edges { node { subtotalSet { shopMoney { amount } } } } } } } } } }',
        },
      }),
    });
    const body = (await res.json()) as { data: { bulkOperationRunQuery: unknown } };
    expect(body.data.bulkOperationRunQuery).toEqual({
      bulkOperation: null,
      userErrors: [
        {
          message: 'Queries that contain a connection field within a list field are not currently supported.',
        },
      ],
    });
    expect(shop.bulk.runs).toBe(0);
  }, 120_000);

  it('is described in the OpenAPI document: the start request’s mode and the export in the progress', async () => {
    const doc = (await request(app('paged').app).get('/openapi.json').expect(200)).body;
    const path = doc.paths['/v1/integrations/shopify/backfill'];
    expect(JSON.stringify(path.post.requestBody)).toContain('"bulk"');
    const view = JSON.stringify(path.get.responses['200']);
    expect(view).toContain('preparing');
    expect(view).toContain('"paged"');
  });
});
