/**
 * Every sealed credential follows a key rotation (docs/decisions/0052): a program connected to a
 * Shopify stand-in and a Klaviyo stand-in under key k1; the keyring becomes "k2 first, k1 kept";
 * the start's walk re-seals the Shopify access token and webhook secret and the Klaviyo key under
 * k2, with the sealed email of a pending Klaviyo erasure (once: a second walk finds nothing);
 * then k1 leaves the keyring and everything still works — a signed Shopify webhook is verified and
 * applied, the tier event it causes is delivered to Klaviyo, and the erasure is forwarded.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import request from 'supertest';
import { buildApp } from '../../src/app.js';
import { SecretBox, type SecretKey } from '../../src/integrations/secrets/secret-box.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/port.js';
import { orderPayload } from '../shopify/payloads.js';
import { type ShopifyStandIn, signedWebhook, startShopifyStandIn } from '../shopify/shopify-stand-in.js';
import { ADMIN_TOKEN, createProgram, createTier } from '../support/harness.js';
import { createTempDatabase } from '../support/temp-db.js';
import { type KlaviyoStandIn, startKlaviyoStandIn } from './klaviyo-stand-in.js';

let db: Awaited<ReturnType<typeof createTempDatabase>>;
let store: Store;
let sql: pg.Client;
let shop: ShopifyStandIn;
let klaviyo: KlaviyoStandIn;
const apps: ReturnType<typeof buildApp>[] = [];
const k1: SecretKey = { id: 'k1', key: randomBytes(32) };
const k2: SecretKey = { id: 'k2', key: randomBytes(32) };

beforeAll(async () => {
  db = await createTempDatabase();
  store = await openStore({ databaseUrl: db.url, dataDir: 'memory://' });
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  shop = await startShopifyStandIn({ shop: `tp-rot-${process.pid}.myshopify.com`, currency: 'USD' });
  klaviyo = await startKlaviyoStandIn();
}, 120_000);

afterAll(async () => {
  for (const a of apps) await a.services.outbox.close();
  await shop.close();
  await klaviyo.close();
  await sql.end();
  await store.close();
  await db.drop();
}, 120_000);

/** The app as a start with this keyring builds it (same database). */
function start(keys: SecretKey[]) {
  const built = buildApp({
    store,
    clock: { now: () => new Date() },
    logger: pino({ level: 'silent' }),
    adminToken: ADMIN_TOKEN,
    publicUrl: 'https://tierpass.example.com',
    secrets: new SecretBox(keys),
    shopify: { origin: () => shop.origin },
    klaviyo: { origin: klaviyo.origin, retryBaseMs: 50 },
    rateLimits: { expensivePerProgram: 10_000, expensivePerClient: 10_000 },
  });
  apps.push(built);
  return built;
}

async function sealedValues(programId: string) {
  const s = await sql.query<{ access_token_sealed: string; webhook_secret_sealed: string }>(
    'SELECT access_token_sealed, webhook_secret_sealed FROM shopify_connections WHERE program_id = $1',
    [programId],
  );
  const k = await sql.query<{ api_key_sealed: string }>(
    'SELECT api_key_sealed FROM klaviyo_connections WHERE program_id = $1',
    [programId],
  );
  const e = await sql.query<{ erasure_sealed: string }>(
    'SELECT erasure_sealed FROM outbox WHERE program_id = $1 AND erasure_sealed IS NOT NULL',
    [programId],
  );
  return [
    s.rows[0]?.access_token_sealed,
    s.rows[0]?.webhook_secret_sealed,
    k.rows[0]?.api_key_sealed,
    ...e.rows.map((r) => r.erasure_sealed),
  ] as string[];
}

it('re-seals Shopify and Klaviyo credentials and pending erasures under the new key at start; the old key can then go', async () => {
  const first = start([k1]);
  const { auth, programId } = await createProgram(
    { app: first.app },
    { currency: 'USD', retention: { mode: 'lifetime' } },
  );
  await createTier({ app: first.app }, auth, { title: 'Bronze' });
  await createTier({ app: first.app }, auth, {
    title: 'Silver',
    qualifications: [{ type: 'lifetimeSpend', minAmount: 10_000 }],
  });
  const webhookSecret = `shpss_${randomBytes(16).toString('hex')}`;
  await request(first.app)
    .put('/v1/integrations/shopify')
    .set(auth)
    .send({ shopDomain: shop.shop, accessToken: shop.accessToken, webhookSecret })
    .expect(200);
  await request(first.app)
    .put('/v1/integrations/klaviyo')
    .set(auth)
    .send({ apiKey: klaviyo.apiKey })
    .expect(200);
  // An erasure not yet forwarded to Klaviyo: its row carries the email sealed under k1.
  await request(first.app)
    .put('/v1/customers/gone-1')
    .set(auth)
    .send({ email: 'gone@example.com' })
    .expect(201);
  await request(first.app).post('/v1/customers/gone-1/redact').set(auth).expect(200);
  for (const v of await sealedValues(programId)) expect(v).toMatch(/^sb1\.k1\./);

  // A start with k2 first and k1 kept: the walk re-seals all three, and only once.
  const rotated = start([k2, k1]);
  const report = await rotated.services.resealCredentials();
  expect(report.unopenable).toEqual([]);
  // Other tests' programs do not share this database: the counts are this program's.
  expect(report.resealed).toEqual({
    shopifyAccessToken: 1,
    shopifyWebhookSecret: 1,
    klaviyoApiKey: 1,
    klaviyoErasure: 1,
  });
  const after = await sealedValues(programId);
  for (const v of after) expect(v).toMatch(/^sb1\.k2\./);
  // No value is readable: neither the token, the secret nor the key appears in its row.
  const dump = JSON.stringify(after);
  expect(after).toHaveLength(4);
  for (const plain of [shop.accessToken, webhookSecret, klaviyo.apiKey, 'gone@example.com'])
    expect(dump).not.toContain(plain);
  expect((await rotated.services.resealCredentials()).resealed).toEqual({
    shopifyAccessToken: 0,
    shopifyWebhookSecret: 0,
    klaviyoApiKey: 0,
    klaviyoErasure: 0,
  });
  expect(await sealedValues(programId)).toEqual(after);

  // k1 removed: a signed Shopify order is verified and applied, and Klaviyo gets the upgrade.
  const k2Only = start([k2]);
  expect((await k2Only.services.resealCredentials()).unopenable).toEqual([]);
  const w = signedWebhook(
    webhookSecret,
    shop.shop,
    'orders/paid',
    orderPayload({
      id: 9101,
      customer: { id: 9100, email: 'rota@example.com', firstName: 'Rota', lastName: 'Tion' },
      currency: 'USD',
      subtotal: 12_000,
    }),
  );
  const res = await request(k2Only.app).post('/shopify/webhooks').set(w.headers).send(w.body);
  expect(res.status).toBe(200);
  expect(res.body.result).toBe('applied');
  const status = await request(k2Only.app).get('/v1/integrations/klaviyo').set(auth).expect(200);
  expect(status.body.state).toBe('connected');
  await k2Only.services.klaviyoQueue.dispatch();
  expect(
    klaviyo.events
      .filter((e) => e.profile.data.attributes.external_id === '9100')
      .map((e) => e.metric.data.attributes.name),
  ).toContain('Tier Upgraded');
  expect(klaviyo.profiles.get('9100')?.properties.tierpass_tier).toBe('Silver');
  // The erasure sealed under k1 opened under k2: Klaviyo was asked to delete the profile.
  expect(klaviyo.deletions.map((d) => d.by)).toEqual([{ email: 'gone@example.com' }]);
  // With k1 gone, the walk has nothing left it cannot open.
  expect((await k2Only.services.resealCredentials()).unopenable).toEqual([]);
}, 120_000);
