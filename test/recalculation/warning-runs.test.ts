/**
 * Downgrade-warning runs on PostgreSQL: one tier.downgrade_warning per customer the boundary would
 * downgrade, in batches with progress (also when two batches commit at once), exactly once under a
 * replayed run key, two concurrent workers, a batch that fails and is retried, and a worker
 * SIGKILLed mid-batch.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { warningKey } from '../../src/domain/downgrade-warning.js';
import type { ProgramScope, Store } from '../../src/store/port.js';
import { testDatabaseUrl } from '../support/db.js';
import { auditRun } from './run-audit.js';
import { addTier, newProgram, openPgStore, Q2, seedCustomer, seedMany, service } from './run-fixtures.js';

const WORKER = fileURLToPath(new URL('./support/crash-worker.ts', import.meta.url));
/** Seven local days before Q2 (2025-04-01 00:00 New York, EDT): 2025-03-25 00:00 EDT. */
const WARN_AT = new Date('2025-03-25T04:00:00.000Z');

let store: Store;
let db: pg.Client;
beforeAll(async () => {
  store = await openPgStore();
  db = new pg.Client({ connectionString: testDatabaseUrl() });
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await store.close();
});

/** Events are stored only for a subscription that wants them (webhook-emit.ts). */
async function subscribe(programId: string): Promise<void> {
  await db.query(
    `INSERT INTO webhook_subscriptions (program_id, id, url, events, format, secret, state, created_at, updated_at)
     VALUES ($1, 'sub_warn', 'http://127.0.0.1:9/hook', ARRAY['tier.downgrade_warning'], 'standard', 's', 'enabled', now(), now())`,
    [programId],
  );
}

interface StoredWarning {
  customerId: string;
  data: Record<string, unknown>;
  occurredAt: Date;
  deliveries: number;
}

async function warningsOf(programId: string): Promise<StoredWarning[]> {
  const { rows } = await db.query<StoredWarning>(
    `SELECT e.customer_id AS "customerId", e.data, e.occurred_at AS "occurredAt",
       (SELECT count(*)::int FROM webhook_deliveries d WHERE d.program_id = e.program_id AND d.event_id = e.id)
         AS deliveries
     FROM webhook_events e WHERE e.program_id = $1 AND e.type = 'tier.downgrade_warning' ORDER BY e.customer_id`,
    [programId],
  );
  return rows;
}

/** Warnings per customer: each warned customer exactly once, and only those. */
async function countsOf(programId: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const w of await warningsOf(programId)) counts.set(w.customerId, (counts.get(w.customerId) ?? 0) + 1);
  return counts;
}

async function silverProgram(): Promise<{ scope: ProgramScope; bronze: string; silver: string }> {
  const scope = await newProgram(store);
  const bronze = await addTier(scope, 'Bronze');
  const silver = await addTier(scope, 'Silver', {
    qualifications: [{ type: 'carryPoints', minPoints: 100 }],
  });
  await subscribe(scope.programId);
  return { scope, bronze, silver };
}

it('warns each customer the boundary would downgrade, with what keeps the tier, in batches with progress', async () => {
  const { scope, bronze, silver } = await silverProgram();
  const short = await seedMany(scope, 30, { prefix: 'short', tierId: silver, carry: 40 });
  const keeper = await seedCustomer(scope, { id: 'zz-keeper', tierId: silver, carry: 150 });
  const entry = await seedCustomer(scope, { id: 'zz-entry', tierId: bronze, carry: 0 });

  const runs = service(store);
  const run = await runs.start(scope.programId, 'warning', WARN_AT, warningKey(Q2));
  expect(run).toMatchObject({ kind: 'warning', state: 'pending', total: 32 });
  const progress: number[] = [];
  const done = await runs.work(scope.programId, run.id, {
    batchSize: 8,
    onProgress: (r) => progress.push(r.processed),
  });
  expect(done).toMatchObject({ state: 'done', processed: 32, total: 32 });
  // One report per batch, read after its commit: the last one counts every batch.
  expect(progress).toHaveLength(4);
  expect(progress.every((n) => n % 8 === 0 && n >= 8 && n <= 32)).toBe(true);
  expect(Math.max(...progress)).toBe(32);

  const warnings = await warningsOf(scope.programId);
  expect(warnings.map((w) => w.customerId)).toEqual(short);
  expect(warnings.every((w) => w.deliveries === 1)).toBe(true);
  expect(warnings[0]).toMatchObject({
    occurredAt: WARN_AT,
    data: {
      tier: { id: silver, title: 'Silver' },
      downgradeTo: { id: bronze, title: 'Bronze' },
      boundaryAt: Q2.toISOString(),
      keep: {
        headline: '60 points this cycle to keep Silver',
        missing: [{ type: 'carryPoints', missing: 60, label: '60 points this cycle' }],
        conditions: [{ type: 'carryPoints', required: 100, actual: 40, met: false }],
      },
      occurredAt: WARN_AT.toISOString(),
      // Added by the store from the customer's row.
      customer: { id: short[0], email: null },
      balances: { carry: 40 },
    },
  });
  // A warning changes nothing: no tier change, no carry reset, nobody moved.
  const audit = await auditRun(scope.programId, run.id, WARN_AT);
  expect(audit.changes.size).toBe(0);
  expect(audit.resets.size).toBe(0);
  for (const id of [...short, keeper]) expect((await scope.customers.get(id))?.tierId).toBe(silver);
  expect((await scope.customers.get(entry))?.balances.carry).toBe(0);

  // The same boundary again (a retried tick, a second scheduler): the same run, nothing new.
  const again = await runs.start(scope.programId, 'warning', WARN_AT, warningKey(Q2));
  expect(again.id).toBe(run.id);
  await runs.work(scope.programId, again.id);
  expect([...(await countsOf(scope.programId)).values()].every((n) => n === 1)).toBe(true);
  expect((await countsOf(scope.programId)).size).toBe(30);

  // The boundary then downgrades exactly the warned customers.
  const cycle = await runs.start(scope.programId, 'cycle', Q2, `cycle:${Q2.toISOString()}`);
  await runs.work(scope.programId, cycle.id);
  for (const id of short) expect((await scope.customers.get(id))?.tierId).toBe(bronze);
  expect((await scope.customers.get(keeper))?.tierId).toBe(silver);
});

it('two batches committing together: the last report still counts every batch', async () => {
  // What made the test above flaky on a busy machine: the last two batches in flight at once.
  // A report read inside its batch's transaction missed the other batch (both said 24).
  const { scope, silver } = await silverProgram();
  await seedMany(scope, 32, { prefix: 'pair', tierId: silver, carry: 40 });
  let arrived = 0;
  let release: () => void = () => {};
  const bothInside = new Promise<void>((resolve) => {
    release = resolve;
  });
  const runs = service(store, {
    concurrency: 2,
    hooks: {
      async beforeCommit(_runId, batch) {
        if (batch.seq < 2) return;
        // Batches 2 and 3 wait for each other inside their transactions, then commit together.
        if (++arrived === 2) release();
        await bothInside;
      },
    },
  });
  const run = await runs.start(scope.programId, 'warning', WARN_AT, warningKey(Q2));
  const progress: number[] = [];
  const done = await runs.work(scope.programId, run.id, {
    batchSize: 8,
    onProgress: (r) => progress.push(r.processed),
  });
  expect(progress).toHaveLength(4);
  expect(Math.max(...progress)).toBe(32);
  expect(done).toMatchObject({ state: 'done', processed: 32, total: 32 });
  expect(await runs.get(scope.programId, run.id)).toMatchObject({ state: 'done', processed: 32 });
  expect((await countsOf(scope.programId)).size).toBe(32);
});

it('two concurrent workers on 600 customers: each warned exactly once', async () => {
  const { scope, silver } = await silverProgram();
  const ids = await seedMany(scope, 600, { prefix: 'cw', tierId: silver, carry: 10 });
  const other = await openPgStore(); // a second process's pool
  const [a, b] = [service(store), service(other)];
  const run = await a.start(scope.programId, 'warning', WARN_AT, warningKey(Q2));
  const [x, y] = await Promise.all([
    a.work(scope.programId, run.id, { batchSize: 25 }),
    b.work(scope.programId, run.id, { batchSize: 25 }),
  ]);
  expect(x).toMatchObject({ state: 'done', processed: 600 });
  expect(y).toMatchObject({ state: 'done', processed: 600 });
  const counts = await countsOf(scope.programId);
  expect(counts.size).toBe(600);
  expect(ids.every((id) => counts.get(id) === 1)).toBe(true);
  const audit = await auditRun(scope.programId, run.id, WARN_AT);
  expect(audit.batches).toHaveLength(24);
  expect(audit.batches.every((batch) => batch.state === 'done' && batch.attempts === 1)).toBe(true);
  await other.close();
});

it('a failing batch writes no warning; its retry writes each one once', async () => {
  const { scope, silver } = await silverProgram();
  const ids = await seedMany(scope, 20, { prefix: 'fail', tierId: silver, carry: 0 });
  let failed = false;
  const runs = service(store, {
    concurrency: 1,
    hooks: {
      async beforeCommit(_runId, batch) {
        if (batch.seq === 1 && !failed) {
          failed = true;
          throw new Error('connection lost inside the batch');
        }
      },
    },
  });
  const run = await runs.start(scope.programId, 'warning', WARN_AT, warningKey(Q2));
  await expect(runs.work(scope.programId, run.id, { batchSize: 5 })).rejects.toThrow('connection lost');
  expect((await countsOf(scope.programId)).size).toBe(5); // batch 0 committed, batch 1 rolled back
  const done = await runs.work(scope.programId, run.id, { batchSize: 5 });
  expect(done).toMatchObject({ state: 'done', processed: 20 });
  const counts = await countsOf(scope.programId);
  expect(ids.every((id) => counts.get(id) === 1)).toBe(true);
});

/** The crash worker (support/crash-worker.ts) works any run; resolve once it is inside batch `n`. */
function workUntilBatch(args: string[], batches: number): Promise<ChildProcess> {
  const { NODE_OPTIONS: _jestOnly, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let seen = 0;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('in-batch') && ++seen === batches) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`worker exited (${code}) before batch ${batches}`)));
  });
}

it('SIGKILL mid-batch: the restart finishes the run, every customer warned exactly once', async () => {
  const { scope, silver } = await silverProgram();
  const ids = await seedMany(scope, 25, { prefix: 'kill', tierId: silver, carry: 0 });
  const runs = service(store);
  const run = await runs.start(scope.programId, 'warning', WARN_AT, warningKey(Q2));
  const child = await workUntilBatch([testDatabaseUrl(), scope.programId, run.id], 3);
  const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  expect((await countsOf(scope.programId)).size).toBe(10); // two batches of 5 committed

  const done = await runs.work(scope.programId, run.id, { batchSize: 5 });
  expect(done).toMatchObject({ state: 'done', processed: 25 });
  const counts = await countsOf(scope.programId);
  expect(ids.every((id) => counts.get(id) === 1)).toBe(true);
  expect(counts.size).toBe(25);
}, 60_000);

it('a run scheduled before warnings were switched off writes nothing', async () => {
  const { scope, silver } = await silverProgram();
  await seedMany(scope, 3, { prefix: 'off', tierId: silver, carry: 0 });
  const runs = service(store);
  const run = await runs.start(scope.programId, 'warning', WARN_AT, warningKey(Q2));
  const program = await scope.program.get();
  await scope.program.update({ settings: { ...program.settings, downgradeWarningDays: 0 } }, WARN_AT);
  expect(await runs.work(scope.programId, run.id)).toMatchObject({ state: 'done', processed: 0 });
  expect(await warningsOf(scope.programId)).toEqual([]);
});
