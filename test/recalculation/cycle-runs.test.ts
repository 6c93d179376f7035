/** Cycle boundary runs on PostgreSQL: maintain, maxDropPerCycle, carry resets, exactly once per key. */
import type { RecalculationService } from '../../src/features/recalculation/recalculation-service.js';
import type { ProgramScope, Store } from '../../src/store/port.js';
import {
  addTier,
  carryResetsOf,
  changesOf,
  earn,
  expectBalancesMatchLedger,
  newProgram,
  openPgStore,
  Q2,
  Q3,
  Q4,
  seedCustomer,
  service,
} from './run-fixtures.js';

let store: Store;
let runs: RecalculationService;
beforeAll(async () => {
  store = await openPgStore();
  runs = service(store);
});
afterAll(() => store.close());

async function boundary(scope: ProgramScope, at: Date, batchSize = 2) {
  const run = await runs.start(scope.programId, 'cycle', at, `cycle:${at.toISOString()}`);
  return runs.work(scope.programId, run.id, { batchSize });
}

describe('cycle boundary with maintain conditions and maxDropPerCycle', () => {
  let scope: ProgramScope;
  const tier: Record<string, string> = {};
  const c: Record<string, string> = {};
  beforeAll(async () => {
    scope = await newProgram(store, {
      retention: { mode: 'cycle', cycle: { every: 'P3M', anchor: '2025-01-01' }, maxDropPerCycle: 1 },
    });
    tier.bronze = await addTier(scope, 'Bronze');
    tier.silver = await addTier(scope, 'Silver', {
      qualifications: [{ type: 'carryPoints', minPoints: 1000 }],
      maintain: [{ type: 'carryPoints', minPoints: 500 }],
    });
    tier.gold = await addTier(scope, 'Gold', {
      qualifications: [{ type: 'carryPoints', minPoints: 3000 }],
      maintain: [{ type: 'carryPoints', minPoints: 2000 }],
      benefits: { bonusPoints: 100, tag: 'gold' },
    });
    tier.platinum = await addTier(scope, 'Platinum', {
      qualifications: [{ type: 'carryPoints', minPoints: 6000 }],
      maintain: [{ type: 'carryPoints', minPoints: 4000 }],
    });
    c.keep = await seedCustomer(scope, { tierId: tier.gold, carry: 2500 });
    c.down = await seedCustomer(scope, { tierId: tier.gold, carry: 600, earlier: 9000 });
    c.capped = await seedCustomer(scope, { tierId: tier.platinum, earlier: 20_000 });
    c.up = await seedCustomer(scope, { tierId: tier.bronze, carry: 3500 });
    c.silverZero = await seedCustomer(scope, { tierId: tier.silver });
    // Created at the boundary instant: already in the new cycle, not part of the run.
    c.late = await seedCustomer(scope, { tierId: tier.bronze, carry: 50, createdAt: Q2 });
  });

  it('keeps, downgrades by maintain, caps the drop, upgrades by qualifications; processed == total', async () => {
    const done = await boundary(scope, Q2);
    expect(done).toMatchObject({
      kind: 'cycle',
      state: 'done',
      processed: 5,
      total: 5,
      asOf: Q2.toISOString(),
    });
    const tierOf = async (id: string) => (await scope.customers.get(id))?.tierId;
    expect(await tierOf(c.keep!)).toBe(tier.gold);
    expect(await tierOf(c.down!)).toBe(tier.silver);
    expect(await tierOf(c.capped!)).toBe(tier.gold);
    expect(await tierOf(c.up!)).toBe(tier.gold);
    expect(await tierOf(c.silverZero!)).toBe(tier.bronze);
    expect(await tierOf(c.late!)).toBe(tier.bronze);

    expect(await changesOf(scope, c.keep!)).toEqual([]);
    expect(await changesOf(scope, c.down!)).toEqual([
      expect.objectContaining({
        fromTierId: tier.gold,
        toTierId: tier.silver,
        direction: 'down',
        reason: 'cycle',
        at: Q2,
      }),
    ]);
    const [capped] = await changesOf(scope, c.capped!);
    expect(capped).toMatchObject({ toTierId: tier.gold, direction: 'down', reason: 'cycle' });
    expect(capped?.facts).toMatchObject({
      trigger: 'boundary',
      maxDrop: { limit: 1, wantedTierId: tier.bronze },
    });
    expect(await changesOf(scope, c.up!)).toEqual([
      expect.objectContaining({
        fromTierId: tier.bronze,
        toTierId: tier.gold,
        direction: 'up',
        reason: 'qualified',
      }),
    ]);
    const up = await scope.customers.get(c.up!);
    expect(up).toMatchObject({
      tierTags: ['gold'],
      bonusedTierIds: [tier.gold],
      lastChangeReason: 'qualified',
    });
    // Entry bonus (spendable) kept; the carry of the closing cycle reset after the decision.
    expect(up?.balances).toEqual({ current: 3600, carry: 0, lifetimeEarned: 3500, lifetimeSpend: 0 });
  });

  it('writes exactly one carry_reset per customer with carry, carry 0 and carry_since = boundary', async () => {
    for (const [name, carry] of [
      ['keep', 2500],
      ['down', 600],
      ['up', 3500],
    ] as const) {
      const resets = await carryResetsOf(scope, c[name]!);
      expect(resets).toEqual([
        expect.objectContaining({
          key: `carry_reset:${Q2.toISOString()}:${c[name]}`,
          points: -carry,
          delta: { current: 0, carry: -carry, lifetimeEarned: 0, lifetimeSpend: 0 },
          at: Q2,
        }),
      ]);
    }
    expect(await carryResetsOf(scope, c.capped!)).toEqual([]);
    expect(await carryResetsOf(scope, c.silverZero!)).toEqual([]);
    expect(await carryResetsOf(scope, c.late!)).toEqual([]);
    for (const name of ['keep', 'down', 'capped', 'up', 'silverZero']) {
      const customer = await scope.customers.get(c[name]!);
      expect({ name, carry: customer?.balances.carry, since: customer?.carrySince }).toEqual({
        name,
        carry: 0,
        since: Q2,
      });
    }
    expect((await scope.customers.get(c.late!))?.balances.carry).toBe(50);
    await expectBalancesMatchLedger(scope, Object.values(c));
  });

  it('a second start() with the same key returns the same run, and work() processes nobody again', async () => {
    const first = await runs.start(scope.programId, 'cycle', Q2, `cycle:${Q2.toISOString()}`);
    const again = await runs.start(scope.programId, 'cycle', Q2, `cycle:${Q2.toISOString()}`);
    expect(again).toEqual(first);
    expect(again.state).toBe('done');
    const before = await Promise.all(Object.values(c).map((id) => scope.ledger.list(id, { limit: 100 })));
    expect(await runs.work(scope.programId, again.id, { batchSize: 1 })).toEqual(first);
    const after = await Promise.all(Object.values(c).map((id) => scope.ledger.list(id, { limit: 100 })));
    expect(after).toEqual(before);
    expect(await changesOf(scope, c.down!)).toHaveLength(1);
  });

  it('a run under another key for the same boundary finds every customer closed and changes nothing', async () => {
    const before = await Promise.all(Object.values(c).map((id) => scope.ledger.list(id, { limit: 100 })));
    const other = await runs.start(scope.programId, 'cycle', Q2, 'cycle:manual-rerun');
    expect(await runs.work(scope.programId, other.id, { batchSize: 2 })).toMatchObject({
      state: 'done',
      processed: 0,
      total: 0,
    });
    const after = await Promise.all(Object.values(c).map((id) => scope.ledger.list(id, { limit: 100 })));
    expect(after).toEqual(before);
    expect(await changesOf(scope, c.capped!)).toHaveLength(1);
  });
});

describe('JeriCommerce: carry points reset at every cycle', () => {
  it('keeps Gold on the closing cycle carry, then drops as carry stops coming; one reset per cycle with carry', async () => {
    const scope = await newProgram(store);
    const bronze = await addTier(scope, 'Bronze');
    const silver = await addTier(scope, 'Silver', {
      qualifications: [{ type: 'carryPoints', minPoints: 500 }],
    });
    const gold = await addTier(scope, 'Gold', { qualifications: [{ type: 'carryPoints', minPoints: 2000 }] });
    const id = await seedCustomer(scope, { tierId: gold, carry: 2500 });

    expect(await boundary(scope, Q2)).toMatchObject({ state: 'done', processed: 1 });
    expect((await scope.customers.get(id))?.tierId).toBe(gold);

    await earn(scope, id, 600, new Date('2025-05-10T15:00:00.000Z'));
    await boundary(scope, Q3);
    expect((await scope.customers.get(id))?.tierId).toBe(silver);

    await boundary(scope, Q4);
    const bronzeNow = await scope.customers.get(id);
    expect(bronzeNow?.tierId).toBe(bronze);
    expect(bronzeNow?.balances).toMatchObject({ carry: 0, current: 3100, lifetimeEarned: 3100 });

    const resets = await carryResetsOf(scope, id);
    expect(resets.map((e) => [e.key, e.points])).toEqual([
      [`carry_reset:${Q3.toISOString()}:${id}`, -600],
      [`carry_reset:${Q2.toISOString()}:${id}`, -2500],
    ]);
    expect((await changesOf(scope, id)).map((ch) => [ch.reason, ch.direction, ch.at])).toEqual([
      ['cycle', 'down', Q3],
      ['cycle', 'down', Q4],
    ]);
    await expectBalancesMatchLedger(scope, [id]);
  });
});
