/**
 * The Shopify page's data requests in a real browser (decision 0047): a signed
 * customers/data_request reaches the service, the page lists it and downloads the customer's
 * export; a request about an unknown customer shows no download. Phone and desktop widths, axe.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { jest } from '@jest/globals';
import { SecretBox } from '../../src/integrations/secrets/secret-box.js';
import { dataRequestPayload, orderPayload } from '../shopify/payloads.js';
import { type ShopifyStandIn, signedWebhook, startShopifyStandIn } from '../shopify/shopify-stand-in.js';
import { type ConsoleHarness, checkPage, signIn, startConsoleHarness } from './console-harness.js';

jest.setTimeout(300_000);

let h: ConsoleHarness;
let shop: ShopifyStandIn;
beforeAll(async () => {
  shop = await startShopifyStandIn({ shop: 'console-privacy.myshopify.com', name: 'Privacy Shop' });
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

async function deliver(secret: string, topic: string, payload: unknown, id: string) {
  const w = signedWebhook(secret, shop.shop, topic, payload, id);
  const res = await fetch(`${h.baseUrl}/shopify/webhooks`, {
    method: 'POST',
    headers: w.headers,
    body: w.body,
  });
  expect(res.status).toBe(200);
}

it('lists the shop’s data requests and downloads a customer’s export', async () => {
  const { apiKey } = await h.createProgramWithKey({ name: 'Privacy Shop', currency: 'USD' });
  const secret = 'shpss_console-privacy-0123';
  const connected = await h.api(apiKey, 'PUT', '/v1/integrations/shopify', {
    shopDomain: shop.shop,
    accessToken: shop.accessToken,
    webhookSecret: secret,
  });
  expect(connected.status).toBe(200);
  await deliver(
    secret,
    'orders/paid',
    orderPayload({
      id: 801,
      customer: { id: 901, email: 'nia@example.com' },
      currency: 'USD',
      subtotal: 4200,
    }),
    'wh-o-801',
  );
  await deliver(
    secret,
    'customers/data_request',
    dataRequestPayload({ shop: shop.shop, customer: { id: 999 } }),
    'wh-dr-999',
  );
  await deliver(
    secret,
    'customers/data_request',
    dataRequestPayload({ shop: shop.shop, customer: { id: 901 }, requestId: 5150 }),
    'wh-dr-901',
  );

  const page = await h.newPage();
  await signIn(page, apiKey);
  await page.getByRole('link', { name: 'Shopify' }).click();
  await page.getByRole('heading', { name: 'Customer data requests' }).waitFor();
  const rows = page.locator('tr[data-request-id]');
  await rows.first().waitFor();
  expect(await rows.count()).toBe(2);
  const unknown = page.locator('tr[data-request-id="wh-dr-999"]');
  await unknown.getByText('No data held').waitFor();
  expect(await unknown.getByRole('button').count()).toBe(0);
  await checkPage(page, 'shopify-data-requests');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download export, customer 901' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('data-request-5150-customer-901.json');
  const doc = JSON.parse(readFileSync(await download.path(), 'utf8'));
  expect(doc.customer).toMatchObject({ id: '901', email: 'nia@example.com' });
  expect(doc.orders.map((o: { id: string }) => o.id)).toEqual(['801']);
});
