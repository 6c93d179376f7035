/**
 * Erasure forwarded to Klaviyo (docs/decisions/0052), end to end: the real app on its own
 * PostgreSQL database, a Klaviyo stand-in that validates every body against Klaviyo's published
 * schemas (Request Profile Deletion: `DataPrivacyCreateDeletionJobQuery`, exactly one identifier).
 * An erasure through the merchant API or Shopify's customers/redact queues, in its transaction,
 * the deletion of the customer's Klaviyo profile; the email travels sealed and is forgotten once
 * the request succeeded; a throttled request waits and is sent later; updates still pending for
 * the customer, and later ones, never re-create the profile; a replay asks nothing more.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import request from 'supertest';
import { buildApp } from '../../src/app.js';
import { SecretBox } from '../../src/integrations/secrets/secret-box.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/port.js';
import { customersRedactPayload, orderPayload } from '../shopify/payloads.js';
import { type ShopifyStandIn, signedWebhook, startShopifyStandIn } from '../shopify/shopify-stand-in.js';
import { ADMIN_TOKEN, createProgram, createTier } from '../support/harness.js';
import { createTempDatabase } from '../support/temp-db.js';
import { type KlaviyoStandIn, startKlaviyoStandIn } from './klaviyo-stand-in.js';
import { validateDeletion } from './openapi-schema.js';

let db: Awaited<ReturnType<typeof createTempDatabase>>;
let store: Store;
let sql: pg.Client;
let built: ReturnType<typeof buildApp>;
let klaviyo: KlaviyoStandIn;
const shops: ShopifyStandIn[] = [];

beforeAll(async () => {
  db = await createTempDatabase();
  store = await openStore({ databaseUrl: db.url, dataDir: 'memory://' });
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  klaviyo = await startKlaviyoStandIn();
  built = buildApp({
    store,
    clock: { now: () => new Date() },
    logger: pino({ level: 'silent' }),
    adminToken: ADMIN_TOKEN,
    publicUrl: 'https://tierpass.example.com',
    secrets: new SecretBox([{ id: 't1', key: randomBytes(32) }]),
    klaviyo: { origin: klaviyo.origin, retryBaseMs: 50 },
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
  await built.services.outbox.close();
  await Promise.all(shops.map((s) => s.close()));
  await klaviyo.close();
  await sql.end();
  await store.close();
  await db.drop();
}, 120_000);

const app = () => built.app;
const dispatch = () => built.services.klaviyoQueue.dispatch();
type Auth = { Authorization: string };

/** A lifetime program with Bronze and Silver (100.00 spent), connected to Klaviyo. */
async function connectedProgram() {
  const { auth, programId } = await createProgram(
    { app: app() },
    { currency: 'USD', retention: { mode: 'lifetime' } },
  );
  await createTier({ app: app() }, auth, { title: 'Bronze' });
  await createTier({ app: app() }, auth, {
    title: 'Silver',
    qualifications: [{ type: 'lifetimeSpend', minAmount: 10_000 }],
  });
  await request(app()).put('/v1/integrations/klaviyo').set(auth).send({ apiKey: klaviyo.apiKey }).expect(200);
  return { auth, programId: programId as string };
}

const order = (auth: Auth, id: string, customerId: string, amount: number) =>
  request(app()).post('/v1/orders').set(auth).send({ id, customerId, amount }).expect(201);

/** The Klaviyo rows of the program still waiting, with what they carry. */
async function pendingRows(programId: string) {
  const { rows } = await sql.query<{ customer_id: string; erasure_sealed: string | null }>(
    `SELECT customer_id, erasure_sealed FROM outbox
     WHERE program_id = $1 AND kind = 'klaviyo_profile_changed' AND done_at IS NULL ORDER BY id`,
    [programId],
  );
  return rows;
}

/** Rows of every table whose text mentions `needle` (any column, any JSON depth). */
async function rowsMentioning(needle: string): Promise<Record<string, number>> {
  const { rows } = await sql.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const found: Record<string, number> = {};
  for (const { name } of rows) {
    const r = await sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${sql.escapeIdentifier(name)} t WHERE strpos(lower(t::text), lower($1)) > 0`,
      [needle],
    );
    if ((r.rows[0]?.n ?? 0) > 0) found[name] = r.rows[0]?.n ?? 0;
  }
  return found;
}

const deletionRequests = () =>
  klaviyo.requests.filter((r) => r.path === '/api/data-privacy-deletion-jobs' && r.status === 202);

it('deletes the Klaviyo profile of a customer erased through the API; nothing re-creates it; a replay asks nothing more', async () => {
  const { auth, programId } = await connectedProgram();
  const email = `erin.${randomBytes(4).toString('hex')}@example.com`;
  await request(app()).put('/v1/customers/erin').set(auth).send({ email, name: 'Erin Ek' }).expect(201);
  await order(auth, 'e-1', 'erin', 6_000);
  await dispatch();
  expect(klaviyo.profiles.get('erin')?.email).toBe(email);

  // A profile update still pending when the erasure comes (the order makes Erin Silver).
  await order(auth, 'e-2', 'erin', 5_000);
  const before = deletionRequests().length;
  await request(app()).post('/v1/customers/erin/redact').set(auth).expect(200);
  const pending = await pendingRows(programId);
  const erasures = pending.filter((r) => r.erasure_sealed !== null);
  expect(erasures).toHaveLength(1);
  // Sealed: the email is nowhere readable, not even on the row that carries it.
  expect(erasures[0]?.erasure_sealed).toMatch(/^sb1\.t1\./);
  expect(await rowsMentioning(email)).toEqual({});

  // Klaviyo throttles the deletion: it waits (Retry-After), nothing lost, then goes.
  klaviyo.throttlePath('/api/data-privacy-deletion-jobs', 1, 30);
  await dispatch();
  expect(deletionRequests().length).toBe(before);
  const waiting = await sql.query<{ wait_s: number }>(
    `SELECT extract(epoch FROM due_at - now())::float8 AS wait_s FROM outbox
     WHERE program_id = $1 AND erasure_sealed IS NOT NULL AND done_at IS NULL`,
    [programId],
  );
  expect(waiting.rows[0]?.wait_s).toBeGreaterThan(20);
  await sql.query(
    `UPDATE outbox SET due_at = now() - interval '1 second' WHERE program_id = $1 AND done_at IS NULL`,
    [programId],
  );
  await dispatch();

  const sent = deletionRequests().slice(before);
  expect(sent).toHaveLength(1);
  expect(validateDeletion(sent[0]?.body)).toEqual([]);
  expect(sent[0]?.body).toEqual({
    data: {
      type: 'data-privacy-deletion-job',
      attributes: { profile: { data: { type: 'profile', attributes: { email } } } },
    },
  });
  expect(klaviyo.profiles.has('erin')).toBe(false);
  // Done, and the sealed value forgotten with it.
  expect(await pendingRows(programId)).toEqual([]);
  const kept = await sql.query('SELECT 1 FROM outbox WHERE program_id = $1 AND erasure_sealed IS NOT NULL', [
    programId,
  ]);
  expect(kept.rowCount).toBe(0);

  // Later changes of the erased customer never re-create the profile.
  const sentBefore = klaviyo.requests.length;
  await order(auth, 'e-3', 'erin', 50_000);
  await dispatch();
  expect(klaviyo.profiles.has('erin')).toBe(false);
  expect(
    klaviyo.requests
      .slice(sentBefore)
      .filter((r) => JSON.stringify(r.body ?? null).includes('"erin"') && r.status < 300),
  ).toEqual([]);

  // A replay of the erasure changes nothing: no second deletion is queued.
  await request(app()).post('/v1/customers/erin/redact').set(auth).expect(200);
  expect((await pendingRows(programId)).filter((r) => r.erasure_sealed !== null)).toEqual([]);
}, 120_000);

it('finds the profile by external id when the customer had no email', async () => {
  const { auth, programId } = await connectedProgram();
  await request(app()).put('/v1/customers/nomail').set(auth).send({ name: 'No Mail' }).expect(201);
  await order(auth, 'n-1', 'nomail', 12_000);
  await dispatch();
  expect(klaviyo.profiles.has('nomail')).toBe(true);
  await request(app()).post('/v1/customers/nomail/redact').set(auth).expect(200);
  await dispatch();
  const last = klaviyo.deletions.at(-1);
  expect(last?.by).toEqual({ id: '01PROFILEnomail' });
  expect(last?.deleted).toEqual(['nomail']);
  expect(klaviyo.profiles.has('nomail')).toBe(false);
  expect(await pendingRows(programId)).toEqual([]);
}, 120_000);

it('forwards Shopify’s customers/redact to Klaviyo', async () => {
  const shop = await startShopifyStandIn({ shop: `tp-kera-${process.pid}.myshopify.com`, currency: 'USD' });
  shops.push(shop);
  const { auth, programId } = await connectedProgram();
  const secret = `shpss_${randomBytes(16).toString('hex')}`;
  await request(app())
    .put('/v1/integrations/shopify')
    .set(auth)
    .send({ shopDomain: shop.shop, accessToken: shop.accessToken, webhookSecret: secret })
    .expect(200);
  const send = (topic: string, payload: unknown) => {
    const w = signedWebhook(secret, shop.shop, topic, payload);
    return request(app()).post('/shopify/webhooks').set(w.headers).send(w.body);
  };
  const email = `shop.${randomBytes(4).toString('hex')}@example.com`;
  const customer = { id: 8800, email, firstName: 'Sho', lastName: 'Per' };
  expect(
    (await send('orders/paid', orderPayload({ id: 88001, customer, currency: 'USD', subtotal: 12_000 }))).body
      .result,
  ).toBe('applied');
  await dispatch();
  expect(klaviyo.profiles.get('8800')?.email).toBe(email);

  const redact = await send(
    'customers/redact',
    customersRedactPayload({ shop: shop.shop, customer: { id: 8800, email }, orders: [88001] }),
  );
  expect(redact.body.result).toBe('applied');
  await dispatch();
  expect(klaviyo.deletions.at(-1)?.by).toEqual({ email });
  expect(klaviyo.profiles.has('8800')).toBe(false);
  expect(await pendingRows(programId)).toEqual([]);
  expect(await rowsMentioning(email)).toEqual({});
}, 120_000);

it('queues nothing for Klaviyo when the program has no connection', async () => {
  const { auth, programId } = await createProgram({ app: app() }, { currency: 'USD' });
  await request(app()).put('/v1/customers/x1').set(auth).send({ email: 'x1@example.com' }).expect(201);
  await request(app()).post('/v1/customers/x1/redact').set(auth).expect(200);
  expect(await pendingRows(programId)).toEqual([]);
});
