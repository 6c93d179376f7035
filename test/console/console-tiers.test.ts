/**
 * The tiers pages in a real browser against the real service: create three tiers through the
 * form, refused input shown at its field (the shared zod schemas and the server's own checks),
 * reorder by mouse and by keyboard (checked through the API), edit, delete with confirmation.
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

interface TierView {
  id: string;
  title: string;
  qualifications: Record<string, unknown>[];
  benefits: Record<string, unknown>;
}

let h: ConsoleHarness;
beforeAll(async () => {
  h = await startConsoleHarness();
});
afterAll(() => h?.close());

async function apiTitles(apiKey: string): Promise<string[]> {
  const res = await h.api<{ data: TierView[] }>(apiKey, 'GET', '/v1/tiers');
  return res.body.data.map((t) => t.title);
}

/** Poll the API until the order is `expected` (the console saves right after the drop). */
async function waitForApiOrder(apiKey: string, expected: string[]): Promise<void> {
  await eventually(
    `the API lists ${expected.join(', ')}`,
    async () => (await apiTitles(apiKey)).join() === expected.join(),
  );
}

async function listTitles(page: Page): Promise<string[]> {
  const texts = await page.locator('.tier-row .tier-title').allTextContents();
  return texts.map((t) => t.replace(/^\d+\.\s*/, '').trim());
}

/** The `.field` block of the control labelled `label` inside `scope`: its error shows there. */
function fieldOf(page: Page, label: string, scope?: string) {
  const root = scope ? page.getByRole('group', { name: scope }) : page;
  return root.locator('.field').filter({ has: page.getByLabel(label, { exact: true }) });
}

it('creates, validates, reorders (mouse and keyboard), edits and deletes tiers through the console', async () => {
  const { apiKey } = await h.createProgramWithKey({ name: 'Tier Shop', currency: 'USD' });
  const page = await h.newPage();
  await signIn(page, apiKey);
  await page.getByText('No tiers yet').waitFor();
  await checkPage(page, 'tiers-empty');

  // 1. Bronze: an entry tier.
  await page.getByRole('link', { name: 'New tier' }).click();
  await page.getByRole('heading', { name: 'New tier' }).waitFor();
  await checkPage(page, 'tier-new');
  await page.getByLabel('Title', { exact: true }).fill('Bronze');
  await page.getByRole('button', { name: 'Create tier' }).click();
  await page.getByRole('heading', { level: 1, name: 'Tiers' }).waitFor();
  await page.getByText('Everyone qualifies (entry tier)').waitFor();

  // 2. Silver: 1,000 lifetime points, 1.25×, a tier tag and a reward.
  await page.getByRole('link', { name: 'New tier' }).click();
  await page.getByLabel('Title', { exact: true }).fill('Silver');
  await page.getByRole('button', { name: 'Add qualification' }).click();
  const q1 = page.getByRole('group', { name: 'Qualification 1' });
  await q1.getByLabel('Type').selectOption('lifetimePoints');
  await q1.getByLabel('Minimum points').fill('1000');
  await page.getByLabel('Tier tag').fill('silver_member');
  await page.getByLabel('Points multiplier').fill('1.25');
  await page.getByRole('button', { name: 'Add reward' }).click();
  await page.getByLabel('Reward 1').fill('Free shipping');
  await checkPage(page, 'tier-new-filled');
  await page.getByRole('button', { name: 'Create tier' }).click();
  await page.getByText('Customers who earned 1,000 points in total').waitFor();

  // 3. Gold, first refused by the browser: a window in words and a multiplier of 0.
  await page.getByRole('link', { name: 'New tier' }).click();
  await page.getByLabel('Title', { exact: true }).fill('Gold');
  await page.getByRole('button', { name: 'Add qualification' }).click();
  const g1 = page.getByRole('group', { name: 'Qualification 1' });
  await g1.getByLabel('Type').selectOption('orderVolume');
  await g1.getByLabel('Minimum amount (USD)').fill('500');
  await g1.getByLabel('Window').fill('90 days');
  await page.getByLabel('Points multiplier').fill('0');
  await page.getByRole('button', { name: 'Create tier' }).click();
  await fieldOf(page, 'Window', 'Qualification 1')
    .locator('.error')
    .filter({ hasText: 'must be an ISO 8601 duration' })
    .waitFor();
  await fieldOf(page, 'Points multiplier')
    .locator('.error')
    .filter({ hasText: 'must be greater than 0' })
    .waitFor();
  // Focus goes to the first field in error.
  expect(await g1.getByLabel('Window').evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
  await checkPage(page, 'tier-form-errors');
  expect(await apiTitles(apiKey)).toEqual(['Bronze', 'Silver']);

  // Then refused by the server alone: Silver's benefit tag cannot qualify for Gold.
  await g1.getByLabel('Window').fill('P90D');
  await page.getByLabel('Points multiplier').fill('1.5');
  await page.getByRole('button', { name: 'Add qualification' }).click();
  const g2 = page.getByRole('group', { name: 'Qualification 2' });
  await g2.getByLabel('Type').selectOption('tag');
  await g2.getByLabel('Tag').fill('silver_member');
  await page.getByRole('button', { name: 'Create tier' }).click();
  await fieldOf(page, 'Tag', 'Qualification 2')
    .locator('.error')
    .filter({ hasText: 'tier tags never qualify' })
    .waitFor();
  expect(await fieldOf(page, 'Window', 'Qualification 1').locator('.error').count()).toBe(0);
  await page.getByRole('button', { name: 'Remove qualification 2' }).click();
  await page.getByRole('button', { name: 'Create tier' }).click();
  await page.getByText('Customers who spent $500.00 in the last 90 days').waitFor();

  const created = (await h.api<{ data: TierView[] }>(apiKey, 'GET', '/v1/tiers')).body.data;
  expect(created.map((t) => t.title)).toEqual(['Bronze', 'Silver', 'Gold']);
  expect(created[1]).toMatchObject({
    qualifications: [{ type: 'lifetimePoints', minPoints: 1000 }],
    benefits: { tag: 'silver_member', multiplier: 1.25, rewards: ['Free shipping'] },
  });
  // $500 typed in major units is stored as 50,000 cents.
  expect(created[2]).toMatchObject({
    qualifications: [{ type: 'orderVolume', minAmount: 50000, window: 'P90D' }],
    benefits: { multiplier: 1.5 },
  });
  expect(await listTitles(page)).toEqual(['Bronze', 'Silver', 'Gold']);
  await page.getByText('resynced 5 minutes after the last change').first().waitFor();
  await checkPage(page, 'tiers-list');

  // Reorder with the mouse: Gold's handle dragged above Bronze.
  const goldHandle = page.getByRole('button', { name: 'Reorder Gold' });
  const bronzeHandle = page.getByRole('button', { name: 'Reorder Bronze' });
  const from = await goldHandle.boundingBox();
  const to = await bronzeHandle.boundingBox();
  if (!from || !to) throw new Error('drag handles not laid out');
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2 - 10, { steps: 5 });
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2 - 10, { steps: 20 });
  await page.mouse.up();
  await waitForApiOrder(apiKey, ['Gold', 'Bronze', 'Silver']);
  await page.getByText('Order saved.').waitFor();
  expect(await listTitles(page)).toEqual(['Gold', 'Bronze', 'Silver']);

  // Reorder with the keyboard: Space picks Gold up, two arrows down, Space drops it on top.
  await goldHandle.focus();
  await page.keyboard.press('Space');
  // dnd-kit announces the pick-up, then at once the position over itself.
  await page.getByText(/Picked up Gold|Gold moved to position 1 of 3/).waitFor({ state: 'attached' });
  await page.keyboard.press('ArrowDown');
  await page.getByText('Gold moved to position 2 of 3').waitFor({ state: 'attached' });
  await page.keyboard.press('ArrowDown');
  await page.getByText('Gold moved to position 3 of 3').waitFor({ state: 'attached' });
  await page.keyboard.press('Space');
  await waitForApiOrder(apiKey, ['Bronze', 'Silver', 'Gold']);
  await eventually(
    'the list shows Bronze, Silver, Gold',
    async () => (await listTitles(page)).join() === 'Bronze,Silver,Gold',
  );
  // Keyboard focus stays on the moved tier's handle.
  expect(await goldHandle.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);

  // Edit Silver: the form shows what was saved; a change is saved.
  await page.getByRole('link', { name: 'Edit Silver' }).click();
  await page.getByRole('heading', { name: 'Edit Silver' }).waitFor();
  expect(await page.getByLabel('Points multiplier').inputValue()).toBe('1.25');
  expect(
    await page.getByRole('group', { name: 'Qualification 1' }).getByLabel('Minimum points').inputValue(),
  ).toBe('1000');
  await page.getByLabel('Visible to customers').uncheck();
  await checkPage(page, 'tier-edit');
  await page.getByRole('button', { name: 'Save tier' }).click();
  await page.getByRole('heading', { level: 1, name: 'Tiers' }).waitFor();
  const silver = (
    await h.api<{ data: (TierView & { visible: boolean })[] }>(apiKey, 'GET', '/v1/tiers')
  ).body.data.find((t) => t.title === 'Silver');
  expect(silver?.visible).toBe(false);

  // Delete Silver: a dialog says what happens to its members; Cancel keeps it, confirming deletes it.
  await page.getByRole('link', { name: 'Edit Silver' }).click();
  await page.getByRole('button', { name: 'Delete tier' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete Silver?' });
  await dialog.getByText('Its members are reassigned').waitFor();
  expect(
    await dialog
      .getByRole('button', { name: 'Cancel' })
      .evaluate((el) => el === el.ownerDocument.activeElement),
  ).toBe(true);
  await checkPage(page, 'tier-delete-dialog');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });
  expect(await apiTitles(apiKey)).toEqual(['Bronze', 'Silver', 'Gold']);
  await page.getByRole('button', { name: 'Delete tier' }).click();
  await dialog.getByRole('button', { name: 'Delete tier' }).click();
  await page.getByRole('heading', { level: 1, name: 'Tiers' }).waitFor();
  await eventually('two tiers are listed', async () => (await page.locator('.tier-row').count()) === 2);
  expect(await apiTitles(apiKey)).toEqual(['Bronze', 'Gold']);
});
