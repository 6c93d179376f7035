import type { ProgramScope } from '../../src/store/port.js';
import { at, newProgram, type StoreRef, T0 } from './contract-fixtures.js';

/**
 * The Shopify backfill record (migration 036, docs/decisions/0046): one per program, a new one
 * only once the last is finished; a lease one worker holds, taken over once expired; progress
 * written only by the holder; expired open backfills listed across programs.
 */
export function shopifyBackfillContract(store: StoreRef): void {
  describe('shopify backfill', () => {
    let scope: ProgramScope;
    let programId: string;
    beforeEach(async () => {
      scope = await newProgram(store());
      programId = scope.programId;
    });

    it('starts one at a time, leases it, records progress only for its holder', async () => {
      expect(await scope.shopifyBackfill.get()).toBeNull();
      const b = await scope.shopifyBackfill.start({
        id: 'bf_1',
        since: T0,
        worker: 'w1',
        leaseUntil: at(1),
        now: T0,
      });
      expect(b).toMatchObject({
        programId,
        id: 'bf_1',
        state: 'running',
        phase: 'customers',
        cursor: null,
        ordersDone: 0,
        ordersEstimate: null,
        // No mode asked: the server's default decides.
        ordersMode: null,
        worker: 'w1',
      });
      expect(b?.since.toISOString()).toBe(T0.toISOString());
      // A second one while the first runs: refused, nothing written.
      expect(
        await scope.shopifyBackfill.start({
          id: 'bf_2',
          since: T0,
          worker: 'w2',
          leaseUntil: at(1),
          now: T0,
        }),
      ).toBeNull();
      expect((await scope.shopifyBackfill.get())?.id).toBe('bf_1');

      // Another worker cannot take a live lease, nor write progress.
      expect(await scope.shopifyBackfill.claim('bf_1', 'w2', at(2), at(0.5))).toBeNull();
      expect(await scope.shopifyBackfill.update('bf_1', 'w2', { ordersDone: 5 }, at(0.5))).toBeNull();
      const saved = await scope.shopifyBackfill.update(
        'bf_1',
        'w1',
        {
          phase: 'orders',
          cursor: 'abc',
          ordersDone: 3,
          coveredThrough: at(-10),
          lastError: 'x',
          leaseUntil: at(2),
        },
        at(0.5),
      );
      expect(saved).toMatchObject({
        phase: 'orders',
        cursor: 'abc',
        ordersDone: 3,
        lastError: 'x',
        customersDone: 0,
      });
      expect(saved?.coveredThrough?.toISOString()).toBe(at(-10).toISOString());
      // Nulls are written as nulls.
      expect(
        await scope.shopifyBackfill.update('bf_1', 'w1', { cursor: null, lastError: null }, at(0.6)),
      ).toMatchObject({
        cursor: null,
        lastError: null,
        ordersDone: 3,
      });

      // Not orphaned while the lease lives; listed once it expired; then taken over.
      const orphans = async (now: Date) =>
        (await store().shopifyBackfills.orphaned(now, 1000)).filter((o) => o.programId === programId);
      expect(await orphans(at(1))).toEqual([]);
      expect(await orphans(at(3))).toEqual([{ programId, id: 'bf_1' }]);
      const taken = await scope.shopifyBackfill.claim('bf_1', 'w2', at(5), at(3));
      expect(taken).toMatchObject({ worker: 'w2', cursor: null, ordersDone: 3 });
      expect(await scope.shopifyBackfill.update('bf_1', 'w1', { ordersDone: 9 }, at(3))).toBeNull();

      // Finished: no longer claimable or orphaned; a new one replaces it from zero.
      await scope.shopifyBackfill.update(
        'bf_1',
        'w2',
        { state: 'done', phase: 'done', finishedAt: at(4) },
        at(4),
      );
      expect(await scope.shopifyBackfill.claim('bf_1', 'w2', at(9), at(8))).toBeNull();
      expect(await orphans(at(10))).toEqual([]);
      const next = await scope.shopifyBackfill.start({
        id: 'bf_2',
        since: at(-60),
        ordersMode: 'bulk',
        worker: 'w3',
        leaseUntil: at(11),
        now: at(10),
      });
      expect(next).toMatchObject({
        id: 'bf_2',
        state: 'running',
        phase: 'customers',
        ordersDone: 0,
        ordersMode: 'bulk',
        finishedAt: null,
      });
      expect((await scope.shopifyBackfill.get())?.ordersMode).toBe('bulk');
    });
  });
}
