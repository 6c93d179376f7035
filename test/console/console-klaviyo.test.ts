/**
 * The Klaviyo page in a real browser: a refused key shown at its field (nothing stored), a key
 * saved against the Klaviyo stand-in (shown only as its last four characters), the "needs
 * attention" state after Klaviyo refused the key while sending, then disconnect; the profile sync
 * a first connection starts, its progress bar through Klaviyo's Retry-After to done, and "Sync all
 * profiles" on request. Checked at phone and desktop widths with axe.
 */
import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { SecretBox } from '../../src/integrations/secrets/secret-box.js';
import { type KlaviyoStandIn, startKlaviyoStandIn } from '../klaviyo/klaviyo-stand-in.js';
import {
  type ConsoleHarness,
  checkPage,
  eventually,
  signIn,
  startConsoleHarness,
} from './console-harness.js';

jest.setTimeout(300_000);

let h: ConsoleHarness;
let klaviyo: KlaviyoStandIn;
beforeAll(async () => {
  klaviyo = await startKlaviyoStandIn();
  h = await startConsoleHarness({
    app: {
      secrets: new SecretBox([{ id: 'c1', key: randomBytes(32) }]),
      klaviyo: { origin: klaviyo.origin, dispatchOnCommit: true, syncJobProfiles: 2 },
    },
  });
});
afterAll(async () => {
  await h?.close();
  await klaviyo?.close();
});

it('saves a key, refusing a wrong one at its field, shows only its hint, flags a refused key, and disconnects', async () => {
  const { apiKey } = await h.createProgramWithKey({ name: 'Klaviyo Shop', currency: 'USD' });
  const page = await h.newPage();
  await signIn(page, apiKey);
  await page.getByRole('link', { name: 'Klaviyo' }).click();
  await page.getByRole('heading', { name: 'Connect Klaviyo', exact: true }).waitFor();
  await checkPage(page, 'klaviyo-connect');

  await page.getByLabel('Private API key').fill('pk_wrong_0123456789abcdef');
  await page.getByRole('button', { name: 'Save key' }).click();
  await page.getByRole('alert').filter({ hasText: 'The key was not saved' }).waitFor();
  expect(await page.getByLabel('Private API key').getAttribute('aria-invalid')).toBe('true');
  expect((await h.api(apiKey, 'GET', '/v1/integrations/klaviyo')).status).toBe(404);

  await page.getByLabel('Private API key').fill(klaviyo.apiKey);
  await page.getByRole('button', { name: 'Save key' }).click();
  await page.getByRole('heading', { name: `Klaviyo account ${klaviyo.accountId}` }).waitFor();
  const text = (await page.locator('body').textContent()) ?? '';
  expect(text).not.toContain(klaviyo.apiKey);
  expect(text).toContain(`…${klaviyo.apiKey.slice(-4)}`);
  await checkPage(page, 'klaviyo-connected');

  // Klaviyo refuses the key while sending (revoked): the page says it needs attention.
  const oldKey = klaviyo.apiKey;
  klaviyo.apiKey = 'pk_revoked_fedcba9876543210';
  try {
    await h.api(apiKey, 'PUT', '/v1/customers/kim', { email: 'kim@example.com' });
    await h.api(apiKey, 'POST', '/v1/orders', { id: 'kim-1', customerId: 'kim', amount: 1000 });
    // The commit wakes the Klaviyo queue, which meets the refused key.
    await eventually('the connection needs attention', async () => {
      const got = await h.api<{ state: string }>(apiKey, 'GET', '/v1/integrations/klaviyo');
      return got.body.state === 'needs_attention';
    });
  } finally {
    klaviyo.apiKey = oldKey;
  }
  await page.reload();
  await page.getByRole('alert').filter({ hasText: 'Klaviyo refused the key' }).waitFor();
  await checkPage(page, 'klaviyo-needs-attention');

  await page.getByRole('button', { name: 'Disconnect Klaviyo' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Disconnect' }).click();
  await page.getByRole('heading', { name: 'Connect Klaviyo', exact: true }).waitFor();
  expect((await h.api(apiKey, 'GET', '/v1/integrations/klaviyo')).status).toBe(404);
});

it('syncs every profile on a first connection with a progress bar through Klaviyo’s Retry-After, and again on request', async () => {
  const { apiKey } = await h.createProgramWithKey({ name: 'Sync Shop', currency: 'USD' });
  for (let i = 1; i <= 5; i++) {
    expect(
      (await h.api(apiKey, 'PUT', `/v1/customers/sync-${i}`, { email: `sync-${i}@example.com` })).status,
    ).toBe(201);
  }
  const page = await h.newPage();
  await signIn(page, apiKey);
  await page.getByRole('link', { name: 'Klaviyo' }).click();
  await page.getByRole('heading', { name: 'Connect Klaviyo', exact: true }).waitFor();

  // Jobs of two profiles; Klaviyo throttles the second job for 15 s (long enough to be seen under load).
  klaviyo.throttlePath('/api/profile-bulk-import-jobs', 1, 15, 1);
  const jobsBefore = klaviyo.bulkJobs.length;
  await page.getByLabel('Private API key').fill(klaviyo.apiKey);
  await page.getByRole('button', { name: 'Save key' }).click();
  await page.getByRole('heading', { name: 'Sync all profiles' }).waitFor();
  const bar = page.getByRole('progressbar', { name: 'Profile sync' });
  await page.getByRole('status').filter({ hasText: 'Klaviyo asked to wait' }).waitFor();
  expect(await bar.getAttribute('aria-valuenow')).toBe('40');
  expect(await page.getByRole('button', { name: 'Sync running…' }).isDisabled()).toBe(true);
  await checkPage(page, 'klaviyo-sync-waiting');

  await page.getByRole('status').filter({ hasText: 'Done: 5 profiles sent' }).waitFor({ timeout: 60_000 });
  expect(await bar.getAttribute('aria-valuenow')).toBe('100');
  expect(klaviyo.bulkJobs.slice(jobsBefore).flatMap((j) => j.profiles)).toEqual([
    'sync-1',
    'sync-2',
    'sync-3',
    'sync-4',
    'sync-5',
  ]);
  await checkPage(page, 'klaviyo-sync-done');

  // On request: every profile again (three more jobs), followed to done.
  await page.getByRole('button', { name: 'Sync all profiles' }).click();
  await eventually(
    'the second sync sent every profile',
    async () => klaviyo.bulkJobs.length === jobsBefore + 6,
  );
  await page
    .getByRole('status')
    .filter({ hasText: 'Done: 5 profiles sent to Klaviyo in 3 import jobs' })
    .waitFor();
  expect(await page.getByRole('button', { name: 'Sync all profiles' }).isEnabled()).toBe(true);
});
