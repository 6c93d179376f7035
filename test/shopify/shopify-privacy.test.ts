/**
 * Shopify's privacy topics applied end to end (docs/decisions/0047): the real app on its own
 * PostgreSQL database, a Shopify stand-in on a real socket, deliveries signed like Shopify's
 * from its documented payloads. customers/data_request stores the customer's export for the
 * merchant to download; customers/redact (and customers/delete) erase the customer's personal
 * data everywhere, Shopify deliveries and exports included; shop/redact deletes the program
 * once the app is uninstalled; replays change nothing; recorded rows are applied later.
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
import {
  customerDeletePayload,
  customersRedactPayload,
  dataRequestPayload,
  orderPayload,
  shopRedactPayload,
} from './payloads.js';
import { type ShopifyStandIn, signedWebhook, startShopifyStandIn } from './shopify-stand-in.js';

let db: Awaited<ReturnType<typeof createTempDatabase>>;
let sql: pg.Client;
let store: Store;
let built: ReturnType<typeof buildApp>;
const shops: ShopifyStandIn[] = [];

beforeAll(async () => {
  db = await createTempDatabase();
  store = await openStore({ databaseUrl: db.url, dataDir: 'memory://' });
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  built = buildApp({
    store,
    clock: { now: () => new Date() },
    logger: pino({ level: 'silent' }),
    adminToken: ADMIN_TOKEN,
    publicUrl: 'https://tierpass.example.com',
    secrets: new SecretBox([{ id: 't1', key: randomBytes(32) }]),
    shopify: {
      origin: (shop) => {
        const s = shops.find((x) => x.shop === shop);
        if (!s) throw new Error(`no stand-in for ${shop}`);
        return s.origin;
      },
    },
    rateLimits: { expensivePerProgram: 10_000, expensivePerClient: 10_000 },
  });
}, 120_000);

afterAll(async () => {
  await Promise.all(shops.map((s) => s.close()));
  await sql?.end();
  await store.close();
  await db.drop();
}, 120_000);

const app = () => built.app;
let seq = 0;

async function connected() {
  seq += 1;
  const shop = await startShopifyStandIn({
    shop: `tp-priv-${process.pid}-${seq}.myshopify.com`,
    currency: 'USD',
  });
  shops.push(shop);
  const { auth, programId } = await createProgram(
    { app: app() },
    { currency: 'USD', retention: { mode: 'lifetime' } },
  );
  await createTier({ app: app() }, auth, { title: 'Bronze' });
  await createTier({ app: app() }, auth, {
    title: 'Silver',
    qualifications: [{ type: 'lifetimeSpend', minAmount: 10_000 }],
  });
  const secret = `shpss_${randomBytes(16).toString('hex')}`;
  const res = await request(app())
    .put('/v1/integrations/shopify')
    .set(auth)
    .send({ shopDomain: shop.shop, accessToken: shop.accessToken, webhookSecret: secret });
  expect(res.status).toBe(200);
  const send = (topic: string, payload: unknown, webhookId?: string) => {
    const w = signedWebhook(secret, shop.shop, topic, payload, webhookId);
    return request(app()).post('/shopify/webhooks').set(w.headers).send(w.body);
  };
  return { shop, auth, programId: programId as string, send };
}

const rowsMentioning = (needle: string) => mentioning(sql, needle);

/** A customer with two orders through Shopify, the second one making them Silver. */
async function shopper(
  p: Awaited<ReturnType<typeof connected>>,
  id: number,
  email: string,
  first: string,
  last: string,
) {
  const customer = { id, email, firstName: first, lastName: last };
  for (const [n, subtotal] of [
    [1, 6000],
    [2, 5000],
  ] as const) {
    const r = await p.send(
      'orders/paid',
      orderPayload({ id: id * 10 + n, customer, currency: 'USD', subtotal }),
    );
    expect(r.body.result).toBe('applied');
  }
}

describe('customers/data_request', () => {
  it('stores the customer’s export for the merchant to list and download; a replay changes nothing', async () => {
    const p = await connected();
    await shopper(p, 7101, 'dora@example.com', 'Dora', 'Dahl');
    const payload = dataRequestPayload({
      shop: p.shop.shop,
      customer: { id: 7101, email: 'dora@example.com' },
      requestId: 4242,
    });
    const r = await p.send('customers/data_request', payload, 'wh-dr-1');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ received: true, duplicate: false, result: 'applied' });

    const list = await request(app()).get('/v1/integrations/shopify/data-requests').set(p.auth);
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({
        id: 'wh-dr-1',
        dataRequestId: '4242',
        customerId: '7101',
        status: 'ready',
        erasedAt: null,
      }),
    ]);
    const file = await request(app())
      .get('/v1/integrations/shopify/data-requests/wh-dr-1/export')
      .set(p.auth);
    expect(file.status).toBe(200);
    expect(file.headers['content-disposition']).toContain('attachment');
    expect(file.body.customer).toMatchObject({ id: '7101', email: 'dora@example.com', name: 'Dora Dahl' });
    expect(file.body.customer.tier.title).toBe('Silver');
    expect(file.body.orders.map((o: { id: string }) => o.id)).toEqual(['71011', '71012']);
    expect(file.body.ledger.length).toBeGreaterThanOrEqual(2);
    expect(file.body.tierHistory.length).toBeGreaterThanOrEqual(1);
    // The same as the merchant API's export of the customer, apart from when it was made.
    const direct = await request(app()).get('/v1/customers/7101/export').set(p.auth);
    expect({ ...file.body, exportedAt: null }).toEqual({ ...direct.body, exportedAt: null });

    // Replayed: acknowledged, nothing new stored.
    const again = await p.send('customers/data_request', payload, 'wh-dr-1');
    expect(again.body).toEqual({ received: true, duplicate: true, result: null });
    const after = await request(app()).get('/v1/integrations/shopify/data-requests').set(p.auth);
    expect(after.body.items).toHaveLength(1);

    // Another program cannot read it.
    const { auth: other } = await createProgram({ app: app() }, { currency: 'USD' });
    expect(
      (await request(app()).get('/v1/integrations/shopify/data-requests/wh-dr-1/export').set(other)).status,
    ).toBe(404);
  });

  it('answers a request about a customer Tierpass does not know without an export', async () => {
    const p = await connected();
    const r = await p.send(
      'customers/data_request',
      dataRequestPayload({ shop: p.shop.shop, customer: { id: 999 } }),
      'wh-dr-x',
    );
    expect(r.body.result).toBe('applied');
    const list = await request(app()).get('/v1/integrations/shopify/data-requests').set(p.auth);
    expect(list.body.items[0]).toMatchObject({ id: 'wh-dr-x', status: 'customer_unknown' });
    const file = await request(app())
      .get('/v1/integrations/shopify/data-requests/wh-dr-x/export')
      .set(p.auth);
    expect(file.status).toBe(404);
    expect(file.body.error.code).toBe('shopify_export_not_found');
  });
});

describe('customers/redact', () => {
  it('erases the customer’s email and name everywhere, Shopify deliveries and exports included; amounts stay', async () => {
    const p = await connected();
    const email = `erin-${seq}@example.com`;
    await shopper(p, 7201, email, 'Erinvale', 'Quistorp');
    // A delivery kept with its payload: an order in another currency fails and is stored.
    const failed = await p.send(
      'orders/paid',
      orderPayload({
        id: 72019,
        customer: { id: 7201, email, firstName: 'Erinvale', lastName: 'Quistorp' },
        currency: 'EUR',
        subtotal: 100,
      }),
    );
    expect(failed.body.result).toBe('failed');
    // A data request answered before the redaction: its export holds the email.
    await p.send(
      'customers/data_request',
      dataRequestPayload({ shop: p.shop.shop, customer: { id: 7201, email } }),
      'wh-dr-e',
    );
    expect(Object.keys(await rowsMentioning(email))).toEqual(
      expect.arrayContaining(['customers', 'shopify_webhooks', 'orders']),
    );
    const before = (await request(app()).get('/v1/customers/7201').set(p.auth)).body;

    const redact = customersRedactPayload({
      shop: p.shop.shop,
      customer: { id: 7201, email },
      orders: [72011, 72012],
    });
    const r = await p.send('customers/redact', redact, 'wh-redact-e');
    expect(r.body).toEqual({ received: true, duplicate: false, result: 'applied' });

    const c = (await request(app()).get('/v1/customers/7201').set(p.auth)).body;
    expect(c).toMatchObject({ email: null, name: null });
    expect(c.balances).toEqual(before.balances);
    expect(c.tier.title).toBe('Silver');
    expect(await rowsMentioning(email)).toEqual({});
    expect(await rowsMentioning('Erinvale')).toEqual({});
    expect(await rowsMentioning('Quistorp')).toEqual({});
    const list = await request(app()).get('/v1/integrations/shopify/data-requests').set(p.auth);
    expect(list.body.items[0]).toMatchObject({ id: 'wh-dr-e', status: 'erased' });
    expect(list.body.items[0].erasedAt).not.toBeNull();
    expect(
      (await request(app()).get('/v1/integrations/shopify/data-requests/wh-dr-e/export').set(p.auth)).status,
    ).toBe(404);
    // The redaction request is kept, without the email and phone.
    const row = await store.scoped(p.programId).shopify.webhook('wh-redact-e');
    expect(row).toMatchObject({
      result: 'applied',
      payload: { customer: { id: 7201 }, orders_to_redact: [72011, 72012] },
    });

    // Replayed (same delivery) and redelivered (new id): nothing changes.
    const snapshot = async () =>
      (
        await sql.query(
          `SELECT webhook_id, payload, export, erased_at, result FROM shopify_webhooks WHERE program_id = $1 ORDER BY webhook_id`,
          [p.programId],
        )
      ).rows;
    const rows = await snapshot();
    expect((await p.send('customers/redact', redact, 'wh-redact-e')).body.duplicate).toBe(true);
    expect((await p.send('customers/redact', redact, 'wh-redact-e2')).body.result).toBe('applied');
    expect((await snapshot()).filter((w) => w.webhook_id !== 'wh-redact-e2')).toEqual(rows);
    expect((await request(app()).get('/v1/customers/7201').set(p.auth)).body.balances).toEqual(
      before.balances,
    );
  });

  it('customers/delete erases the customer as a redaction does', async () => {
    const p = await connected();
    await shopper(p, 7301, 'gone@example.com', 'Gonzalo', 'Ferreira');
    const r = await p.send('customers/delete', customerDeletePayload(7301));
    expect(r.body.result).toBe('applied');
    const c = (await request(app()).get('/v1/customers/7301').set(p.auth)).body;
    expect(c).toMatchObject({ email: null, name: null, balances: { lifetimeSpend: 11_000 } });
    expect(await rowsMentioning('gone@example.com')).toEqual({});
  });

  it('the merchant API’s erasure also clears Shopify deliveries and exports', async () => {
    const p = await connected();
    await shopper(p, 7401, 'hana@example.com', 'Hanalei', 'Moss');
    await p.send(
      'customers/data_request',
      dataRequestPayload({ shop: p.shop.shop, customer: { id: 7401, email: 'hana@example.com' } }),
      'wh-dr-h',
    );
    expect((await request(app()).delete('/v1/customers/7401').set(p.auth)).status).toBe(200);
    expect(await rowsMentioning('hana@example.com')).toEqual({});
    expect(await rowsMentioning('Hanalei')).toEqual({});
  });
});

describe('shop/redact', () => {
  it('is ignored while the app is installed, and deletes the program once it was uninstalled', async () => {
    const p = await connected();
    await shopper(p, 7501, 'ivo@example.com', 'Ivo', 'Ilic');
    const early = await p.send('shop/redact', shopRedactPayload(p.shop.shop), 'wh-shop-early');
    expect(early.body.result).toBe('ignored');
    expect((await request(app()).get('/v1/customers/7501').set(p.auth)).status).toBe(200);

    expect((await p.send('app/uninstalled', { id: 1, name: 'Shop', domain: p.shop.shop })).body.result).toBe(
      'applied',
    );
    const r = await p.send('shop/redact', shopRedactPayload(p.shop.shop), 'wh-shop-redact');
    expect(r.status).toBe(200);
    expect(r.body.result).toBe('applied');
    // Every row of the program is gone; the API key with it.
    const { rows } = await sql.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.columns
       WHERE table_schema = 'public' AND column_name = 'program_id'
         AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE')`,
    );
    for (const { table_name } of rows) {
      const n = await sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${sql.escapeIdentifier(table_name)} WHERE program_id = $1`,
        [p.programId],
      );
      expect([table_name, n.rows[0]?.n]).toEqual([table_name, 0]);
    }
    expect((await sql.query('SELECT 1 FROM programs WHERE id = $1', [p.programId])).rowCount).toBe(0);
    expect((await request(app()).get('/v1/program').set(p.auth)).status).toBe(401);
    expect(await rowsMentioning('ivo@example.com')).toEqual({});
    // A redelivery finds no shop to verify against: refused, and nothing else is touched.
    expect((await p.send('shop/redact', shopRedactPayload(p.shop.shop), 'wh-shop-redact')).status).toBe(401);
  });
});

describe('recorded requests', () => {
  it('rows recorded before the topics were wired are applied by processPending once, and by a redelivery', async () => {
    const p = await connected();
    await shopper(p, 7601, 'jo@example.com', 'Jolanda', 'Kask');
    await shopper(p, 7602, 'ko@example.com', 'Kornelia', 'Lund');
    const scope = store.scoped(p.programId);
    const recorded = { result: 'recorded' as const, detail: null, at: new Date() };
    await scope.shopify.receive({
      webhookId: 'wh-old-redact',
      topic: 'customers/redact',
      payload: customersRedactPayload({ shop: p.shop.shop, customer: { id: 7601, email: 'jo@example.com' } }),
      receivedAt: new Date(),
      processed: recorded,
    });
    await scope.shopify.receive({
      webhookId: 'wh-old-dr',
      topic: 'customers/data_request',
      payload: dataRequestPayload({ shop: p.shop.shop, customer: { id: 7602 } }),
      receivedAt: new Date(),
      processed: recorded,
    });
    expect(await built.services.shopify.processPending(p.programId)).toBe(2);
    expect((await scope.shopify.webhook('wh-old-redact'))?.result).toBe('applied');
    expect((await request(app()).get('/v1/customers/7601').set(p.auth)).body.email).toBeNull();
    const list = await request(app()).get('/v1/integrations/shopify/data-requests').set(p.auth);
    expect(list.body.items[0]).toMatchObject({ id: 'wh-old-dr', status: 'ready' });
    expect(await built.services.shopify.processPending(p.programId)).toBe(0);

    // A row left `recorded` (its operation failed) is applied by Shopify's redelivery.
    await scope.shopify.receive({
      webhookId: 'wh-left',
      topic: 'customers/redact',
      payload: customersRedactPayload({ shop: p.shop.shop, customer: { id: 7602, email: 'ko@example.com' } }),
      receivedAt: new Date(),
      processed: recorded,
    });
    const redelivered = await p.send(
      'customers/redact',
      customersRedactPayload({ shop: p.shop.shop, customer: { id: 7602, email: 'ko@example.com' } }),
      'wh-left',
    );
    expect(redelivered.body).toEqual({ received: true, duplicate: true, result: 'applied' });
    expect((await request(app()).get('/v1/customers/7602').set(p.auth)).body.email).toBeNull();
    expect(await rowsMentioning('ko@example.com')).toEqual({});
  });
});
