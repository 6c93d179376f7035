import type { ProgramScope } from '../../src/store/port.js';
import {
  appendEntries,
  at,
  entry,
  newCustomer,
  newProgram,
  outcome,
  type StoreRef,
  T0,
  ZERO,
} from './contract-fixtures.js';

/** Ledger: append moves balances by the deltas, listing newest first with keyset pages. */
export function ledgerContract(store: StoreRef): void {
  describe('ledger', () => {
    let scope: ProgramScope;
    let cid: string;
    beforeEach(async () => {
      scope = await newProgram(store());
      cid = await newCustomer(scope);
    });

    it('appends entries and moves balances by their summed deltas', async () => {
      const earn = entry(
        'order:o1',
        { current: 1500, carry: 1500, lifetimeEarned: 1500, lifetimeSpend: 10_000 },
        { orderId: 'o1', base: 1000, multiplier: '1.5', points: 1500, tierId: 'gold', at: at(10) },
      );
      const bonus = entry(
        'bonus:gold',
        { current: 500 },
        { type: 'bonus', reason: 'tier bonus', tierId: 'gold' },
      );
      const balances = await scope.transaction(async (tx) => {
        await tx.customers.lock(cid);
        return appendEntries(tx, cid, [earn, bonus]);
      });
      expect(balances).toEqual({ current: 2000, carry: 1500, lifetimeEarned: 1500, lifetimeSpend: 10_000 });
      expect((await scope.customers.get(cid))?.balances).toEqual(balances);
      expect(await scope.ledger.sum(cid)).toEqual(balances);

      const { items, nextCursor } = await scope.ledger.list(cid, { limit: 10 });
      expect(nextCursor).toBeNull();
      expect(items).toEqual([
        { ...bonus, id: expect.any(String), customerId: cid, createdAt: expect.any(Date) },
        { ...earn, id: expect.any(String), customerId: cid, createdAt: expect.any(Date) },
      ]);
      expect(BigInt(items[0]?.id ?? 0)).toBeGreaterThan(BigInt(items[1]?.id ?? 0));
    });

    it('lets current go negative, sets lastEarnedAt from the entries and carrySince from a closed cycle', async () => {
      await scope.transaction((tx) =>
        appendEntries(tx, cid, [entry('e1', { current: 100, lifetimeEarned: 100 })]),
      );
      const after = await scope.transaction(async (tx) => {
        await tx.outcomes.store(
          outcome(cid, {
            entries: [
              entry('e2', { current: 50, carry: 50, lifetimeEarned: 50 }, { at: at(30) }),
              entry('redeem', { current: -300 }, { type: 'redeem', at: at(40) }),
              entry('reset', { carry: -50 }, { type: 'carry_reset', at: at(45) }),
            ],
            cycleClosedAt: at(45),
          }),
        );
        return tx.customers.get(cid);
      });
      expect(after?.balances).toEqual({ current: -150, carry: 0, lifetimeEarned: 150, lifetimeSpend: 0 });
      expect(after?.lastEarnedAt).toEqual(at(30));
      expect(after?.carrySince).toEqual(at(45));
      expect(await scope.ledger.sum(cid)).toEqual(after?.balances);
    });

    it('returns unchanged balances for no entries', async () => {
      await scope.transaction((tx) => appendEntries(tx, cid, [entry('e1', { current: 7 })]));
      expect(await scope.transaction((tx) => appendEntries(tx, cid, []))).toEqual({ ...ZERO, current: 7 });
    });

    it('rejects a key used before and writes nothing of that append', async () => {
      await scope.transaction((tx) => appendEntries(tx, cid, [entry('dup', { current: 10 })]));
      await expect(
        scope.transaction((tx) =>
          appendEntries(tx, cid, [entry('fresh', { current: 5 }), entry('dup', { current: 10 })]),
        ),
      ).rejects.toThrow();
      expect((await scope.customers.get(cid))?.balances.current).toBe(10);
      expect((await scope.ledger.list(cid, { limit: 10 })).items.map((e) => e.key)).toEqual(['dup']);
    });

    it('rejects entries for an unknown customer', async () => {
      await expect(
        scope.transaction((tx) => appendEntries(tx, 'nobody', [entry('x', { current: 1 })])),
      ).rejects.toThrow();
      await expect(scope.transaction((tx) => appendEntries(tx, 'nobody', []))).rejects.toThrow();
    });

    it('pages newest first with an opaque cursor', async () => {
      const entries = Array.from({ length: 5 }, (_, i) => entry(`k${i}`, { current: i + 1 }, { at: at(i) }));
      await scope.transaction((tx) => appendEntries(tx, cid, entries));
      const other = await newCustomer(scope);
      await scope.transaction((tx) => appendEntries(tx, other, [entry('other', { current: 1 })]));

      const keys: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await scope.ledger.list(cid, { limit: 2, cursor });
        keys.push(page.items.map((e) => e.key));
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      expect(keys).toEqual([['k4', 'k3'], ['k2', 'k1'], ['k0']]);

      const exact = await scope.ledger.list(cid, { limit: 5 });
      expect(exact.items).toHaveLength(5);
      expect(exact.nextCursor).toBeNull();
      expect((await scope.ledger.list('nobody', { limit: 5 })).items).toEqual([]);
      await expect(scope.ledger.list(cid, { limit: 2, cursor: 'not-a-cursor' })).rejects.toThrow();
    });

    it('sums to zero for a customer without entries', async () => {
      expect(await scope.ledger.sum(cid)).toEqual(ZERO);
      expect((await scope.customers.get(cid))?.carrySince).toEqual(T0);
    });
  });
}
