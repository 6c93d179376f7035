/**
 * Onboarding in a real browser: the admin token refused at its field, a program created with
 * its settings, the API key shown once, signed in with it, and gone from the page afterwards.
 */
import { jest } from '@jest/globals';
import { ADMIN_TOKEN, type ConsoleHarness, checkPage, startConsoleHarness } from './console-harness.js';

jest.setTimeout(300_000);

let h: ConsoleHarness;
beforeAll(async () => {
  h = await startConsoleHarness();
});
afterAll(() => h?.close());

it('creates a program with the admin token, shows its key once and signs in with it', async () => {
  const page = await h.newPage();
  await page.goto('/console/onboarding');
  await page.getByRole('heading', { name: 'Create a program' }).waitFor();
  await checkPage(page, 'onboarding');

  // Nothing typed: errors at the fields, nothing sent.
  await page.getByRole('button', { name: 'Create program' }).click();
  const field = (label: string) =>
    page.locator('.field').filter({ has: page.getByLabel(label, { exact: true }) });
  await field('Admin token').locator('.error').filter({ hasText: 'Enter the admin token' }).waitFor();
  await field('Program name').locator('.error').waitFor();

  await page.getByLabel('Admin token').fill('not-the-admin-token');
  await page.getByLabel('Program name').fill('Onboarded Shop');
  await page.getByLabel('Currency', { exact: true }).selectOption('EUR');
  await page.getByLabel('Time zone').selectOption('Europe/Berlin');
  await page.getByLabel('Points per currency unit').fill('5');
  await page.getByLabel('Retention mode').selectOption('cycle');
  await page.getByLabel('Cycle length').fill('P6M');
  await page.getByLabel('Cycle anchor date').fill('2025-01-01');
  await page.getByRole('button', { name: 'Create program' }).click();
  await field('Admin token').locator('.error').filter({ hasText: 'Admin token not accepted' }).waitFor();
  await checkPage(page, 'onboarding-errors');

  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Create program' }).click();
  await page.getByText('it will not be shown again').waitFor();
  const apiKey = await page.getByLabel('Your API key').inputValue();
  expect(apiKey.length).toBeGreaterThan(20);
  // The admin token is gone from the page once used.
  expect(await page.content()).not.toContain(ADMIN_TOKEN);
  await checkPage(page, 'onboarding-key');

  const program = await h.api<Record<string, unknown>>(apiKey, 'GET', '/v1/program');
  expect(program.status).toBe(200);
  expect(program.body).toMatchObject({
    name: 'Onboarded Shop',
    currency: 'EUR',
    timezone: 'Europe/Berlin',
    earning: { pointsPerUnit: 5 },
    retention: { mode: 'cycle', cycle: { every: 'P6M', anchor: '2025-01-01' } },
  });

  await page.getByRole('button', { name: 'Sign in with this key' }).click();
  await page.getByRole('heading', { level: 1, name: 'Tiers' }).waitFor();
  await page.locator('.program-name').filter({ hasText: 'Onboarded Shop' }).waitFor();
  expect(await page.content()).not.toContain(apiKey);
  // Back to onboarding: the key is not shown again.
  await page.goto('/console/onboarding');
  await page.getByRole('heading', { name: 'Create a program' }).waitFor();
  expect(await page.content()).not.toContain(apiKey);
});
