/**
 * Recalculation benchmark (`npm run bench:cycle`): on a fresh PostgreSQL database, seed N
 * customers and M orders set-based, then time (a) one cycle boundary run and (b) one daily
 * continuous run, each with `RecalculationService.work()` in a child process whose peak RSS
 * (VmHWM) is reported, and beside each the floor: one set-based UPDATE of the same customers.
 *
 *   npm run bench:cycle -- [--customers 1000000] [--orders 5000000] [--batch-size 5000]
 *                          [--concurrency 2] [--keep] [--profile dir]
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) is the admin connection:
 * the script creates tierpass_cycle_<ts> there and drops it at the end, even on error (--keep
 * keeps it). Results are printed and written to bench-results/cycle-<date>.json; BENCHMARKS.md
 * ("Recalculation") records them.
 *
 * Seeding: orders are spread over the year before the boundary in time order (random customers),
 * as ingestion would write them; customers get the balances those orders earned, one earn ledger
 * entry each (balances = ledger), and the tier their spend gave them a month before the boundary,
 * so the boundary moves a realistic share of them. Foreign-key triggers are off while seeding
 * (session_replication_role = replica): ids are consistent by construction. VACUUM ANALYZE then
 * leaves the tables as autovacuum would in steady state, and again between the two runs.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { pino } from 'pino';
import type { ProgramSettings } from '../src/domain/types.js';
import { RecalculationService, type RunView } from '../src/features/recalculation/recalculation-service.js';
import { openStore } from '../src/store/open-store.js';
import type { TierInput } from '../src/store/port.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    customers: { type: 'string', default: '1000000' },
    orders: { type: 'string', default: '5000000' },
    'batch-size': { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
    /** Write V8 CPU and heap-sampling profiles of each run's worker into this directory. */
    profile: { type: 'string' },
    child: { type: 'boolean', default: false },
  },
});
const int = (name: string, raw: string | undefined) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer (got ${raw})`);
  return n;
};
const log = (msg: string) => console.log(`[bench:cycle] ${msg}`);
const secs = (ms: number) => Math.round(ms / 10) / 100;

/** The cycle boundary the run closes, and the next local midnight for the daily run (America/New_York). */
const BOUNDARY = new Date('2025-04-01T04:00:00.000Z');
const CYCLE_START = new Date('2025-01-01T05:00:00.000Z');
/** Seven local days before the boundary: the default downgrade warning. */
const WARNING = new Date('2025-03-25T04:00:00.000Z');
const DAILY = new Date('2025-04-02T04:00:00.000Z');
const SEED_FROM = new Date('2024-04-01T04:00:00.000Z');
const SEED_TO = new Date('2025-03-31T16:00:00.000Z');

const cycleSettings: ProgramSettings = {
  tiersEnabled: true,
  currency: 'USD',
  timezone: 'America/New_York',
  earning: { pointsPerUnit: 10 },
  retention: { mode: 'cycle', cycle: { every: 'P3M', anchor: '2025-01-01' }, maxDropPerCycle: 1 },
};

const tier = (title: string, t: Partial<TierInput>): TierInput => ({
  title,
  icon: null,
  visible: true,
  enabled: true,
  qualifications: [],
  maintain: null,
  benefits: {},
  design: {},
  ...t,
});

/** Like the seeds: an entry tier, a points tier, and two spend tiers kept by lower maintain thresholds. */
const TIERS: [string, TierInput][] = [
  ['bronze', tier('Bronze', { benefits: { rewards: ['Birthday gift'] } })],
  [
    'silver',
    tier('Silver', {
      qualifications: [{ type: 'lifetimePoints', minPoints: 5000 }],
      benefits: { multiplier: 1.25, tag: 'silver' },
    }),
  ],
  [
    'gold',
    tier('Gold', {
      qualifications: [{ type: 'orderVolume', minAmount: 50_000, window: 'P90D' }],
      maintain: [{ type: 'orderVolume', minAmount: 30_000, window: 'P90D' }],
      benefits: { multiplier: 1.5, tag: 'gold', rewards: ['Free shipping'] },
    }),
  ],
  [
    'platinum',
    tier('Platinum', {
      qualifications: [
        { type: 'lifetimePoints', minPoints: 40_000 },
        { type: 'orderVolume', minAmount: 100_000, window: 'P90D' },
      ],
      maintain: [{ type: 'orderVolume', minAmount: 60_000, window: 'P90D' }],
      benefits: { multiplier: 2, tag: 'platinum', rewards: ['Free shipping', 'Early access'] },
    }),
  ],
];

// ---------------------------------------------------------------- child: one run, then its peak RSS

function vmHwmKiB(): number {
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? Number.NaN);
}

async function child(): Promise<void> {
  const [databaseUrl, programId, kind, asOf, key] = positionals;
  const concurrency = int('concurrency', flags.concurrency);
  const store = await openStore({ databaseUrl, dataDir: 'memory://', poolSize: concurrency + 1 });
  const service = new RecalculationService({
    store,
    logger: pino({ level: 'silent' }),
    batchSize: int('batch-size', flags['batch-size']),
    concurrency,
  });
  const t0 = performance.now();
  const run = await service.start(programId!, kind as 'cycle' | 'daily' | 'warning', new Date(asOf!), key!);
  let step = 0;
  const done = await service.work(programId!, run.id, {
    onProgress(r) {
      if (r.processed >= ((step + 1) * r.total) / 10) {
        step = Math.floor((r.processed * 10) / Math.max(r.total, 1));
        console.log(JSON.stringify({ progress: r.processed, total: r.total, ms: performance.now() - t0 }));
      }
    },
  });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage();
  console.log(
    JSON.stringify({ result: done, ms, vmHwmKiB: vmHwmKiB(), cpuS: (cpu.user + cpu.system) / 1e6 }),
  );
  await store.close();
}

interface ChildResult {
  result: RunView;
  ms: number;
  vmHwmKiB: number;
  /** CPU seconds the worker used. */
  cpuS: number;
}

// ---------------------------------------------------------------- CPU accounting (Linux /proc)

/** Busy and total jiffies of the machine. */
function machineJiffies(): { busy: number; total: number } {
  const n = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = n.reduce((a, b) => a + b, 0);
  return { busy: total - (n[3] ?? 0) - (n[4] ?? 0), total };
}

/** CPU seconds used so far by every postgres process, exited backends included. */
function postgresCpuS(): Map<number, number> {
  const out = new Map<number, number>();
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'postgres') continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Exited backends (the worker's connections) are in the postmaster's children times (cutime, cstime).
      out.set(Number(d), (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Where the machine's CPU went during `fn`: the worker, PostgreSQL, and anything else (other users). */
async function withCpu<T extends ChildResult>(fn: () => Promise<T>) {
  const [m0, p0] = [machineJiffies(), postgresCpuS()];
  const r = await fn();
  const [m1, p1] = [machineJiffies(), postgresCpuS()];
  let postgres = 0;
  for (const [pid, s] of p1) postgres += s - (p0.get(pid) ?? 0);
  const cores = os.cpus().length;
  const busyS = ((m1.busy - m0.busy) / (m1.total - m0.total)) * cores * (r.ms / 1000);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    ...r,
    cpu: { workerS: round(r.cpuS), postgresS: round(postgres), otherS: round(busyS - r.cpuS - postgres) },
  };
}

function runChild(args: string[]): Promise<ChildResult> {
  const script = fileURLToPath(import.meta.url);
  const passOn = ['--batch-size', flags['batch-size']!, '--concurrency', flags.concurrency!];
  const profile = flags.profile
    ? ['--cpu-prof', `--cpu-prof-dir=${flags.profile}`, '--heap-prof', `--heap-prof-dir=${flags.profile}`]
    : [];
  const proc = spawn(
    process.execPath,
    [...profile, '--import', 'tsx', script, '--child', ...passOn, ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let result: ChildResult | undefined;
    let buffer = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const msg = JSON.parse(line);
        if (msg.progress !== undefined) log(`  ${msg.progress}/${msg.total} customers, ${secs(msg.ms)} s`);
        else result = msg;
      }
    });
    proc.on('exit', (code) =>
      code === 0 && result ? resolve(result) : reject(new Error(`worker exited ${code}`)),
    );
  });
}

// ---------------------------------------------------------------- parent

async function timed(client: pg.Client, sql: string, params: unknown[] = []): Promise<number> {
  const t0 = performance.now();
  await client.query(sql, params);
  return performance.now() - t0;
}

/** The floor: one UPDATE of the same customers, rolled back so the next phase finds the same rows. */
async function floor(client: pg.Client, programId: string, set: string, params: unknown[]): Promise<number> {
  await client.query('BEGIN');
  try {
    return await timed(client, `UPDATE customers SET ${set} WHERE program_id = $1`, [programId, ...params]);
  } finally {
    await client.query('ROLLBACK');
  }
}

async function seed(client: pg.Client, programId: string, customers: number, orders: number): Promise<void> {
  const width = String(customers).length;
  await client.query("SET session_replication_role = 'replica'");
  const chunk = 500_000;
  const t0 = performance.now();
  for (let from = 1; from <= orders; from += chunk) {
    const to = Math.min(orders, from + chunk - 1);
    // Time-ordered like ingestion; each order goes to a random customer.
    await client.query(
      `INSERT INTO orders (program_id, id, customer_id, amount, placed_at, earned_at, points_awarded, request_hash, response)
       SELECT $1, 'o' || i, 'c' || lpad((1 + floor(random() * $4))::int::text, $5, '0'), a, t, t, a / 10, 'bench', '{}'
       FROM (SELECT i, (1000 + floor(random() * 20000))::bigint AS a,
               $6::timestamptz + (i::float8 / $7) * ($8::timestamptz - $6::timestamptz) AS t
             FROM generate_series($2::int, $3::int) i) s`,
      [programId, from, to, customers, width, SEED_FROM, orders, SEED_TO],
    );
    log(`  orders ${to}/${orders} (${secs(performance.now() - t0)} s)`);
  }
  const placedBefore = new Date('2025-03-01T05:00:00.000Z');
  await client.query(
    `INSERT INTO customers (program_id, id, tags, segments, tier_id, tier_tags, current, carry, lifetime_earned,
       lifetime_spend, carry_since, last_earned_at, tier_since, last_change_reason, created_at, updated_at)
     SELECT $1, id, '{}', '{}', tier, ARRAY[tier], pts, carry, pts, spend, $2, last, $4, 'qualified', $4, $4
     FROM (
       SELECT 'c' || lpad(g::text, $5, '0') AS id, coalesce(o.pts, 0) AS pts, coalesce(o.carry, 0) AS carry,
         coalesce(o.spend, 0) AS spend, o.last,
         CASE WHEN o.pts >= 40000 AND o.p90 >= 100000 THEN 'platinum' WHEN o.p90 >= 50000 THEN 'gold'
              WHEN o.pts >= 5000 THEN 'silver' ELSE 'bronze' END AS tier
       FROM generate_series(1, $6::int) g
       LEFT JOIN (
         SELECT customer_id, sum(points_awarded) AS pts, sum(amount) AS spend, max(placed_at) AS last,
           sum(points_awarded) FILTER (WHERE placed_at >= $2) AS carry,
           sum(amount) FILTER (WHERE placed_at > $3::timestamptz - interval '90 days' AND placed_at <= $3) AS p90
         FROM orders WHERE program_id = $1 GROUP BY customer_id
       ) o ON o.customer_id = 'c' || lpad(g::text, $5, '0')
     ) s`,
    [programId, CYCLE_START, placedBefore, SEED_FROM, width, customers],
  );
  log(`  customers ${customers} (${secs(performance.now() - t0)} s)`);
  await client.query(
    `INSERT INTO ledger_entries (program_id, customer_id, type, key, base, multiplier, points, d_current, d_carry,
       d_lifetime_earned, d_lifetime_spend, reason, at)
     SELECT $1, id, 'earn', 'seed:' || id, lifetime_earned, 1, lifetime_earned, current, carry, lifetime_earned,
       lifetime_spend, 'seed', last_earned_at
     FROM customers WHERE program_id = $1 AND last_earned_at IS NOT NULL`,
    [programId],
  );
  log(`  ledger (${secs(performance.now() - t0)} s)`);
  await client.query("SET session_replication_role = 'origin'");
  await client.query('VACUUM ANALYZE orders, customers, ledger_entries');
  await client.query('CHECKPOINT');
  log(`  vacuum analyze + checkpoint (${secs(performance.now() - t0)} s)`);
}

function machine() {
  return {
    cpu: `${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
}

async function main(): Promise<void> {
  const loadAtStart = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const customers = int('customers', flags.customers);
  const orders = int('orders', flags.orders);
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `tierpass_cycle_${Date.now()}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  log(`database ${name}`);
  const client = new pg.Client({ connectionString: url.toString() });
  try {
    const store = await openStore({ databaseUrl: url.toString(), dataDir: 'memory://' });
    const program = await store.createProgram(
      { name: 'Bench', mode: 'live', settings: cycleSettings, clockNow: null, now: SEED_FROM },
      `bench-${Date.now()}`,
    );
    const scope = store.scoped(program.id);
    for (const [id, input] of TIERS) await scope.tiers.create(id, input, SEED_FROM);
    await client.connect();
    const postgres = (await client.query<{ v: string }>('SELECT version() AS v')).rows[0]?.v;
    log(`seeding ${customers} customers, ${orders} orders`);
    const seedStart = performance.now();
    await seed(client, program.id, customers, orders);
    const seedMs = performance.now() - seedStart;

    const phase = async (label: string, args: string[]) => {
      log(label);
      const r = await withCpu(() => runChild([url.toString(), program.id, ...args]));
      log(
        `    ${secs(r.ms)} s, peak RSS ${Math.round(r.vmHwmKiB / 1024)} MiB, ${r.result.processed} customers`,
      );
      log(`    CPU s: worker ${r.cpu.workerS}, postgres ${r.cpu.postgresS}, other processes ${r.cpu.otherS}`);
      return r;
    };
    // (w) The downgrade warning 7 days before the boundary (docs/decisions/0015), with a subscription
    // that wants it so every event is written, as a merchant using the feature would have.
    await client.query(
      `INSERT INTO webhook_subscriptions (program_id, id, url, events, format, secret, state, created_at, updated_at)
       VALUES ($1, 'sub_bench', 'https://example.com/hook', ARRAY['tier.downgrade_warning'], 'standard', 's',
         'enabled', now(), now())`,
      [program.id],
    );
    const warning = await phase(`(w) downgrade warning ${WARNING.toISOString()}`, [
      'warning',
      WARNING.toISOString(),
      `warning:${BOUNDARY.toISOString()}`,
    ]);
    const warned = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM webhook_events WHERE program_id = $1 AND type = 'tier.downgrade_warning'`,
      [program.id],
    );
    log(`    ${warned.rows[0]?.n ?? 0} warnings written`);
    await client.query('VACUUM ANALYZE webhook_events, webhook_deliveries');

    const cycle = await phase(`(a) cycle boundary ${BOUNDARY.toISOString()}`, [
      'cycle',
      BOUNDARY.toISOString(),
      'cycle:bench',
    ]);
    const cycleFloor = await floor(client, program.id, 'carry = 0, carry_since = $2, updated_at = $2', [
      BOUNDARY,
    ]);
    log(`    floor (one UPDATE of the same customers): ${secs(cycleFloor)} s`);
    const changes = await client.query<{ reason: string; n: number }>(
      `SELECT reason, count(*)::int AS n FROM tier_changes WHERE program_id = $1 GROUP BY 1 ORDER BY 1`,
      [program.id],
    );
    await client.query('VACUUM ANALYZE customers, ledger_entries, tier_changes');

    await scope.program.update(
      { settings: { ...cycleSettings, retention: { mode: 'continuous' } } },
      BOUNDARY,
    );
    const daily = await phase(`(b) daily continuous run ${DAILY.toISOString()}`, [
      'daily',
      DAILY.toISOString(),
      'daily:bench',
    ]);
    const dailyFloor = await floor(client, program.id, 'updated_at = $2', [DAILY]);
    log(`    floor (one UPDATE of the same customers): ${secs(dailyFloor)} s`);
    const dailyChanges = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM tier_changes WHERE program_id = $1 AND at = $2',
      [program.id, DAILY],
    );
    await store.close();

    const report = {
      date: new Date().toISOString(),
      machine: { ...machine(), postgres, loadAverageAtStart: loadAtStart },
      params: { customers, orders, batchSize: flags['batch-size'], concurrency: flags.concurrency },
      seedSeconds: secs(seedMs),
      warning: {
        seconds: secs(warning.ms),
        peakRssMiB: Math.round(warning.vmHwmKiB / 1024),
        processed: warning.result.processed,
        cpuSeconds: warning.cpu,
        warnings: warned.rows[0]?.n ?? 0,
      },
      cycle: {
        seconds: secs(cycle.ms),
        peakRssMiB: Math.round(cycle.vmHwmKiB / 1024),
        processed: cycle.result.processed,
        floorSeconds: secs(cycleFloor),
        cpuSeconds: cycle.cpu,
        tierChanges: Object.fromEntries(changes.rows.map((r) => [r.reason, r.n])),
      },
      daily: {
        seconds: secs(daily.ms),
        peakRssMiB: Math.round(daily.vmHwmKiB / 1024),
        processed: daily.result.processed,
        floorSeconds: secs(dailyFloor),
        cpuSeconds: daily.cpu,
        tierChanges: dailyChanges.rows[0]?.n ?? 0,
      },
    };
    console.log(JSON.stringify(report, null, 2));
    await mkdir(`${ROOT}bench-results`, { recursive: true });
    await writeFile(
      `${ROOT}bench-results/cycle-${report.date.replace(/[:.]/g, '-')}.json`,
      JSON.stringify(report, null, 2),
    );
  } finally {
    await client.end().catch(() => undefined);
    if (flags.keep) log(`kept ${name}`);
    else {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      log(`dropped ${name}`);
    }
    await admin.end();
  }
}

(flags.child ? child() : main()).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
