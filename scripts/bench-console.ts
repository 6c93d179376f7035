/**
 * Console budgets (`npm run bench:console`, issue 11 "Budgets"; results in BENCHMARKS.md):
 *
 *   npm run bench:console -- [--edits 240] [--no-build]
 *
 * 1. Initial JavaScript: `vite build` of console/, then the gzipped size (zlib level 9) of every
 *    script console/dist/index.html loads eagerly (its module scripts and modulepreloads).
 *    Budget ≤ 250 KB. Lazy chunks (the designer) are listed but not counted.
 * 2. Preview re-render: the real service on a fresh PostgreSQL database serving the built
 *    console, Debian's chromium (headless, playwright-core) signed in, a tier's designer open;
 *    `--edits` edits (background colour and points label, alternating) typed into the form. In
 *    the page: from the `input` event (capture listener, performance.now) to the preview's DOM
 *    update (MutationObserver) and to the next frame (requestAnimationFrame, then a task: the
 *    frame with the new preview has been produced). Budget p95 ≤ 150 ms.
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) is the admin connection;
 * the script creates tierpass_console_<ts> there and drops it at the end.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { pino } from 'pino';
import { chromium } from 'playwright-core';
import { buildApp } from '../src/app.js';
import { systemClock } from '../src/clock.js';
import { PassLinkSigner } from '../src/features/passes/pass-links.js';
import { loadPassTemplates } from '../src/features/passes/pass-templates.js';
import { openPassSigner } from '../src/integrations/apple/open-pass-signer.js';
import { openStore } from '../src/store/open-store.js';
import { apiCaller, buildConsoleBundle, listenLocally, signedInConsolePage } from './lib/console-bench.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'console/dist');
const ADMIN = 'bench-admin-token-0123456789abcdef';
const { values: flags } = parseArgs({
  options: { edits: { type: 'string', default: '240' }, 'no-build': { type: 'boolean', default: false } },
});
const EDITS = Number(flags.edits);

function pct(ms: number[], p: number): number {
  const s = [...ms].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
}

/** The eagerly loaded scripts of the built index.html and every chunk's gzipped size. */
async function initialJs(): Promise<{
  eager: { file: string; gz: number }[];
  lazy: { file: string; gz: number }[];
}> {
  const html = await readFile(join(DIST, 'index.html'), 'utf8');
  const eagerFiles = new Set<string>();
  for (const m of html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g))
    eagerFiles.add(m[1] as string);
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g))
    eagerFiles.add(m[1] as string);
  const size = async (file: string) => gzipSync(await readFile(join(DIST, file)), { level: 9 }).length;
  const eager = await Promise.all(
    [...eagerFiles].map(async (href) => {
      const file = href.replace(/^\/console\//, '');
      return { file, gz: await size(file) };
    }),
  );
  const { readdir } = await import('node:fs/promises');
  const all = (await readdir(join(DIST, 'assets')))
    .filter((f) => f.endsWith('.js'))
    .map((f) => `assets/${f}`);
  const lazy = await Promise.all(
    all.filter((f) => !eager.some((e) => e.file === f)).map(async (file) => ({ file, gz: await size(file) })),
  );
  return { eager, lazy };
}

async function main(): Promise<void> {
  if (!flags['no-build']) buildConsoleBundle(ROOT);
  const js = await initialJs();
  const eagerTotal = js.eager.reduce((n, e) => n + e.gz, 0);

  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const dbName = `tierpass_console_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const dir = await mkdtemp(join(os.tmpdir(), 'tierpass-bench-console-'));
  const logger = pino({ level: 'silent' });
  const store = await openStore({ databaseUrl: url.toString(), dataDir: 'memory://' });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
  let server: Server | undefined;
  try {
    const apple = await openPassSigner(
      {
        passTypeId: 'pass.dev.tierpass',
        teamId: 'DEVTEAM000',
        certsDir: undefined,
        keyPassphrase: undefined,
        devCertsDir: join(dir, 'certs'),
      },
      logger,
      systemClock,
    );
    const { app } = buildApp({
      store,
      clock: systemClock,
      logger,
      adminToken: ADMIN,
      consoleDir: DIST,
      passes: {
        signer: apple.signer,
        templates: await loadPassTemplates(join(ROOT, 'pass-templates')),
        links: new PassLinkSigner('bench-secret-0123456789abcdef0123456789'),
        publicUrl: 'http://127.0.0.1',
        cacheEntries: 100,
      },
    });
    const listening = await listenLocally(app);
    server = listening.server;
    const { origin } = listening;
    const call = apiCaller(origin);
    const created = await call('POST', '/v1/programs', ADMIN, { name: 'Bench shop', currency: 'USD' });
    const key = created.apiKey as string;
    await call('POST', '/v1/tiers', key, { title: 'Bronze' });
    const gold = await call('POST', '/v1/tiers', key, {
      title: 'Gold',
      qualifications: [{ type: 'lifetimePoints', minPoints: 1000 }],
      benefits: { rewards: ['Free shipping', 'Early access'] },
    });
    await call('PUT', `/v1/tiers/${gold.id}/design`, key, {
      backgroundColor: '#d4af37',
      logoText: 'Gold Club',
    });

    const page = await signedInConsolePage(browser, origin, key);
    await page.goto(`${origin}/console/design/${gold.id}`);
    await page.locator('[data-face="apple"] svg').waitFor();

    // In-page code as text: the server tsconfig has no DOM types.
    await page.evaluate(`(() => {
      window.__samples = [];
      let pending = null;
      document.addEventListener('input', () => (pending = performance.now()), true);
      const target = document.querySelector('[data-testid="preview"]');
      new MutationObserver(() => {
        if (pending === null) return;
        const t0 = pending;
        pending = null;
        const dom = performance.now() - t0;
        requestAnimationFrame(() => {
          const ch = new MessageChannel();
          ch.port1.onmessage = () => window.__samples.push({ dom, frame: performance.now() - t0 });
          ch.port2.postMessage(null);
        });
      }).observe(target, { subtree: true, childList: true, attributes: true, characterData: true });
    })()`);
    const count = () => page.evaluate<number>('window.__samples.length');
    const colour = page.getByRole('textbox', { name: 'Background colour', exact: true });
    const label = page.getByRole('textbox', { name: 'Points label', exact: true });
    for (let i = 0; i < EDITS; i++) {
      const before = await count();
      if (i % 2 === 0) {
        const v = (0x102030 + i * 0x010305) & 0xffffff;
        await colour.fill(`#${v.toString(16).padStart(6, '0')}`);
      } else await label.fill(`Points ${i}`);
      await page.waitForFunction(`window.__samples.length > ${before}`);
    }
    const samples = await page.evaluate<{ dom: number; frame: number }[]>('window.__samples');
    const dom = samples.map((s) => s.dom);
    const frame = samples.map((s) => s.frame);
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    const uptime = spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
    const model = os.cpus()[0]?.model ?? 'unknown CPU';

    console.log(`date: ${new Date().toISOString()}`);
    console.log(
      `machine: ${model} × ${os.cpus().length} (nproc), Node ${process.version}, ${browser.version()}`,
    );
    console.log(`load (uptime): ${uptime}`);
    console.log(`initial JavaScript (gzip -9): ${kb(eagerTotal)} — budget 250 KB`);
    for (const e of js.eager) console.log(`  eager ${e.file}: ${kb(e.gz)}`);
    for (const e of js.lazy) console.log(`  lazy  ${e.file}: ${kb(e.gz)}`);
    console.log(
      `preview re-render, input → DOM updated: median ${pct(dom, 50).toFixed(1)} ms, p95 ${pct(dom, 95).toFixed(1)} ms, max ${Math.max(...dom).toFixed(1)} ms (n=${dom.length})`,
    );
    console.log(
      `preview re-render, input → next frame:  median ${pct(frame, 50).toFixed(1)} ms, p95 ${pct(frame, 95).toFixed(1)} ms, max ${Math.max(...frame).toFixed(1)} ms (n=${frame.length}) — budget p95 150 ms`,
    );
  } finally {
    await browser.close();
    server?.close();
    await store.close();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
