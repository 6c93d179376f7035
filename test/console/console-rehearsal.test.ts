/**
 * The rehearsal page in a real browser against the real service: a test program's clock advanced
 * by a duration (words shown, progress while it runs) and to a date, the cycle boundary and the
 * downgrade warning in the timeline with the counts the API gives, and a customer's tier over
 * time. The page is offered to test programs only.
 */
import { jest } from '@jest/globals';
import {
  type ConsoleHarness,
  checkPage,
  eventually,
  signIn,
  startConsoleHarness,
} from './console-harness.js';

jest.setTimeout(180_000);

interface Run {
  kind: string;
  at: string;
  counts: { movedUp: number; movedDown: number; warned: number };
}

let h: ConsoleHarness;
beforeAll(async () => {
  h = await startConsoleHarness();
});
afterAll(() => h?.close());

it('advances the clock past a cycle boundary, shows it in the timeline and a tier over time', async () => {
  const { apiKey } = await h.createProgramWithKey({
    name: 'Rehearsal Shop',
    mode: 'test',
    clockStart: '2025-01-10T12:00:00Z',
    timezone: 'UTC',
    retention: { mode: 'cycle', cycle: { every: 'P1M', anchor: '2025-01-01' }, inactivity: 'P1Y' },
  });
  const call = (method: string, path: string, body?: unknown) => h.api<never>(apiKey, method, path, body);
  expect((await call('POST', '/v1/tiers', { title: 'Bronze' })).status).toBe(201);
  const gold = await call('POST', '/v1/tiers', {
    title: 'Gold',
    qualifications: [{ type: 'orderVolume', minAmount: 50000, window: 'P14D' }],
  });
  expect(gold.status).toBe(201);
  for (const id of ['ann', 'ben']) expect((await call('PUT', `/v1/customers/${id}`, {})).status).toBe(201);
  // Ann reaches Gold now and has spent nothing in the 14 days before the 1 February boundary.
  expect((await call('POST', '/v1/orders', { id: 'o1', customerId: 'ann', amount: 60000 })).status).toBe(201);

  const page = await h.newPage();
  await signIn(page, apiKey);
  await page.getByRole('link', { name: 'Rehearsal' }).click();
  await page.getByRole('heading', { level: 1, name: 'Rehearsal' }).waitFor();
  await page.getByText('Nothing has run yet').waitFor();
  await page.getByText('Jan 10, 2025').first().waitFor();
  await checkPage(page, 'rehearsal');

  // By a duration: its words under the field, a progress bar while the month's work runs.
  await page.getByLabel('By a duration').check();
  await page.getByLabel('Advance by').fill('P1M');
  await page.getByText('1 month on the program').waitFor();
  await page.getByRole('button', { name: 'Advance clock' }).click();
  await page.getByRole('progressbar', { name: 'Advancing the test clock' }).waitFor();
  await page.getByRole('status').getByText('The clock is now').waitFor();
  const clock = await h.api<{ now: string }>(apiKey, 'GET', '/v1/test-clock');
  expect(clock.body.now).toBe('2025-02-10T12:00:00.000Z');
  await page.locator('.clock-now').getByText('Feb 10, 2025').waitFor();

  // The boundary and the warning before it, with the API's counts.
  await page.getByLabel('Show').selectOption('cycle,warning');
  const runs = await h.api<{ data: Run[] }>(apiKey, 'GET', '/v1/runs?kind=cycle,warning');
  expect(runs.body.data.map((r) => [r.kind, r.at])).toEqual([
    ['cycle', '2025-02-01T00:00:00.000Z'],
    ['warning', '2025-01-25T00:00:00.000Z'],
  ]);
  const items = page.locator('.timeline-item');
  await eventually(
    'the timeline shows the boundary and the warning',
    async () => (await items.count()) === 2,
  );
  const boundary = items.nth(0);
  await boundary.getByText('Cycle boundary').waitFor();
  await boundary.getByText('Feb 1, 2025').waitFor();
  await boundary.getByText(`${runs.body.data[0]?.counts.movedDown} moved down`).waitFor();
  await boundary.getByText('2 of 2 customers').waitFor();
  await items.nth(1).getByText('Downgrade warnings').waitFor();
  await items.nth(1).getByText(`${runs.body.data[1]?.counts.warned} warned`).waitFor();

  // To a date and time (program time).
  await page.getByLabel('To a date and time').check();
  await page.getByLabel('Advance to (UTC)').fill('2025-02-20T08:30');
  await page.getByRole('button', { name: 'Advance clock' }).click();
  await page.getByRole('status').getByText('Feb 20, 2025').waitFor();
  expect((await h.api<{ now: string }>(apiKey, 'GET', '/v1/test-clock')).body.now).toBe(
    '2025-02-20T08:30:00.000Z',
  );
  await page.getByLabel('Show').selectOption('daily');
  await page.locator('.timeline-item').first().getByText('Feb 20, 2025').waitFor();

  // Ann's tier over time: placed in Bronze when created, up on her order, down at the boundary.
  await page.getByLabel('Customer id').fill('ann');
  await page.getByRole('button', { name: 'Show tier history' }).click();
  const history = await h.api<{ data: { direction: string; at: string }[] }>(
    apiKey,
    'GET',
    '/v1/customers/ann/tier-history',
  );
  expect(history.body.data.map((c) => c.direction)).toEqual(['down', 'up', 'up']);
  const steps = page.getByRole('list', { name: 'Tier changes of ann, oldest first' }).getByRole('listitem');
  await eventually(
    'every tier change is listed',
    async () => (await steps.count()) === history.body.data.length,
  );
  await steps.nth(0).getByText('No tier → Bronze').waitFor();
  await steps.nth(1).getByText('Bronze → Gold').waitFor();
  await steps.nth(1).getByText('(moved up)', { exact: true }).waitFor();
  await steps.nth(2).getByText('Gold → Bronze').waitFor();
  await steps.nth(2).getByText('(moved down)', { exact: true }).waitFor();
  // The server's plain-words explanation of the change (tier-history `explanation`).
  await steps
    .nth(2)
    .getByText(/^Moved down to Bronze on 1 Feb 2025/)
    .waitFor();
  await steps.nth(2).getByText('Feb 1, 2025').waitFor();
  await page.getByText('is in Bronze since').waitFor();
  await checkPage(page, 'rehearsal-timeline');

  await page.getByLabel('Customer id').fill('nobody');
  await page.getByRole('button', { name: 'Show tier history' }).click();
  await page.getByText('No customer with id nobody.').waitFor();
});

it('offers the rehearsal to test programs only', async () => {
  const { apiKey } = await h.createProgramWithKey({ name: 'Live Shop' });
  const page = await h.newPage();
  await signIn(page, apiKey);
  await page.getByRole('link', { name: 'Operations' }).waitFor();
  expect(await page.getByRole('link', { name: 'Rehearsal' }).count()).toBe(0);
  await page.goto('/console/rehearsal');
  await page.getByText('Only test programs have a test clock').waitFor();
});
