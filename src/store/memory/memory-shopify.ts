/** A program's Shopify connection and webhook inbox on the in-memory adapter (0042). */
import type { ShopifyBackfillRecord } from '../shopify-backfill-port.js';
import type {
  ShopifyConnectionRecord,
  ShopifyRepository,
  ShopifyShopDirectory,
  ShopifyWebhookRecord,
} from '../shopify-port.js';
import { copy } from './memory-db.js';
import type { MemoryState } from './memory-state.js';

export interface ShopifyData {
  connection: ShopifyConnectionRecord | null;
  /** Delivery id → webhook (unique per program). */
  webhooks: Map<string, ShopifyWebhookRecord>;
  /** The latest history backfill (memory-shopify-backfill.ts). */
  backfill?: ShopifyBackfillRecord | null;
}

export function emptyShopify(): ShopifyData {
  return { connection: null, webhooks: new Map() };
}

const byReceived = (a: ShopifyWebhookRecord, b: ShopifyWebhookRecord) =>
  a.receivedAt.getTime() - b.receivedAt.getTime() || (a.webhookId < b.webhookId ? -1 : 1);

export function memoryShopify(state: MemoryState, programId: string): ShopifyRepository {
  const data = () => state.program(programId).shopify;
  return {
    async get() {
      const c = state.maybe(programId)?.shopify.connection;
      return c ? copy(c) : null;
    },
    async save(c, now) {
      // The domain is unique across programs: a shop another program holds is refused.
      for (const [id, p] of state.programs) {
        if (id !== programId && p.shopify.connection?.shopDomain === c.shopDomain) return false;
      }
      data().connection = copy({ ...c, programId, updatedAt: now });
      return true;
    },
    async update(patch, now) {
      const d = data();
      if (!d.connection) return;
      const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      d.connection = copy({ ...d.connection, ...defined, updatedAt: now });
    },
    async remove() {
      const d = state.maybe(programId)?.shopify;
      if (!d?.connection) return false;
      d.connection = null;
      return true;
    },
    async receive(w) {
      const d = data();
      if (d.webhooks.has(w.webhookId)) return false;
      d.webhooks.set(
        w.webhookId,
        copy({
          webhookId: w.webhookId,
          topic: w.topic,
          payload: w.payload,
          receivedAt: w.receivedAt,
          processedAt: w.processed?.at ?? null,
          result: w.processed?.result ?? null,
          detail: w.processed?.detail ?? null,
        }),
      );
      return true;
    },
    async processed(webhookId, result, detail, at) {
      const d = data();
      const w = d.webhooks.get(webhookId);
      if (w) d.webhooks.set(webhookId, { ...w, processedAt: new Date(at), result, detail });
    },
    async webhook(webhookId) {
      const w = state.maybe(programId)?.shopify.webhooks.get(webhookId);
      return w ? copy(w) : null;
    },
    async pending(limit) {
      return [...(state.maybe(programId)?.shopify.webhooks.values() ?? [])]
        .filter((w) => w.processedAt === null)
        .sort(byReceived)
        .slice(0, limit)
        .map(copy);
    },
    async byTopic(topics, limit) {
      return [...(state.maybe(programId)?.shopify.webhooks.values() ?? [])]
        .filter((w) => topics.includes(w.topic))
        .sort(
          (a, b) => b.receivedAt.getTime() - a.receivedAt.getTime() || (a.webhookId < b.webhookId ? -1 : 1),
        )
        .slice(0, limit)
        .map(copy);
    },
  };
}

export function memoryShopifyShops(state: MemoryState): ShopifyShopDirectory {
  return {
    async find(shopDomain) {
      for (const p of state.programs.values()) {
        if (p.shopify.connection?.shopDomain === shopDomain) return copy(p.shopify.connection);
      }
      return null;
    },
  };
}
