/**
 * A backfill page of Shopify customers on the in-memory adapter (shopify-customer-batch-port.ts):
 * one unit of work made of the single-customer pieces — locks in id order, the customer upsert,
 * the order summary, the outcome store — so a throw anywhere undoes the whole page.
 */
import type { PageCustomer, ShopifyCustomerBatchRepository } from '../shopify-customer-batch-port.js';
import { memoryCustomers, memoryOrders, memoryOutcomes } from './memory-customers.js';
import { customerLock, writeLock } from './memory-db.js';
import { memoryTiers } from './memory-programs.js';
import type { UnitRunner } from './memory-runs.js';
import type { MemoryState } from './memory-state.js';

export function memoryShopifyCustomerBatch(
  state: MemoryState,
  programId: string,
  unit: UnitRunner,
): ShopifyCustomerBatchRepository {
  return {
    async writePage(customers, now, plan) {
      if (customers.length === 0) return { created: 0, updated: 0 };
      const page = [...customers].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      if (new Set(page.map((c) => c.id)).size !== page.length) {
        throw new Error('a customer page holds an id twice');
      }
      return unit(async (tx) => {
        const repo = memoryCustomers(state, programId, tx);
        for (const c of page) await writeLock(tx, ...customerLock(programId, c.id));
        const written: Omit<PageCustomer, 'orders'>[] = [];
        let created = 0;
        for (const c of page) {
          const was = await repo.lock(c.id);
          const { record, created: isNew } = await repo.upsert(
            c.id,
            { email: c.email, name: c.name, tags: c.tags, sourceUpdatedAt: c.sourceUpdatedAt ?? undefined },
            now,
          );
          if (isNew) created += 1;
          const { name: _name, carrySince: _c, createdAt: _a, updatedAt: _u, ...rules } = record;
          written.push({ ...rules, before: was ? { tags: was.tags, tierTags: was.tierTags } : null });
        }
        const { orders, evaluate } = plan(await memoryTiers(state, programId, tx).list());
        const summaries = memoryOrders(state, programId, tx);
        const evaluated: PageCustomer[] = [];
        for (const c of written) {
          const s = orders ? await summaries.summary(c.id, orders) : null;
          evaluated.push({
            ...c,
            orders: { windowSpend: s?.windowSpend ?? {}, largestOrder: s?.largestOrder ?? 0 },
          });
        }
        const store = memoryOutcomes(state, programId, tx);
        for (const o of evaluate(evaluated)) await store.store(o);
        return { created, updated: page.length - created };
      });
    },
  };
}
