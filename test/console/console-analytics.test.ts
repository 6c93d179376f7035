/**
 * The analytics page in a real browser against the real service: each chart's table and CSV
 * download hold the API's numbers with tier titles (CSV quoting checked on a title with a comma
 * and quotes), the date picker asks for the distribution at a past date, the interval control
 * regroups movements by week; axe and screenshots at both widths.
 */
import { readFileSync } from 'node:fs';
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

/** RFC 4180 rows of a CSV text (quoted fields with doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

async function downloadCsv(page: Page, section: Locator): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    section.getByRole('button', { name: 'Download CSV' }).click(),
  ]);
  const path = await download.path();
  return { name: download.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

/** The table of a chart section (opened), as text cells per row, header row first. */
async function tableOf(section: Locator): Promise<string[][]> {
  const details = section.locator('details.chart-table');
  if (!(await details.evaluate((d) => d.hasAttribute('open')))) {
    await section.getByText('Table of the numbers').click();
  }
  return section
    .locator('table tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => (c.textContent ?? '').trim())));
}

const num = (text: string) => Number(text.replaceAll(/[^\d-]/g, ''));

interface Distribution {
  total: number;
  tiers: { id: string | null; title: string | null; customers: number }[];
}

it('shows each chart with the API numbers, as a table and a CSV with titles', async () => {
  const { apiKey } = await h.createProgramWithKey({
    name: 'Chart Shop',
    currency: 'USD',
    earning: { pointsPerUnit: 10 },
  });
  const tier = async (body: Record<string, unknown>) => {
    const res = await h.api<{ id: string }>(apiKey, 'POST', '/v1/tiers', body);
    expect(res.status).toBe(201);
    return res.body.id;
  };
  await tier({ title: 'Bronze' });
  await tier({
    title: 'Silver',
    qualifications: [{ type: 'lifetimePoints', minPoints: 1_000 }],
    benefits: { bonusPoints: 100 },
  });
  await tier({
    title: 'Gold, "VIP"',
    qualifications: [{ type: 'lifetimeSpend', minAmount: 100_000 }],
    benefits: { bonusPoints: 500 },
  });
  const order = async (customerId: string, amount: number) => {
    const res = await h.api(apiKey, 'POST', '/v1/orders', {
      id: `o-${customerId}-${amount}`,
      customerId,
      amount,
    });
    expect(res.status).toBe(201);
  };
  for (const id of ['ann', 'bob', 'cat', 'dan']) {
    expect((await h.api(apiKey, 'PUT', `/v1/customers/${id}`, { email: `${id}@example.com` })).status).toBe(
      201,
    );
  }
  await order('ann', 5_000); // Bronze
  await order('bob', 15_000); // Silver (1,500 points)
  await order('cat', 5_000); // Bronze, then Gold
  await order('cat', 100_000);

  const page = await h.newPage();
  await signIn(page, apiKey);
  await page.getByRole('link', { name: 'Analytics' }).click();
  await page.getByRole('heading', { level: 1, name: 'Analytics' }).waitFor();

  // 1. Customers per tier now.
  const dist = page.getByRole('region', { name: 'Customers per tier', exact: true });
  await dist.locator('canvas').waitFor();
  const now = (await h.api<Distribution>(apiKey, 'GET', '/v1/analytics/distribution')).body;
  expect(now.total).toBe(4);
  const label = (t: { title: string | null }) => t.title ?? 'No tier';
  const rows = await tableOf(dist);
  expect(rows[0]).toEqual(['Tier', 'Tier id', 'Customers']);
  expect(rows.slice(1).map((r) => [r[0], num(r[2] ?? '')])).toEqual(
    now.tiers.map((t) => [label(t), t.customers]),
  );
  const canvasName = await dist.locator('canvas').getAttribute('aria-label');
  expect(canvasName).toContain('Gold, "VIP" 1');
  const csv = await downloadCsv(page, dist);
  expect(csv.name).toMatch(/^customers-per-tier-\d{4}-\d{2}-\d{2}\.csv$/);
  expect(csv.text).toContain('"Gold, ""VIP"""');
  expect(parseCsv(csv.text)).toEqual([
    ['Tier', 'Tier id', 'Customers'],
    ...now.tiers.map((t) => [label(t), t.id ?? '', String(t.customers)]),
  ]);
  await checkPage(page, 'analytics');
  await expectFitsPhoneWidth(page);

  // The date picker: the end of yesterday, before any of these customers existed.
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  await dist.getByLabel('On date', { exact: true }).fill(yesterday);
  const past = (await h.api<Distribution>(apiKey, 'GET', `/v1/analytics/distribution?at=${yesterday}`)).body;
  expect(past.total).toBe(0);
  const pastExpected = JSON.stringify(past.tiers.map((t) => [label(t), t.customers]));
  await eventually('the table shows the distribution at the end of yesterday', async () => {
    const r = await tableOf(dist);
    return JSON.stringify(r.slice(1).map((x) => [x[0], num(x[2] ?? '')])) === pastExpected;
  });

  // 2. Upgrades and downgrades per day, then per week.
  const moves = page.getByRole('region', { name: 'Upgrades and downgrades', exact: true });
  await moves.locator('canvas').waitFor();
  const from = await moves.getByLabel('From', { exact: true }).inputValue();
  const to = await moves.getByLabel('To', { exact: true }).inputValue();
  type Movements = {
    totals: { upgrades: number; entries: number };
    buckets: { start: string; upgrades: number; downgrades: number; entries: number }[];
  };
  const days = (
    await h.api<Movements>(apiKey, 'GET', `/v1/analytics/movements?from=${from}&to=${to}&interval=day`)
  ).body;
  // Everyone enters Bronze when created; Bob rises to Silver, Cat to Gold.
  expect(days.totals).toMatchObject({ upgrades: 2, entries: 4 });
  const dayRows = await tableOf(moves);
  expect(dayRows[0]?.slice(0, 4)).toEqual(['Day', 'Upgrades', 'Downgrades', 'Entries']);
  expect(dayRows.slice(1).map((r) => [r[0], num(r[1] ?? ''), num(r[2] ?? ''), num(r[3] ?? '')])).toEqual(
    days.buckets.map((b) => [b.start, b.upgrades, b.downgrades, b.entries]),
  );
  const moveCsv = parseCsv((await downloadCsv(page, moves)).text);
  expect(moveCsv.slice(1).map((r) => r.slice(0, 4))).toEqual(
    days.buckets.map((b) => [b.start, String(b.upgrades), String(b.downgrades), String(b.entries)]),
  );
  // Stacked by reason: the reason columns add up to the upgrades.
  const reasonCols = (moveCsv[0] ?? []).flatMap((h, i) => (h.startsWith('Upgrades: ') ? [i] : []));
  expect(reasonCols.length).toBeGreaterThan(0);
  for (const r of moveCsv.slice(1)) {
    expect(reasonCols.reduce((n, i) => n + Number(r[i]), 0)).toBe(Number(r[1]));
  }
  await moves.getByLabel('Per', { exact: true }).selectOption('week');
  const weeks = (
    await h.api<Movements>(apiKey, 'GET', `/v1/analytics/movements?from=${from}&to=${to}&interval=week`)
  ).body;
  const weekExpected = JSON.stringify([
    ['Week starting', 'Upgrades', 'Downgrades', 'Entries'],
    ...weeks.buckets.map((b) => [b.start, b.upgrades, b.downgrades, b.entries]),
  ]);
  await eventually('the table shows the movements per week', async () => {
    const r = await tableOf(moves);
    const head = (r[0] ?? []).slice(0, 4);
    const body = r.slice(1).map((x) => [x[0], num(x[1] ?? ''), num(x[2] ?? ''), num(x[3] ?? '')]);
    return JSON.stringify([head, ...body]) === weekExpected;
  });

  // 3. Points awarded and bonus points per tier per month.
  const earn = page.getByRole('region', { name: 'Points awarded and bonus points per tier', exact: true });
  await earn.locator('canvas').waitFor();
  const ef = await earn.getByLabel('From', { exact: true }).inputValue();
  const et = await earn.getByLabel('To', { exact: true }).inputValue();
  type Earnings = {
    months: {
      month: string;
      tiers: {
        tierId: string | null;
        title: string | null;
        awarded: number;
        bonus: number;
        bonuses: number;
      }[];
    }[];
    tiers: { title: string | null; awarded: number; bonus: number }[];
  };
  const earnings = (await h.api<Earnings>(apiKey, 'GET', `/v1/analytics/earnings?from=${ef}&to=${et}`)).body;
  expect(earnings.tiers.find((t) => t.title === 'Gold, "VIP"')?.bonus).toBe(500);
  const expected = earnings.months.flatMap((m) =>
    m.tiers.map((t) => [
      m.month,
      t.title ?? 'No tier',
      t.tierId ?? '',
      String(t.awarded),
      String(t.bonus),
      String(t.bonuses),
    ]),
  );
  const earnRows = await tableOf(earn);
  expect(
    earnRows
      .slice(1)
      .map((r) => [
        r[0],
        r[1],
        r[2],
        String(num(r[3] ?? '')),
        String(num(r[4] ?? '')),
        String(num(r[5] ?? '')),
      ]),
  ).toEqual(expected);
  const earnCsv = await downloadCsv(page, earn);
  expect(parseCsv(earnCsv.text)).toEqual([
    ['Month', 'Tier', 'Tier id', 'Points awarded', 'Bonus points paid', 'Bonuses paid'],
    ...expected,
  ]);
  await checkPage(page, 'analytics-tables-open');
  await expectFitsPhoneWidth(page);
});
