/**
 * The history import of a large shop in a real browser: while Shopify prepares the bulk export
 * of its orders (docs/decisions/0046, amendment "Bulk operations") the page says so, with the
 * export's count, and the bar stays part-way; then the import ends at 100 %. Checked with axe.
 */
import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { bulkCursor } from '../../src/features/shopify/shopify-backfill-bulk.js';
import { SecretBox } from '../../src/integrations/secrets/secret-box.js';
import type { ShopifyBackfillRecord } from '../../src/store/shopify-backfill-port.js';
import { historyOrder } from '../shopify/payloads.js';
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
  shop = await startShopifyStandIn({ shop: 'console-bulk.myshopify.com', name: 'Bulk Shop' });
  // Polled three times before it completes: the first poll finds it RUNNING.
  shop.bulk.pollsBeforeComplete = 3;
  h = await startConsoleHarness({
    app: {
      publicUrl: 'https://tierpass.example.com',
      secrets: new SecretBox([{ id: 'c1', key: randomBytes(32) }]),
      shopify: { origin: () => shop.origin },
      // Held while the export is being prepared, so the page shows that state.
      shopifyBackfill: {
        ordersMode: 'bulk',
        bulkPollMs: 20,
        afterPage: async (b: ShopifyBackfillRecord) => {
          if (b.phase === 'orders' && bulkCursor(b.cursor)?.status === 'RUNNING') await held;
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

it('says Shopify is preparing the export, then follows the import to the end', async () => {
  const { apiKey } = await h.createProgramWithKey({ name: 'Bulk Shop', currency: 'USD' });
  const connected = await h.api(apiKey, 'PUT', '/v1/integrations/shopify', {
    shopDomain: shop.shop,
    accessToken: shop.accessToken,
    webhookSecret: 'shpss_console-secret-0123',
  });
  expect(connected.status).toBe(200);
  for (let i = 0; i < 40; i++) {
    const at = new Date(Date.UTC(2026, 0, 2) + i * 3_600_000).toISOString();
    const customer = {
      legacyResourceId: String(31_000 + (i % 8)),
      email: null,
      firstName: 'Grace',
      lastName: null,
      tags: [],
      updatedAt: at,
    };
    shop.history.orders.push(historyOrder(String(41_000 + i), customer, 'USD', 1_250, at));
  }

  const page = await h.newPage();
  await signIn(page, apiKey);
  await page.getByRole('link', { name: 'Shopify' }).click();
  await page.getByRole('heading', { name: 'Import history' }).waitFor();
  await page.getByLabel('Import orders since').fill('2026-01-01');
  await page.getByRole('button', { name: 'Start import' }).click();

  const bar = page.getByRole('progressbar', { name: 'History import' });
  await page
    .getByRole('status')
    .filter({ hasText: 'Shopify is preparing the export of your orders' })
    .waitFor();
  await page.getByText(/\d+ orders exported so far/).waitFor();
  const midway = Number(await bar.getAttribute('aria-valuenow'));
  expect(midway).toBeGreaterThan(0);
  expect(midway).toBeLessThan(100);
  await checkPage(page, 'shopify-backfill-preparing');

  release();
  await page.getByRole('status').filter({ hasText: 'Done: 40 orders earned' }).waitFor();
  expect(await bar.getAttribute('aria-valuenow')).toBe('100');
  await page.getByText('40 of ~40 orders').waitFor();
  expect(shop.bulk.runs).toBe(1);
});
