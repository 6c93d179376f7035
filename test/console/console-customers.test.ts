import { jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import { decodeQr } from '../passes/qr-decode.js';
import {
  type ConsoleHarness,
  checkPage,
  eventually,
  okCaller,
  signIn,
  startConsoleHarnessWithPasses,
  VIEWPORTS,
} from './console-harness.js';

jest.setTimeout(240_000);

let h: ConsoleHarness;
beforeAll(async () => {
  h = await startConsoleHarnessWithPasses({ cacheEntries: 10 });
});
afterAll(() => h?.close());

/** A program in Berlin with Bronze and Gold (1,000 lifetime points) and a few customers; Ann is Gold. */
async function program() {
  const { apiKey } = await h.createProgramWithKey({
    name: 'Customer Shop',
    currency: 'EUR',
    timezone: 'Europe/Berlin',
    earning: { pointsPerUnit: 10 },
    retention: { mode: 'cycle', cycle: { every: 'P3M', anchor: '2025-01-01' } },
  });
  const ok = okCaller(h, apiKey);
  await ok('POST', '/v1/tiers', { title: 'Bronze' });
  await ok('POST', '/v1/tiers', {
    title: 'Gold',
    qualifications: [{ type: 'lifetimePoints', minPoints: 1000 }],
  });
  await ok('PUT', '/v1/customers/c-1', { email: 'ann.lee@example.com', name: 'Ann Lee' });
  await ok('PUT', '/v1/customers/c-2', { email: 'anna.berg@example.com', name: 'Anna Berg' });
  await ok('PUT', '/v1/customers/c-3', { email: 'bob@example.com', name: 'Bob Stone' });
  await ok('POST', '/v1/orders', { id: 'o-1', customerId: 'c-1', amount: 15000 });
  await ok('POST', '/v1/orders/o-1/refunds', { id: 'r-1', amount: 1000 });
  return { apiKey, ok };
}

async function points(page: Page): Promise<string> {
  return (await page.locator('dd[data-balance="Points"]').textContent()) ?? '';
}

it('finds, explains, redeems, refuses, adjusts and shows the pass link of a customer', async () => {
  const { apiKey } = await program();
  const page = await h.newPage();
  await signIn(page, apiKey);
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Customers' }).click();
  await page.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();
  await page.getByRole('link', { name: 'Bob Stone' }).waitFor();
  await checkPage(page, 'customers-list');

  // Results as you type: "ann." is the start of one email only ("Anna" names are not "ann.").
  await page.getByLabel('Search').fill('ANN.');
  await eventually('only Ann Lee is listed', async () => {
    const names = await page.locator('.customer-table .customer-name').allTextContents();
    return names.join() === 'Ann Lee';
  });
  await page.getByLabel('Tier').selectOption({ label: 'Gold' });
  await page.getByLabel('Search').fill('');
  await eventually('the Gold filter lists Ann Lee only', async () => {
    const names = await page.locator('.customer-table .customer-name').allTextContents();
    return names.join() === 'Ann Lee';
  });
  await page.getByRole('link', { name: 'Ann Lee' }).click();

  await page.getByRole('heading', { level: 1, name: 'Ann Lee' }).waitFor();
  const history = page.getByRole('region', { name: 'Tier history' });
  await history
    .getByText(/Moved to Gold on \d{1,2} \w{3,4} \d{4}: 1,500 lifetime points \(needs 1,000\)\.$/)
    .waitFor();
  await page.getByRole('region', { name: 'Orders' }).getByText('Refund r-1: €10.00').waitFor();
  // 1,500 earned, 100 reversed by the refund.
  expect(await points(page)).toBe('1,400');
  // Cycle mode: Gold's conditions (1,000 lifetime points) already hold for the next boundary.
  await page
    .getByRole('region', { name: 'Tier', exact: true })
    .getByText(/Next cycle boundary: Gold is kept at the boundary on \d{1,2} \w{3,4} \d{4}/)
    .waitFor();
  await page.getByRole('img', { name: 'QR code of the pass link' }).waitFor();
  await checkPage(page, 'customer-detail');

  // The pass link: copied, and the QR code decodes to exactly it.
  const link = await page.getByLabel('Pass link', { exact: true }).inputValue();
  expect(link).toMatch(/^http:\/\/127\.0\.0\.1\/passes\/\S+$/);
  const qr = await page.locator('svg.pass-qr').evaluate((el) => el.outerHTML);
  expect(await decodeQr(qr.replace('<svg', '<svg xmlns="http://www.w3.org/2000/svg"'))).toBe(link);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.baseUrl });
  await page.getByRole('button', { name: 'Copy link' }).click();
  await page.getByText('Link copied.').waitFor();
  expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(link);

  // Redeem: the balance moves.
  const redeem = page.getByRole('form', { name: 'Redeem a reward' });
  await redeem.getByLabel('Points to redeem').fill('400');
  await redeem.getByLabel('Reward').fill('€5 voucher');
  await redeem.getByRole('button', { name: 'Redeem' }).click();
  await redeem.getByText('Redeemed 400 points.').waitFor();
  await eventually('the balance shows 1,000', async () => (await points(page)) === '1,000');

  // A redemption above the balance is refused at the form, and nothing moves.
  await redeem.getByLabel('Points to redeem').fill('5000');
  await redeem.getByLabel('Reward').fill('Big prize');
  await redeem.getByRole('button', { name: 'Redeem' }).click();
  await redeem
    .getByRole('alert')
    .filter({ hasText: 'Not enough points. The customer has 1000 points' })
    .waitFor();
  expect(await points(page)).toBe('1,000');
  await checkPage(page, 'customer-redeem-refused');

  // Adjust: a double click applies once (one Idempotency-Key per submission).
  const adjust = page.getByRole('form', { name: 'Adjust points' });
  await adjust.getByLabel('Points to add or remove').fill('250');
  await adjust.getByLabel('Reason').fill('Goodwill');
  await adjust.getByRole('button', { name: 'Apply adjustment' }).dblclick();
  await adjust.getByText('Added 250 points.').waitFor();
  await eventually('the balance shows 1,250', async () => (await points(page)) === '1,250');
  const ledger = await h.api<{ data: { type: string; points: number; reason: string | null }[] }>(
    apiKey,
    'GET',
    '/v1/customers/c-1/ledger',
  );
  expect(ledger.body.data.filter((e) => e.reason === 'Goodwill').map((e) => e.points)).toEqual([250]);
  expect(ledger.body.data.filter((e) => e.type === 'redeem').map((e) => e.points)).toEqual([-400]);
  const c = await h.api<{ balances: { current: number } }>(apiKey, 'GET', '/v1/customers/c-1');
  expect(c.body.balances.current).toBe(1250);
  await page.getByRole('region', { name: 'Ledger' }).getByText('Earned · Goodwill').waitFor();

  // A schema refusal stays in the browser, at its field.
  await adjust.getByLabel('Points to add or remove').fill('0');
  await adjust.getByRole('button', { name: 'Apply adjustment' }).click();
  await adjust.getByText('must not be 0').waitFor();
});

it('pages the list with "Load more" and works at phone width', async () => {
  const { apiKey, ok } = await program();
  for (let i = 0; i < 30; i += 1) {
    await ok('PUT', `/v1/customers/m-${String(i).padStart(2, '0')}`, { email: `m${i}@example.com` });
  }
  const page = await h.newPage(VIEWPORTS.phone);
  await signIn(page, apiKey);
  await page.goto(h.consoleUrl('/customers'));
  await page.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();
  const rows = page.locator('.customer-table tbody tr');
  await eventually('the first 25 customers', async () => (await rows.count()) === 25);
  await page.getByRole('button', { name: 'Load more customers' }).click();
  await eventually('all 33 customers', async () => (await rows.count()) === 33);
  expect(await page.getByRole('button', { name: 'Load more customers' }).count()).toBe(0);
  const ids = await page.locator('.customer-table .customer-name').allTextContents();
  expect(new Set(ids).size).toBe(33);
  // Nothing wider than the phone's screen, on the list and on a customer (cards, stacked panels).
  const scrollWidth = () => page.evaluate<number>('document.documentElement.scrollWidth');
  expect(await scrollWidth()).toBeLessThanOrEqual(VIEWPORTS.phone.width);
  await page.getByRole('link', { name: 'Ann Lee' }).click();
  await page.getByRole('img', { name: 'QR code of the pass link' }).waitFor();
  expect(await scrollWidth()).toBeLessThanOrEqual(VIEWPORTS.phone.width);
  await page.goBack();
  await page.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();
  await page.getByLabel('Sort').selectOption('newest');
  await eventually(
    'the newest first',
    async () =>
      (await page.locator('.customer-table .customer-name').first().textContent()) === 'm29@example.com',
  );
});
