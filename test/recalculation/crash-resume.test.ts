/** A worker killed (SIGKILL) inside a batch transaction; a restart finishes the run, nobody twice. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Store } from '../../src/store/port.js';
import { testDatabaseUrl } from '../support/db.js';
import { auditRun, exactlyOnce } from './run-audit.js';
import { addTier, newProgram, openPgStore, Q2, seedMany, service } from './run-fixtures.js';

const WORKER = fileURLToPath(new URL('./support/crash-worker.ts', import.meta.url));

let store: Store;
beforeAll(async () => {
  store = await openPgStore();
});
afterAll(() => store.close());

/** Start the child and resolve once it announced `batches` batches, the last one still uncommitted. */
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

it('SIGKILL mid-batch rolls the batch back; a restart finishes every customer exactly once', async () => {
  const scope = await newProgram(store);
  const bronze = await addTier(scope, 'Bronze');
  const silver = await addTier(scope, 'Silver', {
    qualifications: [{ type: 'carryPoints', minPoints: 100 }],
  });
  const ids = await seedMany(scope, 40, { prefix: 'crash', tierId: silver, carry: 10 });
  const runs = service(store);
  const run = await runs.start(scope.programId, 'cycle', Q2, `cycle:${Q2.toISOString()}`);

  const child = await workUntilBatch([testDatabaseUrl(), scope.programId, run.id], 3);
  const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');

  // Two batches committed; the third was inside its transaction and left nothing behind.
  expect(await runs.get(scope.programId, run.id)).toMatchObject({
    state: 'running',
    processed: 10,
    total: 40,
  });
  const crashed = await auditRun(scope.programId, run.id, Q2);
  expect(crashed.changes.size).toBe(10);
  expect(crashed.resets.size).toBe(10);
  expect(crashed.batches.map((b) => b.state)).toEqual(['done', 'done', 'claimed']);

  // The restart takes new ranges, then the dead worker's batch once its lease expires.
  const done = await runs.work(scope.programId, run.id, { batchSize: 5 });
  expect(done).toMatchObject({ state: 'done', processed: 40, total: 40 });
  const audit = await auditRun(scope.programId, run.id, Q2);
  expect(exactlyOnce(audit.changes, ids)).toBe(true);
  expect(exactlyOnce(audit.resets, ids)).toBe(true);
  expect(audit.mismatched).toEqual([]);
  expect(audit.batches[2]).toMatchObject({ state: 'done', attempts: 2, processed: 5 });
  expect(audit.batches.every((b) => b.state === 'done')).toBe(true);
  for (const id of ids) expect((await scope.customers.get(id))?.tierId).toBe(bronze);
}, 60_000);

it('a crash costs one takeover per batch in flight, and a takeover is not a failed attempt', async () => {
  const scope = await newProgram(store);
  const bronze = await addTier(scope, 'Bronze');
  const silver = await addTier(scope, 'Silver', {
    qualifications: [{ type: 'carryPoints', minPoints: 100 }],
  });
  const ids = await seedMany(scope, 40, { prefix: 'takeover', tierId: silver, carry: 10 });
  const run = await service(store).start(scope.programId, 'cycle', Q2, `cycle:${Q2.toISOString()}`);

  // Two loops, as the service runs by default: up to two batches in flight when the kill lands.
  const child = await workUntilBatch([testDatabaseUrl(), scope.programId, run.id, '2'], 3);
  const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  const inFlight = (await auditRun(scope.programId, run.id, Q2)).batches
    .filter((b) => b.state === 'claimed')
    .map((b) => b.seq);
  expect(inFlight.length).toBeGreaterThanOrEqual(1);
  // Restart once the dead worker's leases (1.5 s) have all expired: the first claims find every
  // batch it held up for takeover at once (where one claim used to take over two).
  await sleep(2_000);

  // The restarted worker allows 2 failures per batch, and the first batch it takes over throws
  // once. Were the takeover counted as an attempt (it used to be), that one failure would fail
  // the run.
  let thrown: number | undefined;
  const restarted = service(store, {
    maxAttempts: 2,
    hooks: {
      async beforeCommit(_runId, batch) {
        if (thrown === undefined && inFlight.includes(batch.seq)) {
          thrown = batch.seq;
          throw new Error('one transient failure');
        }
      },
    },
  });
  // The failed attempt ends that work() call (as any batch failure does); the run stays open and
  // the next call (the scheduler's next pass) finishes it.
  await expect(restarted.work(scope.programId, run.id, { batchSize: 5 })).rejects.toThrow(
    'one transient failure',
  );
  expect(await restarted.get(scope.programId, run.id)).toMatchObject({ state: 'running' });
  const done = await restarted.work(scope.programId, run.id, { batchSize: 5 });
  expect(done).toMatchObject({ state: 'done', processed: 40, total: 40 });
  expect(thrown).toBeDefined();

  const audit = await auditRun(scope.programId, run.id, Q2);
  expect(exactlyOnce(audit.changes, ids)).toBe(true);
  expect(exactlyOnce(audit.resets, ids)).toBe(true);
  expect(audit.mismatched).toEqual([]);
  for (const b of audit.batches) {
    // Claimed once; a batch in flight at the crash once more (one takeover); the one that threw
    // once more again, and only that throw is a failure.
    const takeovers = inFlight.includes(b.seq) ? 1 : 0;
    const retries = b.seq === thrown ? 1 : 0;
    expect({ seq: b.seq, state: b.state, attempts: b.attempts, failures: b.failures }).toEqual({
      seq: b.seq,
      state: 'done',
      attempts: 1 + takeovers + retries,
      failures: retries,
    });
  }
  for (const id of ids) expect((await scope.customers.get(id))?.tierId).toBe(bronze);
}, 90_000);
