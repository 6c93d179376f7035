/**
 * The Shopify page in a real browser: a refused token shown at its field, a store connected
 * against the Shopify stand-in (its webhooks registered, no secret shown), its write-back turned
 * off and on, then disconnected.
 * Checked at phone and desktop widths with axe.
 */
import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { SecretBox } from '../../src/integrations/secrets/secret-box.js';
import { type ShopifyStandIn, startShopifyStandIn } from '../shopify/shopify-stand-in.js';
import {
  type ConsoleHarness,
  checkPage,
  eventually,
  signIn,
  startConsoleHarness,
} from './console-harness.js';

jest.setTimeout(300_000);

let h: ConsoleHarness;
let shop: ShopifyStandIn;
beforeAll(async () => {
  shop = await startShopifyStandIn({ shop: 'console-test.myshopify.com', name: 'Console Test Shop' });
  h = await startConsoleHarness({
    app: {
      publicUrl: 'https://tierpass.example.com',
      secrets: new SecretBox([{ id: 'c1', key: randomBytes(32) }]),
      shopify: { origin: () => shop.origin },
    },
  });
});
afterAll(async () => {
  await h?.close();
  await shop?.close();
});

it('connects a store, refusing a wrong token at its field, shows it without secrets, and disconnects', async () => {
  const { apiKey } = await h.createProgramWithKey({ name: 'Shopify Shop', currency: 'USD' });
  const page = await h.newPage();
  await signIn(page, apiKey);
  await page.getByRole('link', { name: 'Shopify' }).click();
  await page.getByRole('heading', { name: 'Connect a store' }).waitFor();
  await checkPage(page, 'shopify-connect');

  await page.getByLabel('Shop domain').fill(shop.shop);
  await page.getByLabel('Admin API access token').fill('shpat_wrong-token-000');
  await page.getByLabel('Client secret').fill('shpss_console-secret-0123');
  await page.getByRole('button', { name: 'Connect store' }).click();
  await page.getByRole('alert').filter({ hasText: 'The store was not connected' }).waitFor();
  expect(await page.getByLabel('Admin API access token').getAttribute('aria-invalid')).toBe('true');
  expect(shop.subscriptions).toHaveLength(0);

  await page.getByLabel('Admin API access token').fill(shop.accessToken);
  await page.getByRole('button', { name: 'Connect store' }).click();
  await page.getByRole('heading', { name: 'Console Test Shop' }).waitFor();
  expect(await page.locator('main, body').first().textContent()).not.toContain(shop.accessToken);
  expect(shop.subscriptions).toHaveLength(7);
  const saved = await h.api<{ shopDomain: string; state: string }>(apiKey, 'GET', '/v1/integrations/shopify');
  expect(saved.body).toMatchObject({ shopDomain: shop.shop, state: 'connected' });
  await checkPage(page, 'shopify-connected');

  // The write-back setting (decision 0045): on by default, turned off and on again from the page.
  const writeBack = page.getByLabel('Write tier tags and metafields to Shopify customers');
  expect(await writeBack.isChecked()).toBe(true);
  await page.getByText('Customers written').waitFor();
  await writeBack.uncheck();
  await eventually('write-back is off', async () => {
    const r = await h.api<{ enabled: boolean }>(apiKey, 'GET', '/v1/integrations/shopify/write-back');
    return r.body.enabled === false;
  });
  await writeBack.check();
  await eventually('write-back is on', async () => {
    const r = await h.api<{ enabled: boolean }>(apiKey, 'GET', '/v1/integrations/shopify/write-back');
    return r.body.enabled === true;
  });

  await page.getByRole('button', { name: 'Disconnect store' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Disconnect' }).click();
  await page.getByRole('heading', { name: 'Connect a store' }).waitFor();
  await eventually('the subscriptions are removed', async () => shop.subscriptions.length === 0);
  expect((await h.api(apiKey, 'GET', '/v1/integrations/shopify')).status).toBe(404);
});
