/** Sign-in and sign-out in the browser against the real service. */
import { jest } from '@jest/globals';
import { type ConsoleHarness, checkPage, signIn, startConsoleHarness } from './console-harness.js';

jest.setTimeout(180_000);

let h: ConsoleHarness;
beforeAll(async () => {
  h = await startConsoleHarness();
});
afterAll(() => h?.close());

it('refuses a wrong key at the form, signs in with the right one, and is refused after signing out', async () => {
  const { apiKey } = await h.createProgramWithKey({ name: 'Sign-in Shop' });
  const page = await h.newPage();
  await page.goto('/console/');
  await page.getByRole('heading', { name: 'Sign in to Tierpass' }).waitFor();
  await checkPage(page, 'sign-in');

  await page.getByLabel('API key').fill('tp_wrong_key');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'That API key is not valid' }).waitFor();

  await signIn(page, apiKey);
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'tierpass_session');
  expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  const stored = await page.evaluate(() => {
    const g = globalThis as unknown as { localStorage: object; sessionStorage: object };
    return JSON.stringify({ ...g.localStorage, ...g.sessionStorage });
  });
  expect(stored).not.toContain(apiKey);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to Tierpass' }).waitFor();
  // The old cookie no longer opens anything.
  const res = await fetch(`${h.baseUrl}/v1/tiers`, {
    headers: { Cookie: `tierpass_session=${session?.value}` },
  });
  expect(res.status).toBe(401);
  await page.goto('/console/tiers');
  await page.getByRole('heading', { name: 'Sign in to Tierpass' }).waitFor();
});
