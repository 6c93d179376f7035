/**
 * The Shopify page's segments in a real browser (docs/decisions/0048): the segments the tiers
 * use, not synced yet; "Sync segments now" with its progress bar; then found / not found with
 * member counts and the warning for a segment the shop lacks. Phone and desktop widths, axe.
 */
import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { SecretBox } from '../../src/integrations/secrets/secret-box.js';
import { type ShopifyStandIn, startShopifyStandIn } from '../shopify/shopify-stand-in.js';
import { type ConsoleHarness, checkPage, signIn, startConsoleHarness, VIEWPORTS } from './console-harness.js';
import { expectFitsPhoneWidth } from './phone-width.js';

jest.setTimeout(300_000);

let h: ConsoleHarness;
let shop: ShopifyStandIn;
beforeAll(async () => {
  shop = await startShopifyStandIn({ shop: 'console-segments.myshopify.com', name: 'Segment Shop' });
  h = await startConsoleHarness({
    app: {
      publicUrl: 'https://tierpass.example.com',
      secrets: new SecretBox([{ id: 'c1', key: randomBytes(32) }]),
      shopify: { origin: () => shop.origin },
      shopifySegments: { pageSize: 2, throttleWaitMs: 5 },
    },
  });
});
afterAll(async () => {
  await h?.close();
  await shop?.close();
});

it('shows the segments the tiers use, syncs them with a progress bar, and warns of a missing one', async () => {
  const { apiKey } = await h.createProgramWithKey({
    name: 'Segment Shop',
    currency: 'USD',
    retention: { mode: 'continuous' },
  });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await h.api(apiKey, method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  await call('POST', '/v1/tiers', { title: 'Bronze' });
  await call('POST', '/v1/tiers', {
    title: 'VIP',
    qualifications: [{ type: 'segment', segment: 'VIP customers' }],
  });
  await call('POST', '/v1/tiers', {
    title: 'Wholesale',
    qualifications: [{ type: 'segment', segment: 'Wholesale buyers' }],
  });
  await call('PUT', '/v1/integrations/shopify', {
    shopDomain: shop.shop,
    accessToken: shop.accessToken,
    webhookSecret: 'shpss_console-secret-0123',
  });
  shop.segments.set('VIP customers', ['11', '12', '13']);

  const page = await h.newPage();
  await signIn(page, apiKey);
  await page.getByRole('link', { name: 'Shopify' }).click();
  await page.getByRole('heading', { name: 'Customer segments' }).waitFor();
  const table = page.getByRole('table', { name: 'Segments the tiers use' });
  await table.getByRole('row', { name: /VIP customers.*Not synced yet/ }).waitFor();
  await checkPage(page, 'shopify-segments-before');

  await page.getByRole('button', { name: 'Sync segments now' }).click();
  await page.getByRole('progressbar', { name: 'Segment sync' }).waitFor();
  await page.getByRole('status').filter({ hasText: /^Done/ }).waitFor();
  expect(await page.getByRole('progressbar', { name: 'Segment sync' }).getAttribute('aria-valuenow')).toBe(
    '100',
  );
  await table.getByRole('row', { name: /VIP customers\s+VIP\s+Found\s+3/ }).waitFor();
  await table.getByRole('row', { name: /Wholesale buyers\s+Wholesale\s+Not found/ }).waitFor();
  await page
    .getByRole('alert')
    .filter({ hasText: 'The shop has no customer segment "Wholesale buyers"' })
    .waitFor();
  await checkPage(page, 'shopify-segments-synced');
  // At phone width the table's rows stack: every value readable, nothing scrolls sideways.
  await page.setViewportSize(VIEWPORTS.phone);
  await expectFitsPhoneWidth(page);
  const row = table.getByRole('row').filter({ hasText: 'Wholesale buyers' });
  for (const cell of await row.locator('td, th').all()) {
    const box = await cell.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= VIEWPORTS.phone.width).toBe(true);
  }
  // The cards of the page are spaced apart, not touching.
  const cards = await page.locator('.shopify-page > .card').all();
  expect(cards.length).toBeGreaterThan(1);
  for (let i = 1; i < cards.length; i++) {
    const above = await cards[i - 1]?.boundingBox();
    const below = await cards[i]?.boundingBox();
    expect(below && above && below.y - (above.y + above.height) >= 12).toBe(true);
  }
  await page.setViewportSize(VIEWPORTS.desktop);

  const vip = await h.api<{ tier: { title: string } | null }>(apiKey, 'GET', '/v1/customers/12');
  expect(vip.body.tier?.title).toBe('VIP');
});
