/**
 * "Test before launch" in a real browser against the real service: edit a draft of the tiers
 * with the tier form's fields (change a threshold, add a tier), see a server-only refusal land at
 * the right draft tier and field, run the simulation and read both distributions and the paged
 * movers (checked against the API), apply the draft in one step and see the tiers changed
 * through the API; a stale draft is refused and changes nothing.
 */
import { jest } from '@jest/globals';
import type { Locator, Page } from 'playwright-core';
import {
  type ConsoleHarness,
  checkPage,
  eventually,
  signIn,
  startConsoleHarness,
} from './console-harness.js';
import { expectFitsPhoneWidth } from './phone-width.js';

jest.setTimeout(180_000);

let h: ConsoleHarness;
beforeAll(async () => {
  h = await startConsoleHarness();
});
afterAll(() => h?.close());

interface Simulation {
  customers: number;
  currentTiers: { id: string | null; title: string | null; customers: number }[];
  simulatedTiers: { id: string | null; title: string | null; customers: number }[];
  movers: {
    data: { customerId: string; from: { title: string } | null; to: { title: string } | null }[];
    nextCursor: string | null;
  };
}

interface TierSet {
  data: { id: string; title: string; qualifications: Record<string, unknown>[] }[];
  version: string;
}

/** Rows of the table captioned `caption`, body only, as text cells. */
async function rowsOf(scope: Page | Locator, caption: string): Promise<string[][]> {
  const table = scope.locator('table').filter({ has: scope.locator('caption', { hasText: caption }) });
  return table
    .locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => (c.textContent ?? '').trim())));
}

const counts = (rows: Simulation['currentTiers']) =>
  rows.map((r) => [r.title ?? 'No tier', r.customers.toLocaleString('en-US')]);

it('edits a draft, runs it, pages the movers and applies it in one step', async () => {
  const { apiKey } = await h.createProgramWithKey({
    name: 'Draft Shop',
    currency: 'USD',
    earning: { pointsPerUnit: 10 },
  });
  const call = <T>(method: string, path: string, body?: unknown) => h.api<T>(apiKey, method, path, body);
  expect((await call('POST', '/v1/tiers', { title: 'Bronze' })).status).toBe(201);
  expect(
    (
      await call('POST', '/v1/tiers', {
        title: 'Silver',
        qualifications: [{ type: 'lifetimePoints', minPoints: 1_000 }],
        benefits: { tag: 'silver_member' },
      })
    ).status,
  ).toBe(201);
  // 52 customers with 500 points (Bronze), Bob with 1,500 and Cat with 3,000 (Silver), Dan with none.
  const customers: [string, number][] = [
    ...Array.from({ length: 52 }, (_, i): [string, number] => [`m${String(i).padStart(2, '0')}`, 5_000]),
    ['bob', 15_000],
    ['cat', 30_000],
    ['dan', 0],
  ];
  for (const [id, amount] of customers) {
    expect(
      (await call('PUT', `/v1/customers/${id}`, { email: `${id}@example.com`, name: `Customer ${id}` }))
        .status,
    ).toBe(201);
    if (amount > 0)
      expect((await call('POST', '/v1/orders', { id: `o-${id}`, customerId: id, amount })).status).toBe(201);
  }
  const before = (await call<TierSet>('GET', '/v1/tiers')).body;

  const page = await h.newPage();
  await signIn(page, apiKey);
  await page.getByRole('link', { name: 'Test before launch' }).click();
  await page.getByRole('heading', { level: 1, name: 'Test before launch' }).waitFor();
  const list = page.locator('.draft-tier-list');
  await list.getByRole('button', { name: '2. Silver' }).waitFor();
  await checkPage(page, 'simulate');
  await expectFitsPhoneWidth(page);

  // Silver from 400 points; a new Gold tier that (wrongly) qualifies by Silver's benefit tag.
  await list.getByRole('button', { name: '2. Silver' }).click();
  const editor = page.getByRole('form', { name: 'Draft tier 2' });
  await editor.getByRole('group', { name: 'Qualification 1' }).getByLabel('Minimum points').fill('400');
  await page.getByRole('button', { name: 'Add a draft tier' }).click();
  const gold = page.getByRole('form', { name: 'Draft tier 3' });
  await gold.getByLabel('Title', { exact: true }).fill('Gold');
  await gold.getByRole('button', { name: 'Add qualification' }).click();
  const q = gold.getByRole('group', { name: 'Qualification 1' });
  await q.getByLabel('Type').selectOption('tag');
  await q.getByLabel('Tag').fill('silver_member');
  await page.getByRole('button', { name: 'Run simulation' }).click();
  // The server's invalid_configuration lands at Gold's tag field.
  await q
    .locator('.field')
    .filter({ hasText: 'Tag' })
    .locator('.error')
    .filter({ hasText: 'tier tags never qualify' })
    .waitFor();
  await list.getByText('Needs a change').waitFor();
  await checkPage(page, 'simulate-errors');
  expect((await call<TierSet>('GET', '/v1/tiers')).body).toEqual(before);

  await q.getByLabel('Type').selectOption('lifetimePoints');
  await q.getByLabel('Minimum points').fill('2500');
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.url().endsWith('/v1/simulations') && r.method() === 'POST'),
    page.getByRole('button', { name: 'Run simulation' }).click(),
  ]);
  await page.getByRole('heading', { name: 'Result' }).waitFor();
  const sent = JSON.parse(request.postData() ?? '{}');
  const api = (await call<Simulation>('POST', '/v1/simulations', { ...sent, moversLimit: 200 })).body;
  // 52 rise to Silver, Cat to Gold; Bob stays.
  expect(counts(api.simulatedTiers)).toEqual([
    ['Bronze', '1'],
    ['Silver', '53'],
    ['Gold', '1'],
    ['No tier', '0'],
  ]);
  expect(await rowsOf(page, 'Today')).toEqual(counts(api.currentTiers));
  expect(await rowsOf(page, 'With the draft')).toEqual(counts(api.simulatedTiers));
  await page.getByText('Silver → Gold: 1').waitFor();

  // Who would move: 53 customers, 50 a page.
  const shown: string[][] = [];
  shown.push(...(await rowsOf(page, 'Customers who would move, page 1')));
  expect(shown).toHaveLength(50);
  await checkPage(page, 'simulate-result');
  await expectFitsPhoneWidth(page);
  await page.getByRole('button', { name: 'Next customers' }).click();
  await page.locator('caption', { hasText: 'Customers who would move, page 2' }).waitFor();
  shown.push(...(await rowsOf(page, 'Customers who would move, page 2')));
  expect(await page.getByRole('button', { name: 'Next customers' }).isDisabled()).toBe(true);
  expect(shown.map((r) => [r[0], r[3], r[4]])).toEqual(
    api.movers.data.map((m) => [m.customerId, m.from?.title ?? 'No tier', m.to?.title ?? 'No tier']),
  );
  expect(shown).toContainEqual(['cat', 'cat@example.com', 'Customer cat', 'Silver', 'Gold']);
  expect((await call<TierSet>('GET', '/v1/tiers')).body).toEqual(before);

  // An edit after the run marks the result as out of date; undoing it clears the note.
  await list.getByRole('button', { name: '3. Gold' }).click();
  const title = page.getByRole('form', { name: 'Draft tier 3' }).getByLabel('Title', { exact: true });
  await title.fill('Gold!');
  const staleNote = page.getByText('The draft changed since this result');
  await staleNote.waitFor();
  await title.fill('Gold');
  await staleNote.waitFor({ state: 'detached' });

  // Apply: the live tiers become the draft.
  await page.getByRole('button', { name: 'Apply draft' }).click();
  await page.getByText('Draft applied: 3 tiers live (1 created, 0 deleted).').waitFor();
  const after = (await call<TierSet>('GET', '/v1/tiers')).body;
  expect(after.data.map((t) => t.title)).toEqual(['Bronze', 'Silver', 'Gold']);
  expect(after.data[0]?.id).toBe(before.data[0]?.id);
  expect(after.data[1]?.id).toBe(before.data[1]?.id);
  expect(after.data[1]?.qualifications).toEqual([{ type: 'lifetimePoints', minPoints: 400 }]);
  expect(after.data[2]?.qualifications).toEqual([{ type: 'lifetimePoints', minPoints: 2_500 }]);

  // A draft made before someone else's change is refused, and changes nothing.
  await list.getByRole('button', { name: '3. Gold' }).click();
  await page
    .getByRole('form', { name: 'Draft tier 3' })
    .getByLabel('Title', { exact: true })
    .fill('Platinum');
  expect(
    (await call('PATCH', `/v1/tiers/${after.data[2]?.id}`, { title: 'Gold (edited elsewhere)' })).status,
  ).toBe(200);
  const meanwhile = (await call<TierSet>('GET', '/v1/tiers')).body;
  await page.getByRole('button', { name: 'Apply draft' }).click();
  await page.getByText('The tiers were changed elsewhere since this draft was started.').waitFor();
  await eventually(
    'the refused apply changed nothing',
    async () => JSON.stringify((await call<TierSet>('GET', '/v1/tiers')).body) === JSON.stringify(meanwhile),
  );
});
