/**
 * Installing through Shopify from the console (decision 0051) in a real browser: with the
 * operator's Shopify app configured, the Shopify page offers "Install through Shopify"; the
 * browser follows the install link to the shop's approval page (the stand-in approves as the
 * merchant would), Shopify's redirect comes back to the callback, and the callback sends the
 * browser to the console's Shopify page, which says the shop is connected. A callback that fails
 * lands on the same page saying why. Without an app configured the entry is not offered.
 * Checked at phone and desktop widths with axe.
 *
 * PUBLIC_URL is https://tierpass.example.com (what Shopify is told); the browser's requests to it
 * are served by the test's own server, as a reverse proxy would.
 */
import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { SecretBox } from '../../src/integrations/secrets/secret-box.js';
import { oauthHmac, type ShopifyStandIn, startShopifyStandIn } from '../shopify/shopify-stand-in.js';
import { type ConsoleHarness, checkPage, signIn, startConsoleHarness } from './console-harness.js';
import { expectFitsPhoneWidth } from './phone-width.js';

jest.setTimeout(300_000);

const PUBLIC_URL = 'https://tierpass.example.com';
const APP = {
  apiKey: 'console-install-client-id',
  apiSecret: `shpss_${randomBytes(16).toString('hex')}`,
  scopes: ['read_orders', 'read_customers', 'write_customers'],
};

let h: ConsoleHarness;
let plain: ConsoleHarness;
let shop: ShopifyStandIn;
beforeAll(async () => {
  shop = await startShopifyStandIn({
    shop: 'console-install.myshopify.com',
    name: 'Installed Shop',
    currency: 'USD',
    app: { apiKey: APP.apiKey, apiSecret: APP.apiSecret },
  });
  const app = {
    publicUrl: PUBLIC_URL,
    secrets: new SecretBox([{ id: 'c1', key: randomBytes(32) }]),
    shopify: { origin: () => shop.origin },
  };
  h = await startConsoleHarness({ app: { ...app, shopifyApp: APP } });
  plain = await startConsoleHarness({ app });
});
afterAll(async () => {
  await h?.close();
  await plain?.close();
  await shop?.close();
});

it('installs a shop through Shopify and lands back on the Shopify page, connected', async () => {
  const { apiKey } = await h.createProgramWithKey({ name: 'Install Shop', currency: 'USD' });
  const page = await h.newPage();
  // PUBLIC_URL is this server: answered by it; its relative redirects stay on its address here.
  await page.route(`${PUBLIC_URL}/**`, async (route) => {
    const u = new URL(route.request().url());
    const res = await route.fetch({ url: `${h.baseUrl}${u.pathname}${u.search}`, maxRedirects: 0 });
    const headers = { ...res.headers() };
    if (headers.location?.startsWith('/')) headers.location = `${h.baseUrl}${headers.location}`;
    await route.fulfill({ response: res, headers });
  });
  // The merchant approves on Shopify's page: Shopify sends the browser back with a signed code.
  const authorizeUrls: string[] = [];
  await page.route(`https://${shop.shop}/admin/oauth/authorize**`, async (route) => {
    authorizeUrls.push(route.request().url());
    const back = shop.approve(route.request().url());
    await route.fulfill({ status: 302, headers: { location: `${PUBLIC_URL}${back.path}` } });
  });

  await signIn(page, apiKey);
  await page.getByRole('link', { name: 'Shopify' }).click();
  await page.getByRole('heading', { name: 'Install through Shopify' }).waitFor();
  await page.getByRole('heading', { name: 'Connect a store' }).waitFor();
  await checkPage(page, 'shopify-install-offered');
  await expectFitsPhoneWidth(page);

  // A domain that is not a shop is refused at its field, nothing is asked of the server.
  await page.getByLabel('Shop domain to install on').fill('example.com');
  await page.getByRole('button', { name: 'Install through Shopify' }).click();
  expect(await page.getByLabel('Shop domain to install on').getAttribute('aria-invalid')).toBe('true');
  expect(authorizeUrls).toHaveLength(0);

  await page.getByLabel('Shop domain to install on').fill(shop.shop);
  await page.getByRole('button', { name: 'Install through Shopify' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: `${shop.shop} is connected through Shopify` })
    .waitFor();
  await page.getByRole('heading', { name: 'Installed Shop' }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/console/shopify');
  expect(new URL(page.url()).search).toBe('');
  expect(authorizeUrls).toHaveLength(1);
  expect(new URL(authorizeUrls[0] as string).searchParams.get('client_id')).toBe(APP.apiKey);
  expect(shop.subscriptions).toHaveLength(7);
  const saved = await h.api<{ shopDomain: string; state: string }>(apiKey, 'GET', '/v1/integrations/shopify');
  expect(saved.body).toMatchObject({ shopDomain: shop.shop, state: 'connected' });
  expect(await page.locator('body').textContent()).not.toContain(shop.accessToken);
  await checkPage(page, 'shopify-install-connected');
});

it('shows why an install through Shopify did not complete', async () => {
  const { apiKey } = await h.createProgramWithKey({ name: 'Failed Install', currency: 'USD' });
  const page = await h.newPage();
  await signIn(page, apiKey);
  // Shopify's redirect with a query that is not signed by the app (tampered on the way).
  const q = new URLSearchParams({
    code: 'abc',
    shop: 'someone.myshopify.com',
    state: 'x.y',
    timestamp: '1',
  });
  q.set('hmac', oauthHmac(q, 'not-the-app-secret'));
  await page.goto(`/shopify/callback?${q}`);
  await page.getByRole('alert').filter({ hasText: 'did not carry Shopify’s signature' }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/console/shopify');
  await page.getByRole('heading', { name: 'Connect a store' }).waitFor();
  await checkPage(page, 'shopify-install-failed');
  expect((await h.api(apiKey, 'GET', '/v1/integrations/shopify')).status).toBe(404);
});

it('does not offer an install through Shopify when no Shopify app is configured', async () => {
  const { apiKey } = await plain.createProgramWithKey({ name: 'No App', currency: 'USD' });
  const page = await plain.newPage();
  await signIn(page, apiKey);
  // The page asks the API whether the operator configured an app, and offers nothing when not.
  const answered = page.waitForResponse((r) => r.url().endsWith('/v1/integrations/shopify/app'));
  await page.getByRole('link', { name: 'Shopify' }).click();
  expect(await (await answered).json()).toEqual({ installThroughShopify: false, scopes: [] });
  await page.getByRole('heading', { name: 'Connect a store' }).waitFor();
  expect(await page.getByRole('heading', { name: 'Install through Shopify' }).count()).toBe(0);
});
