/** Two processes' worth of workers (two stores, two pools) share one run without double processing. */
import type { Store } from '../../src/store/port.js';
import { auditRun, exactlyOnce } from './run-audit.js';
import { addTier, newProgram, openPgStore, Q2, seedMany, service } from './run-fixtures.js';

let a: Store;
let b: Store;
beforeAll(async () => {
  [a, b] = await Promise.all([openPgStore(), openPgStore()]);
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
});

it('two concurrent work() calls on 2,000 customers in batches of 50: each customer exactly once', async () => {
  const scope = await newProgram(a);
  const bronze = await addTier(scope, 'Bronze');
  const silver = await addTier(scope, 'Silver', {
    qualifications: [{ type: 'carryPoints', minPoints: 100 }],
  });
  // Everyone misses Silver's conditions for the closing cycle: one downgrade and one reset each.
  const ids = await seedMany(scope, 2000, { prefix: 'cw', tierId: silver, carry: 10 });

  const first = service(a);
  const second = service(b);
  const run = await first.start(scope.programId, 'cycle', Q2, `cycle:${Q2.toISOString()}`);
  expect(run.total).toBe(2000);
  const progress: number[] = [];
  const [x, y] = await Promise.all([
    first.work(scope.programId, run.id, { batchSize: 50, onProgress: (r) => progress.push(r.processed) }),
    second.work(scope.programId, run.id, { batchSize: 50, onProgress: (r) => progress.push(r.processed) }),
  ]);
  expect(x).toMatchObject({ state: 'done', processed: 2000, total: 2000 });
  expect(y).toMatchObject({ state: 'done', processed: 2000, total: 2000 });
  // One report per batch; a report counts the batches committed by then (its own included).
  expect(progress).toHaveLength(40);
  expect(progress.every((n) => n >= 50 && n <= 2000)).toBe(true);

  const audit = await auditRun(scope.programId, run.id, Q2);
  expect(exactlyOnce(audit.changes, ids)).toBe(true);
  expect(exactlyOnce(audit.resets, ids)).toBe(true);
  expect(audit.mismatched).toEqual([]);
  // 40 adjacent ranges, each done once, split between the two workers.
  expect(audit.batches).toHaveLength(40);
  audit.batches.forEach((batch, i) => {
    expect(batch).toMatchObject({ seq: i, state: 'done', processed: 50, attempts: 1 });
    expect(batch.fromId).toBe(i === 0 ? '' : audit.batches[i - 1]?.toId);
  });
  expect(new Set(audit.batches.map((batch) => batch.worker)).size).toBe(2);
  expect((await scope.customers.get(ids[1999]!))?.tierId).toBe(bronze);
});
