/**
 * The Shopify page's history import in a real browser: started from the page, its progress bar
 * shows a backfill held in the middle of its orders (aria-valuenow between 0 and 100, counts in
 * its text), then done at 100 %. Checked at phone and desktop widths with axe.
 */
import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { SecretBox } from '../../src/integrations/secrets/secret-box.js';
import { ORDER_PAGE } from '../../src/integrations/shopify/admin-history.js';
import type { ShopifyBackfillRecord } from '../../src/store/shopify-backfill-port.js';
import { type ShopifyStandIn, startShopifyStandIn } from '../shopify/shopify-stand-in.js';
import { type ConsoleHarness, checkPage, signIn, startConsoleHarness } from './console-harness.js';

jest.setTimeout(300_000);

let h: ConsoleHarness;
let shop: ShopifyStandIn;
let release: () => void = () => undefined;
const held = new Promise<void>((r) => {
  release = r;
});
beforeAll(async () => {
  shop = await startShopifyStandIn({ shop: 'console-backfill.myshopify.com', name: 'Backfill Shop' });
  h = await startConsoleHarness({
    app: {
      publicUrl: 'https://tierpass.example.com',
      secrets: new SecretBox([{ id: 'c1', key: randomBytes(32) }]),
      shopify: { origin: () => shop.origin },
      // Held after the first page of orders, so the page shows the bar part-way.
      shopifyBackfill: {
        afterPage: async (b: ShopifyBackfillRecord) => {
          if (b.phase === 'orders' && b.ordersDone > 0) await held;
        },
      },
    },
  });
}, 300_000);
afterAll(async () => {
  release();
  await h?.close();
  await shop?.close();
});

it('starts an import and follows it with a progress bar to the end', async () => {
  const { apiKey } = await h.createProgramWithKey({ name: 'Backfill Shop', currency: 'USD' });
  const connected = await h.api(apiKey, 'PUT', '/v1/integrations/shopify', {
    shopDomain: shop.shop,
    accessToken: shop.accessToken,
    webhookSecret: 'shpss_console-secret-0123',
  });
  expect(connected.status).toBe(200);
  for (let i = 0; i < 150; i++) {
    const at = new Date(Date.UTC(2026, 0, 2) + i * 3_600_000).toISOString();
    shop.history.orders.push({
      legacyResourceId: String(40_000 + i),
      test: false,
      processedAt: at,
      createdAt: at,
      cancelledAt: null,
      displayFinancialStatus: 'PAID',
      currency: 'USD',
      subtotal: '12.50',
      total: '15.00',
      customer: {
        legacyResourceId: String(30_000 + (i % 30)),
        email: null,
        firstName: 'Grace',
        lastName: null,
        tags: [],
        updatedAt: at,
      },
      refunds: [],
    });
  }

  const page = await h.newPage();
  await signIn(page, apiKey);
  await page.getByRole('link', { name: 'Shopify' }).click();
  await page.getByRole('heading', { name: 'Import history' }).waitFor();
  await page.getByRole('button', { name: 'Start import' }).click();
  await page.getByRole('alert').filter({ hasText: 'Choose the first day' }).waitFor();
  await page.getByLabel('Import orders since').fill('2026-01-01');
  await page.getByRole('button', { name: 'Start import' }).click();

  const bar = page.getByRole('progressbar', { name: 'History import' });
  await page.getByText(new RegExp(`\\b${ORDER_PAGE} of ~[\\d,]+ orders`)).waitFor();
  const midway = Number(await bar.getAttribute('aria-valuenow'));
  expect(midway).toBeGreaterThan(0);
  expect(midway).toBeLessThan(100);
  expect(await page.getByRole('button', { name: 'Import running…' }).isDisabled()).toBe(true);
  await checkPage(page, 'shopify-backfill-running');

  release();
  await page.getByRole('status').filter({ hasText: 'Done: 150 orders earned' }).waitFor();
  expect(await bar.getAttribute('aria-valuenow')).toBe('100');
  await page.getByText('150 of ~150 orders').waitFor();
  await checkPage(page, 'shopify-backfill-done');
});
