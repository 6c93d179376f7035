/**
 * Pass update push benchmark (`npm run bench:pushes`): the real app in-process on a fresh
 * PostgreSQL database, the real outbox worker with its ApplePushHandler and ApnsPushSender
 * (@parse/node-apn), and the local HTTP/2 TLS APNs stand-in of the tests
 * (scripts/lib/apns-stand-in.ts) on 127.0.0.1.
 *
 *   npm run bench:pushes -- [--passes 5000] [--runs 3] [--prod-samples 24] [--prod-window 60]
 *                           [--poll-samples 60] [--fanout-only]
 *
 * `--fanout-only` stops after 1 (quick iterations on the dispatcher).
 * Measures:
 * 1. fan-out: `--passes` passes with 1–2 registered devices each (every other pass has two),
 *    all changed (balance + 1 point, so each run records a new update tag per pass) and due in
 *    the outbox, drained by `dispatcher.dispatch()` → pushes/s, median of `--runs`;
 *    and the raw floor in the same run: as many empty pushes sent straight through node-apn's
 *    Provider (one `send` with every token) to the same stand-in;
 * 2. tier change → push received: customers with a registered device upgraded one at a time by
 *    `POST /v1/orders` over HTTP; latency from the HTTP response to the stand-in receiving the
 *    push, with the dispatcher triggered (a) as production does — the Agenda scheduler of
 *    main.ts, job `tierpass:pass-pushes` every PASS_PUSH_EVERY_MS, Agenda polling every
 *    SCHEDULER_POLL_MS (default 5 s) — orders at random moments over `--prod-window` seconds so
 *    they do not lock onto the job's phase, with `pushOnCommit` off (the trigger before it);
 *    (b) by `dispatch()` every 100 ms; (c) as main.ts now runs it: the same Agenda job plus
 *    `pushOnCommit` (dispatch kicked after each commit that queued a push).
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) is the admin connection;
 * the script creates tierpass_pushes_<ts> there and drops it at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Notification, Provider } from '@parse/node-apn';
import pg from 'pg';
import { pino } from 'pino';
import { buildApp } from '../src/app.js';
import { systemClock } from '../src/clock.js';
import { PassLinkSigner } from '../src/features/passes/pass-links.js';
import { loadPassTemplates } from '../src/features/passes/pass-templates.js';
import { ApnsPushSender } from '../src/integrations/apple/apns-push-sender.js';
import { openPassSigner } from '../src/integrations/apple/open-pass-signer.js';
import { startScheduler } from '../src/jobs/scheduler.js';
import { PASS_PUSH_EVERY_MS } from '../src/jobs/schedules.js';
import { openDatabase } from '../src/store/open-store.js';
import { type ReceivedPush, startApnsStandIn } from './lib/apns-stand-in.js';

const LINK_SECRET = 'bench-secret-0123456789abcdef0123456789';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ADMIN = 'bench-admin-token-0123456789abcdef';
const PASS_TYPE_ID = 'pass.dev.tierpass';
const { values: flags } = parseArgs({
  options: {
    passes: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '3' },
    'prod-samples': { type: 'string', default: '24' },
    'prod-window': { type: 'string', default: '60' },
    'poll-samples': { type: 'string', default: '60' },
    'fanout-only': { type: 'boolean', default: false },
  },
});
const PASSES = Number(flags.passes);
const RUNS = Number(flags.runs);
const PROD_SAMPLES = Number(flags['prod-samples']);
const PROD_WINDOW_MS = Number(flags['prod-window']) * 1000;
const POLL_SAMPLES = Number(flags['poll-samples']);
/** As main.ts configures Agenda by default (SCHEDULER_POLL_MS, SCHEDULER_TICK_MS). */
const SCHEDULER_POLL_MS = Number(process.env.SCHEDULER_POLL_MS ?? 5_000);
const SCHEDULER_TICK_MS = 60_000;

function pct(ms: number[], p: number): number {
  const s = [...ms].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
}
const median = (xs: number[]) => pct(xs, 50);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const token = (i: number, d: number) =>
  `${d}${i.toString(16).padStart(15, '0')}`.padEnd(64, 'a').slice(0, 64);

async function main(): Promise<void> {
  const started = new Date();
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const dbName = `tierpass_pushes_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const pgVersion = (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v"))
    .rows[0]?.v;
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const dir = await mkdtemp(join(os.tmpdir(), 'tierpass-bench-pushes-'));
  const logger = pino({ level: 'silent' });
  const { store, agendaPool } = await openDatabase({ databaseUrl: url.toString(), dataDir: 'memory://' });
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  // Push arrivals by token (latency phase).
  const waiting = new Map<string, (at: number) => void>();
  const standIn = await startApnsStandIn(dir, (p: ReceivedPush) => {
    waiting.get(p.token)?.(performance.now());
  });
  const servers: http.Server[] = [];
  let sender: ApnsPushSender | undefined;
  let floorProvider: Provider | undefined;
  try {
    const devCertsDir = join(dir, 'certs');
    const apple = await openPassSigner(
      {
        passTypeId: PASS_TYPE_ID,
        teamId: 'DEVTEAM000',
        certsDir: undefined,
        keyPassphrase: undefined,
        devCertsDir,
      },
      logger,
      systemClock,
    );
    const apnsOptions = {
      cert: await readFile(join(devCertsDir, 'apnsCert.pem')),
      key: await readFile(join(devCertsDir, 'apnsKey.pem')),
      production: false,
      address: '127.0.0.1',
      port: standIn.port,
      ca: [standIn.ca],
    };
    const pushSender = new ApnsPushSender(apnsOptions);
    sender = pushSender;
    const templates = await loadPassTemplates(join(ROOT, 'pass-templates'));
    /** The app as main.ts builds it; `pushOnCommit` is off for (1), (a), (b) and on for (c). */
    const serve = async (pushOnCommit: boolean) => {
      const { app, services } = buildApp({
        store,
        clock: systemClock,
        logger,
        adminToken: ADMIN,
        pushSender,
        pushOnCommit,
        passes: {
          signer: apple.signer,
          templates,
          links: new PassLinkSigner(LINK_SECRET),
          publicUrl: 'http://localhost',
          cacheEntries: 1000,
        },
      });
      const dispatcher = services.passPushes;
      if (!dispatcher) throw new Error('no push dispatcher');
      const listening = app.listen(0, '127.0.0.1');
      servers.push(listening);
      await new Promise((r) => listening.once('listening', r));
      port = (listening.address() as AddressInfo).port;
      return { services, dispatcher };
    };
    let port = 0;
    const { services, dispatcher } = await serve(false);

    const call = (method: string, path: string, auth: string, body?: unknown) =>
      new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
        const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            method,
            path,
            agent,
            headers: { Authorization: auth, 'Content-Type': 'application/json' },
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
    const json = (r: { status: number; body: Buffer }, expected: number) => {
      if (r.status !== expected) throw new Error(`HTTP ${r.status}: ${r.body}`);
      return r.body.length ? JSON.parse(r.body.toString()) : undefined;
    };
    const newProgram = async (name: string) => {
      const p = json(await call('POST', '/v1/programs', `Bearer ${ADMIN}`, { name, currency: 'USD' }), 201);
      const key = `Bearer ${p.apiKey}`;
      const bronze = json(await call('POST', '/v1/tiers', key, { title: 'Bronze' }), 201);
      json(
        await call('POST', '/v1/tiers', key, {
          title: 'Gold',
          qualifications: [{ type: 'lifetimePoints', minPoints: 3000 }],
        }),
        201,
      );
      return { id: p.program.id as string, key, bronzeId: bronze.id as string };
    };

    // 1. Fan-out. Passes and registrations are seeded in SQL (signing 5,000 passes over HTTP
    // would take minutes and is not what is measured); the outbox rows are what
    // `outbox.passChanged` writes.
    const fan = await newProgram('Fan-out');
    await db.query(
      `INSERT INTO customers (program_id, id, name, tier_id, tier_since, carry_since, created_at, updated_at)
       SELECT $1, 'c' || i, 'Customer ' || i, $2, now(), now(), now(), now() FROM generate_series(0, $3 - 1) i`,
      [fan.id, fan.bronzeId, PASSES],
    );
    await db.query(
      `INSERT INTO passes (program_id, customer_id, serial, auth_token_hash, updated_at, created_at)
       SELECT $1, 'c' || i, $1 || '.s' || i, md5(random()::text), now(), now()
       FROM generate_series(0, $2 - 1) i`,
      [fan.id, PASSES],
    );
    const tokens: string[] = [];
    const regs: [string, string, string][] = [];
    for (let i = 0; i < PASSES; i++) {
      for (let d = 0; d < (i % 2 === 0 ? 2 : 1); d++) {
        const t = token(i, d);
        tokens.push(t);
        regs.push([`dev-${i}-${d}`, `${fan.id}.s${i}`, t]);
      }
    }
    await db.query(
      `INSERT INTO pass_registrations (program_id, device_id, serial, push_token, created_at, updated_at)
       SELECT $1, d, s, t, now(), now() FROM unnest($2::text[], $3::text[], $4::text[]) AS r(d, s, t)`,
      [fan.id, regs.map((r) => r[0]), regs.map((r) => r[1]), regs.map((r) => r[2])],
    );
    await db.query('ANALYZE');
    floorProvider = new Provider(apnsOptions);
    const fanRuns: {
      dispatchMs: number;
      pushes: number;
      floorMs: number;
      report: unknown;
      dispatchCpuUs: number;
      floorCpuUs: number;
    }[] = [];
    for (let run = 0; run < RUNS; run++) {
      // Every pass changed (a point more: a new update tag to record, as after a real balance
      // change) and due now; no push recorded yet (no coalescing).
      await db.query('UPDATE customers SET current = current + 1 WHERE program_id = $1', [fan.id]);
      await db.query('DELETE FROM pass_pushes WHERE program_id = $1', [fan.id]);
      await db.query(
        `INSERT INTO outbox (program_id, customer_id, kind, due_at, created_at)
         SELECT $1, customer_id, 'apple_pass_changed', now(), now() FROM passes WHERE program_id = $1`,
        [fan.id],
      );
      const before = standIn.pushes.length;
      let t = performance.now();
      let cpu = process.cpuUsage();
      const report = await dispatcher.dispatch();
      const dispatchMs = performance.now() - t;
      // This process's CPU (dispatcher, node-apn and the stand-in; not PostgreSQL's), per push.
      const cpuUsed = process.cpuUsage(cpu);
      const dispatchCpuUs = cpuUsed.user + cpuUsed.system;
      const pushes = standIn.pushes.length - before;
      // The floor: the same number of empty pushes straight through node-apn.
      const note = new Notification();
      note.topic = PASS_TYPE_ID;
      note.payload = {};
      const floorBefore = standIn.pushes.length;
      t = performance.now();
      cpu = process.cpuUsage();
      const sent = await floorProvider.send(note, tokens);
      const floorMs = performance.now() - t;
      const floorUsed = process.cpuUsage(cpu);
      const floorCpuUs = floorUsed.user + floorUsed.system;
      if (sent.failed.length > 0 || standIn.pushes.length - floorBefore !== tokens.length) {
        throw new Error(`floor: ${sent.failed.length} failed`);
      }
      fanRuns.push({ dispatchMs, pushes, floorMs, report, dispatchCpuUs, floorCpuUs });
      console.log(
        `fan-out run ${run + 1}: dispatcher ${pushes} pushes in ${(dispatchMs / 1000).toFixed(2)} s = ${(
          (pushes / dispatchMs) * 1000
        ).toFixed(
          0,
        )}/s ${JSON.stringify(report)}, ${(dispatchCpuUs / pushes).toFixed(0)} µs CPU/push; node-apn floor ${
          tokens.length
        } in ${(floorMs / 1000).toFixed(2)} s = ${((tokens.length / floorMs) * 1000).toFixed(0)}/s, ${(
          floorCpuUs / tokens.length
        ).toFixed(0)} µs CPU/push`,
      );
      standIn.pushes.length = 0;
    }

    const rates = fanRuns.map((r) => (r.pushes / r.dispatchMs) * 1000);
    const floors = fanRuns.map((r) => (tokens.length / r.floorMs) * 1000);
    const fanLoad = os.loadavg().map((l) => l.toFixed(1));
    const fanSummary = () =>
      `fan-out: ${PASSES} passes, ${tokens.length} devices; dispatcher median ${median(rates).toFixed(
        0,
      )} pushes/s (runs: ${rates.map((r) => r.toFixed(0)).join(', ')}); node-apn floor median ${median(
        floors,
      ).toFixed(0)} pushes/s (runs: ${floors.map((r) => r.toFixed(0)).join(', ')}); dispatcher/floor ${(
        median(rates) / median(floors)
      ).toFixed(3)}; this process's CPU per push: dispatcher median ${median(
        fanRuns.map((r) => r.dispatchCpuUs / r.pushes),
      ).toFixed(0)} µs, floor median ${median(fanRuns.map((r) => r.floorCpuUs / tokens.length)).toFixed(
        0,
      )} µs; load average after it ${fanLoad.join(' ')}`;
    if (flags['fanout-only']) {
      console.log(fanSummary());
      return;
    }

    // 2. Tier change → push received.
    const lat = await newProgram('Latency');
    let next = 0;
    const registered = async () => {
      const customerId = `l${next++}`;
      json(await call('PUT', `/v1/customers/${customerId}`, lat.key, { name: 'Ada' }), 201);
      const fetched = await call('GET', `/v1/customers/${customerId}/passes/apple`, lat.key);
      if (fetched.status !== 200) throw new Error(`pass fetch: HTTP ${fetched.status}`);
      const { rows } = await db.query<{ serial: string }>(
        'SELECT serial FROM passes WHERE program_id = $1 AND customer_id = $2',
        [lat.id, customerId],
      );
      const pass = rows[0];
      if (!pass) throw new Error('no pass');
      const pushToken = randomBytes(32).toString('hex');
      const reg = await call(
        'POST',
        `/wallet/apple/v1/devices/d-${customerId}/registrations/${PASS_TYPE_ID}/${encodeURIComponent(pass.serial)}`,
        // Tokens are derived from the link secret and the serial; only their hash is stored.
        `ApplePass ${new PassLinkSigner(LINK_SECRET).passAuthToken(pass.serial)}`,
        { pushToken },
      );
      json(reg, 201);
      return { customerId, pushToken };
    };
    /** Upgrade each customer at its offset (ms from now); latency from the 201 to the push. */
    const upgrade = async (offsetsMs: number[]) => {
      const customers: { customerId: string; pushToken: string }[] = [];
      for (const _ of offsetsMs) customers.push(await registered());
      const start = performance.now();
      const order = offsetsMs.map((at, i) => ({ at, c: customers[i] })).sort((a, b) => a.at - b.at);
      const latencies: Promise<number>[] = [];
      for (const { at, c } of order) {
        if (!c) continue;
        const wait = start + at - performance.now();
        if (wait > 0) await sleep(wait);
        const received = new Promise<number>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no push for ${c.customerId} in 60 s`)), 60_000);
          waiting.set(c.pushToken, (t) => {
            clearTimeout(timer);
            resolve(t);
          });
        });
        const res = await call('POST', '/v1/orders', lat.key, {
          id: `o-${c.customerId}`,
          customerId: c.customerId,
          amount: 5000,
        });
        const answered = performance.now();
        json(res, 201);
        latencies.push(received.then((t) => t - answered));
      }
      return Promise.all(latencies);
    };
    const fmt = (ms: number[]) =>
      `p50 ${(pct(ms, 50) / 1000).toFixed(3)} s, p95 ${(pct(ms, 95) / 1000).toFixed(3)} s, max ${(
        Math.max(...ms) / 1000
      ).toFixed(3)} s (n=${ms.length})`;

    /** The Agenda scheduler as main.ts starts it. */
    const scheduled = async (s: typeof services, d: typeof dispatcher, offsetsMs: number[]) => {
      const scheduler = await startScheduler(
        agendaPool,
        { store, scheduling: s.scheduling, clock: systemClock, logger, passPushes: d },
        {
          processEveryMs: SCHEDULER_POLL_MS,
          tickEveryMs: SCHEDULER_TICK_MS,
          lockLifetimeMs: 10 * 60 * 1000,
          name: `bench-${process.pid}`,
        },
      );
      try {
        return await upgrade(offsetsMs);
      } finally {
        await scheduler.stop();
      }
    };
    // (a) Production trigger before `pushOnCommit`: the Agenda job only.
    const prod = await scheduled(
      services,
      dispatcher,
      Array.from({ length: PROD_SAMPLES }, () => Math.random() * PROD_WINDOW_MS),
    );
    console.log(
      `latency (a) Agenda job every ${PASS_PUSH_EVERY_MS} ms, poll ${SCHEDULER_POLL_MS} ms: ${fmt(prod)}`,
    );

    // (b) The dispatcher polled every 100 ms.
    const poller = setInterval(() => void dispatcher.dispatch(), 100);
    let polled: number[];
    try {
      polled = await upgrade(Array.from({ length: POLL_SAMPLES }, (_, i) => i * 250 + Math.random() * 250));
    } finally {
      clearInterval(poller);
      await dispatcher.dispatch();
    }
    console.log(`latency (b) dispatch() every 100 ms: ${fmt(polled)}`);

    // (c) Production as main.ts now runs it: the Agenda job plus a dispatch kicked by each commit
    // that queued a push (a second app on the same store, built with `pushOnCommit`).
    const kicked = await serve(true);
    const onCommit = await scheduled(
      kicked.services,
      kicked.dispatcher,
      Array.from({ length: PROD_SAMPLES }, () => (Math.random() * PROD_WINDOW_MS) / 3),
    );
    console.log(`latency (c) Agenda job + dispatch on commit: ${fmt(onCommit)}`);

    const cpus = os.cpus();
    console.log('');
    console.log(`date: ${started.toISOString()}`);
    console.log(
      `machine: ${cpus[0]?.model} × ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${
        process.version
      }, PostgreSQL ${pgVersion}, load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    console.log(fanSummary());
    console.log(`latency (a) production trigger: ${fmt(prod)}`);
    console.log(`latency (b) 100 ms polling:      ${fmt(polled)}`);
    console.log(`latency (c) job + on commit:     ${fmt(onCommit)}`);
  } finally {
    agent.destroy();
    for (const s of servers) s.close();
    await floorProvider?.shutdown();
    await sender?.close();
    await db.end();
    await store.close();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    await rm(dir, { recursive: true, force: true });
    // The stand-in waits for node-apn's HTTP/2 sessions to go; do not wait long for them.
    await Promise.race([standIn.close(), sleep(1000)]);
  }
}

await main();
// Stop by itself even if a client library keeps a socket or timer alive.
process.exit(0);
