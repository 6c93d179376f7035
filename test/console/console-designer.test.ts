/**
 * The pass designer in the browser against the real service (Apple passes on, dev PKI): the live
 * preview follows edits before saving, artwork uploads by file picker and by drop show in it,
 * saving stores the design, and the preview of a real customer shows what their real pass.json
 * holds (field values, QR payload).
 */
import { readFile } from 'node:fs/promises';
import { jest } from '@jest/globals';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { decodeQr } from '../passes/qr-decode.js';
import { unzip } from '../passes/unzip.js';
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
  h = await startConsoleHarnessWithPasses({ cacheEntries: 100 });
});
afterAll(() => h?.close());

async function png(width: number, height: number, rgb: [number, number, number]): Promise<Buffer> {
  return sharp({
    create: { width, height, channels: 4, background: { r: rgb[0], g: rgb[1], b: rgb[2], alpha: 1 } },
  })
    .png()
    .toBuffer();
}

/** A program with Bronze and Gold (1,000 lifetime points, two rewards) and customer `c-42` in Gold. */
async function program(name: string) {
  const { apiKey } = await h.createProgramWithKey({ name });
  const ok = okCaller(h, apiKey);
  await ok('POST', '/v1/tiers', { title: 'Bronze' });
  const gold = await ok('POST', '/v1/tiers', {
    title: 'Gold',
    qualifications: [{ type: 'lifetimePoints', minPoints: 1000 }],
    benefits: { rewards: ['Free shipping', 'Early access'] },
  });
  await ok('PUT', '/v1/customers/c-42', { name: 'Ada Lovelace' });
  const points = await fetch(`${h.baseUrl}/v1/customers/c-42/points`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${apiKey}`,
      'Content-Type': 'application/json',
      'Idempotency-Key': `welcome-${Date.now()}-${Math.random()}`,
    },
    body: JSON.stringify({ points: 1250, reason: 'welcome' }),
  });
  if (points.status >= 300) throw new Error(`points: ${points.status} ${await points.text()}`);
  return { apiKey, goldId: gold.id as string };
}

const faceHtml = (page: Page, face: 'apple' | 'google') => page.locator(`[data-face="${face}"]`).innerHTML();

it('previews edits live, uploads artwork by picker and by drop, saves, and passes axe at both widths', async () => {
  const { apiKey, goldId } = await program('Designer Shop');
  const page = await h.newPage();
  await signIn(page, apiKey);
  await page
    .getByRole('navigation', { name: 'Console' })
    .getByRole('link', { name: 'Pass design', exact: true })
    .click();
  await page.getByRole('heading', { level: 1, name: 'Pass design: program default' }).waitFor();
  await page.locator('[data-face="apple"] svg').waitFor();
  await checkPage(page, 'designer-program');

  await page.getByRole('navigation', { name: 'Designs' }).getByRole('link', { name: /Gold/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Pass design: Gold' }).waitFor();
  await page.locator('[data-face="apple"] svg').waitFor();
  const appleBefore = await faceHtml(page, 'apple');
  const googleBefore = await faceHtml(page, 'google');

  // Typing changes both previews at once, nothing saved yet.
  await page.getByRole('textbox', { name: 'Background colour', exact: true }).fill('#123456');
  await page.getByRole('textbox', { name: 'Points label', exact: true }).fill('Stars');
  await eventually('the Apple colour', async () =>
    (await faceHtml(page, 'apple')).includes('rgb(18, 52, 86)'),
  );
  await eventually('the Google colour', async () => (await faceHtml(page, 'google')).includes('#123456'));
  expect(await faceHtml(page, 'apple')).not.toBe(appleBefore);
  expect(await faceHtml(page, 'google')).not.toBe(googleBefore);
  expect(await page.locator('[data-face="apple"]').getAttribute('aria-label')).toContain('Stars');
  const stored = await h.api<{ design: Record<string, unknown> }>(apiKey, 'GET', `/v1/tiers/${goldId}`);
  expect(stored.body.design.backgroundColor).toBeUndefined();

  // The schema's error at the field while typing; the save button waits for a valid form.
  const logoText = page.getByRole('textbox', { name: 'Logo text', exact: true });
  await logoText.fill('x'.repeat(41));
  await page.getByRole('alert').filter({ hasText: /40/ }).waitFor();
  expect(await page.getByRole('button', { name: 'Save design' }).isDisabled()).toBe(true);
  await logoText.fill('Gold Club');

  // Empty slots say what they use instead: the pass template's images here.
  await page.locator('[data-slot="icon"]').getByText('Using the pass template’s icon.').waitFor();

  // Logo through the file picker.
  await page.getByLabel('Choose logo file').setInputFiles({
    name: 'logo.png',
    mimeType: 'image/png',
    buffer: await png(300, 120, [200, 30, 30]),
  });
  await page.getByText('Uploaded logo.png.').waitFor();
  await eventually('the logo', async () =>
    /<image [^>]*href="[^"]*logo[^"]*"/.test(await faceHtml(page, 'apple')),
  );
  const appleImages = await page.locator('[data-face="apple"] image').count();

  // Strip by dropping a file on the strip's drop zone (a synthetic drop event with a DataTransfer).
  const strip = (await png(750, 246, [20, 120, 40])).toString('base64');
  // In-page code as text: the server tsconfig has no DOM types.
  await page.evaluate(`(() => {
    const zone = document.querySelector('[data-testid="drop-strip"]');
    const bytes = Uint8Array.from(atob('${strip}'), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'strip.png', { type: 'image/png' }));
    for (const type of ['dragenter', 'dragover', 'drop']) {
      zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
    }
  })()`);
  await page.getByText('Uploaded strip.png.').waitFor();
  await eventually(
    'the strip',
    async () => (await page.locator('[data-face="apple"] image').count()) > appleImages,
  );
  expect(await faceHtml(page, 'apple')).toMatch(/<image [^>]*href="[^"]*strip[^"]*"/);
  // The images really load (same origin, session cookie).
  await eventually('the images to load', () =>
    page.evaluate<boolean>(`(async () => {
        const hrefs = [...document.querySelectorAll('[data-face="apple"] image')].map((i) => i.getAttribute('href') ?? '');
        const codes = await Promise.all(hrefs.map(async (u) => (await fetch(u)).status));
        return codes.every((c) => c === 200) && codes.length >= 2;
      })()`),
  );

  // An undersized upload: the server's error (artwork_too_small) at the slot.
  await page.getByLabel('Choose icon file').setInputFiles({
    name: 'icon.png',
    mimeType: 'image/png',
    buffer: await png(20, 20, [0, 0, 0]),
  });
  await page.locator('[data-slot="icon"]').getByRole('alert').filter({ hasText: /87/ }).waitFor();

  await page.getByRole('button', { name: 'Save design' }).click();
  await page.getByText('Saved. Passes update in the background.').waitFor();
  const tier = await h.api<{ design: Record<string, unknown> }>(apiKey, 'GET', `/v1/tiers/${goldId}`);
  expect(tier.body.design).toMatchObject({
    backgroundColor: 'rgb(18, 52, 86)',
    logoText: 'Gold Club',
    labels: { points: 'Stars' },
  });
  const artwork = await h.api<{ data: { slot: string }[] }>(apiKey, 'GET', `/v1/tiers/${goldId}/artwork`);
  expect(artwork.body.data.map((a) => a.slot).sort()).toEqual(['logo', 'strip']);

  // Reset to the program default: the field empties and shows the inherited value.
  await page.getByRole('button', { name: 'Reset logo text to program default' }).click();
  expect(await logoText.inputValue()).toBe('');

  await checkPage(page, 'designer-tier');
  // Phone width: nothing wider than the screen (faces and form stacked, preview first).
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
  const [previewTop, formTop] = await page.evaluate<number[]>(
    `['.designer-preview', '.designer-editor'].map((s) => document.querySelector(s).getBoundingClientRect().top)`,
  );
  expect(previewTop).toBeLessThan(formTop as number);
});

it('shows a real customer whose preview matches their real pass.json, and downloads that pass', async () => {
  const { apiKey, goldId } = await program('Sample Shop');
  await h.api(apiKey, 'PUT', `/v1/tiers/${goldId}/design`, {
    labels: { points: 'Stars' },
    logoText: 'Gold Club',
  });
  const page = await h.newPage({ width: 1280, height: 1400 });
  await signIn(page, apiKey);
  await page.goto(`/console/design/${goldId}`);
  await page.locator('[data-face="apple"] svg').waitFor();
  await page.getByRole('textbox', { name: 'Sample customer ID' }).fill('c-42');
  await page.getByRole('button', { name: 'Show customer' }).click();
  await eventually('the customer preview', async () =>
    ((await page.locator('[data-face="apple"]').getAttribute('aria-label')) ?? '').includes('c-42'),
  );

  // The real pass of c-42, through the API.
  const res = await fetch(`${h.baseUrl}/v1/customers/c-42/passes/apple`, {
    headers: { Authorization: `Bearer ${apiKey}` },
  });
  expect(res.status).toBe(200);
  const passJson = JSON.parse(unzip(Buffer.from(await res.arrayBuffer()))['pass.json']?.toString() ?? '{}');
  const card = passJson.storeCard as Record<string, { key: string; label: string; value: string | number }[]>;
  const front = ['headerFields', 'primaryFields', 'secondaryFields', 'auxiliaryFields'].flatMap(
    (k) => card[k] ?? [],
  );
  expect(front.length).toBeGreaterThan(0);

  // The preview's accessible text lists the same fields, in the same order, with the same values.
  const label = (await page.locator('[data-face="apple"]').getAttribute('aria-label')) ?? '';
  const shown = front
    .map((f) => `${f.label} ${typeof f.value === 'number' ? f.value.toLocaleString('en-US') : f.value}`)
    .join(', ');
  expect(label).toContain(shown);
  expect(label).toContain(passJson.logoText);
  // What the face draws: every short value is on it, and the colours are pass.json's.
  const svgText = await page.locator('[data-face="apple"] svg').evaluate((s) => s.textContent ?? '');
  for (const f of front) {
    const v = typeof f.value === 'number' ? f.value.toLocaleString('en-US') : f.value;
    if (v.length <= 10) expect(svgText).toContain(v);
  }
  expect(await faceHtml(page, 'apple')).toContain(passJson.backgroundColor);
  // The QR code drawn in the browser carries the real pass's barcode message.
  const qr = await decodeQr(await page.locator('[data-face="apple"]').screenshot());
  expect(qr).toBe(passJson.barcodes[0].message);

  // The designer's own download button gives the same pass.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download this customer’s .pkpass' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('c-42.pkpass');
  const downloaded = unzip(await readFile((await download.path()) as string));
  expect(JSON.parse(downloaded['pass.json']?.toString() ?? '{}').barcodes[0].message).toBe(
    passJson.barcodes[0].message,
  );

  // Google Wallet is off on this server: a clear note, no link.
  await page.getByRole('button', { name: 'Get Google Wallet save link' }).click();
  await page.getByText('Google Wallet is not configured on this server').waitFor();

  // An unknown customer: the error at the field, the preview stays.
  await page.getByRole('textbox', { name: 'Sample customer ID' }).fill('nobody');
  await page.getByRole('button', { name: 'Show customer' }).click();
  await page
    .getByRole('alert')
    .filter({ hasText: /customer/i })
    .waitFor();
  await checkPage(page, 'designer-sample-customer');
});

it('designs the program default, whose logo and colours a tier without its own inherits', async () => {
  const { apiKey } = await program('Default Shop');
  const page = await h.newPage();
  await signIn(page, apiKey);
  await page.goto('/console/design');
  await page.getByRole('heading', { level: 1, name: 'Pass design: program default' }).waitFor();
  await page.locator('[data-face="apple"] svg').waitFor();
  await page.getByRole('textbox', { name: 'Background colour', exact: true }).fill('#0a7d5a');
  await page.getByRole('button', { name: 'Save design' }).click();
  await page.getByText('Saved. Passes update in the background.').waitFor();
  const design = await h.api<{ design: Record<string, unknown> }>(apiKey, 'GET', '/v1/program/design');
  expect(design.body.design).toMatchObject({ backgroundColor: 'rgb(10, 125, 90)' });
  await page.getByLabel('Choose logo file').setInputFiles({
    name: 'brand.png',
    mimeType: 'image/png',
    buffer: await png(400, 100, [10, 10, 200]),
  });
  await page.getByText('Uploaded brand.png.').waitFor();
  const programArt = await h.api<{ data: { slot: string }[] }>(apiKey, 'GET', '/v1/program/artwork');
  expect(programArt.body.data.map((a) => a.slot)).toEqual(['logo']);

  // Gold has nothing of its own: its designer shows the program's values as inherited.
  await page.getByRole('navigation', { name: 'Designs' }).getByRole('link', { name: /Gold/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Pass design: Gold' }).waitFor();
  await page.locator('[data-face="apple"] svg').waitFor();
  const colour = page.getByRole('textbox', { name: 'Background colour', exact: true });
  expect(await colour.inputValue()).toBe('');
  expect(await colour.getAttribute('placeholder')).toBe('rgb(10, 125, 90)');
  await page.locator('[data-slot="logo"]').getByText('Using the program default’s logo.').waitFor();
  const html = await faceHtml(page, 'apple');
  expect(html).toContain('rgb(10, 125, 90)');
  expect(html).toMatch(/<image [^>]*href="\/v1\/program\/artwork\/logo\//);
  await checkPage(page, 'designer-tier-inheriting');
});
