/**
 * The Shopify write-back on the in-memory adapter (docs/decisions/0045): its setting and record,
 * and the queueing the outcome writes do (as postgres/outcome-writes.ts does in SQL).
 */
import type { ShopifyWriteBackRepository, ShopifyWriteBackStatus } from '../shopify-write-back-port.js';
import { copy, type MemoryTx, put } from './memory-db.js';
import type { MemoryState } from './memory-state.js';

export interface ShopifyWriteBackData {
  status: ShopifyWriteBackStatus;
}

export function emptyShopifyWriteBack(): ShopifyWriteBackData {
  return { status: { enabled: true, synced: 0, failed: 0, lastSyncedAt: null, lastError: null } };
}

export function memoryShopifyWriteBack(state: MemoryState, programId: string): ShopifyWriteBackRepository {
  const data = () => state.program(programId);
  return {
    async get() {
      const p = state.maybe(programId);
      return copy(p ? p.shopifyWriteBack.status : emptyShopifyWriteBack().status);
    },
    async setEnabled(enabled) {
      data().shopifyWriteBack.status.enabled = enabled;
    },
    async recordSynced(count, at) {
      if (count <= 0) return;
      const w = data().shopifyWriteBack.status;
      w.synced += count;
      if (w.lastSyncedAt === null || at > w.lastSyncedAt) w.lastSyncedAt = new Date(at);
    },
    async recordFailed(code, message, at) {
      const w = data().shopifyWriteBack.status;
      w.failed += 1;
      w.lastError = { code, message, at: new Date(at) };
    },
  };
}

/**
 * Queue a 'shopify_customer_changed' row when the program's connected shop takes write-backs;
 * true when queued. One row per change: coalescing at insert races a claim whose read predates
 * the change (docs/decisions/0045); the handler writes a customer once per batch.
 */
export function queueShopifyWriteBack(
  state: MemoryState,
  tx: MemoryTx | null,
  programId: string,
  customerId: string,
): boolean {
  const p = state.program(programId);
  if (p.shopify.connection?.state !== 'connected' || !p.shopifyWriteBack.status.enabled) return false;
  const now = state.now();
  const id = state.outboxIds.next();
  put(tx, state.outbox, id, {
    id,
    programId,
    customerId,
    kind: 'shopify_customer_changed',
    dueAt: now,
    attempts: 0,
    lastError: null,
    done: false,
  });
  if (tx) tx.queued = true;
  return true;
}
