/** A program's Shopify connection and webhook inbox on the in-memory adapter (0042). */
import type { ShopifyBackfillRecord } from '../shopify-backfill-port.js';
import type {
  NewShopifyWebhook,
  ShopifyConnectionRecord,
  ShopifyReceipt,
  ShopifyRepository,
  ShopifyShopDirectory,
  ShopifyWebhookRecord,
} from '../shopify-port.js';
import { copy } from './memory-db.js';
import type { MemoryState } from './memory-state.js';

/** A delivery with what migration 037 adds: a data request's export and its erasure time. */
export type MemoryShopifyWebhook = ShopifyWebhookRecord & { export?: unknown; erasedAt?: Date | null };

export interface ShopifyData {
  connection: ShopifyConnectionRecord | null;
  /** Delivery id → webhook (unique per program). */
  webhooks: Map<string, MemoryShopifyWebhook>;
  /** The latest history backfill (memory-shopify-backfill.ts). */
  backfill?: ShopifyBackfillRecord | null;
}

const PRIVACY_REQUESTS = ['customers/redact', 'customers/data_request'];
const CUSTOMER_TOPICS = ['customers/create', 'customers/update', 'customers/delete'];
const ORDER_PERSONAL_KEYS = [
  'customer',
  'email',
  'contact_email',
  'phone',
  'billing_address',
  'shipping_address',
  'browser_ip',
  'client_details',
  'note',
  'note_attributes',
];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** As `tierpass_shopify_scrub` (migration 037): the payload without the customer's personal data. */
function scrub(topic: string, payload: unknown): unknown {
  if (!isObject(payload)) return payload;
  const customerId = isObject(payload.customer) ? { id: payload.customer.id ?? null } : undefined;
  if (PRIVACY_REQUESTS.includes(topic)) {
    const { customer: _c, ...rest } = payload;
    return { ...rest, customer: customerId ?? { id: null } };
  }
  if (topic.startsWith('customers/')) return { id: payload.id ?? null };
  const rest = Object.fromEntries(Object.entries(payload).filter(([k]) => !ORDER_PERSONAL_KEYS.includes(k)));
  return customerId ? { ...rest, customer: customerId } : rest;
}

const idText = (v: unknown) => (typeof v === 'number' || typeof v === 'string' ? String(v) : undefined);

export function emptyShopify(): ShopifyData {
  return { connection: null, webhooks: new Map() };
}

/** The port's record: the export stays in the adapter. */
const record = (w: MemoryShopifyWebhook): ShopifyWebhookRecord => {
  const { export: _e, erasedAt: _a, ...rest } = w;
  return copy(rest);
};

const byReceived = (a: ShopifyWebhookRecord, b: ShopifyWebhookRecord) =>
  a.receivedAt.getTime() - b.receivedAt.getTime() || (a.webhookId < b.webhookId ? -1 : 1);

/** A new delivery as stored. */
const stored = (w: NewShopifyWebhook): MemoryShopifyWebhook =>
  copy({
    webhookId: w.webhookId,
    topic: w.topic,
    payload: w.payload,
    receivedAt: w.receivedAt,
    processedAt: w.processed?.at ?? null,
    result: w.processed?.result ?? null,
    detail: w.processed?.detail ?? null,
  });

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
      d.webhooks.set(w.webhookId, stored(w));
      return true;
    },
    async receiveMany(ws) {
      const d = data();
      return ws.map((w): ShopifyReceipt => {
        const known = d.webhooks.get(w.webhookId);
        if (!known) {
          d.webhooks.set(w.webhookId, stored(w));
          return 'stored';
        }
        if (known.processedAt !== null || !w.processed) return 'known';
        const { result, detail, at } = w.processed;
        d.webhooks.set(w.webhookId, { ...known, processedAt: new Date(at), result, detail });
        return 'completed';
      });
    },
    async processed(webhookId, result, detail, at) {
      const d = data();
      const w = d.webhooks.get(webhookId);
      if (w) d.webhooks.set(webhookId, { ...w, processedAt: new Date(at), result, detail });
    },
    async webhook(webhookId) {
      const w = state.maybe(programId)?.shopify.webhooks.get(webhookId);
      return w ? record(w) : null;
    },
    async pending(limit) {
      return [...(state.maybe(programId)?.shopify.webhooks.values() ?? [])]
        .filter((w) => w.processedAt === null)
        .sort(byReceived)
        .slice(0, limit)
        .map(record);
    },
    async recorded(limit) {
      return [...(state.maybe(programId)?.shopify.webhooks.values() ?? [])]
        .filter((w) => w.result === 'recorded')
        .sort(byReceived)
        .slice(0, limit)
        .map(record);
    },
    async saveExport(webhookId, doc) {
      const w = state.maybe(programId)?.shopify.webhooks.get(webhookId);
      if (doc === null || !w || (w.export ?? null) !== null || w.erasedAt) return;
      w.export = copy(doc);
    },
    async dataRequests(limit) {
      return [...(state.maybe(programId)?.shopify.webhooks.values() ?? [])]
        .filter((w) => w.topic === 'customers/data_request')
        .sort(
          (a, b) => b.receivedAt.getTime() - a.receivedAt.getTime() || (a.webhookId < b.webhookId ? -1 : 1),
        )
        .slice(0, limit)
        .map((w) => {
          const p = isObject(w.payload) ? w.payload : {};
          return {
            webhookId: w.webhookId,
            dataRequestId: isObject(p.data_request) ? (idText(p.data_request.id) ?? null) : null,
            customerId: isObject(p.customer) ? (idText(p.customer.id) ?? null) : null,
            receivedAt: new Date(w.receivedAt),
            processedAt: w.processedAt && new Date(w.processedAt),
            result: w.result,
            detail: w.detail,
            hasExport: (w.export ?? null) !== null,
            erasedAt: w.erasedAt ? new Date(w.erasedAt) : null,
          };
        });
    },
    async exportOf(webhookId) {
      const w = state.maybe(programId)?.shopify.webhooks.get(webhookId);
      return w && w.topic === 'customers/data_request' && (w.export ?? null) !== null ? copy(w.export) : null;
    },
    async redactCustomer(customerId, now) {
      let changed = 0;
      for (const w of state.maybe(programId)?.shopify.webhooks.values() ?? []) {
        const p = w.payload;
        const payloadAbout =
          isObject(p) &&
          ((isObject(p.customer) && idText(p.customer.id) === customerId) ||
            (CUSTOMER_TOPICS.includes(w.topic) && idText(p.id) === customerId));
        const e = w.export;
        const exportAbout = isObject(e) && isObject(e.customer) && idText(e.customer.id) === customerId;
        const scrubbed = payloadAbout ? scrub(w.topic, p) : p;
        const payloadChanges = payloadAbout && JSON.stringify(scrubbed) !== JSON.stringify(p);
        if (!payloadChanges && !exportAbout) continue;
        w.payload = scrubbed;
        if (exportAbout) {
          w.export = null;
          w.erasedAt = w.erasedAt ?? new Date(now);
        }
        changed++;
      }
      return changed;
    },
    async byTopic(topics, limit) {
      return [...(state.maybe(programId)?.shopify.webhooks.values() ?? [])]
        .filter((w) => topics.includes(w.topic))
        .sort(
          (a, b) => b.receivedAt.getTime() - a.receivedAt.getTime() || (a.webhookId < b.webhookId ? -1 : 1),
        )
        .slice(0, limit)
        .map(record);
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
