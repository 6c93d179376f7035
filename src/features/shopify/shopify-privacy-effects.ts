/**
 * The Shopify privacy topics (issue 14 item 6, docs/decisions/0047): recorded with their payload
 * before anything is done (result `recorded`), then applied by the privacy operations and the
 * result updated; a failure leaves the row `recorded`, and a redelivery or `processPending`
 * retries it.
 */
import { AppError } from '../../errors.js';
import type { ProgramContext } from '../../program-context.js';
import type { ShopifyConnectionRecord, ShopifyWebhookRecord } from '../../store/shopify-port.js';
import type { ShopifyDelivery, WebhookOutcome } from './shopify-payloads.js';
import type { ShopifyScope } from './shopify-store.js';

/** The privacy topics and `customers/delete`: recorded before their effect. */
export const PRIVACY_TOPICS = [
  'customers/delete',
  'customers/data_request',
  'customers/redact',
  'shop/redact',
];

/** What the connector asks of the privacy operations (features/privacy PrivacyService). */
export interface ShopifyPrivacy {
  export(ctx: ProgramContext, customerId: string): Promise<unknown>;
  redact(ctx: ProgramContext, customerId: string): Promise<unknown>;
  deleteProgram(programId: string): Promise<unknown>;
}

/** A delivery's answer. */
export interface WebhookReply {
  received: true;
  duplicate: boolean;
  result: WebhookOutcome['result'] | null;
}

/**
 * A privacy request: recorded with its payload first (durable before anything is done), then
 * applied (`applyRecorded`, which records its result). A delivery already applied is a
 * duplicate; one still `recorded` (an earlier attempt failed) is applied again: every operation
 * is idempotent.
 */
export async function receivePrivacy(
  scope: Pick<ShopifyScope, 'shopify'>,
  delivery: { webhookId: string; topic: string; payload: unknown; now: Date },
  earlier: ShopifyWebhookRecord | null,
  applyRecorded: (
    row: Pick<ShopifyWebhookRecord, 'webhookId' | 'topic' | 'payload'>,
  ) => Promise<WebhookOutcome>,
): Promise<WebhookReply> {
  const { webhookId, topic, payload, now } = delivery;
  if (earlier && earlier.result !== 'recorded' && earlier.processedAt) {
    return { received: true, duplicate: true, result: null };
  }
  if (!earlier) {
    const fresh = await scope.shopify.receive({
      webhookId,
      topic,
      payload,
      receivedAt: now,
      processed: { result: 'recorded', detail: null, at: now },
    });
    // Another request recorded it meanwhile and applies it.
    if (!fresh) return { received: true, duplicate: true, result: null };
  }
  const outcome = await applyRecorded({ webhookId, topic, payload: earlier?.payload ?? payload });
  return { received: true, duplicate: earlier !== null, result: outcome.result };
}

/**
 * The privacy topics' effect: a data request stores the customer's export for the merchant; a
 * redaction (and `customers/delete`) erases the customer's personal data, here and in the
 * deliveries; `shop/redact` deletes the program once the app is uninstalled.
 */
export async function privacyEffect(
  scope: Pick<ShopifyScope, 'shopify'>,
  ctx: ProgramContext,
  c: ShopifyConnectionRecord,
  delivery: ShopifyDelivery,
  webhookId: string,
  privacy: ShopifyPrivacy,
): Promise<WebhookOutcome> {
  const known = (err: unknown) => err instanceof AppError && err.code === 'customer_not_found';
  switch (delivery.kind) {
    case 'dataRequest': {
      let doc: unknown = null;
      try {
        doc = await privacy.export(ctx, delivery.body.customer.id);
      } catch (err) {
        if (!known(err)) throw err;
      }
      await scope.shopify.saveExport(webhookId, doc);
      return doc === null
        ? { result: 'applied', detail: 'customer_unknown' }
        : { result: 'applied', detail: null };
    }
    case 'redact':
    case 'customerDelete': {
      const id = delivery.kind === 'redact' ? delivery.body.customer.id : delivery.body.id;
      let detail: string | null = null;
      try {
        await privacy.redact(ctx, id);
      } catch (err) {
        if (!known(err)) throw err;
        detail = 'customer_unknown';
      }
      // The deliveries about the customer (this one included) lose their personal data too,
      // also when Tierpass never knew the customer.
      await scope.shopify.redactCustomer(id, ctx.now);
      return { result: 'applied', detail };
    }
    case 'shopRedact': {
      // Shopify sends it 48 hours after an uninstall. A shop still (or again) connected keeps
      // its data: the merchant reinstalled, or it is a forged replay of an old request.
      const current = await scope.shopify.get();
      if (!current || current.shopDomain !== c.shopDomain)
        return { result: 'ignored', detail: 'shop_not_connected' };
      if (current.state !== 'uninstalled') return { result: 'ignored', detail: 'shop_still_installed' };
      await privacy.deleteProgram(ctx.program.id);
      return { result: 'applied', detail: null };
    }
    default:
      return { result: 'ignored', detail: 'topic_not_used' };
  }
}
