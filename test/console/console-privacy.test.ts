/**
 * The customer page's privacy controls (docs/decisions/0043): Export data downloads the
 * customer's export as JSON; Erase personal data asks first (Cancel changes nothing), then erases
 * the email, name and tags while the balances stay.
 */
import { readFile } from 'node:fs/promises';
import { jest } from '@jest/globals';
import {
  type ConsoleHarness,
  checkPage,
  eventually,
  okCaller,
  signIn,
  startConsoleHarnessWithPasses,
} from './console-harness.js';

jest.setTimeout(240_000);

let h: ConsoleHarness;
beforeAll(async () => {
  h = await startConsoleHarnessWithPasses({ cacheEntries: 10 });
});
afterAll(() => h?.close());

it('downloads the export and erases the personal data after a confirmation', async () => {
  const { apiKey } = await h.createProgramWithKey({
    name: 'Privacy Shop',
    currency: 'EUR',
    earning: { pointsPerUnit: 10 },
  });
  const ok = okCaller(h, apiKey);
  await ok('POST', '/v1/tiers', { title: 'Bronze' });
  await ok('PUT', '/v1/customers/p-1', { email: 'eve.doe@example.com', name: 'Eve Doe', tags: ['vip'] });
  await ok('POST', '/v1/orders', { id: 'po-1', customerId: 'p-1', amount: 5000 });

  const page = await h.newPage();
  await signIn(page, apiKey);
  await page.goto(h.consoleUrl('/customers/p-1'));
  await page.getByRole('heading', { level: 1, name: 'Eve Doe' }).waitFor();
  const privacy = page.getByRole('region', { name: 'Privacy' });

  // Export: a JSON file of the customer's export.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    privacy.getByRole('button', { name: 'Export data (JSON)' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('customer-p-1.json');
  const exported = JSON.parse(await readFile((await download.path()) as string, 'utf8'));
  expect(exported.customer).toMatchObject({ id: 'p-1', email: 'eve.doe@example.com', name: 'Eve Doe' });
  expect(exported.ledger).toHaveLength(1);
  expect(exported.orders.map((o: { id: string }) => o.id)).toEqual(['po-1']);
  await privacy.getByText('Export downloaded.').waitFor();

  // Erase: the dialog first; Cancel changes nothing.
  await privacy.getByRole('button', { name: 'Erase personal data' }).click();
  const dialog = page.getByRole('dialog', { name: "Erase this customer's personal data?" });
  await dialog.waitFor();
  await checkPage(page, 'customer-erase-confirm');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });
  expect((await h.api<{ email: string | null }>(apiKey, 'GET', '/v1/customers/p-1')).body.email).toBe(
    'eve.doe@example.com',
  );

  await privacy.getByRole('button', { name: 'Erase personal data' }).click();
  await dialog.getByRole('button', { name: 'Erase personal data' }).click();
  await privacy.getByText('Personal data erased.').waitFor();
  // The page reloads the customer: no name any more, the id is the heading.
  await page.getByRole('heading', { level: 1, name: 'p-1' }).waitFor();
  const after = await h.api<{
    email: string | null;
    name: string | null;
    tags: string[];
    balances: { current: number };
  }>(apiKey, 'GET', '/v1/customers/p-1');
  expect(after.body).toMatchObject({ email: null, name: null, tags: [], balances: { current: 500 } });
  await eventually(
    'the page no longer shows the email',
    async () => (await page.getByText('eve.doe@example.com').count()) === 0,
  );
});
