/** A program's Shopify history backfill on the in-memory adapter (0046). */
import type {
  ShopifyBackfillDirectory,
  ShopifyBackfillRecord,
  ShopifyBackfillRepository,
} from '../shopify-backfill-port.js';
import { copy } from './memory-db.js';
import type { MemoryState } from './memory-state.js';

const open = (b: ShopifyBackfillRecord) => b.state === 'running' || b.state === 'resyncing';
const leaseFree = (b: ShopifyBackfillRecord, now: Date) =>
  b.leaseUntil === null || b.leaseUntil.getTime() <= now.getTime();

export function memoryShopifyBackfill(state: MemoryState, programId: string): ShopifyBackfillRepository {
  const data = () => state.program(programId).shopify;
  return {
    async get() {
      const b = state.maybe(programId)?.shopify.backfill;
      return b ? copy(b) : null;
    },
    async start(b) {
      const d = data();
      if (d.backfill && open(d.backfill)) return null;
      d.backfill = {
        programId,
        id: b.id,
        since: new Date(b.since),
        ordersMode: b.ordersMode ?? null,
        state: 'running',
        phase: 'customers',
        cursor: null,
        customersDone: 0,
        ordersDone: 0,
        ordersSkipped: 0,
        refundsDone: 0,
        ordersEstimate: null,
        coveredThrough: null,
        errors: 0,
        lastError: null,
        resyncRunId: null,
        worker: b.worker,
        leaseUntil: new Date(b.leaseUntil),
        startedAt: new Date(b.now),
        updatedAt: new Date(b.now),
        finishedAt: null,
      };
      return copy(d.backfill);
    },
    async claim(id, worker, leaseUntil, now) {
      const b = state.maybe(programId)?.shopify.backfill;
      if (!b || b.id !== id || !open(b) || !(leaseFree(b, now) || b.worker === worker)) return null;
      Object.assign(b, { worker, leaseUntil: new Date(leaseUntil), updatedAt: new Date(now) });
      return copy(b);
    },
    async update(id, worker, patch, now) {
      const b = state.maybe(programId)?.shopify.backfill;
      if (!b || b.id !== id || b.worker !== worker) return null;
      const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      Object.assign(b, copy(defined), { updatedAt: new Date(now) });
      return copy(b);
    },
  };
}

export function memoryShopifyBackfills(state: MemoryState): ShopifyBackfillDirectory {
  return {
    async orphaned(now, limit) {
      const found: { programId: string; id: string; at: number }[] = [];
      for (const [programId, p] of state.programs) {
        const b = p.shopify.backfill;
        if (b && open(b) && leaseFree(b, now))
          found.push({ programId, id: b.id, at: b.leaseUntil?.getTime() ?? 0 });
      }
      return found
        .sort((a, b) => a.at - b.at)
        .slice(0, limit)
        .map(({ programId, id }) => ({ programId, id }));
    },
  };
}
