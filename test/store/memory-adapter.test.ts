/**
 * What the in-memory adapter does beyond the shared contract (docs/decisions/0037): writes wait
 * for the unit that holds what they write, so a rolled-back insert never shows up as "existing";
 * leases and due times follow the store's clock.
 */
import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import type { Store } from '../../src/store/port.js';
import { order } from './contract-customers-orders.js';
import { entry, newCustomer, newProgram, outcome } from './contract-fixtures.js';

describe('in-memory adapter', () => {
  let store: Store;
  let clock: number;
  beforeEach(() => {
    clock = Date.parse('2025-03-01T12:00:00Z');
    store = createMemoryStore({ now: () => clock });
  });
  afterEach(() => store.close());

  it('makes a concurrent insert of the same order id wait for the first unit, which rolls back', async () => {
    const scope = await newProgram(store);
    const cid = await newCustomer(scope);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = scope.transaction(async (tx) => {
      expect(await tx.orders.insert(order('o1', cid))).toEqual({ inserted: true });
      await held;
      throw new Error('first unit fails');
    });
    const second = scope.transaction((tx) => tx.orders.insert(order('o1', cid, { requestHash: 'h2' })));
    await new Promise((r) => setTimeout(r, 20));
    release();
    await expect(first).rejects.toThrow('first unit fails');
    expect(await second).toEqual({ inserted: true });
    expect((await scope.orders.get('o1'))?.requestHash).toBe('h2');
  });

  it('makes a merchant-field upsert wait for the unit holding the customer; a rollback keeps balances = ledger', async () => {
    const scope = await newProgram(store);
    const cid = await newCustomer(scope);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const earning = scope.transaction(async (tx) => {
      await tx.customers.lock(cid);
      await tx.outcomes.store(outcome(cid, { entries: [entry('e1', { current: 50 })] }));
      await held;
      throw new Error('rolled back');
    });
    const renaming = scope.transaction((tx) => tx.customers.upsert(cid, { name: 'Ann' }, new Date(clock)));
    await new Promise((r) => setTimeout(r, 20));
    release();
    await expect(earning).rejects.toThrow('rolled back');
    expect((await renaming).record.balances.current).toBe(0);
    const c = await scope.customers.get(cid);
    expect(c).toMatchObject({ name: 'Ann', balances: { current: 0 } });
    expect(await scope.ledger.sum(cid)).toEqual(c?.balances);
  });

  it('judges outbox leases by the store clock', async () => {
    const scope = await newProgram(store);
    const cid = await newCustomer(scope);
    await scope.googleWallet.ensureObject(cid, 'issuer.o1', new Date(clock));
    await scope.transaction((tx) => tx.outcomes.store(outcome(cid, { passes: ['google'] })));
    const [item] = await store.outbox.claim('google_object_changed', 10, 60_000);
    expect(item?.customerId).toBe(cid);
    clock += 59_999;
    expect(await store.outbox.claim('google_object_changed', 10, 60_000)).toEqual([]);
    clock += 2;
    expect((await store.outbox.claim('google_object_changed', 10, 60_000)).map((i) => i.id)).toEqual([
      item?.id,
    ]);
  });
});
