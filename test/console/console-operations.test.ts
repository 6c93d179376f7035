/**
 * The operations page in a real browser against the real service (Apple passes on, dev PKI): a
 * full sync of a few hundred customers followed by the progress bar to 100 % and "done", and
 * the wallet health panel showing the API's numbers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import type { WalletHealthView } from '../../src/features/wallet-health/wallet-health-schemas.js';
import { makeExpiringPki } from '../operations/expiring-pki.js';
import {
  type ConsoleHarness,
  checkPage,
  consolePasses,
  eventually,
  PASS_TYPE_ID,
  signIn,
  startConsoleHarness,
} from './console-harness.js';

jest.setTimeout(180_000);

const CUSTOMERS = 300;
let h: ConsoleHarness;
let dir: string;

/** The console with Apple passes on: a fresh dev PKI, or the certificates in `certsDir`. */
async function startWithPasses(certsDir?: string): Promise<ConsoleHarness> {
  const { passes, certificates } = await consolePasses(dir, { cacheEntries: 100, certsDir });
  return startConsoleHarness({
    app: {
      passes: { ...passes, certificates },
      // Small batches: the bar moves in several steps on the way to 100 %.
      recalculation: { batchSize: 50 },
    },
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tierpass-console-ops-'));
  h = await startWithPasses();
});
afterAll(async () => {
  await h?.close();
  await rm(dir, { recursive: true, force: true });
});

it('starts a full sync and follows it to 100 %, and shows the wallet health the API reports', async () => {
  const { apiKey } = await h.createProgramWithKey({ name: 'Operations Shop' });
  expect((await h.api(apiKey, 'POST', '/v1/tiers', { title: 'Member' })).status).toBe(201);
  for (let i = 0; i < CUSTOMERS; i += 25) {
    await Promise.all(
      Array.from({ length: 25 }, async (_, k) => {
        const res = await h.api(apiKey, 'PUT', `/v1/customers/c-${String(i + k).padStart(3, '0')}`, {});
        expect(res.status).toBe(201);
      }),
    );
  }
  for (const id of ['c-001', 'c-002']) {
    const res = await fetch(`${h.baseUrl}/v1/customers/${id}/passes/apple`, {
      headers: { Authorization: `Bearer ${apiKey}` },
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  }

  const page = await h.newPage();
  await signIn(page, apiKey);
  await page.getByRole('link', { name: 'Operations' }).click();
  await page.getByRole('heading', { level: 1, name: 'Operations' }).waitFor();

  // Wallet health: the API's numbers.
  const health = (await h.api<WalletHealthView>(apiKey, 'GET', '/v1/wallet/health')).body;
  expect(health.apple).toMatchObject({ configured: true, passesIssued: 2, devicesRegistered: 0 });
  await page.getByRole('definition').first().waitFor();
  const stat = (label: string) => page.locator('.stat').filter({ hasText: label }).locator('dd');
  expect(await stat('Passes issued').textContent()).toBe(String(health.apple.passesIssued));
  expect(await stat('Devices registered').textContent()).toBe(String(health.apple.devicesRegistered));
  expect(await stat('Pushes sent (24 h)').textContent()).toBe(String(health.apple.pushesLast24h.sent));
  expect(await stat('Pushes failed (24 h)').textContent()).toBe(String(health.apple.pushesLast24h.failed));
  const certificates = page.getByRole('table', { name: 'Signing certificates' }).getByRole('row');
  expect(await certificates.count()).toBe(1 + health.apple.certificates.length);
  await certificates.nth(1).getByText(String(health.apple.certificates[0]?.daysLeft)).waitFor();
  expect(health.apple.warning).toBeNull();
  expect(await page.getByRole('alert').count()).toBe(0);
  await page.getByText('Google Wallet is not configured on this server.').waitFor();
  await checkPage(page, 'operations');

  // The full sync: the bar reaches 100 % and says done.
  await page.getByRole('button', { name: 'Start full sync' }).click();
  const bar = page.getByRole('progressbar', { name: 'Full sync' });
  await bar.waitFor();
  await eventually('the bar reaches 100 %', async () => (await bar.getAttribute('aria-valuenow')) === '100');
  await page.getByRole('status').getByText(`Done: ${CUSTOMERS} customers re-evaluated.`).waitFor();
  await page.getByText(`100 % · ${CUSTOMERS} of ${CUSTOMERS} customers`).waitFor();
  const runs = await h.api<{ data: { kind: string; state: string; processed: number; total: number }[] }>(
    apiKey,
    'GET',
    '/v1/runs?kind=sync',
  );
  expect(runs.body.data).toEqual([
    expect.objectContaining({ kind: 'sync', state: 'done', processed: CUSTOMERS, total: CUSTOMERS }),
  ]);
  await page.getByRole('button', { name: 'Start full sync' }).waitFor();
  await checkPage(page, 'operations-synced');
});

it('shows the certificate warning when the signer certificate expires within 30 days', async () => {
  const certs = join(dir, 'expiring');
  await makeExpiringPki(certs, PASS_TYPE_ID, 10);
  const expiring = await startWithPasses(certs);
  try {
    const { apiKey } = await expiring.createProgramWithKey({ name: 'Expiring Shop' });
    const health = (await expiring.api<WalletHealthView>(apiKey, 'GET', '/v1/wallet/health')).body;
    expect(health.apple.warning).toMatch(/^signerCert .* expires in/);
    const page = await expiring.newPage();
    await signIn(page, apiKey);
    await page.goto('/console/operations');
    await page.getByRole('alert').getByText(`Certificate: ${health.apple.warning}`).waitFor();
    await checkPage(page, 'operations-certificate-warning');
  } finally {
    await expiring.close();
  }
});
