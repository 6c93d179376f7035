import type { OutboxItem } from '../../src/store/outbox-port.js';
import type { ProgramScope } from '../../src/store/port.js';
import { at, newCustomer, newProgram, outcome, type StoreRef, T0, uid } from './contract-fixtures.js';

/**
 * The Shopify write-back (migration 035, docs/decisions/0045): its setting and record, and the
 * `shopify_customer_changed` rows the outcome writes queue — only for a connected shop that takes
 * write-backs, for outcomes with a pass refresh or a placement, one row per change.
 */
export function shopifyWriteBackContract(store: StoreRef): void {
  describe('shopify write-back', () => {
    let scope: ProgramScope;
    const claim = async (): Promise<OutboxItem[]> =>
      (await store().outbox.claim('shopify_customer_changed', 1000, 60_000)).filter(
        (i) => i.programId === scope.programId,
      );
    const connect = () =>
      scope.shopify.save(
        {
          shopDomain: `${uid('wb').toLowerCase()}.myshopify.com`,
          shopName: 'Shop',
          shopCurrency: 'USD',
          accessTokenSealed: 'sb1.k.a.b.c',
          webhookSecretSealed: 'sb1.k.d.e.f',
          earnOn: 'subtotal',
          includeTestOrders: false,
          subscriptions: [],
          state: 'connected',
          connectedAt: T0,
        },
        T0,
      );
    const placement = {
      tierId: null,
      tierTags: ['vip'],
      tierSince: at(5),
      lastChangeReason: 'qualified' as const,
      bonusedTierIds: [],
    };
    beforeEach(async () => {
      scope = await newProgram(store());
    });

    it('starts enabled with nothing recorded; counts writes and failures; keeps the last error', async () => {
      expect(await scope.shopifyWriteBack.get()).toEqual({
        enabled: true,
        synced: 0,
        failed: 0,
        lastSyncedAt: null,
        lastError: null,
      });
      await scope.shopifyWriteBack.recordSynced(2, at(1));
      await scope.shopifyWriteBack.recordSynced(1, at(3));
      await scope.shopifyWriteBack.recordFailed(
        'shopify_customer_not_found',
        'Customer 1 is not in the shop',
        at(4),
      );
      await scope.shopifyWriteBack.recordFailed('shopify_credentials_rejected', 'refused', at(5));
      await scope.shopifyWriteBack.setEnabled(false);
      expect(await scope.shopifyWriteBack.get()).toEqual({
        enabled: false,
        synced: 3,
        failed: 2,
        lastSyncedAt: at(3),
        lastError: { code: 'shopify_credentials_rejected', message: 'refused', at: at(5) },
      });
      await scope.shopifyWriteBack.setEnabled(true);
      expect((await scope.shopifyWriteBack.get()).enabled).toBe(true);
      // Another program sees its own defaults.
      const other = await newProgram(store());
      expect((await other.shopifyWriteBack.get()).synced).toBe(0);
    });

    it('queues a row per changed customer only while a connected shop takes write-backs', async () => {
      const a = await newCustomer(scope);
      const b = await newCustomer(scope);
      // Not connected: nothing.
      await scope.transaction((tx) => tx.outcomes.store(outcome(a, { passes: ['apple', 'google'] })));
      expect(await claim()).toEqual([]);

      await connect();
      await scope.transaction((tx) => tx.outcomes.store(outcome(a, { passes: ['apple', 'google'] })));
      await scope.transaction((tx) => tx.outcomes.store(outcome(b, { placement })));
      // Nothing the shop shows changed (no refresh, no placement): nothing.
      await scope.transaction((tx) => tx.outcomes.store(outcome(b, { passes: [] })));
      // A second change of `a`: its own row (the handler writes `a` once per batch).
      await scope.transaction((tx) => tx.outcomes.store(outcome(a, { passes: ['google'] })));
      const queued = await claim();
      expect(queued.map((i) => i.customerId).sort()).toEqual([a, a, b].sort());
      expect(queued.every((i) => i.kind === 'shopify_customer_changed' && i.attempts === 0)).toBe(true);

      // A rolled-back unit queues nothing.
      await expect(
        scope.transaction(async (tx) => {
          await tx.outcomes.store(outcome(a, { passes: ['apple'] }));
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');
      expect(await claim()).toEqual([]);

      // Turned off, or the app uninstalled: nothing.
      await scope.shopifyWriteBack.setEnabled(false);
      await scope.transaction((tx) => tx.outcomes.store(outcome(a, { passes: ['apple'] })));
      expect(await claim()).toEqual([]);
      await scope.shopifyWriteBack.setEnabled(true);
      await scope.shopify.update({ state: 'uninstalled' }, at(1));
      await scope.transaction((tx) => tx.outcomes.store(outcome(a, { passes: ['apple'] })));
      expect(await claim()).toEqual([]);
    });
  });
}
