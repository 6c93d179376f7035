import type { ProgramScope, Store } from '../../src/store/port.js';
import { order } from './contract-customers-orders.js';
import {
  appendEntries,
  entry,
  newCustomer,
  newProgram,
  outcome,
  type StoreRef,
} from './contract-fixtures.js';

/** An order with its earn entry, as the order path writes it (`outcomes.storeWithOrder`). */
function earnOrder(scope: ProgramScope, id: string, customerId: string, points: number) {
  return scope.customerTransaction(customerId, async (tx) => {
    const locked = await tx.customers.lock(customerId);
    if (!locked) throw new Error(`no customer ${customerId}`);
    const inserted = await tx.outcomes.storeWithOrder(
      order(id, customerId, { requestHash: `h-${id}-${customerId}` }),
      outcome(customerId, {
        entries: [entry(`order:${id}:${customerId}`, { current: points, lifetimeSpend: 10_000 })],
      }),
    );
    return { inserted: inserted.inserted, before: locked.balances.current };
  });
}

function delta(before: ReturnType<Store['groupCommitStats']>, after: ReturnType<Store['groupCommitStats']>) {
  return {
    transactions: after.transactions - before.transactions,
    units: after.units - before.units,
    rerun: after.rerun - before.rerun,
  };
}

/**
 * `customerTransaction`: units of different customers may share a database transaction (group
 * commit); each must end exactly as if it had run alone.
 */
export function groupCommitContract(store: StoreRef): void {
  describe('customer transactions (group commit)', () => {
    it('commits concurrent units of 40 customers in fewer transactions, each as if alone', async () => {
      const scope = await newProgram(store());
      const ids = await Promise.all(Array.from({ length: 40 }, () => newCustomer(scope)));
      const before = store().groupCommitStats();
      const results = await Promise.all(ids.map((cid, i) => earnOrder(scope, `o${i}`, cid, 10 + i)));
      const stats = delta(before, store().groupCommitStats());
      expect(results).toEqual(ids.map(() => ({ inserted: true, before: 0 })));
      expect(stats.units).toBe(40);
      expect(stats.rerun).toBe(0);
      expect(stats.transactions).toBeLessThan(40);
      for (const [i, cid] of ids.entries()) {
        const c = await scope.customers.get(cid);
        expect(c?.balances).toEqual({ current: 10 + i, carry: 0, lifetimeEarned: 0, lifetimeSpend: 10_000 });
        expect(await scope.ledger.sum(cid)).toEqual(c?.balances);
        expect((await scope.orders.get(`o${i}`))?.customerId).toBe(cid);
      }
    });

    it('rolls back only the unit that throws; the others of its group commit', async () => {
      const scope = await newProgram(store());
      const ids = await Promise.all(Array.from({ length: 20 }, () => newCustomer(scope)));
      const before = store().groupCommitStats();
      const outcomes = await Promise.allSettled(
        ids.map((cid, i) =>
          scope.customerTransaction(cid, async (tx) => {
            await tx.customers.lock(cid);
            await tx.outcomes.storeWithOrder(
              order(`t${i}`, cid),
              outcome(cid, { entries: [entry(`order:t${i}`, { current: 5, lifetimeSpend: 10_000 })] }),
            );
            if (i === 7) throw new Error('unit 7 fails after writing');
            return i;
          }),
        ),
      );
      const stats = delta(before, store().groupCommitStats());
      expect(stats.rerun).toBeGreaterThan(0);
      for (const [i, cid] of ids.entries()) {
        const c = await scope.customers.get(cid);
        if (i === 7) {
          expect(outcomes[i]).toEqual({
            status: 'rejected',
            reason: new Error('unit 7 fails after writing'),
          });
          expect(c?.balances.current).toBe(0);
          expect(await scope.orders.get('t7')).toBeNull();
          expect((await scope.ledger.list(cid, { limit: 5 })).items).toEqual([]);
        } else {
          expect(outcomes[i]).toEqual({ status: 'fulfilled', value: i });
          expect(c?.balances.current).toBe(5);
          expect(await scope.ledger.sum(cid)).toEqual(c?.balances);
        }
      }
    });

    it('rolls back only the unit whose statement fails (a duplicate ledger key)', async () => {
      const scope = await newProgram(store());
      const ids = await Promise.all(Array.from({ length: 12 }, () => newCustomer(scope)));
      const dup = ids[5] as string;
      await scope.transaction((tx) => appendEntries(tx, dup, [entry('taken', { current: 1 })]));
      const outcomes = await Promise.allSettled(
        ids.map((cid) =>
          scope.customerTransaction(cid, async (tx) => {
            await tx.customers.lock(cid);
            // Every unit appends, the sixth with a key it already used: a unique violation,
            // after which every later statement of the shared transaction fails too.
            await appendEntries(tx, cid, [entry(cid === dup ? 'taken' : `k-${cid}`, { current: 3 })]);
            return (await tx.ledger.sum(cid)).current;
          }),
        ),
      );
      for (const [i, cid] of ids.entries()) {
        const c = await scope.customers.get(cid);
        if (cid === dup) {
          expect(outcomes[i]?.status).toBe('rejected');
          expect(c?.balances.current).toBe(1);
        } else {
          expect(outcomes[i]).toEqual({ status: 'fulfilled', value: 3 });
          expect(c?.balances.current).toBe(3);
        }
      }
    });

    it('runs the units of one customer one at a time among others', async () => {
      const scope = await newProgram(store());
      const ids = await Promise.all(Array.from({ length: 3 }, () => newCustomer(scope)));
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) => {
          const cid = ids[i % 3] as string;
          return scope.customerTransaction(cid, async (tx) => {
            const locked = await tx.customers.lock(cid);
            const balances = await appendEntries(tx, cid, [entry(`s${i}`, { current: 10 })]);
            // Under the lock nobody else moved the balance between our read and our write.
            expect(balances.current).toBe((locked?.balances.current ?? Number.NaN) + 10);
            return balances.current;
          });
        }),
      );
      expect(new Set(results).size).toBe(20);
      for (const cid of ids) {
        const c = await scope.customers.get(cid);
        expect(c?.balances.current).toBe(200);
        expect(await scope.ledger.sum(cid)).toEqual(c?.balances);
      }
    });

    it('answers replays and ids taken by another customer in a group as alone', async () => {
      const scope = await newProgram(store());
      const ids = await Promise.all(Array.from({ length: 8 }, () => newCustomer(scope)));
      const [a, b, c] = ids as [string, string, string];
      await earnOrder(scope, 'old', a, 7);
      const results = await Promise.all([
        ...ids.slice(3).map((cid, i) => earnOrder(scope, `n${i}`, cid, 1)),
        earnOrder(scope, 'old', a, 7), // a replay
        earnOrder(scope, 'shared', b, 2),
        earnOrder(scope, 'shared', c, 3), // same order id, another customer: not inserted
      ]);
      expect(results.slice(0, 5).every((r) => r.inserted)).toBe(true);
      expect(results[5]).toEqual({ inserted: false, before: 7 });
      expect([results[6]?.inserted, results[7]?.inserted].sort()).toEqual([false, true]);
      const shared = await scope.orders.get('shared');
      const winner = shared?.customerId;
      const loser = winner === b ? c : b;
      expect([b, c]).toContain(winner);
      expect((await scope.customers.get(a))?.balances.current).toBe(7);
      expect((await scope.customers.get(loser))?.balances.current).toBe(0);
      expect((await scope.customers.get(winner as string))?.balances.current).toBe(winner === b ? 2 : 3);
      for (const cid of ids)
        expect(await scope.ledger.sum(cid)).toEqual((await scope.customers.get(cid))?.balances);
    });

    it('groups customers whose ids hold quotes, backslashes and SQL', async () => {
      const scope = await newProgram(store());
      const ids = ["o'brien", 'back\\slash', "\\'; DROP TABLE customers; --", 'plain', "E'x'"];
      for (const id of ids) await newCustomer(scope, id);
      const results = await Promise.all([
        ...ids.map((cid, i) => earnOrder(scope, `q${i}`, cid, 3)),
        ...ids.map((cid, i) => earnOrder(scope, `r${i}`, cid, 4)),
      ]);
      expect(results.every((r) => r.inserted)).toBe(true);
      for (const cid of ids) expect((await scope.customers.get(cid))?.balances.current).toBe(7);
    });

    it('answers a unit whose customer does not exist with null, beside others', async () => {
      const scope = await newProgram(store());
      const ids = await Promise.all(Array.from({ length: 6 }, () => newCustomer(scope)));
      const all = [...ids.slice(0, 3), 'nobody', ...ids.slice(3)];
      const results = await Promise.all(
        all.map((cid) =>
          scope.customerTransaction(cid, async (tx) => (await tx.customers.lock(cid))?.id ?? null),
        ),
      );
      expect(results).toEqual([...ids.slice(0, 3), null, ...ids.slice(3)]);
    });
  });
}
