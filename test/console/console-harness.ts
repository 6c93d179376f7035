/**
 * Browser tests of the console (docs/decisions/0028): the REAL service (buildApp, as main.ts and
 * test/support/harness.ts compose it) on a PostgreSQL database of its own, listening on
 * 127.0.0.1:<free port> and serving a console build made from the current sources; Debian's
 * chromium driven by playwright-core; axe-core injected into pages; screenshots at desktop and
 * phone widths into test-output/screenshots/ (git-ignored).
 *
 * The console served is console/dist, built by jest's global setup when stale (scripts/build.js).
 */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
// Plain JavaScript with a declaration file (scripts/build.d.ts), as global-setup.ts imports it.
import { buildConsole, consoleBuildNeeded } from '../../scripts/build.js';
import { type AppDeps, buildApp, DEFAULT_CONSOLE_DIR } from '../../src/app.js';
import { PassLinkSigner } from '../../src/features/passes/pass-links.js';
import { loadPassTemplates } from '../../src/features/passes/pass-templates.js';
import { openPassSigner } from '../../src/integrations/apple/open-pass-signer.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/port.js';
import { createTempDatabase } from '../support/temp-db.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUTPUT = join(ROOT, 'test-output');
export const SCREENSHOT_DIR = join(OUTPUT, 'screenshots');
export const ADMIN_TOKEN = 'console-test-admin-token-0123456789';

/** Viewports every page is checked at. */
export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

/** Generous: two shared cores, a real browser, a real database. */
export const UI_TIMEOUT_MS = 20_000;

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The console built from the current sources (console/dist, what the service serves by
 * default). Jest's global setup builds it when stale; a test file started after a source edit
 * rebuilds it here, under a lock directory so parallel files never build at once.
 */
export async function ensureConsoleBuild(): Promise<string> {
  const lock = join(ROOT, 'console', '.build-lock');
  for (let waited = 0; consoleBuildNeeded(); waited += 250) {
    try {
      mkdirSync(lock);
    } catch {
      // Another test file builds it; a lock older than 3 minutes was left by a killed run.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 180_000)
        rmSync(lock, { recursive: true });
      if (waited > 180_000) throw new Error(`timed out waiting for the console build lock ${lock}`);
      await sleep(250);
      continue;
    }
    try {
      if (consoleBuildNeeded()) buildConsole();
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return DEFAULT_CONSOLE_DIR;
}

export interface ConsoleHarness {
  /** http://127.0.0.1:<port> of the running service. */
  baseUrl: string;
  /** The service's store (a database of its own). */
  store: Store;
  /** The shared browser; `newPage` gives each test a fresh context (no cookies). */
  browser: Browser;
  /** A page in a fresh browser context at desktop size, with CSP bypassed for axe injection only. */
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  /** Create a program through the admin API: its API key and id. */
  createProgramWithKey(body?: Record<string, unknown>): Promise<{ apiKey: string; programId: string }>;
  /** Call the API with a program API key (Bearer), for checking what the console saved. */
  api<T = unknown>(
    apiKey: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  /** Absolute URL of a console path (`/tiers` → http://…/console/tiers). */
  consoleUrl(path: string): string;
  /** Close the browser, the server, the store, and drop the database. */
  close(): Promise<void>;
}

/**
 * Start the service and the browser. `app` adds or overrides buildApp dependencies (e.g.
 * `passes` for the designer's previews); store, clock, logger, admin token and console directory
 * are the harness's unless given.
 */
export async function startConsoleHarness(opts: { app?: Partial<AppDeps> } = {}): Promise<ConsoleHarness> {
  const consoleDir = await ensureConsoleBuild();
  const db = await createTempDatabase();
  const store = await openStore({ databaseUrl: db.url, dataDir: 'memory://' });
  const { app } = buildApp({
    store,
    clock: { now: () => new Date() },
    logger: pino({ level: 'silent' }),
    adminToken: ADMIN_TOKEN,
    consoleDir,
    ...opts.app,
  });
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const contexts: BrowserContext[] = [];

  async function api<T>(apiKey: string, method: string, path: string, body?: unknown) {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  return {
    baseUrl,
    store,
    browser,
    async newPage(viewport = VIEWPORTS.desktop) {
      const context = await browser.newContext({ viewport, bypassCSP: true, baseURL: baseUrl });
      context.setDefaultTimeout(UI_TIMEOUT_MS);
      contexts.push(context);
      return context.newPage();
    },
    async createProgramWithKey(body = {}) {
      const res = await fetch(`${baseUrl}/v1/programs`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          name: 'Console Shop',
          currency: 'USD',
          earning: { pointsPerUnit: 10 },
          ...body,
        }),
      });
      const json = (await res.json()) as { apiKey: string; program: { id: string } };
      if (res.status !== 201)
        throw new Error(`program creation failed: ${res.status} ${JSON.stringify(json)}`);
      return { apiKey: json.apiKey, programId: json.program.id };
    },
    api,
    consoleUrl: (path) => `${baseUrl}/console${path}`,
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await store.close();
      await db.drop();
    },
  };
}

/**
 * Sign in through the console's sign-in form; resolves once the tiers page shows (reached from the
 * landing page, Customers, by its navigation link).
 */
export async function signIn(page: Page, apiKey: string): Promise<void> {
  await page.goto('/console/sign-in');
  await page.getByLabel('API key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Tiers' }).click();
  await page.getByRole('heading', { level: 1, name: 'Tiers' }).waitFor();
}

const requireHere = createRequire(import.meta.url);

/** Run axe-core in the page; throws with a readable list when it finds a serious or critical violation. */
export async function expectNoSeriousA11yViolations(page: Page, label = page.url()): Promise<void> {
  const hasAxe = await page.evaluate(() => 'axe' in globalThis);
  if (!hasAxe) {
    await page.addScriptTag({ path: join(dirname(requireHere.resolve('axe-core')), 'axe.min.js') });
  }
  const violations = await page.evaluate(async () => {
    const w = globalThis as unknown as {
      document: unknown;
      axe: {
        run(
          ctx: unknown,
          opts: object,
        ): Promise<{
          violations: {
            id: string;
            impact: string | null;
            help: string;
            nodes: { target: unknown[]; failureSummary?: string }[];
          }[];
        }>;
      };
    };
    const result = await w.axe.run(w.document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`),
    }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (serious.length > 0) {
    const list = serious
      .map((v) => `- [${v.impact}] ${v.id}: ${v.help}\n${v.nodes.map((n) => `    ${n}`).join('\n')}`)
      .join('\n');
    throw new Error(`axe found ${serious.length} serious/critical violation(s) on ${label}:\n${list}`);
  }
}

/**
 * Full-page screenshots at desktop (1280×800) and phone (390×844) width:
 * test-output/screenshots/<name>-desktop.png and <name>-phone.png. The viewport is restored.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  await forEachViewport(page, async (size) => {
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${size}.png`), fullPage: true });
  });
}

/** Axe check and screenshot at both widths: what every console page gets in the tests. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await forEachViewport(page, async (size) => {
    await expectNoSeriousA11yViolations(page, `${name} (${size})`);
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${size}.png`), fullPage: true });
  });
}

async function forEachViewport(page: Page, fn: (size: keyof typeof VIEWPORTS) => Promise<void>) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const before = page.viewportSize();
  try {
    for (const size of ['desktop', 'phone'] as const) {
      await page.setViewportSize(VIEWPORTS[size]);
      // Let layout settle after the resize (two frames), not a timed wait on the app.
      await page.evaluate(
        () =>
          new Promise((r) => {
            const raf = (globalThis as unknown as { requestAnimationFrame(f: () => void): void })
              .requestAnimationFrame;
            raf(() => raf(() => r(null)));
          }),
      );
      await fn(size);
    }
  } finally {
    if (before) await page.setViewportSize(before);
  }
}

/**
 * Poll `check` until it returns true (every 200 ms, up to UI_TIMEOUT_MS); throws naming `what`.
 * For state the page reaches asynchronously (a saved order, a list after a delete).
 */
export async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + UI_TIMEOUT_MS;
  while (Date.now() < until) {
    if (await check()) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting until ${what}`);
}

/** Pass type id of the console tests' Apple passes. */
export const PASS_TYPE_ID = 'pass.test.tierpass';

type PassesDeps = NonNullable<AppDeps['passes']>;

/**
 * Apple pass dependencies for `startConsoleHarness({ app: { passes } })`: a signer on a development
 * PKI made in `dir/certs` (or the certificates in `certsDir`), the repository's pass templates and a
 * fixed link secret. `certificates` (what the wallet health panel reports) is returned apart, for
 * the tests that show it.
 */
export async function consolePasses(
  dir: string,
  opts: { cacheEntries: number; certsDir?: string },
): Promise<{ passes: PassesDeps; certificates: NonNullable<PassesDeps['certificates']> }> {
  const apple = await openPassSigner(
    {
      passTypeId: PASS_TYPE_ID,
      teamId: 'TEAMID0000',
      certsDir: opts.certsDir,
      keyPassphrase: undefined,
      devCertsDir: join(dir, 'certs'),
    },
    pino({ level: 'silent' }),
    { now: () => new Date() },
  );
  return {
    passes: {
      signer: apple.signer,
      templates: await loadPassTemplates(join(ROOT, 'pass-templates')),
      links: new PassLinkSigner('test-link-secret-0123456789abcdef0123456789'),
      publicUrl: 'http://127.0.0.1',
      cacheEntries: opts.cacheEntries,
    },
    certificates: apple.certificates,
  };
}

/**
 * The service with Apple passes on (`consolePasses` on a fresh development PKI in a temporary
 * directory) and the browser; `close` also removes that directory.
 */
export async function startConsoleHarnessWithPasses(opts: { cacheEntries: number }): Promise<ConsoleHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'tierpass-console-passes-'));
  const removeDir = () => rm(dir, { recursive: true, force: true });
  try {
    const { passes } = await consolePasses(dir, opts);
    const h = await startConsoleHarness({ app: { passes } });
    return {
      ...h,
      async close() {
        await h.close();
        await removeDir();
      },
    };
  } catch (err) {
    await removeDir();
    throw err;
  }
}

/**
 * An API caller for one program that throws on any status of 300 or more (with the response in the
 * message), for test setup that must succeed.
 */
export function okCaller(h: ConsoleHarness, apiKey: string) {
  return async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const res = await h.api<Record<string, unknown>>(apiKey, method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
}
