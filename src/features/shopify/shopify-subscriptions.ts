/**
 * The webhook subscriptions Tierpass keeps at a shop (docs/decisions/0042, 0055): which topics,
 * which fields of each (Shopify's `includeFields`, derived from the payload schemas), made to
 * match on connect and removed on disconnect through the Admin API.
 */

import { AppError } from '../../errors.js';
import type { ShopifyAdmin } from '../../integrations/shopify/admin-client.js';
import type { ShopifySubscription } from '../../store/shopify-port.js';
import {
  customerDeletePayload,
  customerPayload,
  includeFieldsOf,
  orderPayload,
  refundPayload,
} from './shopify-schemas.js';

/** The webhook topics Tierpass subscribes to (Admin GraphQL enum names). Privacy topics are app-level. */
export const SUBSCRIBED_TOPICS = [
  'ORDERS_PAID',
  'ORDERS_CANCELLED',
  'REFUNDS_CREATE',
  'CUSTOMERS_CREATE',
  'CUSTOMERS_UPDATE',
  'CUSTOMERS_DELETE',
  'APP_UNINSTALLED',
] as const;

/**
 * What each subscription asks Shopify to send (decision 0055): exactly the fields Tierpass reads,
 * so a delivery carries no address, phone, line item or note it would ignore (≈ 0.7 KB for an
 * order instead of ≈ 9 KB). `app/uninstalled` is only counted: its shop id is enough.
 */
export const SUBSCRIPTION_FIELDS: Record<(typeof SUBSCRIBED_TOPICS)[number], readonly string[]> = {
  ORDERS_PAID: includeFieldsOf(orderPayload),
  ORDERS_CANCELLED: includeFieldsOf(orderPayload),
  REFUNDS_CREATE: includeFieldsOf(refundPayload),
  CUSTOMERS_CREATE: includeFieldsOf(customerPayload),
  CUSTOMERS_UPDATE: includeFieldsOf(customerPayload),
  CUSTOMERS_DELETE: includeFieldsOf(customerDeletePayload),
  APP_UNINSTALLED: ['id'],
};

/** Whether a subscription's fields are these (in any order). */
function sameFields(a: readonly string[], b: readonly string[]): boolean {
  const want = new Set(b);
  return a.length === want.size && a.every((f) => want.has(f));
}

/**
 * The shop's subscriptions to `callbackUrl` made to match, idempotently: one that exists with the
 * same fields is kept, a missing one created, and one asking for other fields (made before
 * decision 0055: every field) updated in place. Saving again sends no write.
 */
export async function syncSubscriptions(
  admin: ShopifyAdmin,
  callbackUrl: string,
): Promise<ShopifySubscription[]> {
  const existing = await admin.listSubscriptions(callbackUrl);
  const subscriptions: ShopifySubscription[] = [];
  for (const topic of SUBSCRIBED_TOPICS) {
    const fields = SUBSCRIPTION_FIELDS[topic];
    const found = existing.find((s) => s.topic === topic);
    if (!found) subscriptions.push(await admin.createSubscription(topic, callbackUrl, fields));
    else if (!sameFields(found.includeFields, fields)) {
      subscriptions.push(await admin.updateSubscription(found.id, callbackUrl, fields));
    } else subscriptions.push({ id: found.id, topic: found.topic });
  }
  return subscriptions;
}

/**
 * Remove `subscriptions` from the shop one by one, telling `kept` what is left after each, so a
 * failed disconnect retried deletes only the rest. One already gone is skipped; a revoked token
 * (the app deleted) ends it: nothing more can be removed, nor needs to be.
 */
export async function removeSubscriptions(
  admin: ShopifyAdmin,
  subscriptions: readonly ShopifySubscription[],
  kept: (remaining: ShopifySubscription[]) => Promise<void>,
): Promise<void> {
  const remaining = [...subscriptions];
  while (remaining.length > 0) {
    const s = remaining[0] as ShopifySubscription;
    try {
      await admin.deleteSubscription(s.id);
    } catch (err) {
      if (err instanceof AppError && err.code === 'shopify_credentials_rejected') break;
      // Already gone at the shop (Shopify answers a user error): nothing to remove.
      if (!(err instanceof AppError && err.code === 'shopify_rejected')) throw err;
    }
    remaining.shift();
    await kept(remaining);
  }
}
