/** The same runs on the embedded PGlite driver (one connection: claims and batches take turns). */
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/port.js';
import {
  addTier,
  carryResetsOf,
  changesOf,
  expectBalancesMatchLedger,
  newProgram,
  Q2,
  seedCustomer,
  seedMany,
  service,
} from './run-fixtures.js';

let store: Store;
beforeAll(async () => {
  store = await openStore({ dataDir: 'memory://' });
}, 60_000);
afterAll(() => store.close());

it('runs a cycle boundary exactly once per customer on PGlite, with two loops sharing the run', async () => {
  const runs = service(store, { concurrency: 2 });
  const scope = await newProgram(store);
  const bronze = await addTier(scope, 'Bronze');
  const silver = await addTier(scope, 'Silver', {
    qualifications: [{ type: 'orderVolume', minAmount: 10_000, window: 'P90D' }],
    benefits: { bonusPoints: 25 },
  });
  const dropping = await seedMany(scope, 9, { prefix: 'drop', tierId: silver, carry: 10 });
  const rising = await seedCustomer(scope, {
    tierId: bronze,
    carry: 40,
    orders: [{ amount: 12_000, placedAt: new Date('2025-03-20T15:00:00.000Z') }],
  });
  const run = await runs.start(scope.programId, 'cycle', Q2, `cycle:${Q2.toISOString()}`);
  expect(await runs.work(scope.programId, run.id, { batchSize: 2 })).toMatchObject({
    state: 'done',
    processed: 10,
    total: 10,
  });
  expect(await runs.work(scope.programId, run.id, { batchSize: 2 })).toMatchObject({ processed: 10 });

  for (const id of dropping) {
    expect(await changesOf(scope, id)).toEqual([
      expect.objectContaining({ toTierId: bronze, reason: 'cycle' }),
    ]);
    expect(await carryResetsOf(scope, id)).toHaveLength(1);
  }
  expect(await changesOf(scope, rising)).toEqual([
    expect.objectContaining({ toTierId: silver, reason: 'qualified' }),
  ]);
  expect((await scope.customers.get(rising))?.balances).toEqual({
    current: 65,
    carry: 0,
    lifetimeEarned: 40,
    lifetimeSpend: 12_000,
  });
  await expectBalancesMatchLedger(scope, [...dropping, rising]);
}, 60_000);
