/**
 * The webhook pages in a real browser against the real service and a receiver on a real socket
 * (127.0.0.1:0): subscribe, read the signing secret once, send a test event and see it arrive
 * signed and in the log with its status code; a failing receiver's error; redeliver; a 410 Gone
 * disabling the subscription and enabling it again; delete with confirmation.
 */
import { createHmac } from 'node:crypto';
import { jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import { HttpWebhookSender } from '../../src/integrations/webhooks/http-webhook-sender.js';
import { type Received, type Receiver, startReceiver } from '../webhooks/receiver.js';
import { LOOPBACK_ONLY } from '../webhooks/webhook-harness.js';
import {
  type ConsoleHarness,
  checkPage,
  eventually,
  signIn,
  startConsoleHarness,
  VIEWPORTS,
} from './console-harness.js';

jest.setTimeout(180_000);

let h: ConsoleHarness;
let receiver: Receiver;
const sender = new HttpWebhookSender({ policy: LOOPBACK_ONLY, timeoutMs: 5000 });
beforeAll(async () => {
  receiver = await startReceiver();
  // As main.ts runs it: deliveries are dispatched right after the commit that queued them.
  h = await startConsoleHarness({
    app: { webhooks: { policy: LOOPBACK_ONLY, dispatchOnCommit: true, sender } },
  });
});
afterAll(async () => {
  await h?.close();
  sender.close();
  await receiver?.close();
});

const pings = () => receiver.requests.filter((r) => r.headers['tierpass-event-type'] === 'ping');

function signedWith(r: Received, secret: string): boolean {
  const [t, v1] = String(r.headers['tierpass-signature']).split(',');
  return (
    v1 ===
    `v1=${createHmac('sha256', secret)
      .update(`${t?.slice(2)}.${r.raw}`)
      .digest('hex')}`
  );
}

/** At phone width the page fits the screen: no sideways scrolling (long URLs and event ids wrap). */
async function expectFitsPhone(page: Page): Promise<void> {
  const before = page.viewportSize();
  await page.setViewportSize(VIEWPORTS.phone);
  const width = await page.evaluate(
    () =>
      (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
        .documentElement.scrollWidth,
  );
  if (before) await page.setViewportSize(before);
  expect(width).toBeLessThanOrEqual(VIEWPORTS.phone.width);
}

/** The newest delivery row's id in the log. */
async function newestRow(page: Page): Promise<string> {
  return (await page.locator('tr[data-delivery-id]').first().getAttribute('data-delivery-id')) ?? '';
}

it('subscribes, shows the secret once, sends test events, redelivers, enables and deletes', async () => {
  const { apiKey } = await h.createProgramWithKey({ name: 'Hook Shop' });
  const page = await h.newPage();
  await signIn(page, apiKey);
  await page.getByRole('link', { name: 'Webhooks' }).click();
  await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
  await page.getByText('No webhooks yet').waitFor();
  await checkPage(page, 'webhooks-empty');

  // Refused in the browser by the server's schema: no URL, no event.
  await page.getByRole('button', { name: 'Add webhook' }).click();
  await page.getByRole('alert').filter({ hasText: 'subscribe to at least one event' }).waitFor();
  await page.getByText('enter the URL events are POSTed to').waitFor();
  await eventually('focus is on the URL field', () =>
    page.getByLabel('Endpoint URL').evaluate((el) => el === el.ownerDocument.activeElement),
  );
  // Refused by the server: not an http(s) URL.
  await page.getByLabel('Endpoint URL').fill('ftp://127.0.0.1/hooks');
  await page.getByLabel('tier.upgraded', { exact: true }).check();
  await page.getByRole('button', { name: 'Add webhook' }).click();
  await page.locator('.field.has-error').filter({ hasText: 'url must use http or https' }).waitFor();
  await checkPage(page, 'webhooks-form-errors');
  expect((await h.api<{ data: unknown[] }>(apiKey, 'GET', '/v1/webhooks')).body.data).toEqual([]);

  // Subscribe: the secret is shown once.
  const url = `${receiver.url}/loyalty`;
  await page.getByLabel('Endpoint URL').fill(url);
  await page.getByLabel('tier.downgraded', { exact: true }).check();
  await page.getByLabel('Body format').selectOption('standard');
  await page.getByRole('button', { name: 'Add webhook' }).click();
  await page.getByRole('heading', { name: 'Webhook added: store its signing secret' }).waitFor();
  await page.getByText('it will not be shown again').waitFor();
  const secret = await page.getByLabel('Signing secret', { exact: true }).inputValue();
  expect(secret).toMatch(/^whsec_/);
  await checkPage(page, 'webhooks-secret-once');
  await page.getByRole('button', { name: 'I have stored it' }).click();
  await page.getByRole('heading', { name: 'Add a webhook' }).waitFor();
  expect(await page.getByLabel('Signing secret', { exact: true }).count()).toBe(0);
  expect(await page.content()).not.toContain(secret);
  const [sub] = (await h.api<{ data: { id: string; events: string[] }[] }>(apiKey, 'GET', '/v1/webhooks'))
    .body.data;
  expect(sub?.events).toEqual(['tier.upgraded', 'tier.downgraded']);
  const card = page.getByRole('listitem').filter({ hasText: url });
  await card.getByText('Enabled').waitFor();
  await checkPage(page, 'webhooks-list');
  await expectFitsPhone(page);

  // Send a test event: it reaches the receiver signed with that secret and shows in the log.
  await card.getByRole('link', { name: 'Deliveries' }).click();
  await page.getByRole('heading', { level: 1, name: 'Webhook deliveries' }).waitFor();
  await page.getByText('No deliveries yet').waitFor();
  await page.getByRole('button', { name: 'Send test event' }).click();
  await page.getByText(/Test event delivered: HTTP 200/).waitFor();
  expect(pings()).toHaveLength(1);
  const first = pings()[0] as Received;
  expect(signedWith(first, secret)).toBe(true);
  expect(first.body).toMatchObject({ type: 'ping', data: { subscriptionId: sub?.id } });
  const okRow = page.locator(`tr[data-delivery-id="${await newestRow(page)}"]`);
  await okRow.getByText('HTTP 200', { exact: true }).waitFor();
  await okRow.getByText('Test event (ping)').waitFor();
  await checkPage(page, 'webhook-log');

  // A failing receiver: the error shows, in the banner and the log.
  receiver.answer(500);
  await page.getByRole('button', { name: 'Send test event' }).click();
  await page.getByText(/Test event failed: HTTP 500/).waitFor();
  const failedId = await newestRow(page);
  const failedRow = page.locator(`tr[data-delivery-id="${failedId}"]`);
  await failedRow.getByText('Failed', { exact: true }).waitFor();
  await failedRow.locator('.error-text').getByText('HTTP 500').waitFor();
  await checkPage(page, 'webhook-log-failed');
  await expectFitsPhone(page);

  // Redeliver it to a receiver that is back: the same event, delivered.
  receiver.answer(200);
  await failedRow.getByRole('button', { name: `Redeliver #${failedId}` }).click();
  await page.getByText(new RegExp(`Redelivery of #${failedId} delivered: HTTP 200`)).waitFor();
  expect(pings().map((r) => r.status)).toEqual([200, 500, 200]);
  expect(pings()[2]?.body.id).toBe(pings()[1]?.body.id);
  await page.locator('tr[data-delivery-id]').first().getByText(`Redelivery of #${failedId}`).waitFor();

  // 410 Gone disables the subscription; the page says why, and it can be enabled again.
  receiver.answer(410);
  await page.getByRole('button', { name: 'Send test event' }).click();
  await page.getByText(/Test event failed: HTTP 410/).waitFor();
  await page.getByText(/Disabled on .*410 Gone/).waitFor();
  expect(await page.getByRole('button', { name: 'Send test event' }).isDisabled()).toBe(true);
  await checkPage(page, 'webhook-disabled');
  receiver.answer(200);
  await page.getByRole('button', { name: 'Enable' }).click();
  await page.locator('.webhook-summary').getByText('Enabled').waitFor();
  const enabled = await h.api<{ state: string }>(apiKey, 'GET', `/v1/webhooks/${sub?.id}`);
  expect(enabled.body.state).toBe('enabled');

  // Delete, with confirmation.
  await page.getByRole('link', { name: '← All webhooks' }).click();
  await card.getByRole('button', { name: 'Delete' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete this webhook?' });
  await dialog.waitFor();
  await checkPage(page, 'webhooks-delete-dialog');
  await dialog.getByRole('button', { name: 'Delete webhook' }).click();
  await page.getByText('No webhooks yet').waitFor();
  await eventually(
    'the API lists no webhook',
    async () => (await h.api<{ data: unknown[] }>(apiKey, 'GET', '/v1/webhooks')).body.data.length === 0,
  );
});

it('pages the delivery log, newest first', async () => {
  const { apiKey } = await h.createProgramWithKey({ name: 'Busy Shop' });
  const created = await h.api<{ id: string }>(apiKey, 'POST', '/v1/webhooks', {
    url: receiver.url,
    events: ['tier.upgraded'],
  });
  const ids: string[] = [];
  for (let i = 0; i < 21; i++) {
    ids.push((await h.api<{ id: string }>(apiKey, 'POST', `/v1/webhooks/${created.body.id}/test`)).body.id);
  }
  const page = await h.newPage();
  await signIn(page, apiKey);
  await page.goto(`/console/webhooks/${created.body.id}`);
  const rows = page.locator('tr[data-delivery-id]');
  await eventually('the first page shows 20 deliveries', async () => (await rows.count()) === 20);
  expect(await rows.first().getAttribute('data-delivery-id')).toBe(ids[20]);
  expect(await page.getByRole('button', { name: 'Newer deliveries' }).isDisabled()).toBe(true);
  await page.getByRole('button', { name: 'Older deliveries' }).click();
  await eventually('the second page shows the oldest delivery', async () => (await rows.count()) === 1);
  expect(await rows.first().getAttribute('data-delivery-id')).toBe(ids[0]);
  expect(await page.getByRole('button', { name: 'Older deliveries' }).isDisabled()).toBe(true);
  await page.getByRole('button', { name: 'Newer deliveries' }).click();
  await eventually('the first page is back', async () => (await rows.count()) === 20);
});

it('another program’s webhook is not found on its log page', async () => {
  const owner = await h.createProgramWithKey({ name: 'Owner Shop' });
  const created = await h.api<{ id: string }>(owner.apiKey, 'POST', '/v1/webhooks', {
    url: receiver.url,
    events: ['tier.upgraded'],
  });
  expect(created.status).toBe(201);
  const { apiKey } = await h.createProgramWithKey({ name: 'Other Shop' });
  const page = await h.newPage();
  await signIn(page, apiKey);
  await page.goto(`/console/webhooks/${created.body.id}`);
  await page
    .getByRole('alert')
    .filter({ hasText: `No webhook ${created.body.id}` })
    .waitFor();
  await checkPage(page, 'webhook-not-found');
});

it('rotates the signing secret: the new one shown once, both signing during the overlap', async () => {
  const { apiKey } = await h.createProgramWithKey({ name: 'Rotating Shop' });
  const created = await h.api<{ id: string; secret: string }>(apiKey, 'POST', '/v1/webhooks', {
    url: `${receiver.url}/rotating`,
    events: ['tier.upgraded'],
  });
  const oldSecret = created.body.secret;
  const page = await h.newPage();
  await signIn(page, apiKey);
  await page.goto(`/console/webhooks/${created.body.id}`);
  await page.getByRole('heading', { level: 1, name: 'Webhook deliveries' }).waitFor();

  // Cancel changes nothing.
  await page.getByRole('button', { name: 'Rotate secret' }).click();
  await page.getByRole('heading', { name: 'Rotate the signing secret' }).waitFor();
  await page.getByRole('button', { name: 'Cancel' }).click();
  const still = await h.api<{ previousSecretExpiresAt: string | null }>(
    apiKey,
    'GET',
    `/v1/webhooks/${created.body.id}`,
  );
  expect(still.body.previousSecretExpiresAt).toBeNull();

  await page.getByRole('button', { name: 'Rotate secret' }).click();
  await page.getByLabel('Overlap').selectOption('24');
  await checkPage(page, 'webhook-rotate-form');
  await page.getByRole('button', { name: 'Rotate secret now' }).click();
  await page.getByRole('heading', { name: 'New signing secret: store it' }).waitFor();
  await page.getByText('it will not be shown again').waitFor();
  const newSecret = await page.getByLabel('New signing secret', { exact: true }).inputValue();
  expect(newSecret).toMatch(/^whsec_/);
  expect(newSecret).not.toBe(oldSecret);
  await page.getByRole('button', { name: 'Copy new signing secret' }).waitFor();
  await page.getByText(/signed with the previous secret too until/).waitFor();
  await checkPage(page, 'webhook-rotated-secret-once');
  await expectFitsPhone(page);

  // A test event now carries both signatures.
  const before = pings().length;
  await page.getByRole('button', { name: 'Send test event' }).click();
  await page.getByText(/Test event delivered: HTTP 200/).waitFor();
  const got = pings()[before] as Received;
  const header = String(got.headers['tierpass-signature']);
  const t = header.split(',')[0]?.slice(2);
  const v1 = header.split(',').filter((p) => p.startsWith('v1='));
  const sign = (secret: string) =>
    `v1=${createHmac('sha256', secret).update(`${t}.${got.raw}`).digest('hex')}`;
  expect(v1).toEqual([sign(newSecret), sign(oldSecret)]);

  await page.getByRole('button', { name: 'I have stored it' }).click();
  await page.getByRole('button', { name: 'Rotate secret' }).waitFor();
  expect(await page.getByLabel('New signing secret', { exact: true }).count()).toBe(0);
  expect(await page.content()).not.toContain(newSecret);
});
