import type { OutcomeTxRepository } from '../outcome-port.js';
import type { OrderRecord } from '../records.js';
import type { OrderWriteBatch } from './order-write-batch.js';
import { type StoreResult, storeOrdersWithOutcomes, storeOutcomes } from './outcome-writes.js';
import type { SqlQuery } from './sql-driver.js';
import { existingRow } from './sql-values.js';

/**
 * Outcome writes of one program's unit of work. `told` hears what each write queued (so the outbox
 * worker and webhook deliveries wake after the commit). `batch`: the unit runs in a group
 * (customer-tx-groups.ts) and its order write goes out with the group's others, as one statement.
 */
export function outcomeRepository(
  q: SqlQuery,
  programId: string,
  getOrder: (id: string) => Promise<OrderRecord | null>,
  told: (result: StoreResult) => void,
  batch?: OrderWriteBatch,
): OutcomeTxRepository {
  return {
    async store(outcome) {
      told(await storeOutcomes(q, programId, [outcome]));
    },
    async storeWithOrder(order, outcome) {
      // The common case (a new order) costs one round trip; only a replay reads the existing row.
      let inserted: boolean;
      if (batch) inserted = await batch.insert({ order, outcome });
      else {
        const done = await storeOrdersWithOutcomes(q, programId, [{ order, outcome }]);
        told(done);
        inserted = done.stored[0] === true;
      }
      if (inserted) return { inserted: true };
      return { inserted: false, existing: existingRow(await getOrder(order.id), order.id) };
    },
  };
}
