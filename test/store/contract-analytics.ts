import type { ProgramScope } from '../../src/store/port.js';
import { order } from './contract-customers-orders.js';
import {
  appendEntries,
  at,
  entry,
  newProgram,
  outcome,
  type StoreRef,
  T0,
  tierInput,
} from './contract-fixtures.js';

const HOUR = 60;

/** Read-only analytics queries: fact pages and aggregates, all scoped by program. */
export function analyticsContract(store: StoreRef): void {
  describe('analytics', () => {
    let scope: ProgramScope;
    let silver: string;
    beforeEach(async () => {
      scope = await newProgram(store());
      silver = (await scope.transaction((tx) => tx.tiers.create('silver', tierInput('Silver'), T0))).id;
      await scope.transaction(async (tx) => {
        for (const id of ['a', 'b', 'c']) await tx.customers.upsert(id, { tags: [`t-${id}`] }, at(0));
        await tx.customers.upsert('late', {}, at(10 * HOUR));
        const placement = { tierTags: [], tierSince: at(HOUR), lastChangeReason: 'qualified' as const };
        await tx.outcomes.store(
          outcome('a', {
            at: at(HOUR),
            placement: { ...placement, tierId: silver, bonusedTierIds: [silver] },
          }),
        );
        const change = { direction: 'up' as const, reason: 'qualified' as const, facts: {} };
        await tx.outcomes.store(
          outcome('a', {
            change: {
              ...change,
              customerId: 'a',
              fromTierId: null,
              toTierId: silver,
              at: at(HOUR),
            },
          }),
        );
        await tx.outcomes.store(
          outcome('b', {
            change: {
              ...change,
              customerId: 'b',
              fromTierId: null,
              toTierId: silver,
              at: at(2 * HOUR),
            },
          }),
        );
        await tx.outcomes.store(
          outcome('b', {
            change: {
              ...change,
              direction: 'down',
              reason: 'continuous',
              customerId: 'b',
              fromTierId: silver,
              toTierId: null,
              at: at(3 * HOUR),
            },
          }),
        );
        await tx.orders.insert(order('o1', 'a', { amount: 5_000, placedAt: at(-48 * HOUR) }));
        await tx.orders.insert(order('o2', 'a', { amount: 7_000, placedAt: at(-HOUR) }));
        await tx.orders.insert(order('o3', 'a', { amount: 9_000, placedAt: at(HOUR) }));
        await tx.orders.updateRefunded('o2', 2_000, 0);
        await appendEntries(tx, 'a', [
          entry('e1', { current: 150 }, { base: 100, points: 150, tierId: silver, at: at(HOUR) }),
          entry('b1', { current: 40 }, { type: 'bonus', points: 40, tierId: silver, at: at(HOUR) }),
          entry('e0', { current: 10 }, { base: 10, points: 10, at: at(-HOUR) }),
        ]);
      });
    });

    it('pages customers by id with window sums and the largest net order as of an instant', async () => {
      const windows = [
        { key: 'P1D', from: at(-24 * HOUR) },
        { key: 'P7D', from: at(-7 * 24 * HOUR) },
      ];
      const first = await scope.analytics.customerFacts({ after: null, limit: 2, windows, asOf: T0 });
      expect(first.map((r) => r.id)).toEqual(['a', 'b']);
      expect(first[0]).toMatchObject({
        tags: ['t-a'],
        tierId: silver,
        windowSpend: { P1D: 5_000, P7D: 10_000 },
        largestOrder: 5_000,
      });
      expect(first[1]).toMatchObject({ tierId: null, windowSpend: { P1D: 0, P7D: 0 }, largestOrder: 0 });
      const rest = await scope.analytics.customerFacts({ after: 'b', limit: 2, windows: [], asOf: T0 });
      expect(rest.map((r) => [r.id, r.windowSpend])).toEqual([
        ['c', {}],
        ['late', {}],
      ]);
    });

    it('counts customers per tier now and at a past instant from the tier changes', async () => {
      const sorted = (xs: { tierId: string | null; customers: number }[]) =>
        [...xs].sort((x, y) => String(x.tierId).localeCompare(String(y.tierId)));
      expect(sorted(await scope.analytics.distributionNow())).toEqual([
        { tierId: null, customers: 3 },
        { tierId: silver, customers: 1 },
      ]);
      expect(sorted(await scope.analytics.distributionAt(at(2 * HOUR)))).toEqual([
        { tierId: null, customers: 1 },
        { tierId: silver, customers: 2 },
      ]);
      expect(await scope.analytics.distributionAt(at(-1))).toEqual([]);
    });

    it('groups movements by local day and earnings by local month and tier', async () => {
      const range = { from: at(-24 * HOUR), to: at(24 * HOUR), timeZone: 'America/New_York' };
      expect(await scope.analytics.movements({ ...range, interval: 'day' })).toEqual([
        { bucket: '2025-03-01', direction: 'down', reason: 'continuous', fromNone: false, changes: 1 },
        { bucket: '2025-03-01', direction: 'up', reason: 'qualified', fromNone: true, changes: 2 },
      ]);
      expect(await scope.analytics.earnings(range)).toEqual([
        { month: '2025-03', tierId: null, awarded: 10, base: 10, bonus: 0, bonuses: 0 },
        { month: '2025-03', tierId: silver, awarded: 150, base: 100, bonus: 40, bonuses: 1 },
      ]);
      expect((await scope.analytics.tierNames()).map((t) => [t.id, t.deleted])).toEqual([[silver, false]]);
    });
  });
}
