/**
 * The commerce topics' effects (docs/decisions/0042): a paid order earns (its customer created
 * from it when Tierpass does not know them yet), a refund reverses the refunded merchandise, a
 * cancellation what is left of the order, and customer topics keep the customer current.
 */
import { AppError } from '../../errors.js';
import type { ProgramContext } from '../../program-context.js';
import type { ShopifyConnectionRecord } from '../../store/shopify-port.js';
import { customerFields, type ShopifyDelivery, shopMinor, type WebhookOutcome } from './shopify-payloads.js';
import { PRIVACY_TOPICS } from './shopify-privacy-effects.js';
import type { ShopifyScope } from './shopify-store.js';

/**
 * Topics whose effect is idempotent by its own key (order id, refund id, `cancel:<order id>`):
 * applied without looking for an earlier delivery first; a replay is told by the ledger finding
 * its key already there, or else by its record's id (decision 0050).
 */
export const KEYED_TOPICS = ['orders/paid', 'refunds/create', 'orders/cancelled'];

/** What the connector asks of the ledger (features/ledger OrderService). */
export interface ShopifyOrders {
  place(
    ctx: ProgramContext,
    input: { id: string; customerId: string; amount: number; currency?: string; placedAt?: Date },
  ): Promise<{ replayed: boolean }>;
  refund(
    ctx: ProgramContext,
    orderId: string,
    input: { id: string; amount: number },
  ): Promise<{ replayed: boolean }>;
}

/**
 * A commerce effect's outcome; `replayed` when the ledger was asked: whether its key (order or
 * refund id) was there already, so the effect changed nothing (decision 0050).
 */
export type CommerceOutcome = WebhookOutcome & { replayed?: boolean };

/** What the connector asks of customers (features/customers CustomerService). */
export interface ShopifyCustomers {
  /**
   * Write the shop's fields of a customer; `stale` when `sourceUpdatedAt` was older than the
   * stored one, so none of them was written (store/records.ts, CustomerUpsertResult).
   */
  upsert(
    ctx: ProgramContext,
    id: string,
    input: { email?: string | null; name?: string | null; tags?: string[]; sourceUpdatedAt?: Date },
  ): Promise<{ stale: boolean }>;
}

/** A non-privacy delivery's effect; privacy topics without their operations stay `recorded`. */
export async function commerceEffect(
  deps: {
    orders: ShopifyOrders;
    customers: ShopifyCustomers;
    scope: Pick<ShopifyScope, 'orders' | 'shopify'>;
  },
  ctx: ProgramContext,
  c: ShopifyConnectionRecord,
  topic: string,
  delivery: ShopifyDelivery,
): Promise<CommerceOutcome> {
  const { scope } = deps;
  switch (delivery.kind) {
    case 'order': {
      const order = delivery.body;
      if (topic === 'orders/cancelled') {
        const known = await scope.orders.get(order.id);
        if (!known) return { result: 'ignored', detail: 'order_unknown' };
        const left = known.amount - known.refundedAmount;
        if (left <= 0) return { result: 'ignored', detail: 'nothing_to_reverse' };
        const { replayed } = await deps.orders.refund(ctx, known.id, {
          id: `cancel:${known.id}`,
          amount: left,
        });
        return { result: 'applied', detail: null, replayed };
      }
      if (order.test && !c.includeTestOrders) return { result: 'ignored', detail: 'test_order' };
      if (!order.customer) return { result: 'ignored', detail: 'no_customer' };
      const money = (c.earnOn === 'total' ? order.total_price_set : order.subtotal_price_set).shop_money;
      const amount = shopMinor(money, ctx);
      if (amount === 0) return { result: 'ignored', detail: 'zero_amount' };
      const customerId = order.customer.id;
      const at = order.processed_at ?? order.created_at;
      const placed = at ? new Date(at) : undefined;
      const input = {
        id: order.id,
        customerId,
        amount,
        placedAt: placed && !Number.isNaN(placed.getTime()) && placed < ctx.now ? placed : undefined,
      };
      let earned: { replayed: boolean };
      try {
        earned = await deps.orders.place(ctx, input);
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'customer_not_found')) throw err;
        // A customer Tierpass does not know yet: created from the order, then the order earns.
        await deps.customers.upsert(ctx, customerId, customerFields(order.customer));
        earned = await deps.orders.place(ctx, input);
      }
      return { result: 'applied', detail: null, replayed: earned.replayed };
    }
    case 'refund': {
      const refund = delivery.body;
      const known = await scope.orders.get(refund.order_id);
      if (!known) return { result: 'ignored', detail: 'order_unknown' };
      // The refunded merchandise: line subtotals, not shipping or tax.
      let amount = 0;
      for (const line of refund.refund_line_items) amount += shopMinor(line.subtotal_set.shop_money, ctx);
      amount = Math.min(amount, known.amount - known.refundedAmount);
      if (amount <= 0) return { result: 'ignored', detail: 'nothing_to_reverse' };
      const { replayed } = await deps.orders.refund(ctx, known.id, { id: refund.id, amount });
      return { result: 'applied', detail: null, replayed };
    }
    case 'customer': {
      // Older than the copy applied (Shopify does not promise order, 0051): nothing was written.
      const { stale } = await deps.customers.upsert(ctx, delivery.body.id, customerFields(delivery.body));
      return stale ? { result: 'ignored', detail: 'stale_update' } : { result: 'applied', detail: null };
    }
    default:
      if (topic === 'app/uninstalled') {
        await scope.shopify.update({ state: 'uninstalled' }, ctx.now);
        return { result: 'applied', detail: null };
      }
      if (PRIVACY_TOPICS.includes(topic)) return { result: 'recorded', detail: null };
      return { result: 'ignored', detail: 'topic_not_used' };
  }
}
