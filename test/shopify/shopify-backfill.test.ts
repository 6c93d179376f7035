/**
 * The Shopify history backfill end to end (docs/decisions/0046): the real app on its own
 * PostgreSQL database, a stand-in shop serving paginated `customers`/`orders` (every document
 * validated against the published Admin schema), live signed webhooks arriving meanwhile, and a
 * restart in the middle resumed from the stored cursor.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import request from 'supertest';
import { buildApp } from '../../src/app.js';
import { AppError } from '../../src/errors.js';
import { SecretBox } from '../../src/integrations/secrets/secret-box.js';
import { ORDER_PAGE } from '../../src/integrations/shopify/admin-history.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/port.js';
import type { ShopifyBackfillRecord } from '../../src/store/shopify-backfill-port.js';
import { ADMIN_TOKEN, createProgram, createTier } from '../support/harness.js';
import { createTempDatabase } from '../support/temp-db.js';
import { decimal, historyOrder, orderPayload } from './payloads.js';
import {
  type ShopifyStandIn,
  type StandInCustomer,
  signedWebhook,
  startShopifyStandIn,
} from './shopify-stand-in.js';

const PUBLIC_URL = 'https://tierpass.example.com';

let db: Awaited<ReturnType<typeof createTempDatabase>>;
let store: Store;
const shops: ShopifyStandIn[] = [];
const secrets = new SecretBox([{ id: 't1', key: randomBytes(32) }]);
/** What the running app's backfill does after each stored page (set per test). */
let afterPage: ((b: ShopifyBackfillRecord) => Promise<void>) | undefined;

const byShop = (shop: string) => {
  const s = shops.find((x) => x.shop === shop);
  if (!s) throw new Error(`no stand-in for ${shop}`);
  return s.origin;
};

/** The app as a process would build it; `skewMs` moves its clock (a later restart). */
function build(skewMs = 0) {
  return buildApp({
    store,
    clock: { now: () => new Date(Date.now() + skewMs) },
    logger: pino({ level: 'silent' }),
    adminToken: ADMIN_TOKEN,
    publicUrl: PUBLIC_URL,
    secrets,
    shopify: { origin: byShop },
    shopifyBackfill: {
      leaseMs: 30_000,
      retryBaseMs: 20,
      afterPage: (b) => afterPage?.(b) ?? Promise.resolve(),
    },
    rateLimits: { expensivePerProgram: 10_000, expensivePerClient: 10_000 },
  });
}
let built: ReturnType<typeof build>;

beforeAll(async () => {
  db = await createTempDatabase();
  store = await openStore({ databaseUrl: db.url, dataDir: 'memory://' });
  built = build();
}, 120_000);

afterAll(async () => {
  await built.services.shopifyBackfill.idle();
  await Promise.all(shops.map((s) => s.close()));
  await store.close();
  await db.drop();
}, 120_000);

afterEach(() => {
  afterPage = undefined;
});

let seq = 0;
async function connected(currency: string, silverAt: number, extra: Record<string, unknown> = {}) {
  seq += 1;
  const shop = await startShopifyStandIn({ shop: `bf-${process.pid}-${seq}.myshopify.com`, currency });
  shops.push(shop);
  const { app } = built;
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
  // Write-back (decision 0045) is tested on its own; here the shop sees only what this test sends.
  await request(app)
    .put('/v1/integrations/shopify/write-back')
    .set(auth)
    .send({ enabled: false })
    .expect(200);
  const send = (topic: string, payload: unknown) => {
    const w = signedWebhook(secret, shop.shop, topic, payload);
    return request(app).post('/shopify/webhooks').set(w.headers).send(w.body);
  };
  return { shop, auth, send, programId };
}

function person(id: string, more: Partial<StandInCustomer> = {}): StandInCustomer {
  return {
    legacyResourceId: id,
    email: `c${id}@example.com`,
    firstName: 'Ada',
    lastName: `N${id}`,
    tags: [],
    updatedAt: '2026-01-10T00:00:00Z',
    ...more,
  };
}

const order = historyOrder;

async function backfillDone(auth: { Authorization: string }) {
  await built.services.shopifyBackfill.idle();
  const res = await request(built.app).get('/v1/integrations/shopify/backfill').set(auth);
  expect(res.status).toBe(200);
  return res.body;
}

const customer = (auth: { Authorization: string }, id: string) =>
  request(built.app).get(`/v1/customers/${id}`).set(auth);

/** The operation's name as written in the document (the client sends no operationName). */
const op = (d: ShopifyStandIn['documents'][number]) => /^(?:query|mutation)\s+(\w+)/.exec(d.query)?.[1];

function allValid(shop: ShopifyStandIn) {
  expect(shop.documents.length).toBeGreaterThan(0);
  for (const d of shop.documents) expect({ op: op(d), errors: d.errors }).toEqual({ op: op(d), errors: [] });
  // No document asked for more than Shopify's 1,000 points one query may cost.
  expect(shop.maxCostRefusals).toBe(0);
}

describe('backfilling a store’s history', () => {
  it('imports customers, orders, refunds and cancellations (USD) and lands everyone in the tier their history earns', async () => {
    const { shop, auth, send } = await connected('USD', 10_000);
    const a = person('9001');
    const b = person('9002', { tags: ['vip', 'wholesale'] });
    const c = person('9003');
    const d = person('9004', { firstName: 'Only', lastName: 'Profile' });
    shop.history.customers.push(a, b, c, d);
    shop.history.orders.push(
      order('5001', a, 'USD', 6_000, '2026-02-01T10:00:00Z'),
      order('5002', a, 'USD', 5_000, '2026-03-01T10:00:00Z'),
      order('5003', b, 'USD', 6_000, '2026-02-02T10:00:00Z'),
      // $30 of merchandise, $20 of it refunded: 1,000 counts.
      order('5004', b, 'USD', 3_000, '2026-02-03T10:00:00Z', {
        displayFinancialStatus: 'PARTIALLY_REFUNDED',
        refunds: [{ legacyResourceId: '7701', lines: ['15.00', '5.00'] }],
      }),
      order('5005', b, 'USD', 50_000, '2026-02-04T10:00:00Z', { test: true }),
      order('5006', b, 'USD', 50_000, '2026-02-05T10:00:00Z', { displayFinancialStatus: 'PENDING' }),
      // Before `since`: not imported.
      order('5007', b, 'USD', 50_000, '2025-06-01T10:00:00Z'),
      // Paid, then cancelled: nets to nothing.
      order('5008', c, 'USD', 9_000, '2026-02-06T10:00:00Z', {
        cancelledAt: '2026-02-07T10:00:00Z',
        displayFinancialStatus: 'REFUNDED',
      }),
      order('5009', null, 'USD', 9_000, '2026-02-08T10:00:00Z'),
    );
    // Held after the customers page: a live delivery of a history order arrives meanwhile.
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let paused: () => void = () => undefined;
    const pausedAt = new Promise<void>((r) => {
      paused = r;
    });
    afterPage = async (bf) => {
      if (bf.phase === 'orders' && bf.ordersDone === 0) {
        paused();
        await held;
      }
    };
    const started = await request(built.app)
      .post('/v1/integrations/shopify/backfill')
      .set(auth)
      .send({ since: '2026-01-01T00:00:00Z' });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({
      state: 'running',
      phase: 'customers',
      since: '2026-01-01T00:00:00.000Z',
    });
    await pausedAt;

    // One per program at a time.
    const again = await request(built.app)
      .post('/v1/integrations/shopify/backfill')
      .set(auth)
      .send({ since: '2026-01-01T00:00:00Z' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('shopify_backfill_running');
    const midway = await request(built.app).get('/v1/integrations/shopify/backfill').set(auth);
    expect(midway.body).toMatchObject({ state: 'running', phase: 'orders', customers: { done: 4 } });

    // The live webhook for order 5003 lands first; the backfill meets it on the same order id.
    const live = await send(
      'orders/paid',
      orderPayload({
        id: 5003,
        customer: { id: 9002 },
        currency: 'USD',
        subtotal: 6_000,
        processedAt: '2026-02-02T10:00:00Z',
      }),
    );
    expect(live.status).toBe(200);
    expect(live.body.result).toBe('applied');
    release();

    const done = await backfillDone(auth);
    expect(done).toMatchObject({
      state: 'done',
      phase: 'done',
      progress: 1,
      customers: { done: 4 },
      // 5001, 5002, 5003 (already there: counted, changes nothing), 5004, 5008 earned; 5005 test,
      // 5006 unpaid, 5009 without a customer were read and skipped.
      orders: { done: 5, skipped: 3, estimatedTotal: 8 },
      refunds: { done: 2 },
      errors: { count: 0, last: null },
    });
    expect(done.resyncJobId).toMatch(/^run_/);
    const job = await request(built.app).get(`/v1/jobs/${done.resyncJobId}`).set(auth);
    expect(job.body).toMatchObject({ kind: 'resync', state: 'done' });

    const ca = await customer(auth, '9001');
    expect(ca.body.balances.lifetimeSpend).toBe(11_000);
    expect(ca.body.tier.title).toBe('Silver');
    const cb = await customer(auth, '9002');
    expect(cb.body.balances.lifetimeSpend).toBe(7_000);
    expect(cb.body.tier.title).toBe('Bronze');
    expect(cb.body.tags).toEqual(expect.arrayContaining(['vip', 'wholesale']));
    const cc = await customer(auth, '9003');
    expect(cc.body.balances.lifetimeSpend).toBe(0);
    expect(cc.body.tier.title).toBe('Bronze');
    const cd = await customer(auth, '9004');
    expect(cd.status).toBe(200);
    expect(cd.body.name).toBe('Only Profile');

    // A live delivery of a backfilled order afterwards changes nothing either.
    const before = (await customer(auth, '9001')).body.balances;
    const late = await send(
      'orders/paid',
      orderPayload({
        id: 5001,
        customer: { id: 9001 },
        currency: 'USD',
        subtotal: 6_000,
        processedAt: '2026-02-01T10:00:00Z',
      }),
    );
    expect(late.status).toBe(200);
    expect((await customer(auth, '9001')).body.balances).toEqual(before);

    // Paginated queries only, each validated against the Admin schema.
    allValid(shop);
    const ops = new Set(shop.documents.map(op));
    expect(ops).toEqual(
      new Set([
        'TierpassShop',
        'TierpassWebhookSubscriptions',
        'TierpassWebhookSubscriptionCreate',
        'TierpassHistoryCustomers',
        'TierpassHistoryOrders',
        'TierpassHistoryRefundLines',
      ]),
    );
    const orderQuery = shop.documents.find((x) => op(x) === 'TierpassHistoryOrders');
    expect(orderQuery?.variables.query).toBe("processed_at:>='2026-01-01T00:00:00.000Z'");

    // Finished: a new one may start.
    const next = await request(built.app)
      .post('/v1/integrations/shopify/backfill')
      .set(auth)
      .send({ since: '2026-03-01T00:00:00Z' });
    expect(next.status).toBe(202);
    const second = await backfillDone(auth);
    expect(second).toMatchObject({ state: 'done', orders: { done: 1 } });
    expect((await customer(auth, '9001')).body.balances).toEqual(before);
  }, 120_000);

  it('applies a page’s orders in customer lanes: every order counted once, totals exact, new customers created in their lane', async () => {
    const { shop, auth } = await connected('USD', 10_000);
    const people = Array.from({ length: 24 }, (_, i) => person(String(9100 + i)));
    shop.history.customers.push(...people);
    // Not among the customers read first: created from its first order, in its lane.
    const late = person('9199');
    const expected = new Map<string, number>();
    let id = 6000;
    // 150 orders over several pages, each customer's interleaved with everyone else's.
    for (let round = 0; round < 6; round++) {
      for (const p of [...people, late]) {
        id += 1;
        const amount = 1_000 + ((id * 37) % 3_000);
        const day = String(1 + round).padStart(2, '0');
        const refunded = round === 5 && p === late;
        shop.history.orders.push(
          order(String(id), p, 'USD', amount, `2026-03-${day}T${String(id % 24).padStart(2, '0')}:00:00Z`, {
            ...(refunded
              ? {
                  displayFinancialStatus: 'PARTIALLY_REFUNDED',
                  refunds: [{ legacyResourceId: String(id + 100_000), lines: [decimal(500, 'USD')] }],
                }
              : {}),
          }),
        );
        expected.set(
          p.legacyResourceId,
          (expected.get(p.legacyResourceId) ?? 0) + amount - (refunded ? 500 : 0),
        );
      }
    }
    const started = await request(built.app)
      .post('/v1/integrations/shopify/backfill')
      .set(auth)
      .send({ since: '2026-01-01T00:00:00Z' });
    expect(started.status).toBe(202);
    const done = await backfillDone(auth);
    expect(done).toMatchObject({
      state: 'done',
      customers: { done: 24 },
      orders: { done: 150, skipped: 0, estimatedTotal: 150 },
      refunds: { done: 1 },
      errors: { count: 0, last: null },
    });
    for (const [cid, spend] of expected) {
      const c = await customer(auth, cid);
      expect({ cid, spend: c.body.balances.lifetimeSpend }).toEqual({ cid, spend });
    }
    expect((await customer(auth, '9199')).body.email).toBe('c9199@example.com');
    allValid(shop);
  });

  it('writes each page of customers in one transaction, placed and tagged as their webhooks would be', async () => {
    const { shop, auth, send, programId } = await connected('USD', 10_000);
    await createTier({ app: built.app }, auth, {
      title: 'VIP',
      qualifications: [{ type: 'tag', tag: 'vip' }],
      benefits: { tag: 'tier-vip' },
    });
    // Two pages of the Admin API's 250; every seventh customer tagged `vip`.
    const people = Array.from({ length: 300 }, (_, i) =>
      person(String(95_000 + i), { tags: i % 7 === 0 ? ['vip', 'x'] : ['x'] }),
    );
    shop.history.customers.push(...people);
    // Known before the backfill (a live webhook), with other fields: the page updates it.
    const known = people[1] as StandInCustomer;
    const hook = await send('customers/update', {
      id: Number(known.legacyResourceId),
      email: 'old@example.com',
      first_name: 'Old',
      last_name: 'Name',
      tags: 'vip',
    });
    expect(hook.body.result).toBe('applied');
    expect((await customer(auth, known.legacyResourceId)).body.tier.title).toBe('VIP');

    const sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    // Right after the customers phase, before orders or the resync touch a row: the transactions
    // that last wrote each customer (xmin), and where each stands.
    let written: { xmin: string; id: string; tier: string | null; tags: string[]; email: string }[] = [];
    afterPage = async (bf) => {
      if (bf.phase !== 'orders' || bf.cursor !== null || written.length > 0) return;
      const { rows } = await sql.query(
        `SELECT c.xmin::text AS xmin, c.id, t.title AS tier, c.tags, c.email
         FROM customers c LEFT JOIN tiers t ON t.program_id = c.program_id AND t.id = c.tier_id
         WHERE c.program_id = $1`,
        [programId],
      );
      written = rows;
    };
    try {
      const started = await request(built.app)
        .post('/v1/integrations/shopify/backfill')
        .set(auth)
        .send({ since: '2026-01-01T00:00:00Z' });
      expect(started.status).toBe(202);
      const done = await backfillDone(auth);
      expect(done).toMatchObject({ state: 'done', customers: { done: 300 }, errors: { count: 0 } });
    } finally {
      await sql.end();
    }
    expect(written).toHaveLength(300);
    // One transaction per page, not one per customer.
    expect(new Set(written.map((r) => r.xmin)).size).toBe(2);
    for (const [i, p] of people.entries()) {
      const row = written.find((r) => r.id === p.legacyResourceId);
      expect(row).toMatchObject({
        // Lifetime retention: the known customer keeps the VIP tier its old tag earned.
        tier: i % 7 === 0 || p === known ? 'VIP' : 'Bronze',
        tags: p.tags,
        email: p.email,
      });
    }
    const k = await customer(auth, known.legacyResourceId);
    expect(k.body).toMatchObject({ email: known.email, name: `Ada N${known.legacyResourceId}`, tags: ['x'] });
    expect(k.body.tierTags).toEqual(['tier-vip']);
    allValid(shop);
  }, 120_000);

  /** The same store, but every page write refused with a 4xx: the one-customer-at-a-time fallback. */
  function refusingPages(): ReturnType<typeof build> {
    const refusingStore = new Proxy(store, {
      get(target, key, receiver) {
        if (key !== 'scoped') return Reflect.get(target, key, receiver);
        return (programId: string) =>
          new Proxy(target.scoped(programId), {
            get(s, k, r) {
              if (k !== 'shopifyCustomerBatch') return Reflect.get(s, k, r);
              return {
                ...s.shopifyCustomerBatch,
                writePage: async () => {
                  throw new AppError(422, 'page_refused', 'A page write refused for the test');
                },
              };
            },
          });
      },
    });
    return buildApp({
      store: refusingStore,
      clock: { now: () => new Date() },
      logger: pino({ level: 'silent' }),
      adminToken: ADMIN_TOKEN,
      publicUrl: PUBLIC_URL,
      secrets,
      shopify: { origin: byShop },
      shopifyBackfill: { leaseMs: 30_000, retryBaseMs: 20 },
      rateLimits: { expensivePerProgram: 10_000, expensivePerClient: 10_000 },
    });
  }

  it.each([
    ['a page in one transaction', false, '97001'],
    ['customer by customer (the page write refused)', true, '97101'],
  ])(
    'leaves a customer a live customers/update changed after the page was read (the shop’s updated_at), %s',
    async (_how, refused, first) => {
      const { shop, auth, send } = await connected('USD', 10_000);
      const worker = refused ? refusingPages() : built;
      // The page's copies were read at 2026-01-10; one customer changed in the shop since and its
      // customers/update landed before the page's write, the other's live copy is older.
      const changed = person(first, { tags: ['x'] });
      const stale = person(String(Number(first) + 1), { tags: ['x'] });
      shop.history.customers.push(changed, stale);
      const live = (id: string, email: string, updatedAt: string) =>
        send('customers/update', {
          id: Number(id),
          email,
          first_name: 'Live',
          last_name: 'Copy',
          tags: 'vip',
          updated_at: updatedAt,
        });
      expect(
        (await live(changed.legacyResourceId, 'changed@example.com', '2026-01-11T00:00:00Z')).body.result,
      ).toBe('applied');
      expect(
        (await live(stale.legacyResourceId, 'stale@example.com', '2026-01-09T00:00:00Z')).body.result,
      ).toBe('applied');
      const started = await request(worker.app)
        .post('/v1/integrations/shopify/backfill')
        .set(auth)
        .send({ since: '2026-01-01T00:00:00Z' });
      expect(started.status).toBe(202);
      await worker.services.shopifyBackfill.idle();
      // Both counted done (a copy older than the live one needed nothing), no error.
      expect(await backfillDone(auth)).toMatchObject({
        state: 'done',
        customers: { done: 2 },
        errors: { count: 0 },
      });
      expect((await customer(auth, changed.legacyResourceId)).body).toMatchObject({
        email: 'changed@example.com',
        name: 'Live Copy',
        tags: ['vip'],
      });
      expect((await customer(auth, stale.legacyResourceId)).body).toMatchObject({
        email: stale.email,
        name: `Ada N${stale.legacyResourceId}`,
        tags: ['x'],
      });
      allValid(shop);
      if (refused) await worker.services.shopify.close();
    },
    120_000,
  );

  it('refuses bad input with a clear 4xx and changes nothing', async () => {
    const { auth } = await connected('USD', 10_000);
    const future = await request(built.app)
      .post('/v1/integrations/shopify/backfill')
      .set(auth)
      .send({ since: '2999-01-01T00:00:00Z' });
    expect(future.status).toBe(422);
    expect(future.body.error.code).toBe('backfill_since_invalid');
    const bad = await request(built.app)
      .post('/v1/integrations/shopify/backfill')
      .set(auth)
      .send({ since: 'yesterday' });
    expect(bad.status).toBe(400);
    expect((await request(built.app).get('/v1/integrations/shopify/backfill').set(auth)).status).toBe(404);
    const { auth: other } = await createProgram({ app: built.app }, { currency: 'USD' });
    const none = await request(built.app)
      .post('/v1/integrations/shopify/backfill')
      .set(other)
      .send({ since: '2026-01-01T00:00:00Z' });
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe('shopify_not_connected');
  }, 120_000);

  it('resumes after a restart from the stored cursor (JPY, earning on the total), retrying a throttled page', async () => {
    const { shop, auth } = await connected('JPY', 12_000, { earnOn: 'total' });
    // 150 orders over several pages. Customer 8000 reaches Silver only with orders of every page.
    const whale = person('8000');
    shop.history.customers.push(whale);
    for (let i = 0; i < 150; i++) {
      const who = i % 10 === 0 ? whale : person(String(8100 + i));
      const at = new Date(Date.UTC(2026, 0, 2) + i * 3_600_000).toISOString();
      shop.history.orders.push(
        // Subtotal ¥900 + shipping: the total ¥1,000 earns.
        { ...order(String(60_000 + i), who, 'JPY', 900, at), total: '1000' },
      );
    }
    let stopped = false;
    afterPage = async (bf) => {
      if (!stopped && bf.phase === 'orders' && bf.ordersDone > 0) {
        stopped = true;
        throw new Error('the process dies here');
      }
    };
    const started = await request(built.app)
      .post('/v1/integrations/shopify/backfill')
      .set(auth)
      .send({ since: '2026-01-01T00:00:00+09:00' });
    expect(started.status).toBe(202);
    await built.services.shopifyBackfill.idle();
    const midway = await request(built.app).get('/v1/integrations/shopify/backfill').set(auth);
    expect(midway.body).toMatchObject({ state: 'running', phase: 'orders', orders: { done: ORDER_PAGE } });
    expect(midway.body.orders.estimatedTotal).toBeGreaterThan(ORDER_PAGE);
    expect(midway.body.progress).toBeGreaterThan(0);
    expect(midway.body.progress).toBeLessThan(1);
    // The whale's orders of the first page (every tenth order).
    expect((await customer(auth, '8000')).body.balances.lifetimeSpend).toBe(
      Math.ceil(ORDER_PAGE / 10) * 1_000,
    );
    // Page one, and page two read ahead while page one was applied (it lands with the stand-in
    // whenever its request does: waited for, so the throttle below meets the restarted process).
    const ordersAsked = () => shop.documents.filter((x) => op(x) === 'TierpassHistoryOrders');
    while (ordersAsked().length < 2) await new Promise((r) => setTimeout(r, 10));
    expect(ordersAsked()).toHaveLength(2);

    // Another process, after the dead one's lease: the scheduler's tick resumes it.
    const restarted = build(60_000);
    shop.throttle(1);
    expect(await restarted.services.shopifyBackfill.resumeOrphaned()).toBe(1);
    const after = ordersAsked();
    // Then from the stored cursor: page two again (throttled, then retried) and the pages left;
    // page one is not read again.
    expect(after).toHaveLength(2 + 1 + (Math.ceil(150 / ORDER_PAGE) - 1));
    for (const q of after.slice(1)) expect(q.variables.after).toEqual(expect.any(String));
    expect(after[2]?.variables.after).toBe(after[1]?.variables.after);
    const done = (await request(restarted.app).get('/v1/integrations/shopify/backfill').set(auth)).body;
    expect(done).toMatchObject({ state: 'done', orders: { done: 150, skipped: 0, estimatedTotal: 150 } });
    const w = await customer(auth, '8000');
    expect(w.body.balances.lifetimeSpend).toBe(15 * 1_000);
    expect(w.body.tier.title).toBe('Silver');
    expect((await customer(auth, '8101')).body.balances.lifetimeSpend).toBe(1_000);
    allValid(shop);
  }, 120_000);

  // Last: the backfill it leaves behind would be resumed by the restart test's tick.
  it('stops reading ahead when the backfill stops: no page request reaches the shop after it', async () => {
    const { shop, auth } = await connected('USD', 10_000);
    const who = person('8500');
    shop.history.customers.push(who);
    for (let i = 0; i < ORDER_PAGE * 3; i++) {
      const at = new Date(Date.UTC(2026, 0, 2) + i * 3_600_000).toISOString();
      shop.history.orders.push(order(String(63_000 + i), who, 'USD', 100, at));
    }
    // Every orders page after the first is throttled as long as this lasts: the read-ahead of
    // page two, sent while page one is applied, retries without end (throttling is never given up).
    const laterPage = (d: ShopifyStandIn['documents'][number]) =>
      op(d) === 'TierpassHistoryOrders' && typeof d.variables.after === 'string';
    shop.throttleWhen(laterPage);
    afterPage = async (bf) => {
      if (bf.phase !== 'orders' || bf.ordersDone === 0) return;
      // Refused twice: the read-ahead is in its retry loop. Then the worker stops.
      while (shop.documents.filter(laterPage).length < 2) await new Promise((r) => setTimeout(r, 10));
      throw new Error('the process stops here');
    };
    try {
      const started = await request(built.app)
        .post('/v1/integrations/shopify/backfill')
        .set(auth)
        .send({ since: '2026-01-01T00:00:00Z' });
      expect(started.status).toBe(202);
      await built.services.shopifyBackfill.idle();
      const atStop = shop.documents.length;
      // Several of the read-ahead's retries would have come in this time (20 ms doubling, and the
      // bucket's 120 ms after each THROTTLED answer).
      await new Promise((r) => setTimeout(r, 2_000));
      expect(shop.documents.length - atStop).toBe(0);
      expect(shop.documents.filter(laterPage).length).toBeGreaterThanOrEqual(2);
      const left = await request(built.app).get('/v1/integrations/shopify/backfill').set(auth);
      expect(left.body).toMatchObject({ state: 'running', phase: 'orders', orders: { done: ORDER_PAGE } });
    } finally {
      shop.throttleWhen(undefined);
    }
  }, 120_000);
});
