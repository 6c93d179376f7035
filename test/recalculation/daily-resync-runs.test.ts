/** Daily syncs, resyncs and failing batches on PostgreSQL. */
import type { Store } from '../../src/store/port.js';
import {
  addTier,
  changesOf,
  expectBalancesMatchLedger,
  newProgram,
  openPgStore,
  seedCustomer,
  service,
} from './run-fixtures.js';

let store: Store;
beforeAll(async () => {
  store = await openPgStore();
});
afterAll(() => store.close());

describe('daily runs', () => {
  it('continuous mode: a rolling window that expired drops the customer; qualifying customers rise', async () => {
    const runs = service(store);
    const scope = await newProgram(store, { retention: { mode: 'continuous' } });
    const bronze = await addTier(scope, 'Bronze');
    const gold = await addTier(scope, 'Gold', {
      qualifications: [{ type: 'orderVolume', minAmount: 50_000, window: 'P90D' }],
    });
    const expired = await seedCustomer(scope, {
      tierId: gold,
      orders: [{ amount: 60_000, placedAt: new Date('2025-01-20T17:00:00.000Z') }],
    });
    const recent = await seedCustomer(scope, {
      tierId: gold,
      orders: [{ amount: 60_000, placedAt: new Date('2025-03-01T17:00:00.000Z') }],
    });
    const rising = await seedCustomer(scope, {
      tierId: bronze,
      orders: [
        { amount: 30_000, placedAt: new Date('2025-04-10T17:00:00.000Z') },
        { amount: 30_000, placedAt: new Date('2025-04-15T17:00:00.000Z') },
        // Placed after the run's instant: does not count.
        { amount: 90_000, placedAt: new Date('2025-04-22T17:00:00.000Z') },
      ],
    });
    // Local midnight starting 21 April in New York: the window starts at midnight starting 21 January.
    const asOf = new Date('2025-04-21T04:00:00.000Z');
    const run = await runs.start(scope.programId, 'daily', asOf, 'daily:2025-04-21');
    expect(await runs.work(scope.programId, run.id, { batchSize: 2 })).toMatchObject({
      state: 'done',
      processed: 3,
      total: 3,
    });
    expect(await changesOf(scope, expired)).toEqual([
      expect.objectContaining({
        fromTierId: gold,
        toTierId: bronze,
        direction: 'down',
        reason: 'continuous',
      }),
    ]);
    const [drop] = await changesOf(scope, expired);
    expect(drop?.facts).toMatchObject({
      trigger: 'daily',
      tiers: [
        { tierId: gold, test: 'maintain', met: false, conditions: [{ actual: 0, window: 'P90D' }] },
        { tierId: bronze, test: 'maintain', met: true },
      ],
    });
    expect(await changesOf(scope, recent)).toEqual([]);
    expect(await changesOf(scope, rising)).toEqual([
      expect.objectContaining({ toTierId: gold, direction: 'up', reason: 'qualified' }),
    ]);
    await expectBalancesMatchLedger(scope, [expired, recent, rising]);
  });

  it('cycle mode with inactivity: only due inactivity drops, one tier, reason inactivity', async () => {
    const runs = service(store);
    const scope = await newProgram(store, {
      retention: { mode: 'cycle', cycle: { every: 'P3M', anchor: '2025-01-01' }, inactivity: 'P30D' },
    });
    await addTier(scope, 'Bronze');
    const silver = await addTier(scope, 'Silver', {
      qualifications: [{ type: 'carryPoints', minPoints: 50 }],
    });
    const gold = await addTier(scope, 'Gold', { qualifications: [{ type: 'carryPoints', minPoints: 80 }] });
    const idle = await seedCustomer(scope, { tierId: gold, carry: 100 });
    const active = await seedCustomer(scope, {
      tierId: gold,
      carry: 100,
      createdAt: new Date('2025-02-20T12:00:00.000Z'),
    });
    const asOf = new Date('2025-03-01T05:00:00.000Z');
    const run = await runs.start(scope.programId, 'daily', asOf, 'daily:2025-03-01');
    expect(await runs.work(scope.programId, run.id)).toMatchObject({ state: 'done', processed: 2 });
    expect(await changesOf(scope, idle)).toEqual([
      expect.objectContaining({ fromTierId: gold, toTierId: silver, reason: 'inactivity' }),
    ]);
    expect(await changesOf(scope, active)).toEqual([]);
    // Not a boundary: carry stays.
    expect((await scope.customers.get(idle))?.balances.carry).toBe(100);
  });

  it('lifetime mode: a daily run has nothing to do and is done at once', async () => {
    const runs = service(store);
    const scope = await newProgram(store, { retention: { mode: 'lifetime' } });
    await addTier(scope, 'Bronze');
    await seedCustomer(scope, { carry: 10 });
    const run = await runs.start(scope.programId, 'daily', new Date('2025-03-01T05:00:00.000Z'), 'daily:x');
    expect(await runs.work(scope.programId, run.id)).toMatchObject({ state: 'done', processed: 0, total: 0 });
  });

  it('a cycle run for a program no longer in cycle mode fails without touching carry', async () => {
    const runs = service(store);
    const scope = await newProgram(store, { retention: { mode: 'continuous' } });
    const id = await seedCustomer(scope, { carry: 10 });
    const run = await runs.start(scope.programId, 'cycle', new Date('2025-04-01T04:00:00.000Z'), 'cycle:x');
    expect(await runs.work(scope.programId, run.id)).toMatchObject({ state: 'failed' });
    expect((await scope.customers.get(id))?.balances.carry).toBe(10);
  });
});

describe('resync runs', () => {
  it('moves the members of a disabled tier (tier_disabled) and of a deleted tier (tier_deleted)', async () => {
    const runs = service(store);
    const scope = await newProgram(store, { retention: { mode: 'lifetime' } });
    const bronze = await addTier(scope, 'Bronze');
    const silver = await addTier(scope, 'Silver', {
      qualifications: [{ type: 'lifetimePoints', minPoints: 1000 }],
    });
    const gold = await addTier(scope, 'Gold', {
      qualifications: [{ type: 'lifetimePoints', minPoints: 5000 }],
    });
    const inGold = await seedCustomer(scope, { tierId: gold, earlier: 6000 });
    const inSilver = await seedCustomer(scope, { tierId: silver, earlier: 2000 });

    const goldTier = await scope.tiers.get(gold);
    if (!goldTier) throw new Error('no gold');
    await scope.tiers.update(gold, { ...goldTier, enabled: false }, new Date('2025-02-01T00:00:00.000Z'));
    const resync = await runs.start(
      scope.programId,
      'resync',
      new Date('2025-02-01T00:05:00.000Z'),
      'resync:1',
    );
    expect(await runs.work(scope.programId, resync.id, { batchSize: 1 })).toMatchObject({
      state: 'done',
      processed: 2,
    });
    expect(await changesOf(scope, inGold)).toEqual([
      expect.objectContaining({
        fromTierId: gold,
        toTierId: silver,
        direction: 'down',
        reason: 'tier_disabled',
      }),
    ]);
    expect(await changesOf(scope, inSilver)).toEqual([]);

    await scope.tiers.remove(silver, new Date('2025-02-02T00:00:00.000Z'));
    const sync = await runs.start(scope.programId, 'sync', new Date('2025-02-02T00:01:00.000Z'), 'sync:1');
    await runs.work(scope.programId, sync.id);
    for (const id of [inGold, inSilver]) {
      expect((await changesOf(scope, id)).at(-1)).toMatchObject({
        fromTierId: silver,
        toTierId: bronze,
        direction: 'down',
        reason: 'tier_deleted',
      });
    }
  });
});

describe('failing batches', () => {
  it('a batch that throws rolls back and is retried by the next work(); nobody is processed twice', async () => {
    let failures = 1;
    const runs = service(store, {
      concurrency: 1,
      hooks: {
        async beforeCommit(_runId, batch) {
          if (batch.seq === 1 && failures > 0) {
            failures -= 1;
            throw new Error('disk full');
          }
        },
      },
    });
    const scope = await newProgram(store, { retention: { mode: 'lifetime' } });
    const bronze = await addTier(scope, 'Bronze', { benefits: { bonusPoints: 5 } });
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await seedCustomer(scope, { id: `c${i}`, tierId: null }));
    const run = await runs.start(scope.programId, 'sync', new Date('2025-02-01T00:00:00.000Z'), 'sync:fail');
    await expect(runs.work(scope.programId, run.id, { batchSize: 2 })).rejects.toThrow('disk full');
    expect(await runs.get(scope.programId, run.id)).toMatchObject({ state: 'running', processed: 2 });
    expect(await changesOf(scope, 'c2')).toEqual([]);

    expect(await runs.work(scope.programId, run.id, { batchSize: 2 })).toMatchObject({
      state: 'done',
      processed: 5,
      total: 5,
    });
    for (const id of ids) {
      expect(await changesOf(scope, id)).toEqual([
        expect.objectContaining({ toTierId: bronze, reason: 'resync' }),
      ]);
      expect((await scope.customers.get(id))?.balances.current).toBe(5);
    }
    await expectBalancesMatchLedger(scope, ids);
  });

  it('a batch failing maxAttempts times fails the run', async () => {
    const runs = service(store, {
      maxAttempts: 2,
      hooks: {
        async beforeCommit() {
          throw new Error('always');
        },
      },
    });
    const scope = await newProgram(store, { retention: { mode: 'lifetime' } });
    await addTier(scope, 'Bronze');
    await seedCustomer(scope);
    const run = await runs.start(scope.programId, 'sync', new Date('2025-02-01T00:00:00.000Z'), 'sync:fails');
    await expect(runs.work(scope.programId, run.id)).rejects.toThrow('always');
    await expect(runs.work(scope.programId, run.id)).rejects.toThrow('always');
    expect(await runs.get(scope.programId, run.id)).toMatchObject({ state: 'failed', processed: 0 });
    expect(await runs.work(scope.programId, run.id)).toMatchObject({ state: 'failed' });
  });
});
