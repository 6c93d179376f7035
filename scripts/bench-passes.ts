/**
 * Apple Wallet pass benchmark (`npm run bench:passes`): the real app in-process on a fresh
 * PostgreSQL database, passes signed by the development PKI.
 *
 *   npm run bench:passes -- [--customers 300] [--repeats 5] [--burst 1000] [--burst-clients 8]
 *                           [--rounds 2] [--orders 2000] [--fetch-concurrency 1] [--fetch-settle 2]
 *                           [--burst-from process|inline] [--fetch-thread on|off] [--fetch-nice 10]
 *
 * Measures, in one run on the same certificates:
 * 1. a minimal passkit-generator pass (pass.json + icon, no service code): the library floor,
 *    interleaved one for one with (2), so both see the same machine load;
 * 2. Tierpass's first fetch of each customer's pass over HTTP (DB reads, content, signing), and
 *    inside it the pass build itself (the signer's sign(): manifest, PKCS#7, ZIP);
 * 3. the same fetches again, unchanged: served from the LRU cache (no signing);
 * 4. ingestion (one client posting orders, sequentially) alone, then during a burst of --burst
 *    first pass fetches (every tier's design changed first, so each pass is built again) from
 *    --burst-clients connections; --rounds times, alternating; with the event loop's delay.
 *    The burst's clients run in their own process (scripts/lib/fetch-burst.ts) unless
 *    `--burst-from inline` puts them on the server's event loop. With `--fetch-thread on`
 *    (PASS_FETCH_THREAD=on, decision 0054; off by default, as in production) the burst's fetches
 *    are served by the pass thread at `--fetch-nice`, and the first fetches through it are timed
 *    as well. `--orders` per round alone: 2,000 by default, so the p99 alone rests on as many
 *    samples as the p99 during the bursts (400 left it on its 4 slowest of 800).
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) is the admin connection;
 * the script creates tierpass_passes_<ts> there and drops it at the end.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PKPass } from 'passkit-generator';
import pg from 'pg';
import { pino } from 'pino';
import { buildApp } from '../src/app.js';
import { systemClock } from '../src/clock.js';
import { PassFetchThread } from '../src/features/passes/pass-fetch-thread.js';
import { PassLinkSigner } from '../src/features/passes/pass-links.js';
import { loadPassTemplates } from '../src/features/passes/pass-templates.js';
import { readPassCertificates } from '../src/integrations/apple/certificates.js';
import { openPassSigner } from '../src/integrations/apple/open-pass-signer.js';
import type { PassSigner } from '../src/integrations/apple/pass-signer.js';
import { openStore } from '../src/store/open-store.js';
import { runFetchBurst } from './lib/fetch-burst.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ADMIN = 'bench-admin-token-0123456789abcdef';
const { values: flags } = parseArgs({
  options: {
    customers: { type: 'string', default: '300' },
    repeats: { type: 'string', default: '5' },
    burst: { type: 'string', default: '1000' },
    'burst-clients': { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
    orders: { type: 'string', default: '2000' },
    /** Pass fetches at once per process (PASS_FETCH_CONCURRENCY), deferred behind other requests. */
    'fetch-concurrency': { type: 'string', default: '1' },
    /** Quiet time before a deferred pass fetch starts (PASS_FETCH_SETTLE_MS). */
    'fetch-settle': { type: 'string', default: '2' },
    /**
     * Where the burst's clients run: `process` (their own process, as phones are not in the
     * server's) or `inline` (on the server's event loop, as before 2026-12-06).
     */
    'burst-from': { type: 'string', default: 'process' },
    /** Pass fetches from the lower-priority pass thread (PASS_FETCH_THREAD, decision 0054). */
    'fetch-thread': { type: 'string', default: 'off' },
    /** The pass thread's nice value (PASS_FETCH_NICE). */
    'fetch-nice': { type: 'string', default: '10' },
  },
});
const CUSTOMERS = Number(flags.customers);
const REPEATS = Number(flags.repeats);
const BURST = Number(flags.burst);
const BURST_CLIENTS = Number(flags['burst-clients']);
const ROUNDS = Number(flags.rounds);
const ORDERS = Number(flags.orders);
const BURST_FROM = flags['burst-from'];
if (BURST_FROM !== 'process' && BURST_FROM !== 'inline') throw new Error('--burst-from: process or inline');
if (!['on', 'off'].includes(flags['fetch-thread'])) throw new Error('--fetch-thread: on or off');
const THREAD = flags['fetch-thread'] === 'on';
const ALL = Math.max(CUSTOMERS, BURST);

function pct(ms: number[], p: number): number {
  const s = [...ms].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
}
const fmt = (ms: number[]) =>
  `p50 ${pct(ms, 50).toFixed(2)} ms, p99 ${pct(ms, 99).toFixed(2)} ms (n=${ms.length})`;

async function main(): Promise<void> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const dbName = `tierpass_passes_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const dir = await mkdtemp(join(os.tmpdir(), 'tierpass-bench-passes-'));
  const logger = pino({ level: 'silent' });
  const store = await openStore({ databaseUrl: url.toString(), dataDir: 'memory://' });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let server: http.Server | undefined;
  let thread: PassFetchThread | undefined;
  try {
    const devCertsDir = join(dir, 'certs');
    const apple = await openPassSigner(
      {
        passTypeId: 'pass.dev.tierpass',
        teamId: 'DEVTEAM000',
        certsDir: undefined,
        keyPassphrase: undefined,
        devCertsDir,
      },
      logger,
      systemClock,
    );
    // The pass build alone: the signer's sign() (manifest, signature, ZIP), timed where it runs.
    const buildTimes: number[] = [];
    const syncTimes: number[] = [];
    const timedSigner: PassSigner = {
      passTypeIdentifier: apple.signer.passTypeIdentifier,
      teamIdentifier: apple.signer.teamIdentifier,
      async sign(bundle) {
        const t = performance.now();
        const signing = apple.signer.sign(bundle);
        // What the call itself holds the event loop for (files, manifest, hashes, up to the RSA).
        syncTimes.push(performance.now() - t);
        const body = await signing;
        buildTimes.push(performance.now() - t);
        return body;
      },
    };
    const templates = await loadPassTemplates(join(ROOT, 'pass-templates'));
    const linkSecret = 'bench-secret-0123456789abcdef0123456789';
    // The pass thread (0054), switched on after the in-process build measurements.
    thread = THREAD
      ? new PassFetchThread({
          entry: new URL('../src/pass-fetch-worker.ts', import.meta.url),
          logger,
          databaseUrl: url.toString(),
          poolSize: 2,
          certsDir: devCertsDir,
          keyPassphrase: undefined,
          passTypeIdentifier: 'pass.dev.tierpass',
          teamIdentifier: 'DEVTEAM000',
          templatesDir: join(ROOT, 'pass-templates'),
          linkSecret,
          publicUrl: 'http://localhost',
          cacheEntries: ALL * 2,
          nice: Number(flags['fetch-nice']),
        })
      : undefined;
    let threadOn = false;
    const { app, services } = buildApp({
      store,
      clock: systemClock,
      logger,
      adminToken: ADMIN,
      passes: {
        signer: timedSigner,
        templates,
        links: new PassLinkSigner(linkSecret),
        publicUrl: 'http://localhost',
        cacheEntries: ALL * 2,
        fetches: { concurrency: Number(flags['fetch-concurrency']), settleMs: Number(flags['fetch-settle']) },
        thread: {
          fetch: (ctx, id, conditions) =>
            thread && threadOn ? thread.fetch(ctx, id, conditions) : Promise.resolve(null),
        },
      },
    });
    const listening = app.listen(0, '127.0.0.1');
    server = listening;
    await new Promise((r) => listening.once('listening', r));
    const port = (listening.address() as AddressInfo).port;

    const call = (method: string, path: string, key: string, body?: unknown, via = agent) =>
      new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
        const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            method,
            path,
            agent: via,
            headers: {
              Authorization: `Bearer ${key}`,
              'Content-Type': 'application/json',
              'Idempotency-Key': `${Math.random()}`,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
          },
        );
        req.on('error', reject);
        req.end(data);
      });

    // 1. The library floor: a minimal pass on the same certificates.
    const certs = await readPassCertificates(devCertsDir);
    const icon = await readFile(join(ROOT, 'pass-templates/default/icon.png'));
    const minimal: number[] = [];
    const minimalPass = (i: number) => {
      const t = performance.now();
      const pass = new PKPass(
        {
          'pass.json': Buffer.from(
            JSON.stringify({
              formatVersion: 1,
              passTypeIdentifier: 'pass.dev.tierpass',
              teamIdentifier: 'DEVTEAM000',
              serialNumber: `m${i}`,
              organizationName: 'Bench',
              description: 'Bench',
              storeCard: { primaryFields: [{ key: 'p', label: 'Points', value: i }] },
            }),
          ),
          'icon.png': icon,
        },
        certs,
      );
      pass.getAsBuffer();
      minimal.push(performance.now() - t);
    };

    // A program with three tiers (one designed) and customers spread over them.
    const created = await call('POST', '/v1/programs', ADMIN, { name: 'Bench shop', currency: 'USD' });
    const key = JSON.parse(created.body.toString()).apiKey as string;
    await call('POST', '/v1/tiers', key, { title: 'Bronze', benefits: { rewards: ['Birthday gift'] } });
    await call('POST', '/v1/tiers', key, {
      title: 'Silver',
      qualifications: [{ type: 'lifetimePoints', minPoints: 1000 }],
    });
    const tierIds = JSON.parse((await call('GET', '/v1/tiers', key)).body.toString()) as unknown;
    const gold = JSON.parse(
      (
        await call('POST', '/v1/tiers', key, {
          title: 'Gold',
          qualifications: [{ type: 'lifetimePoints', minPoints: 3000 }],
          benefits: { rewards: ['Free shipping', 'Early access'] },
        })
      ).body.toString(),
    );
    await call('PUT', `/v1/tiers/${gold.id}/design`, key, {
      backgroundColor: '#d4af37',
      logoText: 'Gold Club',
      texts: { terms: 'Points expire after two years.' },
    });
    for (let i = 0; i < ALL; i++) {
      await call('PUT', `/v1/customers/c${i}`, key, { name: `Customer ${i}` });
      await call('POST', `/v1/customers/c${i}/points`, key, {
        points: ((i * 37) % 4000) + 1,
        reason: 'bench',
      });
    }

    // 2. First fetch of every pass (built and signed), each beside one minimal library pass.
    const first: number[] = [];
    for (let i = 0; i < CUSTOMERS; i++) {
      minimalPass(i);
      const t = performance.now();
      const res = await call('GET', `/v1/customers/c${i}/passes/apple`, key);
      first.push(performance.now() - t);
      if (res.status !== 200) throw new Error(`pass fetch failed: ${res.status} ${res.body}`);
    }
    const built = buildTimes.splice(0);
    const builds = services.passes?.stats.builds ?? 0;
    // 3. Unchanged passes again: cache hits.
    const cached: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      for (let i = 0; i < CUSTOMERS; i++) {
        const t = performance.now();
        await call('GET', `/v1/customers/c${i}/passes/apple`, key);
        cached.push(performance.now() - t);
      }
    }
    const rebuilt = (services.passes?.stats.builds ?? 0) - builds;

    const tiers = (tierIds as { data?: { id: string }[] }).data ?? (tierIds as { id: string }[]);
    const changeEveryPass = async (label: string) => {
      for (const [n, tier] of tiers.entries()) {
        await call('PUT', `/v1/tiers/${tier.id}/design`, key, { logoText: `${label} tier ${n}` });
      }
    };
    // 3b. First fetches through the pass thread (started by a first, untimed fetch).
    const firstThreaded: number[] = [];
    if (thread) {
      threadOn = true;
      await changeEveryPass('Threaded');
      await call('GET', '/v1/customers/c0/passes/apple', key);
      for (let i = 1; i < CUSTOMERS; i++) {
        const t = performance.now();
        const res = await call('GET', `/v1/customers/c${i}/passes/apple`, key);
        firstThreaded.push(performance.now() - t);
        if (res.status !== 200) throw new Error(`pass fetch failed: ${res.status} ${res.body}`);
      }
    }

    // 4. Ingestion alone and during a burst of first pass fetches, alternating.
    const orderAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const burstAgent = new http.Agent({ keepAlive: true, maxSockets: BURST_CLIENTS });
    let seq = 0;
    const order = async (latencies: number[]) => {
      const t = performance.now();
      const res = await call(
        'POST',
        '/v1/orders',
        key,
        { id: `o${seq}`, customerId: `c${seq++ % ALL}`, amount: 1000 + (seq % 5000) },
        orderAgent,
      );
      latencies.push(performance.now() - t);
      if (res.status !== 201) throw new Error(`order failed: ${res.status} ${res.body}`);
    };
    const quiet: number[] = [];
    const during: number[] = [];
    const burstFetches: number[] = [];
    const burstBuilds: number[] = [];
    // One monitor per burst: a monitor enabled again counts the pause in between as delay.
    const loopDelays: { p50: number; p99: number; max: number }[] = [];
    let burstMs = 0;
    for (let r = 0; r < ROUNDS; r++) {
      for (let i = 0; i < ORDERS; i++) await order(quiet);
      // Every pass changes: each tier's design gets a new logo text.
      await changeEveryPass(`Round ${r}`);
      buildTimes.length = 0;
      let next = 0;
      let burstDone = false;
      const fetcher = async () => {
        while (next < BURST) {
          const i = next++;
          const t = performance.now();
          const res = await call('GET', `/v1/customers/c${i}/passes/apple`, key, undefined, burstAgent);
          burstFetches.push(performance.now() - t);
          if (res.status !== 200) throw new Error(`pass fetch failed: ${res.status}`);
        }
      };
      let begun: () => void = () => undefined;
      const burstBegun = new Promise<void>((resolve) => (begun = resolve));
      let generated: Promise<unknown>;
      if (BURST_FROM === 'inline') {
        begun();
        generated = Promise.all(Array.from({ length: BURST_CLIENTS }, fetcher));
      } else {
        generated = runFetchBurst(
          { port, apiKey: key, customerPrefix: 'c', count: BURST, clients: BURST_CLIENTS },
          () => begun(),
        ).then(({ latencies }) => burstFetches.push(...latencies));
      }
      const burst = generated.finally(() => {
        burstDone = true;
      });
      await burstBegun;
      const started = performance.now();
      const monitor = monitorEventLoopDelay({ resolution: 1 });
      monitor.enable();
      while (!burstDone) await order(during);
      await burst;
      monitor.disable();
      const ms = (ns: number) => ns / 1e6;
      loopDelays.push({
        p50: ms(monitor.percentile(50)),
        p99: ms(monitor.percentile(99)),
        max: ms(monitor.max),
      });
      burstMs += performance.now() - started;
      burstBuilds.push(...buildTimes.splice(0));
    }
    orderAgent.destroy();
    burstAgent.destroy();

    const ratio = pct(minimal, 50) / pct(built, 50);
    const p99Change = (pct(during, 99) / pct(quiet, 99) - 1) * 100;
    console.log(
      `machine: ${os.cpus()[0]?.model} × ${os.cpus().length}, Node ${process.version}, load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    console.log(`minimal passkit-generator pass (library only):  ${fmt(minimal)}`);
    console.log(
      `Tierpass pass build (sign: manifest, PKCS#7, ZIP): ${fmt(built)}; floor/build at p50: ${ratio.toFixed(1)}×`,
    );
    console.log(`  synchronous part of each build (to the RSA):  ${fmt(syncTimes)}`);
    console.log(`Tierpass pass, first fetch over HTTP (built):   ${fmt(first)}`);
    console.log(`Tierpass pass, unchanged fetch (cache hit):     ${fmt(cached)}; rebuilds: ${rebuilt}`);
    if (thread) {
      console.log(
        `Tierpass pass, first fetch through the pass thread: ${fmt(firstThreaded)}; thread nice ${thread.lowered?.nice ?? 'not set'}`,
      );
    }
    console.log(
      `burst: ${ROUNDS} × ${BURST} first fetches from ${BURST_CLIENTS} connections (${BURST_FROM === 'inline' ? "on the server's event loop" : 'own process'}), served ${thread ? `by the pass thread (nice ${thread.lowered?.nice ?? '—'})` : 'in-process'}, ${((ROUNDS * BURST) / (burstMs / 1000)).toFixed(0)} passes/s`,
    );
    console.log(`  pass fetch during the burst:                  ${fmt(burstFetches)}`);
    if (!thread) console.log(`  pass build during the burst:                  ${fmt(burstBuilds)}`);
    console.log(`ingestion (POST /v1/orders) alone:              ${fmt(quiet)}`);
    console.log(
      `ingestion during the burst:                     ${fmt(during)}; p99 ${p99Change >= 0 ? '+' : ''}${p99Change.toFixed(1)} %`,
    );
    console.log(
      `event loop delay during each burst: ${loopDelays
        .map((d) => `p50 ${d.p50.toFixed(2)} ms, p99 ${d.p99.toFixed(2)} ms, max ${d.max.toFixed(2)} ms`)
        .join('; ')}`,
    );
  } finally {
    agent.destroy();
    server?.close();
    await thread?.close();
    await store.close();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
