import { order } from './contract-customers-orders.js';
import {
  appendEntries,
  entry,
  newCustomer,
  newProgram,
  type StoreRef,
  T0,
  tierInput,
} from './contract-fixtures.js';

/** Atomicity, per-customer serialisation, duplicate-free inserts under concurrency, tenancy. */
export function transactionContract(store: StoreRef): void {
  describe('transactions', () => {
    it('returns the result of the unit of work', async () => {
      const scope = await newProgram(store());
      expect(await scope.transaction(async () => 42)).toBe(42);
    });

    it('rolls everything back when the unit of work throws', async () => {
      const scope = await newProgram(store());
      const existing = await newCustomer(scope);
      await expect(
        scope.transaction(async (tx) => {
          await tx.customers.upsert('new-customer', { name: 'N' }, T0);
          await tx.customers.lock(existing);
          await tx.orders.insert(order('o1', existing));
          await appendEntries(tx, existing, [entry('e1', { current: 100, lifetimeSpend: 10_000 })]);
          await tx.idempotency.insert({ key: 'k', requestHash: 'h', status: 200, response: {} });
          await tx.tiers.create('gold', tierInput('Gold'), T0);
          await tx.program.update({ name: 'Changed' }, T0);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await scope.customers.get('new-customer')).toBeNull();
      expect(await scope.orders.get('o1')).toBeNull();
      expect((await scope.customers.get(existing))?.balances.current).toBe(0);
      expect((await scope.ledger.list(existing, { limit: 10 })).items).toEqual([]);
      expect(await scope.idempotency.get('k')).toBeNull();
      expect(await scope.tiers.list()).toEqual([]);
      expect((await scope.program.get()).name).not.toBe('Changed');
    });

    it('serialises 50 concurrent transactions on one customer: balances equal the ledger', async () => {
      const scope = await newProgram(store());
      const cid = await newCustomer(scope);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          scope.transaction(async (tx) => {
            const locked = await tx.customers.lock(cid);
            const balances = await appendEntries(tx, cid, [entry(`c${i}`, { current: 10 })]);
            // Under the lock nobody else moved the balance between our read and our write.
            expect(balances.current).toBe((locked?.balances.current ?? Number.NaN) + 10);
            return balances.current;
          }),
        ),
      );
      expect(new Set(results).size).toBe(50);
      const customer = await scope.customers.get(cid);
      expect(customer?.balances.current).toBe(500);
      expect(await scope.ledger.sum(cid)).toEqual(customer?.balances);
    });

    it('inserts an order exactly once under 50 concurrent attempts', async () => {
      const scope = await newProgram(store());
      const cid = await newCustomer(scope);
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          scope.transaction(async (tx) => {
            await tx.customers.lock(cid);
            return tx.orders.insert(order('same', cid, { requestHash: `h${i}` }));
          }),
        ),
      );
      const inserted = outcomes.filter((o) => o.inserted);
      expect(inserted).toHaveLength(1);
      const stored = await scope.orders.get('same');
      for (const o of outcomes) if (!o.inserted) expect(o.existing).toEqual(stored);
    });
  });

  describe('tenancy', () => {
    it("never shows one program's records through another program's scope", async () => {
      const a = await newProgram(store());
      const b = await newProgram(store());
      const cid = await newCustomer(a, 'shared-id');
      await a.transaction(async (tx) => {
        await tx.tiers.create('gold', tierInput('Gold'), T0);
        await tx.orders.insert(order('o1', cid));
        await tx.refunds.insert({ id: 'r1', orderId: 'o1', amount: 1, requestHash: 'h', response: null });
        await tx.idempotency.insert({ key: 'k1', requestHash: 'h', status: 200, response: {} });
        await appendEntries(tx, cid, [entry('e1', { current: 10 })]);
      });

      expect(await b.customers.get(cid)).toBeNull();
      expect(await b.orders.get('o1')).toBeNull();
      expect(await b.tiers.get('gold')).toBeNull();
      expect(await b.tiers.list()).toEqual([]);
      expect(await b.idempotency.get('k1')).toBeNull();
      expect((await b.ledger.list(cid, { limit: 10 })).items).toEqual([]);
      await b.transaction(async (tx) => {
        expect(await tx.customers.lock(cid)).toBeNull();
        expect(await tx.refunds.get('r1')).toBeNull();
        expect(await tx.tiers.remove('gold', T0)).toBe(false);
        expect(await tx.tiers.update('gold', tierInput('Stolen'), T0)).toBeNull();
      });
      await expect(b.tiers.reorder(['gold'], T0)).rejects.toThrow();
      await expect(
        b.transaction((tx) => appendEntries(tx, cid, [entry('e2', { current: 1 })])),
      ).rejects.toThrow();

      // The same ids are free in program B: each program is its own namespace.
      const again = await newCustomer(b, 'shared-id');
      expect(await b.transaction((tx) => tx.orders.insert(order('o1', again)))).toEqual({ inserted: true });
      expect((await a.tiers.get('gold'))?.title).toBe('Gold');
      expect((await a.customers.get(cid))?.balances.current).toBe(10);
    });
  });
}
