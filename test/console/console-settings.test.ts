/**
 * Program settings in a real browser: retention switched to cycle with the next three boundaries
 * shown live (computed by the server for the unsaved cycle), a refused cycle length shown at its
 * field, saving checked through the API, tiers turned off and the tiers page saying so.
 */
import { jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import {
  type ConsoleHarness,
  checkPage,
  eventually,
  signIn,
  startConsoleHarness,
} from './console-harness.js';

jest.setTimeout(300_000);

let h: ConsoleHarness;
beforeAll(async () => {
  h = await startConsoleHarness();
});
afterAll(() => h?.close());

/** The boundary instants the page shows (their `datetime`). */
async function shownBoundaries(page: Page): Promise<string[]> {
  return page
    .locator('.boundary-list time')
    .evaluateAll((els) => els.map((e) => e.getAttribute('datetime') ?? ''));
}

async function serverBoundaries(apiKey: string, every: string, anchor: string): Promise<string[]> {
  const res = await h.api<{ boundaries: { at: string }[] }>(
    apiKey,
    'GET',
    `/v1/program/cycles?count=3&every=${every}&anchor=${anchor}`,
  );
  expect(res.status).toBe(200);
  return res.body.boundaries.map((b) => b.at);
}

it('switches retention to cycle with live boundaries, refuses a bad length at its field, saves, and turns tiers off', async () => {
  const { apiKey } = await h.createProgramWithKey({ name: 'Settings Shop', timezone: 'Europe/Paris' });
  const page = await h.newPage();
  await signIn(page, apiKey);
  await page.getByRole('link', { name: 'Program settings' }).click();
  await page.getByRole('heading', { name: 'Program settings' }).waitFor();
  expect(await page.getByLabel('Time zone').inputValue()).toBe('Europe/Paris');
  await page.getByText('Turning tiers back on resyncs every customer').waitFor();
  await checkPage(page, 'settings');

  await page.getByLabel('Retention mode').selectOption('cycle');
  await page.getByLabel('Cycle length').fill('P1M');
  await page.getByLabel('Cycle anchor date').fill('2026-01-15');
  const monthly = await serverBoundaries(apiKey, 'P1M', '2026-01-15');
  expect(monthly).toHaveLength(3);
  await eventually(
    'the page shows the monthly boundaries',
    async () => (await shownBoundaries(page)).join() === monthly.join(),
  );
  expect(await page.locator('.boundaries').textContent()).toContain('Europe/Paris');

  // Edited again: the list follows.
  await page.getByLabel('Cycle length').fill('P2M');
  const bimonthly = await serverBoundaries(apiKey, 'P2M', '2026-01-15');
  expect(bimonthly).not.toEqual(monthly);
  await eventually(
    'the page shows the two-month boundaries',
    async () => (await shownBoundaries(page)).join() === bimonthly.join(),
  );
  await checkPage(page, 'settings-cycle');

  // A length in words is refused at its field, and nothing is saved.
  await page.getByLabel('Cycle length').fill('2 months');
  await page.getByText('Enter a valid cycle length and anchor date').waitFor();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page
    .locator('.field')
    .filter({ has: page.getByLabel('Cycle length') })
    .locator('.error')
    .filter({ hasText: 'must be an ISO 8601 duration' })
    .waitFor();
  await checkPage(page, 'settings-errors');
  expect(
    (await h.api<{ retention: { mode: string } }>(apiKey, 'GET', '/v1/program')).body.retention.mode,
  ).toBe('continuous');

  await page.getByLabel('Cycle length').fill('P2M');
  await page.getByLabel('Most tiers lost per boundary').fill('1');
  await page.getByLabel('Inactivity drop after').fill('P6M');
  await page.getByLabel('Downgrade warning (days before a boundary)').fill('10');
  await page.getByLabel('Points per currency unit').fill('2.5');
  await page.getByLabel('Tiers are on').uncheck();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Settings saved.').waitFor();

  const saved = await h.api<Record<string, unknown>>(apiKey, 'GET', '/v1/program');
  expect(saved.body).toMatchObject({
    tiersEnabled: false,
    timezone: 'Europe/Paris',
    earning: { pointsPerUnit: 2.5 },
    retention: {
      mode: 'cycle',
      cycle: { every: 'P2M', anchor: '2026-01-15' },
      maxDropPerCycle: 1,
      inactivity: 'P6M',
    },
    downgradeWarningDays: 10,
  });

  await page.getByRole('link', { name: 'Tiers', exact: true }).click();
  await page.getByText('Tiers are turned off for this program').waitFor();
  await checkPage(page, 'tiers-off');
});
