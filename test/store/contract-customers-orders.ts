import type { NewOrder, ProgramScope } from '../../src/store/port.js';
import {
  at,
  entry,
  newCustomer,
  newProgram,
  outcome,
  type StoreRef,
  T0,
  uid,
  ZERO,
} from './contract-fixtures.js';

export function order(id: string, customerId: string, overrides: Partial<NewOrder> = {}): NewOrder {
  return {
    id,
    customerId,
    amount: 10_000,
    placedAt: at(-60),
    earnedAt: T0,
    pointsAwarded: 1500,
    requestHash: 'h1',
    response: { orderId: id, points: 1500 },
    ...overrides,
  };
}

/** Customers, orders, refunds and idempotency records. */
export function customerOrderContract(store: StoreRef): void {
  describe('customers, orders and idempotency', () => {
    let scope: ProgramScope;
    beforeEach(async () => {
      scope = await newProgram(store());
    });

    describe('customers', () => {
      it('creates with empty balances and defaults, then patches only the given fields', async () => {
        const created = await scope.customers.upsert('c1', { email: 'a@example.com', tags: ['vip'] }, T0);
        expect(created).toEqual({
          created: true,
          stale: false,
          record: {
            id: 'c1',
            email: 'a@example.com',
            name: null,
            tags: ['vip'],
            segments: [],
            tierId: null,
            tierTags: [],
            balances: ZERO,
            carrySince: T0,
            lastEarnedAt: null,
            tierSince: T0,
            lastChangeReason: null,
            bonusedTierIds: [],
            createdAt: T0,
            updatedAt: T0,
          },
        });
        const patched = await scope.customers.upsert(
          'c1',
          { name: 'Ann', segments: ['b2b', 'eu, west'] },
          at(1),
        );
        expect(patched.created).toBe(false);
        expect(patched.record).toMatchObject({
          email: 'a@example.com',
          name: 'Ann',
          tags: ['vip'],
          segments: ['b2b', 'eu, west'],
          createdAt: T0,
          updatedAt: at(1),
        });
        const cleared = await scope.customers.upsert('c1', { email: null, tags: [] }, at(2));
        expect(cleared.record).toMatchObject({ email: null, name: 'Ann', tags: [] });
        expect(await scope.customers.get('c1')).toEqual(cleared.record);
        expect(await scope.customers.get('nobody')).toBeNull();
      });

      it('leaves email, name and tags when the stored source time is later (told stale); segments and untimed writes apply', async () => {
        const inserted = await scope.customers.upsert(
          'c2',
          { email: 'new@example.com', tags: ['vip'], sourceUpdatedAt: at(-60) },
          T0,
        );
        // A new customer is never stale.
        expect(inserted).toMatchObject({ created: true, stale: false });
        const stale = await scope.customers.upsert(
          'c2',
          { email: 'old@example.com', name: 'Old', tags: [], segments: ['s1'], sourceUpdatedAt: at(-120) },
          at(1),
        );
        expect(stale).toMatchObject({ created: false, stale: true });
        expect(stale.record).toMatchObject({
          email: 'new@example.com',
          name: null,
          tags: ['vip'],
          segments: ['s1'],
          updatedAt: at(1),
        });
        const staleOnly = await scope.customers.upsert(
          'c2',
          { name: 'Old', sourceUpdatedAt: at(-120) },
          at(2),
        );
        expect(staleOnly.stale).toBe(true);
        expect(staleOnly.record).toMatchObject({ name: null, updatedAt: at(1) });
        // Nothing of it was written.
        expect(await scope.customers.get('c2')).toEqual(staleOnly.record);
        // The same time applies (a redelivery of the applied write, or another field of it).
        const same = await scope.customers.upsert('c2', { name: 'Same', sourceUpdatedAt: at(-60) }, at(3));
        expect(same.stale).toBe(false);
        expect(same.record).toMatchObject({ name: 'Same', email: 'new@example.com' });
        // A write without a time (the API) applies, and the stored time stays: older ones stay out.
        const untimed = await scope.customers.upsert('c2', { email: 'api@example.com' }, at(4));
        expect(untimed.stale).toBe(false);
        const after = await scope.customers.upsert(
          'c2',
          { email: 'old@example.com', sourceUpdatedAt: at(-90) },
          at(5),
        );
        expect(after.stale).toBe(true);
        expect(after.record).toMatchObject({ email: 'api@example.com', updatedAt: at(4) });
        const later = await scope.customers.upsert('c2', { tags: ['x'], sourceUpdatedAt: at(-30) }, at(6));
        expect(later.stale).toBe(false);
        expect(later.record).toMatchObject({ email: 'api@example.com', tags: ['x'], updatedAt: at(6) });
        expect(await scope.customers.get('c2')).toEqual(later.record);
      });

      it('locks inside a transaction, null when missing', async () => {
        const id = await newCustomer(scope);
        const [found, missing] = await scope.transaction(async (tx) => [
          await tx.customers.lock(id),
          await tx.customers.lock('nobody'),
        ]);
        expect(found?.id).toBe(id);
        expect(missing).toBeNull();
      });
    });

    describe('orders and refunds', () => {
      it('inserts once and reports the existing order on replay', async () => {
        const cid = await newCustomer(scope);
        expect(await scope.transaction((tx) => tx.orders.insert(order('o1', cid)))).toEqual({
          inserted: true,
        });
        const stored = await scope.orders.get('o1');
        expect(stored).toEqual({
          ...order('o1', cid),
          refundedAmount: 0,
          pointsReversed: 0,
          createdAt: expect.any(Date),
        });
        const replay = await scope.transaction((tx) =>
          tx.orders.insert(order('o1', cid, { requestHash: 'h2' })),
        );
        expect(replay).toEqual({ inserted: false, existing: stored });
        expect(await scope.orders.get('o2')).toBeNull();
      });

      it('appends the entries with a new order in one write, and nothing on a replay', async () => {
        const cid = await newCustomer(scope);
        const entries = [
          entry(
            'order:o1',
            { current: 120, carry: 120, lifetimeEarned: 120, lifetimeSpend: 12000 },
            { orderId: 'o1' },
          ),
          entry('bonus:o1', { current: 500, carry: 500, lifetimeEarned: 500 }, { type: 'bonus' }),
        ];
        const first = await scope.transaction((tx) =>
          tx.outcomes.storeWithOrder(order('o1', cid), outcome(cid, { entries })),
        );
        expect(first).toEqual({ inserted: true });
        const after = { current: 620, carry: 620, lifetimeEarned: 620, lifetimeSpend: 12000 };
        expect((await scope.customers.get(cid))?.balances).toEqual(after);
        expect(await scope.ledger.sum(cid)).toEqual(after);
        // A replay, even with other entries, writes nothing and reports the stored order.
        const replay = await scope.transaction((tx) =>
          tx.outcomes.storeWithOrder(
            order('o1', cid, { requestHash: 'h2' }),
            outcome(cid, {
              entries: [entry('order:o1-again', { current: 999, lifetimeSpend: 1 }, { orderId: 'o1' })],
            }),
          ),
        );
        expect(replay).toMatchObject({
          inserted: false,
          existing: { id: 'o1', requestHash: order('o1', cid).requestHash },
        });
        expect((await scope.customers.get(cid))?.balances).toEqual(after);
        expect((await scope.ledger.list(cid, { limit: 10 })).items.map((e) => e.key).sort()).toEqual([
          'bonus:o1',
          'order:o1',
        ]);
      });

      it('records refunds and their effect on the order', async () => {
        const cid = await newCustomer(scope);
        await scope.transaction(async (tx) => {
          await tx.orders.insert(order('o1', cid));
          const refund = { id: 'r1', orderId: 'o1', amount: 4000, requestHash: 'rh', response: { ok: true } };
          expect(await tx.refunds.insert(refund)).toEqual({ inserted: true });
          await tx.orders.updateRefunded('o1', 4000, 600);
          const replay = await tx.refunds.insert({ ...refund, amount: 1 });
          expect(replay).toEqual({ inserted: false, existing: { ...refund, createdAt: expect.any(Date) } });
          expect(await tx.refunds.get('r1')).toEqual(replay.inserted ? null : replay.existing);
          expect(await tx.refunds.get('r2')).toBeNull();
        });
        expect(await scope.orders.get('o1')).toMatchObject({ refundedAmount: 4000, pointsReversed: 600 });
        await expect(scope.transaction((tx) => tx.orders.updateRefunded('nope', 1, 0))).rejects.toThrow();
      });
    });

    describe('idempotency records', () => {
      it('stores a response once and returns it on replay', async () => {
        const key = uid('idem');
        const rec = { key, requestHash: 'abc', status: 201, response: { id: 'x', list: [1, 2] } };
        expect(await scope.transaction((tx) => tx.idempotency.insert(rec))).toEqual({ inserted: true });
        const stored = await scope.idempotency.get(key);
        expect(stored).toEqual({ ...rec, createdAt: expect.any(Date) });
        const replay = await scope.transaction((tx) => tx.idempotency.insert({ ...rec, status: 500 }));
        expect(replay).toEqual({ inserted: false, existing: stored });
        expect(await scope.idempotency.get('other')).toBeNull();
      });
    });
  });
}
