/**
 * The OAuth install (docs/decisions/0047) end to end: the real app on its own database, a
 * Shopify stand-in on a real socket answering the token exchange and the Admin GraphQL calls,
 * and the merchant's approval as Shopify redirects it back (a one-time code, the query signed
 * with the app secret).
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import request from 'supertest';
import { buildApp } from '../../src/app.js';
import { SecretBox } from '../../src/integrations/secrets/secret-box.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/port.js';
import { ADMIN_TOKEN, createProgram } from '../support/harness.js';
import { createTempDatabase } from '../support/temp-db.js';
import { orderPayload } from './payloads.js';
import { oauthHmac, type ShopifyStandIn, signedWebhook, startShopifyStandIn } from './shopify-stand-in.js';

const PUBLIC_URL = 'https://tierpass.example.com';
const APP = {
  apiKey: 'tierpass-test-client-id',
  apiSecret: `shpss_${randomBytes(16).toString('hex')}`,
  scopes: ['read_orders', 'read_customers', 'write_customers'],
};

let db: Awaited<ReturnType<typeof createTempDatabase>>;
let store: Store;
let app: ReturnType<typeof buildApp>['app'];
let offsetMs = 0;
const shops: ShopifyStandIn[] = [];

function build(shopifyApp?: typeof APP) {
  return buildApp({
    store,
    clock: { now: () => new Date(Date.now() + offsetMs) },
    logger: pino({ level: 'silent' }),
    adminToken: ADMIN_TOKEN,
    publicUrl: PUBLIC_URL,
    secrets: new SecretBox([{ id: 't1', key: randomBytes(32) }]),
    shopify: {
      origin: (shop) => {
        const s = shops.find((x) => x.shop === shop);
        if (!s) throw new Error(`no stand-in for ${shop}`);
        return s.origin;
      },
    },
    shopifyApp,
    rateLimits: { expensivePerProgram: 10_000, expensivePerClient: 10_000 },
  }).app;
}

beforeAll(async () => {
  db = await createTempDatabase();
  store = await openStore({ databaseUrl: db.url, dataDir: 'memory://' });
  app = build(APP);
}, 120_000);

afterAll(async () => {
  await Promise.all(shops.map((s) => s.close()));
  await store.close();
  await db.drop();
}, 120_000);

afterEach(() => {
  offsetMs = 0;
});

let seq = 0;
async function standIn(grantedScopes?: string) {
  seq += 1;
  const s = await startShopifyStandIn({
    shop: `tp-oauth-${process.pid}-${seq}.myshopify.com`,
    currency: 'USD',
    app: { apiKey: APP.apiKey, apiSecret: APP.apiSecret, grantedScopes },
  });
  shops.push(s);
  return s;
}

/** The callback as an API client calls it (Accept: application/json): the answer itself. */
const asJson = (path: string) => request(app).get(path).set('Accept', 'application/json');

/** A program, its install link for `shop`, and where /shopify/install sends the browser. */
async function started(shop: ShopifyStandIn) {
  const { auth, programId } = await createProgram({ app }, { currency: 'USD' });
  const link = await request(app)
    .post('/v1/integrations/shopify/install-link')
    .set(auth)
    .send({ shopDomain: shop.shop });
  expect(link.status).toBe(201);
  const url = new URL(link.body.url);
  expect(url.origin).toBe(PUBLIC_URL);
  const install = await request(app).get(`${url.pathname}${url.search}`);
  expect(install.status).toBe(302);
  return { auth, programId: programId as string, authorize: install.headers.location as string };
}

describe('OAuth install', () => {
  it('redirects to the shop’s authorization page, exchanges the code, connects and registers the webhooks', async () => {
    const shop = await standIn();
    const { auth, programId, authorize } = await started(shop);
    const a = new URL(authorize);
    expect(`${a.origin}${a.pathname}`).toBe(`https://${shop.shop}/admin/oauth/authorize`);
    expect(a.searchParams.get('client_id')).toBe(APP.apiKey);
    expect(a.searchParams.get('scope')).toBe('read_orders,read_customers,write_customers');
    expect(a.searchParams.get('redirect_uri')).toBe(`${PUBLIC_URL}/shopify/callback`);
    expect(a.searchParams.get('state')).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(a.searchParams.has('grant_options[]')).toBe(false);

    const back = shop.approve(authorize);
    const res = await asJson(back.path);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ shopDomain: shop.shop, state: 'connected', currency: 'USD' });
    expect(JSON.stringify(res.body)).not.toContain(APP.apiSecret);
    expect(shop.exchanged).toHaveLength(1);
    expect(shop.subscriptions).toHaveLength(7);
    const saved = await store.scoped(programId).shopify.get();
    expect(saved?.accessTokenSealed.startsWith('sb1.')).toBe(true);
    expect(saved?.accessTokenSealed).not.toContain(shop.accessToken);
    expect((await request(app).get('/v1/integrations/shopify').set(auth)).body.shopDomain).toBe(shop.shop);

    // Webhooks of an app-installed shop are signed with the app secret.
    const w = signedWebhook(
      APP.apiSecret,
      shop.shop,
      'orders/paid',
      orderPayload({ id: 9101, customer: { id: 9201 }, currency: 'USD', subtotal: 2500 }),
    );
    const delivered = await request(app).post('/shopify/webhooks').set(w.headers).send(w.body);
    expect(delivered.body.result).toBe('applied');

    // The same redirect again: the code is spent, nothing registered twice.
    const replay = await asJson(back.path);
    expect(replay.status).toBe(422);
    expect(replay.body.error.code).toBe('shopify_code_rejected');
    expect(shop.subscriptions).toHaveLength(7);
  });

  it('refuses a tampered hmac with 401, without exchanging the code', async () => {
    const shop = await standIn();
    const { auth, authorize } = await started(shop);
    const back = shop.approve(authorize);
    const q = new URLSearchParams(back.query);
    q.set('timestamp', String(Number(q.get('timestamp')) + 1));
    const res = await asJson(`/shopify/callback?${q}`);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('shopify_signature_invalid');
    const missing = new URLSearchParams(back.query);
    missing.delete('hmac');
    expect((await asJson(`/shopify/callback?${missing}`)).status).toBe(401);
    expect(shop.exchanged).toHaveLength(0);
    expect((await request(app).get('/v1/integrations/shopify').set(auth)).status).toBe(404);
  });

  it('refuses a bad, expired or other shop’s state with 400, without exchanging the code', async () => {
    const shop = await standIn();
    const other = await standIn();
    const { auth, authorize } = await started(shop);
    const { authorize: otherAuthorize } = await started(other);
    const resigned = (q: URLSearchParams) => {
      q.set('hmac', oauthHmac(q, APP.apiSecret));
      return `/shopify/callback?${q}`;
    };
    const forged = new URLSearchParams(shop.approve(authorize).query);
    forged.set('state', 'not-a-state');
    const bad = await asJson(resigned(forged));
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('shopify_state_invalid');
    // Another shop's state: the install link made for one shop does not install another.
    const swapped = new URLSearchParams(shop.approve(authorize).query);
    swapped.set('state', new URL(otherAuthorize).searchParams.get('state') as string);
    expect((await asJson(resigned(swapped))).status).toBe(400);
    // Altered: one character of the signed part, or of the signature, changed.
    for (const at of ['first', 'last'] as const) {
      const altered = new URLSearchParams(shop.approve(authorize).query);
      const st = altered.get('state') as string;
      const i = at === 'first' ? 0 : st.length - 1;
      altered.set('state', `${st.slice(0, i)}${st[i] === 'A' ? 'B' : 'A'}${st.slice(i + 1)}`);
      expect((await asJson(resigned(altered))).status).toBe(400);
    }
    // Expired: the merchant came back after ten minutes.
    const late = shop.approve(authorize);
    offsetMs = 11 * 60 * 1000;
    expect((await asJson(late.path)).body.error.code).toBe('shopify_state_invalid');
    expect(shop.exchanged).toHaveLength(0);
    expect((await request(app).get('/v1/integrations/shopify').set(auth)).status).toBe(404);
  });

  it('refuses a shop that is not *.myshopify.com with 400, at install and at the callback', async () => {
    const shop = await standIn();
    const { authorize } = await started(shop);
    const evil = new URLSearchParams(shop.approve(authorize).query);
    evil.set('shop', 'evil.example.com');
    evil.set('hmac', oauthHmac(evil, APP.apiSecret));
    const res = await asJson(`/shopify/callback?${evil}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('shopify_shop_invalid');
    const install = await request(app).get('/shopify/install?shop=evil.example.com&link=x.y');
    expect(install.status).toBe(400);
    expect(install.body.error.code).toBe('shopify_shop_invalid');
    // A myshopify shop with a link made for another shop.
    const { auth } = await createProgram({ app }, { currency: 'USD' });
    const link = await request(app)
      .post('/v1/integrations/shopify/install-link')
      .set(auth)
      .send({ shopDomain: shop.shop });
    const u = new URL(link.body.url);
    u.searchParams.set('shop', 'someone-else.myshopify.com');
    const wrong = await request(app).get(`${u.pathname}${u.search}`);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('shopify_install_link_invalid');
    expect(shop.exchanged).toHaveLength(0);
  });

  it('sends the merchant’s browser back to the console’s Shopify page, connected or saying why not', async () => {
    const shop = await standIn();
    const { auth, authorize } = await started(shop);
    const back = shop.approve(authorize);
    const ok = await request(app).get(back.path).set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
    expect(ok.status).toBe(302);
    expect(ok.headers.location).toBe(`/console/shopify?install=connected&shop=${shop.shop}`);
    expect((await request(app).get('/v1/integrations/shopify').set(auth)).body.state).toBe('connected');

    // The same redirect again (the code is spent): the page says so, nothing changes.
    const replay = await request(app).get(back.path).set('Accept', 'text/html');
    expect(replay.status).toBe(302);
    expect(replay.headers.location).toBe('/console/shopify?install=failed&error=shopify_code_rejected');
    expect(shop.subscriptions).toHaveLength(7);
    // A tampered query from a browser: sent to the page with the code, nothing exchanged.
    const q = new URLSearchParams(shop.approve(authorize).query);
    q.set('timestamp', '1');
    const tampered = await request(app).get(`/shopify/callback?${q}`);
    expect(tampered.status).toBe(302);
    expect(tampered.headers.location).toBe('/console/shopify?install=failed&error=shopify_signature_invalid');
    expect(shop.exchanged).toHaveLength(1);
  });

  it('tells the console whether installing through Shopify is available', async () => {
    const { auth } = await createProgram({ app }, { currency: 'USD' });
    const on = await request(app).get('/v1/integrations/shopify/app').set(auth);
    expect(on.status).toBe(200);
    expect(on.body).toEqual({ installThroughShopify: true, scopes: APP.scopes });
    const plain = build(undefined);
    const { auth: a2 } = await createProgram({ app: plain }, { currency: 'USD' });
    const off = await request(plain).get('/v1/integrations/shopify/app').set(a2);
    expect(off.body).toEqual({ installThroughShopify: false, scopes: [] });
    expect((await request(plain).get('/v1/integrations/shopify/app')).status).toBe(401);
  });

  it('refuses a grant missing a scope, and answers 503 when no Shopify app is configured', async () => {
    const shop = await standIn('read_orders');
    const { auth, authorize } = await started(shop);
    const res = await asJson(shop.approve(authorize).path);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('shopify_scope_missing');
    expect((await request(app).get('/v1/integrations/shopify').set(auth)).status).toBe(404);

    const plain = build(undefined);
    const { auth: a2 } = await createProgram({ app: plain }, { currency: 'USD' });
    const link = await request(plain)
      .post('/v1/integrations/shopify/install-link')
      .set(a2)
      .send({ shopDomain: shop.shop });
    expect(link.status).toBe(503);
    expect(link.body.error.code).toBe('shopify_app_not_configured');
  });
});
