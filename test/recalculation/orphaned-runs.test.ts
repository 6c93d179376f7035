/**
 * A manual sync (POST /v1/sync) whose process dies mid-run is finished by the scheduler's next
 * pass over the program (`runDue`, what the tick calls per live program) or by a test program's
 * clock advance: exactly once per customer. A run a live worker still holds is left alone.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { pino } from 'pino';
import request from 'supertest';
import { buildApp } from '../../src/app.js';
import type { Store } from '../../src/store/port.js';
import type { RunBatch } from '../../src/store/recalculation-port.js';
import { testDatabaseUrl } from '../support/db.js';
import { ADMIN_TOKEN } from '../support/harness.js';
import { auditRun, exactlyOnce } from './run-audit.js';
import { expectBalancesMatchLedger, openPgStore, service, uid } from './run-fixtures.js';

const WORKER = fileURLToPath(new URL('./support/sync-crash-worker.ts', import.meta.url));
/** The surviving process's lease: also how long a run without any batch may sit idle. */
const LEASE_MS = 1000;

let store: Store;
let built: ReturnType<typeof buildApp>;
beforeAll(async () => {
  store = await openPgStore();
  built = buildApp({
    store,
    clock: { now: () => new Date() },
    logger: pino({ level: 'silent' }),
    adminToken: ADMIN_TOKEN,
    recalculation: { leaseMs: LEASE_MS },
  });
});
afterAll(() => store.close());

/** A program with `n` customers and, created after them, an entry tier with a bonus only a sync awards. */
async function programWithCustomers(body: Record<string, unknown>, n: number) {
  const created = await request(built.app)
    .post('/v1/programs')
    .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
    .send({ name: 'Shop', currency: 'USD', earning: { pointsPerUnit: 10 }, ...body });
  expect(created.status).toBe(201);
  const auth = { Authorization: `Bearer ${created.body.apiKey}` };
  const prefix = uid('orph');
  const ids = Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
  for (const id of ids) await request(built.app).put(`/v1/customers/${id}`).set(auth).send({}).expect(201);
  const tier = await request(built.app)
    .post('/v1/tiers')
    .set(auth)
    .send({ title: 'Member', benefits: { bonusPoints: 50 } });
  expect(tier.status).toBe(201);
  return {
    programId: created.body.program.id as string,
    apiKey: created.body.apiKey as string,
    auth,
    ids,
    tierId: tier.body.id as string,
  };
}

/** The child starts the sync through the real app and is killed inside batch `batches - 1`. */
async function crashSync(apiKey: string, batches: number): Promise<string> {
  const { NODE_OPTIONS: _jestOnly, ...env } = process.env;
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', WORKER, testDatabaseUrl(), apiKey],
    { env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const jobId = await new Promise<string>((resolve, reject) => {
    let job: string | undefined;
    let seen = 0;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('job ')) job = line.slice(4);
      if (line.startsWith('in-batch') && ++seen === batches && job) resolve(job);
    });
    child.on('exit', (code) => reject(new Error(`worker exited (${code}) before batch ${batches}`)));
  });
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  return jobId;
}

/** Wait until no batch of the run holds a live lease, in database time. */
async function untilLeasesExpired(programId: string, runId: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    for (let i = 0; i < 100; i++) {
      const { rows } = await client.query<{ live: number }>(
        `SELECT count(*)::int AS live FROM recalc_batches
         WHERE program_id = $1 AND run_id = $2 AND state = 'claimed' AND lease_until >= now()`,
        [programId, runId],
      );
      if (rows[0]?.live === 0) return;
      await sleep(100);
    }
    throw new Error('leases did not expire');
  } finally {
    await client.end();
  }
}

const job = async (auth: { Authorization: string }, jobId: string) =>
  (await request(built.app).get(`/v1/jobs/${jobId}`).set(auth).expect(200)).body;

describe.each([
  ['live program, the tick’s runDue', 'live'],
  ['test program, a test-clock advance', 'test'],
] as const)('a manual sync whose process was killed mid-run: %s', (_name, mode) => {
  it('is resumed and finishes every customer exactly once', async () => {
    const body = mode === 'test' ? { mode: 'test', clockStart: '2025-01-01T00:00:00Z' } : {};
    const p = await programWithCustomers(body, 40);
    const jobId = await crashSync(p.apiKey, 3);

    // Two batches of 5 committed; the third died inside its transaction. Nothing else finishes it.
    expect(await job(p.auth, jobId)).toMatchObject({
      kind: 'sync',
      state: 'running',
      processed: 10,
      total: 40,
    });
    await untilLeasesExpired(p.programId, jobId);

    if (mode === 'live') {
      const program = await store.scoped(p.programId).program.get();
      await built.services.scheduling.runDue(program, new Date());
    } else {
      await request(built.app)
        .post('/v1/test-clock/advance')
        .set(p.auth)
        .send({ to: '2025-01-01T01:00:00Z' })
        .expect(200);
    }

    const done = await job(p.auth, jobId);
    expect(done).toMatchObject({ state: 'done', processed: 40, total: 40, finishedAt: expect.any(String) });
    const audit = await auditRun(p.programId, jobId, new Date(done.asOf));
    expect(exactlyOnce(audit.changes, p.ids)).toBe(true);
    expect(audit.mismatched).toEqual([]);
    expect(audit.batches[2]).toMatchObject({ state: 'done', attempts: 2, processed: 5 });
    expect(audit.batches.every((b) => b.state === 'done')).toBe(true);
    expect(audit.batches.reduce((n, b) => n + (b.processed ?? 0), 0)).toBe(40);
    // One entry bonus each: the ledger has it once and the balance moved once.
    const scope = store.scoped(p.programId);
    for (const id of p.ids) {
      const bonuses = (await scope.ledger.list(id, { limit: 100 })).items.filter((e) => e.type === 'bonus');
      expect({ id, bonuses: bonuses.length }).toEqual({ id, bonuses: 1 });
      expect((await scope.customers.get(id))?.tierId).toBe(p.tierId);
    }
    await expectBalancesMatchLedger(scope, p.ids);

    // A second pass finds nothing left to resume.
    expect(await built.services.recalculation.resumeOrphaned(p.programId)).toEqual([]);
  }, 60_000);
});

it('leaves a run alone while a live worker holds its batch', async () => {
  const p = await programWithCustomers({}, 20);
  let entered!: () => void;
  const inBatch = new Promise<void>((resolve) => {
    entered = resolve;
  });
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  // The live worker: a minute-long lease, held inside its first batch until the gate opens.
  const live = service(store, {
    leaseMs: 60_000,
    concurrency: 1,
    hooks: {
      async beforeCommit(_runId: string, batch: RunBatch) {
        if (batch.seq === 0) {
          entered();
          await gate;
        }
      },
    },
  });
  const run = await live.start(p.programId, 'sync', new Date(), `sync:${uid('live')}`);
  const working = live.work(p.programId, run.id, { batchSize: 5 });
  await inBatch;
  await sleep(LEASE_MS + 200); // longer than the sweeper's idle time: only the live lease protects the run

  const program = await store.scoped(p.programId).program.get();
  await built.services.scheduling.runDue(program, new Date());
  const held = await auditRun(p.programId, run.id, new Date(run.asOf));
  expect(held.batches).toEqual([expect.objectContaining({ seq: 0, state: 'claimed', attempts: 1 })]);
  expect(await job(p.auth, run.id)).toMatchObject({ state: 'running', processed: 0 });

  release();
  expect(await working).toMatchObject({ state: 'done', processed: 20, total: 20 });
  const audit = await auditRun(p.programId, run.id, new Date(run.asOf));
  expect(exactlyOnce(audit.changes, p.ids)).toBe(true);
  // Every batch by the live worker, each claimed once.
  expect(new Set(audit.batches.map((b) => b.worker)).size).toBe(1);
  expect(audit.batches.every((b) => b.attempts === 1 && b.state === 'done')).toBe(true);
}, 60_000);

it('resumes a run nobody ever claimed once it sat idle longer than a lease, not before', async () => {
  const p = await programWithCustomers({}, 7);
  // The process that created the run died before its first claim.
  const run = await built.services.recalculation.start(
    p.programId,
    'sync',
    new Date(),
    `sync:${uid('idle')}`,
  );
  const program = await store.scoped(p.programId).program.get();
  await built.services.scheduling.runDue(program, new Date());
  expect(await job(p.auth, run.id)).toMatchObject({ state: 'pending', processed: 0, total: 7 });

  await sleep(LEASE_MS + 300);
  await built.services.scheduling.runDue(program, new Date());
  expect(await job(p.auth, run.id)).toMatchObject({ state: 'done', processed: 7, total: 7 });
  const audit = await auditRun(p.programId, run.id, new Date(run.asOf));
  expect(exactlyOnce(audit.changes, p.ids)).toBe(true);
}, 30_000);
