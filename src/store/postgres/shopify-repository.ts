/** A program's Shopify connection and webhook inbox (migration 032). */
import type {
  NewShopifyConnection,
  ShopifyConnectionRecord,
  ShopifyReceipt,
  ShopifyRepository,
  ShopifyShopDirectory,
  ShopifyWebhookRecord,
} from '../shopify-port.js';
import { textArray } from './sql-arrays.js';
import type { SqlQuery } from './sql-driver.js';
import { jsonParam } from './sql-values.js';

interface ConnectionRow {
  program_id: string;
  shop_domain: string;
  shop_name: string;
  shop_currency: string;
  access_token_sealed: string;
  webhook_secret_sealed: string;
  earn_on: ShopifyConnectionRecord['earnOn'];
  include_test_orders: boolean;
  subscriptions: ShopifyConnectionRecord['subscriptions'];
  state: ShopifyConnectionRecord['state'];
  connected_at: Date;
  updated_at: Date;
}

function connection(r: ConnectionRow): ShopifyConnectionRecord {
  return {
    programId: r.program_id,
    shopDomain: r.shop_domain,
    shopName: r.shop_name,
    shopCurrency: r.shop_currency,
    accessTokenSealed: r.access_token_sealed,
    webhookSecretSealed: r.webhook_secret_sealed,
    earnOn: r.earn_on,
    includeTestOrders: r.include_test_orders,
    subscriptions: r.subscriptions,
    state: r.state,
    connectedAt: r.connected_at,
    updatedAt: r.updated_at,
  };
}

interface WebhookRow {
  webhook_id: string;
  topic: string;
  payload: unknown;
  received_at: Date;
  processed_at: Date | null;
  result: ShopifyWebhookRecord['result'];
  detail: string | null;
}

function webhook(r: WebhookRow): ShopifyWebhookRecord {
  return {
    webhookId: r.webhook_id,
    topic: r.topic,
    payload: r.payload,
    receivedAt: r.received_at,
    processedAt: r.processed_at,
    result: r.result,
    detail: r.detail,
  };
}

export function shopifyRepository(q: SqlQuery, programId: string): ShopifyRepository {
  return {
    async get() {
      const res = await q.query<ConnectionRow>('SELECT * FROM shopify_connections WHERE program_id = $1', [
        programId,
      ]);
      return res.rows[0] ? connection(res.rows[0]) : null;
    },
    async save(c: NewShopifyConnection, now: Date) {
      // The domain's unique index refuses a shop another program holds: nothing is written then.
      const res = await q
        .query<{ program_id: string }>(
          `INSERT INTO shopify_connections (program_id, shop_domain, shop_name, shop_currency,
           access_token_sealed, webhook_secret_sealed, earn_on, include_test_orders, subscriptions,
           state, connected_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12)
         ON CONFLICT (program_id) DO UPDATE SET shop_domain = EXCLUDED.shop_domain,
           shop_name = EXCLUDED.shop_name, shop_currency = EXCLUDED.shop_currency,
           access_token_sealed = EXCLUDED.access_token_sealed,
           webhook_secret_sealed = EXCLUDED.webhook_secret_sealed, earn_on = EXCLUDED.earn_on,
           include_test_orders = EXCLUDED.include_test_orders, subscriptions = EXCLUDED.subscriptions,
           state = EXCLUDED.state, updated_at = EXCLUDED.updated_at
         WHERE NOT EXISTS (SELECT 1 FROM shopify_connections o
                           WHERE o.shop_domain = EXCLUDED.shop_domain AND o.program_id <> $1)
         RETURNING program_id`,
          [
            programId,
            c.shopDomain,
            c.shopName,
            c.shopCurrency,
            c.accessTokenSealed,
            c.webhookSecretSealed,
            c.earnOn,
            c.includeTestOrders,
            jsonParam(c.subscriptions),
            c.state,
            c.connectedAt,
            now,
          ],
        )
        .catch((err: unknown) => {
          // A new row for a domain another program holds.
          if ((err as { code?: string }).code === '23505') return { rows: [] };
          throw err;
        });
      return res.rows.length === 1;
    },
    async update(patch, now) {
      await q.query(
        `UPDATE shopify_connections SET state = COALESCE($2, state),
           subscriptions = COALESCE($3::jsonb, subscriptions), earn_on = COALESCE($4, earn_on),
           include_test_orders = COALESCE($5, include_test_orders), updated_at = $6
         WHERE program_id = $1`,
        [
          programId,
          patch.state ?? null,
          patch.subscriptions ? jsonParam(patch.subscriptions) : null,
          patch.earnOn ?? null,
          patch.includeTestOrders ?? null,
          now,
        ],
      );
    },
    async remove() {
      const res = await q.query(
        'DELETE FROM shopify_connections WHERE program_id = $1 RETURNING program_id',
        [programId],
      );
      return res.rows.length > 0;
    },
    async receive(w) {
      const res = await q.query(
        `INSERT INTO shopify_webhooks (program_id, webhook_id, topic, payload, received_at, processed_at, result, detail)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING webhook_id`,
        [
          programId,
          w.webhookId,
          w.topic,
          w.payload === null ? null : jsonParam(w.payload),
          w.receivedAt,
          w.processed?.at ?? null,
          w.processed?.result ?? null,
          w.processed?.detail ?? null,
        ],
      );
      return res.rows.length === 1;
    },
    async receiveMany(ws) {
      if (ws.length === 0) return [];
      // One statement for the group: the first of each id is inserted or, when a known row is
      // still unprocessed and this one carries a result, completes it. `xmax = 0` tells an
      // inserted row from an updated one, also when another transaction stored it meanwhile.
      const res = await q.query<{ ord: number; inserted: boolean }>(
        `WITH input AS (
           SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[],
                                $6::timestamptz[], $7::text[], $8::text[])
             WITH ORDINALITY AS i(webhook_id, topic, payload, received_at, processed_at, result, detail, ord)
         ), firsts AS (
           SELECT DISTINCT ON (webhook_id) * FROM input ORDER BY webhook_id, ord
         ), written AS (
           INSERT INTO shopify_webhooks AS w (program_id, webhook_id, topic, payload, received_at,
             processed_at, result, detail)
           SELECT $1, webhook_id, topic, payload::jsonb, received_at, processed_at, result, detail
             FROM firsts ORDER BY webhook_id
           ON CONFLICT (program_id, webhook_id) DO UPDATE SET processed_at = EXCLUDED.processed_at,
             result = EXCLUDED.result, detail = EXCLUDED.detail
             WHERE w.processed_at IS NULL AND EXCLUDED.processed_at IS NOT NULL
           RETURNING w.webhook_id, (w.xmax = 0) AS inserted
         )
         SELECT f.ord::int AS ord, written.inserted FROM firsts f JOIN written USING (webhook_id)`,
        [
          programId,
          textArray(ws.map((w) => w.webhookId)),
          textArray(ws.map((w) => w.topic)),
          textArray(ws.map((w) => (w.payload === null ? null : jsonParam(w.payload)))),
          textArray(ws.map((w) => w.receivedAt.toISOString())),
          textArray(ws.map((w) => w.processed?.at.toISOString() ?? null)),
          textArray(ws.map((w) => w.processed?.result ?? null)),
          textArray(ws.map((w) => w.processed?.detail ?? null)),
        ],
      );
      const receipts: ShopifyReceipt[] = ws.map(() => 'known');
      for (const r of res.rows) receipts[Number(r.ord) - 1] = r.inserted ? 'stored' : 'completed';
      return receipts;
    },
    async processed(webhookId, result, detail, at) {
      await q.query(
        `UPDATE shopify_webhooks SET processed_at = $3, result = $4, detail = $5
         WHERE program_id = $1 AND webhook_id = $2`,
        [programId, webhookId, at, result, detail],
      );
    },
    async webhook(webhookId) {
      const res = await q.query<WebhookRow>(
        `SELECT webhook_id, topic, payload, received_at, processed_at, result, detail FROM shopify_webhooks
         WHERE program_id = $1 AND webhook_id = $2`,
        [programId, webhookId],
      );
      return res.rows[0] ? webhook(res.rows[0]) : null;
    },
    async pending(limit) {
      const res = await q.query<WebhookRow>(
        `SELECT webhook_id, topic, payload, received_at, processed_at, result, detail FROM shopify_webhooks
         WHERE program_id = $1 AND processed_at IS NULL ORDER BY received_at, webhook_id LIMIT $2`,
        [programId, limit],
      );
      return res.rows.map(webhook);
    },
    async recorded(limit) {
      const res = await q.query<WebhookRow>(
        `SELECT webhook_id, topic, payload, received_at, processed_at, result, detail FROM shopify_webhooks
         WHERE program_id = $1 AND result = 'recorded' ORDER BY received_at, webhook_id LIMIT $2`,
        [programId, limit],
      );
      return res.rows.map(webhook);
    },
    async saveExport(webhookId, doc) {
      if (doc === null) return;
      await q.query(
        `UPDATE shopify_webhooks SET export = $3::jsonb
         WHERE program_id = $1 AND webhook_id = $2 AND export IS NULL AND erased_at IS NULL`,
        [programId, webhookId, jsonParam(doc)],
      );
    },
    async dataRequests(limit) {
      const res = await q.query<
        Omit<WebhookRow, 'topic' | 'payload'> & {
          data_request_id: string | null;
          customer_id: string | null;
          has_export: boolean;
          erased_at: Date | null;
        }
      >(
        `SELECT webhook_id, payload->'data_request'->>'id' AS data_request_id,
           payload->'customer'->>'id' AS customer_id, received_at, processed_at, result, detail,
           export IS NOT NULL AS has_export, erased_at
         FROM shopify_webhooks WHERE program_id = $1 AND topic = 'customers/data_request'
         ORDER BY received_at DESC, webhook_id LIMIT $2`,
        [programId, limit],
      );
      return res.rows.map((r) => ({
        webhookId: r.webhook_id,
        dataRequestId: r.data_request_id,
        customerId: r.customer_id,
        receivedAt: r.received_at,
        processedAt: r.processed_at,
        result: r.result,
        detail: r.detail,
        hasExport: r.has_export,
        erasedAt: r.erased_at,
      }));
    },
    async exportOf(webhookId) {
      const res = await q.query<{ export: unknown }>(
        `SELECT export FROM shopify_webhooks
         WHERE program_id = $1 AND webhook_id = $2 AND topic = 'customers/data_request'`,
        [programId, webhookId],
      );
      return res.rows[0]?.export ?? null;
    },
    async redactCustomer(customerId, now) {
      // "About the customer": the customer named in the payload, or the payload itself for the
      // customer topics. Only rows still holding something change (a replay writes nothing).
      const res = await q.query(
        `WITH about AS (
           SELECT webhook_id,
             (payload IS NOT NULL AND (payload->'customer'->>'id' = $2
               OR (topic IN ('customers/create', 'customers/update', 'customers/delete')
                   AND payload->>'id' = $2))) AS payload_about,
             (export IS NOT NULL AND export->'customer'->>'id' = $2) AS export_about
           FROM shopify_webhooks WHERE program_id = $1
         )
         UPDATE shopify_webhooks w SET
           payload = CASE WHEN a.payload_about THEN tierpass_shopify_scrub(w.topic, w.payload) ELSE w.payload END,
           export = CASE WHEN a.export_about THEN NULL ELSE w.export END,
           erased_at = CASE WHEN a.export_about THEN COALESCE(w.erased_at, $3) ELSE w.erased_at END
         FROM about a
         WHERE w.program_id = $1 AND w.webhook_id = a.webhook_id
           AND ((a.payload_about AND w.payload IS DISTINCT FROM tierpass_shopify_scrub(w.topic, w.payload))
                OR a.export_about)`,
        [programId, customerId, now],
      );
      return res.rowCount;
    },
    async byTopic(topics, limit) {
      const res = await q.query<WebhookRow>(
        `SELECT webhook_id, topic, payload, received_at, processed_at, result, detail FROM shopify_webhooks
         WHERE program_id = $1 AND topic = ANY($2::text[]) ORDER BY received_at DESC, webhook_id LIMIT $3`,
        [programId, topics, limit],
      );
      return res.rows.map(webhook);
    },
  };
}

export function shopifyShopDirectory(q: SqlQuery): ShopifyShopDirectory {
  return {
    async find(shopDomain) {
      const res = await q.query<ConnectionRow>('SELECT * FROM shopify_connections WHERE shop_domain = $1', [
        shopDomain,
      ]);
      return res.rows[0] ? connection(res.rows[0]) : null;
    },
  };
}
