import type { OutboxKind } from '../../src/store/outbox-port.js';
import type { ProgramScope } from '../../src/store/port.js';
import { order } from './contract-customers-orders.js';
import {
  at,
  entry,
  newCustomer,
  newProgram,
  outcome,
  type StoreRef,
  subscribe,
  T0,
  uid,
} from './contract-fixtures.js';

/**
 * Storing decided outcomes (src/store/outcome-port.ts, docs/decisions/0038): what the adapter
 * writes for an outcome, exactly — entries and balances, placement, change, closed cycle, pass
 * refreshes for the passes held, events with their deliveries — all or nothing.
 */
export function outcomeContract(store: StoreRef): void {
  describe('outcomes', () => {
    let scope: ProgramScope;
    let subscriptionId: string;
    const claimOutbox = async (kind: OutboxKind) =>
      (await store().outbox.claim(kind, 1000, 60_000)).filter((i) => i.programId === scope.programId);
    const claimDeliveries = () =>
      store().webhookDeliveries.claim({
        limit: 100,
        leaseMs: 60_000,
        now: at(10_000),
        programId: scope.programId,
      });
    const placement = {
      tierId: null,
      tierTags: ['vip'],
      tierSince: at(5),
      lastChangeReason: 'qualified' as const,
      bonusedTierIds: [],
    };
    const upgraded = (customerId: string) => ({
      customerId,
      type: 'tier.upgraded' as const,
      data: {
        to: { id: 't', title: 'T' },
        customer: { id: customerId, email: 'x@example.com' },
        balances: { current: 1 },
      },
      at: at(5),
    });
    beforeEach(async () => {
      scope = await newProgram(store());
      subscriptionId = await subscribe(scope, ['tier.upgraded']);
    });

    it('stores entries, balances, placement, change and closed cycle as given', async () => {
      const cid = await newCustomer(scope);
      await scope.customerTransaction(cid, async (tx) => {
        await tx.customers.lock(cid);
        await tx.outcomes.store(
          outcome(cid, {
            at: at(5),
            entries: [
              entry(
                'earn',
                { current: 100, carry: 100, lifetimeEarned: 100, lifetimeSpend: 9_000 },
                { at: at(5) },
              ),
              entry('bonus', { current: 40 }, { type: 'bonus', at: at(5) }),
            ],
            placement,
            change: {
              customerId: cid,
              fromTierId: null,
              toTierId: null,
              direction: 'up',
              reason: 'qualified',
              facts: { why: 'test' },
              at: at(5),
            },
            cycleClosedAt: at(4),
          }),
        );
      });
      const c = await scope.customers.get(cid);
      expect(c?.balances).toEqual({ current: 140, carry: 100, lifetimeEarned: 100, lifetimeSpend: 9_000 });
      expect(await scope.ledger.sum(cid)).toEqual(c?.balances);
      expect(c).toMatchObject({ ...placement, lastEarnedAt: at(5), carrySince: at(4), updatedAt: at(5) });
      expect((await scope.ledger.list(cid, { limit: 10 })).items.map((e) => e.key)).toEqual([
        'bonus',
        'earn',
      ]);
      expect((await scope.tierChanges.list(cid, { limit: 10 })).items).toEqual([
        expect.objectContaining({
          customerId: cid,
          direction: 'up',
          reason: 'qualified',
          facts: { why: 'test' },
          at: at(5),
        }),
      ]);
    });

    it('stores nothing of an outcome whose ledger key exists', async () => {
      const cid = await newCustomer(scope);
      await scope.transaction((tx) =>
        tx.outcomes.store(outcome(cid, { entries: [entry('taken', { current: 1 })] })),
      );
      await expect(
        scope.transaction((tx) =>
          tx.outcomes.store(
            outcome(cid, {
              at: at(5),
              entries: [entry('fresh', { current: 5 }), entry('taken', { current: 7 })],
              placement,
              events: [upgraded(cid)],
              passes: ['apple', 'google'],
            }),
          ),
        ),
      ).rejects.toThrow();
      const c = await scope.customers.get(cid);
      expect(c?.balances.current).toBe(1);
      expect(c?.tierTags).toEqual([]);
      expect(await claimDeliveries()).toEqual([]);
    });

    it('queues a refresh only for the passes the customer holds and the kinds asked for', async () => {
      const plain = await newCustomer(scope);
      const google = await newCustomer(scope);
      await scope.googleWallet.ensureObject(google, `issuer.${uid('obj')}`, T0);
      const both = await newCustomer(scope);
      await scope.googleWallet.ensureObject(both, `issuer.${uid('obj')}`, T0);
      const pass = await scope.passes.ensure(
        both,
        { serial: `${scope.programId}.${uid('s')}`, authTokenHash: uid('h') },
        T0,
      );
      await scope.passRegistrations.register(uid('device'), pass.serial, uid('token'), T0);
      const unregistered = await newCustomer(scope);
      await scope.passes.ensure(
        unregistered,
        { serial: `${scope.programId}.${uid('s')}`, authTokenHash: uid('h') },
        T0,
      );
      for (const cid of [plain, google, both, unregistered]) {
        await scope.transaction((tx) => tx.outcomes.store(outcome(cid, { passes: ['apple', 'google'] })));
      }
      // Asked for nothing: nothing queued.
      await scope.transaction((tx) => tx.outcomes.store(outcome(both, { passes: [] })));
      expect((await claimOutbox('apple_pass_changed')).map((i) => i.customerId)).toEqual([both]);
      expect((await claimOutbox('google_object_changed')).map((i) => i.customerId).sort()).toEqual(
        [both, google].sort(),
      );
      await scope.transaction((tx) => tx.outcomes.store(outcome(both, { passes: ['google'] })));
      expect(await claimOutbox('apple_pass_changed')).toEqual([]);
      expect((await claimOutbox('google_object_changed')).map((i) => i.customerId)).toEqual([both]);
    });

    it('stores events as given, with a delivery per enabled subscription that wants them', async () => {
      const cid = await newCustomer(scope);
      await scope.transaction((tx) =>
        tx.outcomes.store(
          outcome(cid, {
            at: at(5),
            events: [
              upgraded(cid),
              { customerId: cid, type: 'tier.downgraded', data: { nobody: 'wants this' }, at: at(5) },
            ],
          }),
        ),
      );
      const claimed = await claimDeliveries();
      expect(claimed).toHaveLength(1);
      expect(claimed[0]).toMatchObject({
        subscriptionId,
        customerId: cid,
        event: { type: 'tier.upgraded', data: upgraded(cid).data, occurredAt: at(5) },
      });
      // A row that moved nothing keeps its balances and updatedAt.
      expect((await scope.customers.get(cid))?.updatedAt).toEqual(T0);
    });

    it('stores an order with its outcome once; a replayed order stores nothing', async () => {
      const cid = await newCustomer(scope);
      const earn = outcome(cid, {
        at: at(1),
        entries: [entry(`order:${cid}`, { current: 10 }, { at: at(1) })],
        events: [upgraded(cid)],
      });
      const first = await scope.customerTransaction(cid, (tx) =>
        tx.outcomes.storeWithOrder(order('o1', cid), earn),
      );
      expect(first).toEqual({ inserted: true });
      const again = await scope.customerTransaction(cid, (tx) =>
        tx.outcomes.storeWithOrder(order('o1', cid, { requestHash: 'h2' }), {
          ...earn,
          entries: [entry('other', { current: 99 })],
        }),
      );
      expect(again).toMatchObject({ inserted: false, existing: { id: 'o1', requestHash: 'h1' } });
      expect((await scope.customers.get(cid))?.balances.current).toBe(10);
      expect(await claimDeliveries()).toHaveLength(1);
    });
  });
}
