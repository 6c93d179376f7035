/**
 * Ingestion benchmark (`npm run bench`): the real service, as a child process, on a fresh
 * PostgreSQL database, driven by C concurrent keep-alive HTTP clients posting orders; then, at
 * the same concurrency, the raw floor of single-row autocommit UPDATEs straight through `pg`.
 *
 *   npm run bench -- [--clients 16] [--seconds 15] [--customers 2000] [--warmup 3]
 *                    [--floor-seconds <seconds>] [--pool-size <n>] [--workers <n>] [--no-floor] [--cpu-prof]
 *                    [--tiers standard|window|none] [--idle-wait <seconds>] [--rate <orders/s>]
 *                    [--client lean|node-http] [--label <text>]
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) is the admin connection:
 * the script creates tierpass_bench_<ts> on that server and drops it at the end, even on error.
 * Results are printed and written to bench-results/ingest-<date>.json. Results in BENCHMARKS.md.
 *
 * --tiers: the program's tiers, since every order evaluates them. standard (default): three tiers
 * on lifetime spend / lifetime points with multipliers and entry bonuses; window: the same plus a
 * 12-month order-volume tier (one more query per order); none: no tiers.
 * The 2 cores are shared: the script first waits (up to --idle-wait, default 120 s) for the
 * machine to be idle, and reports the CPU used by anything else during the run ("other").
 * --workers: the service's WORKERS; default one per core, as the README advises for a deployment
 * (2 here); --workers 1 measures a single process.
 * --client: the order clients. lean (default, scripts/lib/lean-http.ts): one raw keep-alive socket
 * each, a fraction of node:http's CPU per request, so the clients take less of the two cores the
 * service is measured on; node-http: node:http with a keep-alive agent (the earlier client).
 * --rate paces the clients to a fixed offered load (not the target measurement): the server and
 * postgres CPU per order at a fixed rate compares two versions even on a busy machine.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { closedLoop, type LoadResult } from './lib/closed-loop.js';
import { LeanConnection } from './lib/lean-http.js';
import {
  benchPostgresPids,
  cpuBreakdown,
  cpuSnapshot,
  procStatusKiB,
  round,
  serverProcesses,
  sumDefined,
} from './lib/proc-cpu.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const HOST = '127.0.0.1';

// ---------------------------------------------------------------- options

const { values: flags } = parseArgs({
  options: {
    clients: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '15' },
    customers: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '3' },
    'floor-seconds': { type: 'string' },
    'pool-size': { type: 'string' },
    workers: { type: 'string' },
    'idle-wait': { type: 'string', default: '120' },
    'no-floor': { type: 'boolean', default: false },
    rate: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    tiers: { type: 'string', default: 'standard' },
    client: { type: 'string', default: 'lean' },
    label: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (flags.help) {
  console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]);
  process.exit(0);
}

function positiveInt(name: string, raw: string | undefined, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    console.error(`--${name} must be an integer between 1 and ${max} (got ${raw})`);
    process.exit(2);
  }
  return n;
}

const CLIENTS = positiveInt('clients', flags.clients, 512);
const SECONDS = positiveInt('seconds', flags.seconds, 3600);
const CUSTOMERS = positiveInt('customers', flags.customers, 10_000_000);
const WARMUP = flags.warmup === '0' ? 0 : positiveInt('warmup', flags.warmup, 600);
const FLOOR_SECONDS = positiveInt('floor-seconds', flags['floor-seconds'] ?? String(SECONDS), 3600);
/** WORKERS of the service: worker processes sharing the port (src/workers.ts). */
const WORKERS =
  flags.workers === undefined ? os.availableParallelism() : positiveInt('workers', flags.workers, 64);
/** The order clients: `lean` (scripts/lib/lean-http.ts, the default) or `node-http` (node:http with a keep-alive agent). */
const CLIENT = flags.client === 'node-http' ? 'node-http' : 'lean';
if (flags.client !== 'lean' && flags.client !== 'node-http') {
  console.error(`--client must be lean or node-http (got ${flags.client})`);
  process.exit(2);
}
const POOL_SIZE =
  flags['pool-size'] === undefined ? undefined : positiveInt('pool-size', flags['pool-size'], 200);
const IDLE_WAIT = flags['idle-wait'] === '0' ? 0 : positiveInt('idle-wait', flags['idle-wait'], 3600);
const RATE = flags.rate === undefined ? undefined : positiveInt('rate', flags.rate, 1_000_000);
const TIERS = flags.tiers ?? 'standard';
if (!['standard', 'window', 'none'].includes(TIERS)) {
  console.error(`--tiers must be standard, window or none (got ${TIERS})`);
  process.exit(2);
}
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

// ---------------------------------------------------------------- small helpers

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function log(msg: string): void {
  console.log(`[bench] ${msg}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------- HTTP client

interface HttpResult {
  status: number;
  body: string;
}

function request(
  agent: http.Agent,
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  payload?: unknown,
  keepBody = true,
): Promise<HttpResult> {
  const body = payload === undefined ? undefined : JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: HOST,
        port,
        method,
        path,
        agent,
        headers: {
          ...headers,
          ...(body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (!keepBody) {
          // Only the status matters; the body must still be read for the socket to be reused.
          res.resume();
          res.on('end', () => resolve({ status, body: '' }));
          res.on('error', reject);
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

// ---------------------------------------------------------------- timed closed-loop load

// ---------------------------------------------------------------- resources to release

let child: ChildProcess | undefined;
let childExited: Promise<void> | undefined;
const childOutput: string[] = [];
let benchDb: { name: string; url: string } | undefined;
let floorPool: pg.Pool | undefined;
/** A connection to the bench database for settings and pg_stat_activity. */
let meta: pg.Client | undefined;
const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });

/** The server's event transaction counters (/metrics; with --workers > 1, one worker's). */
async function eventTransactions(
  port: number,
): Promise<{ transactions: number; units: number; rerun: number }> {
  const text = await (await fetch(`http://${HOST}:${port}/metrics`)).text();
  const read = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line === undefined ? 0 : Number(line.split(' ')[1]);
  };
  return {
    transactions: read('tierpass_event_transactions_total'),
    units: read('tierpass_event_units_total'),
    rerun: read('tierpass_event_units_rerun_total'),
  };
}

async function stopChild(): Promise<void> {
  const c = child;
  if (!c || !childExited) return;
  child = undefined;
  if (c.exitCode === null && c.signalCode === null) {
    c.kill('SIGTERM');
    const killed = await Promise.race([childExited.then(() => false), sleep(10_000).then(() => true)]);
    if (killed) {
      c.kill('SIGKILL');
      await childExited;
    }
  }
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    agent.destroy();
    await floorPool?.end().catch(() => {});
    await meta?.end().catch(() => {});
    await stopChild().catch((err: unknown) => console.error('[bench] could not stop the server:', err));
    if (benchDb) {
      const { name } = benchDb;
      benchDb = undefined;
      // FORCE: a connection left behind by a crash must not keep the database alive.
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(
        () => log(`dropped database ${name}`),
        (err: unknown) => console.error(`[bench] could not drop database ${name}:`, err),
      );
    }
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`\n[bench] ${signal}: cleaning up`);
    cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------- the steps

async function createDatabase(): Promise<{ name: string; url: string }> {
  // Identifiers cannot be parameters; the name is built from digits only.
  const name = `tierpass_bench_${Date.now()}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

async function startServer(databaseUrl: string, port: number, profDir: string | undefined): Promise<number> {
  const args = ['--import', 'tsx'];
  if (profDir) args.push('--cpu-prof', `--cpu-prof-dir=${profDir}`);
  args.push('src/main.ts');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    ADMIN_TOKEN,
    PORT: String(port),
    HOST,
    NODE_ENV: 'production',
  };
  if (POOL_SIZE !== undefined) env.PG_POOL_SIZE = String(POOL_SIZE);
  env.WORKERS = String(WORKERS);
  const c = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child = c;
  childExited = new Promise((resolve) => c.once('exit', () => resolve()));
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      childOutput.push(line);
      if (childOutput.length > 50) childOutput.shift();
    }
  };
  c.stdout?.on('data', keep);
  c.stderr?.on('data', (chunk: Buffer) => {
    keep(chunk);
    process.stderr.write(`[server] ${chunk.toString('utf8')}`);
  });
  const pid = c.pid;
  if (pid === undefined) throw new Error('could not start the server');

  const probe = new http.Agent({ keepAlive: false });
  const until = Date.now() + 60_000;
  try {
    while (Date.now() < until) {
      if (c.exitCode !== null || c.signalCode !== null) {
        throw new Error(`the server exited (${c.exitCode ?? c.signalCode}):\n${childOutput.join('\n')}`);
      }
      const res = await request(probe, port, 'GET', '/readyz', {}).catch(() => undefined);
      if (res?.status === 200) return pid;
      await sleep(100);
    }
  } finally {
    probe.destroy();
  }
  throw new Error(`the server was not ready within 60 s:\n${childOutput.join('\n')}`);
}

async function createProgram(port: number): Promise<string> {
  const res = await request(
    agent,
    port,
    'POST',
    '/v1/programs',
    { authorization: `Bearer ${ADMIN_TOKEN}` },
    { name: 'Bench shop', currency: 'USD', earning: { pointsPerUnit: 1 } },
  );
  if (res.status !== 201) throw new Error(`program creation failed: ${res.status} ${res.body}`);
  const apiKey = (JSON.parse(res.body) as { apiKey?: unknown }).apiKey;
  if (typeof apiKey !== 'string') throw new Error(`program creation returned no apiKey: ${res.body}`);
  return apiKey;
}

/** The tiers of --tiers; amounts in cents (orders average ~$500). */
function tierBodies(): unknown[] {
  if (TIERS === 'none') return [];
  const tiers: unknown[] = [
    {
      title: 'Silver',
      qualifications: [{ type: 'lifetimeSpend', minAmount: 100_000 }],
      benefits: { tag: 'silver', multiplier: 1.25, bonusPoints: 100 },
    },
    {
      title: 'Gold',
      qualifications: [{ type: 'lifetimeSpend', minAmount: 500_000 }],
      benefits: { tag: 'gold', multiplier: 1.5, bonusPoints: 500 },
    },
    {
      title: 'Platinum',
      qualifications: [{ type: 'lifetimePoints', minPoints: 20_000 }],
      benefits: { tag: 'platinum', multiplier: 2, bonusPoints: 1_000 },
    },
  ];
  if (TIERS === 'window') {
    tiers.push({
      title: 'Diamond',
      qualifications: [{ type: 'orderVolume', minAmount: 5_000_000, window: 'P12M' }],
      benefits: { tag: 'diamond', multiplier: 3 },
    });
  }
  return tiers;
}

async function createTiers(port: number, auth: Record<string, string>): Promise<void> {
  for (const body of tierBodies()) {
    const res = await request(agent, port, 'POST', '/v1/tiers', auth, body);
    if (res.status !== 201) throw new Error(`tier creation failed: ${res.status} ${res.body}`);
  }
}

const customerId = (i: number) => `bench-c${i}`;

async function upsertCustomers(port: number, auth: Record<string, string>): Promise<number> {
  const started = Date.now();
  let next = 0;
  let done = 0;
  let reported = 0;
  async function worker() {
    for (let i = next++; i < CUSTOMERS; i = next++) {
      const res = await request(agent, port, 'PUT', `/v1/customers/${customerId(i)}`, auth, {
        name: `Bench customer ${i}`,
        email: `c${i}@bench.example`,
      });
      if (res.status !== 201 && res.status !== 200) {
        throw new Error(`customer upsert failed: ${res.status} ${res.body}`);
      }
      done++;
      if (done - reported >= Math.max(1, Math.floor(CUSTOMERS / 10)) || done === CUSTOMERS) {
        reported = done;
        log(`  customers ${done}/${CUSTOMERS}`);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(CLIENTS, CUSTOMERS) }, worker));
  return (Date.now() - started) / 1000;
}

/** The body of the `seq`th order of `client`: a unique id, a random customer and amount. */
function orderBody(runTag: string, client: number, seq: number) {
  return {
    id: `${runTag}-${client}-${seq}`,
    customerId: customerId(Math.floor(Math.random() * CUSTOMERS)),
    amount: 100 + Math.floor(Math.random() * 100_000),
  };
}

function orderLoad(
  port: number,
  auth: Record<string, string>,
  runTag: string,
  lean: LeanConnection[] | undefined,
) {
  if (lean !== undefined) {
    const headers = `host: ${HOST}:${port}\r\nauthorization: ${auth.authorization}\r\ncontent-type: application/json\r\n`;
    return (client: number, seq: number) => {
      const conn = lean[client];
      if (conn === undefined) throw new Error(`no connection for client ${client}`);
      return conn
        .send('POST', '/v1/orders', headers, JSON.stringify(orderBody(runTag, client, seq)))
        .then((r) => (r.status === 201 ? 'ok' : `HTTP ${r.status}`));
    };
  }
  return (client: number, seq: number) =>
    request(agent, port, 'POST', '/v1/orders', auth, orderBody(runTag, client, seq), false).then((r) =>
      r.status === 201 ? 'ok' : `HTTP ${r.status}`,
    );
}

async function prepareFloor(url: string): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: url, max: CLIENTS });
  pool.on('error', () => {});
  await pool.query('CREATE TABLE bench_floor (id integer PRIMARY KEY, n bigint NOT NULL DEFAULT 0)');
  await pool.query('INSERT INTO bench_floor (id) SELECT generate_series(1, $1::int)', [CUSTOMERS]);
  await pool.query('ANALYZE bench_floor');
  // Open all C connections before timing anything.
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => pool.connect()));
  for (const c of clients) c.release();
  return pool;
}

function floorLoad(pool: pg.Pool) {
  // Named: prepared once per connection, as the service's own statements are (pg-driver.ts).
  return (_client: number, _seq: number) =>
    pool
      .query({
        name: 'bench_floor_update',
        text: 'UPDATE bench_floor SET n = n + 1 WHERE id = $1',
        values: [1 + Math.floor(Math.random() * CUSTOMERS)],
      })
      .then((r) => (r.rowCount === 1 ? 'ok' : `rowCount ${r.rowCount}`));
}

function machineInfo(postgresVersion: string) {
  const cpus = os.cpus();
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    if (dirty) commit += '+dirty';
  } catch {
    // Not a git checkout.
  }
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    totalMemoryGiB: round(os.totalmem() / 2 ** 30, 1),
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
    postgres: postgresVersion,
    gitCommit: commit,
  };
}

function printLoad(title: string, r: LoadResult, unit: string): void {
  const l = r.latencyMs;
  log(`${title}: ${r.perSecond} ${unit}/s  (${r.completed} in ${r.elapsedSeconds} s)`);
  log(`  latency ms  p50 ${l.p50}  p95 ${l.p95}  p99 ${l.p99}  max ${l.max}  mean ${l.mean}`);
  log(`  errors ${r.errors}${r.errors > 0 ? `  ${JSON.stringify(r.byStatus)}` : ''}`);
  for (const e of r.sampleErrors) log(`    e.g. ${e}`);
}

async function main(): Promise<void> {
  const date = new Date();
  const profDir = flags['cpu-prof'] ? `${ROOT}bench-results/prof-${date.getTime()}` : undefined;
  if (profDir) await mkdir(profDir, { recursive: true });

  // The cores are shared with whatever else runs here: wait (bounded) for the machine to be idle.
  let idle = cpuBreakdown(cpuSnapshot(undefined), cpuSnapshot(undefined));
  for (let waited = 0; waited <= IDLE_WAIT; waited++) {
    const a = cpuSnapshot(undefined);
    await sleep(1000);
    idle = cpuBreakdown(a, cpuSnapshot(undefined));
    if ((idle.machineBusyPercent ?? 0) <= 15) break;
    if (waited % 10 === 0)
      log(`machine ${idle.machineBusyPercent}% busy; waiting up to ${IDLE_WAIT} s for idle`);
  }
  log(`machine busy before start: ${idle.machineBusyPercent}%`);
  if ((idle.machineBusyPercent ?? 0) > 15) log('WARNING: the machine is not idle; results will be low');

  benchDb = await createDatabase();
  log(`database ${benchDb.name}`);
  const port = await freePort();
  const serverPid = await startServer(benchDb.url, port, profDir);
  log(`server pid ${serverPid} on http://${HOST}:${port} (PG_POOL_SIZE ${POOL_SIZE ?? 'default'})`);

  meta = new pg.Client({ connectionString: benchDb.url });
  meta.on('error', () => {});
  await meta.connect();
  const settings = await meta.query<{ version: string; sync: string }>(
    `SELECT current_setting('server_version') AS version, current_setting('synchronous_commit') AS sync`,
  );
  const postgresVersion = settings.rows[0]?.version ?? 'unknown';
  const syncCommit = settings.rows[0]?.sync ?? '?';
  const machine = machineInfo(postgresVersion);

  const apiKey = await createProgram(port);
  const auth = { authorization: `Bearer ${apiKey}` };
  await createTiers(port, auth);
  log(`tiers: ${TIERS}`);
  log(`upserting ${CUSTOMERS} customers with ${CLIENTS} clients`);
  const upsertSeconds = await upsertCustomers(port, auth);
  log(`  done in ${round(upsertSeconds, 1)} s`);

  const lean =
    CLIENT === 'lean'
      ? await Promise.all(Array.from({ length: CLIENTS }, () => LeanConnection.open(HOST, port)))
      : undefined;
  if (WARMUP > 0) {
    log(`warm-up: ${WARMUP} s of orders`);
    const w = await closedLoop(CLIENTS, WARMUP, orderLoad(port, auth, `w${date.getTime()}`, lean));
    log(`  ${w.perSecond} orders/s, ${w.errors} errors`);
  }

  log(`orders: ${CLIENTS} clients for ${SECONDS} s`);
  const groupsBefore = await eventTransactions(port);
  const before = cpuSnapshot(serverPid, await benchPostgresPids(meta, benchDb?.name));
  const orders = await closedLoop(CLIENTS, SECONDS, orderLoad(port, auth, `o${date.getTime()}`, lean), RATE);
  for (const c of lean ?? []) c.close();
  const orderCpu = cpuBreakdown(before, cpuSnapshot(serverPid, await benchPostgresPids(meta, benchDb?.name)));
  // Summed over the primary and its workers when --workers > 1.
  const serverPids = serverProcesses(serverPid).all;
  const peakRssKiB = sumDefined(serverPids.map((p) => procStatusKiB(p, 'VmHWM')));
  const rssKiB = sumDefined(serverPids.map((p) => procStatusKiB(p, 'VmRSS')));
  printLoad('orders', orders, 'orders');
  const groupsAfter = await eventTransactions(port);
  // Group commit (customer-tx-groups.ts): orders per database transaction during the run.
  const grouping = {
    transactions: groupsAfter.transactions - groupsBefore.transactions,
    units: groupsAfter.units - groupsBefore.units,
    rerun: groupsAfter.rerun - groupsBefore.rerun,
    unitsPerTransaction: 0,
  };
  grouping.unitsPerTransaction = round(grouping.units / Math.max(1, grouping.transactions), 2);
  // Each worker counts its own; two scrapes may reach different workers.
  const groupingKnown = WORKERS === 1;
  log(`  group commit: ${groupingKnown ? JSON.stringify(grouping) : 'n/a with --workers > 1'}`);
  log(`  cpu (cores of ${machine.cpuCount}): ${JSON.stringify(orderCpu)}`);
  // CPU time per order: steadier than orders/s when something else shares the machine.
  const perOrder = (cores: number | null) =>
    cores === null ? null : round((cores / orders.perSecond) * 1000, 3);
  const orderCpuMs = {
    server: perOrder(orderCpu.serverCores),
    postgres: perOrder(orderCpu.postgresCores),
    loadGenerator: perOrder(orderCpu.loadGeneratorCores),
  };
  log(`  cpu ms per order: ${JSON.stringify(orderCpuMs)}`);

  let floor: LoadResult | undefined;
  let floorCpu: ReturnType<typeof cpuBreakdown> | undefined;
  if (!flags['no-floor']) {
    floorPool = await prepareFloor(benchDb.url);
    log(`floor: ${CLIENTS} pg connections of single-row autocommit UPDATEs for ${FLOOR_SECONDS} s`);
    await closedLoop(CLIENTS, Math.min(2, FLOOR_SECONDS), floorLoad(floorPool));
    const fBefore = cpuSnapshot(undefined, await benchPostgresPids(meta, benchDb?.name));
    floor = await closedLoop(CLIENTS, FLOOR_SECONDS, floorLoad(floorPool));
    floorCpu = cpuBreakdown(fBefore, cpuSnapshot(undefined, await benchPostgresPids(meta, benchDb?.name)));
    printLoad('floor', floor, 'updates');
    log(`  cpu (cores of ${machine.cpuCount}): ${JSON.stringify(floorCpu)}`);
  }

  const ratio = floor ? round(orders.perSecond / floor.perSecond, 3) : null;
  const targetMet =
    RATE === undefined && orders.perSecond >= 1000 && orders.latencyMs.p99 <= 50 && orders.errors === 0;
  const result = {
    date: date.toISOString(),
    label: flags.label ?? null,
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine,
    config: {
      clients: CLIENTS,
      seconds: SECONDS,
      floorSeconds: flags['no-floor'] ? null : FLOOR_SECONDS,
      customers: CUSTOMERS,
      tiers: TIERS,
      warmupSeconds: WARMUP,
      offeredRate: RATE ?? null,
      client: CLIENT,
      pgPoolSize: POOL_SIZE ?? 'service default',
      workers: WORKERS,
      synchronousCommit: syncCommit,
      logLevel: 'warn',
    },
    setup: {
      customerUpsertSeconds: round(upsertSeconds, 2),
      machineBusyBeforePercent: idle.machineBusyPercent,
    },
    orders: {
      ...orders,
      cpu: orderCpu,
      cpuMsPerOrder: orderCpuMs,
      groupCommit: groupingKnown ? grouping : null,
    },
    floor: floor ? { ...floor, cpu: floorCpu } : null,
    ratioOrdersToFloor: ratio,
    server: {
      peakRssMiB: peakRssKiB === undefined ? null : round(peakRssKiB / 1024, 1),
      rssAfterRunMiB: rssKiB === undefined ? null : round(rssKiB / 1024, 1),
    },
    target: { ordersPerSecond: 1000, p99Ms: 50, clients: 16, met: targetMet },
  };

  console.log('');
  console.log('== Tierpass ingestion benchmark ==');
  console.log(`date     ${result.date}`);
  console.log(
    `machine  ${machine.cpuModel} × ${machine.cpuCount}, ${machine.totalMemoryGiB} GiB, node ${machine.node}, PostgreSQL ${machine.postgres} (synchronous_commit=${syncCommit}), commit ${machine.gitCommit}`,
  );
  console.log(
    `config   ${CLIENTS} ${CLIENT} clients, ${SECONDS} s, ${CUSTOMERS} customers, tiers ${TIERS}, PG_POOL_SIZE ${result.config.pgPoolSize}, WORKERS ${WORKERS}`,
  );
  console.log(
    `orders   ${orders.perSecond}/s  p50 ${orders.latencyMs.p50} ms  p95 ${orders.latencyMs.p95} ms  p99 ${orders.latencyMs.p99} ms  max ${orders.latencyMs.max} ms  errors ${orders.errors}`,
  );
  if (floor) {
    console.log(
      `floor    ${floor.perSecond} updates/s  p50 ${floor.latencyMs.p50} ms  p99 ${floor.latencyMs.p99} ms  errors ${floor.errors}`,
    );
    console.log(`ratio    orders/s ÷ floor = ${ratio}`);
  }
  console.log(
    `server   peak RSS ${result.server.peakRssMiB ?? '?'} MiB; CPU during orders: load generator ${orderCpu.loadGeneratorCores}, server ${orderCpu.serverCores}, postgres ${orderCpu.postgresCores}, other ${orderCpu.otherCores} cores; machine ${orderCpu.machineBusyPercent}% busy`,
  );
  console.log(
    `cpu/ord  server ${orderCpuMs.server} ms, postgres ${orderCpuMs.postgres} ms, load generator ${orderCpuMs.loadGenerator} ms`,
  );
  if (groupingKnown) {
    console.log(
      `groups   ${grouping.unitsPerTransaction} orders per database transaction (${grouping.transactions} transactions, ${grouping.rerun} orders run again)`,
    );
  }
  console.log(
    `loop     server main thread running ${orderCpu.serverMainThreadRunning} / waiting for a core ${orderCpu.serverMainThreadWaitingForCpu} of the time; machine iowait ${orderCpu.machineIowaitPercent}%`,
  );
  console.log(
    `target   ≥ 1000 orders/s, p99 ≤ 50 ms, no errors at 16 clients: ${targetMet ? 'MET' : 'NOT MET'}`,
  );

  await mkdir(`${ROOT}bench-results`, { recursive: true });
  const file = `${ROOT}bench-results/ingest-${result.date.replace(/[:.]/g, '-')}.json`;
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`result   ${file}`);
  if (profDir) console.log(`profile  ${profDir} (written when the server exits)`);
  if (orders.errors > 0 || (floor?.errors ?? 0) > 0) process.exitCode = 1;
}

main()
  .catch((err: unknown) => {
    console.error('[bench] failed:', err);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
