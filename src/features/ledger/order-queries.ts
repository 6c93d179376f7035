/** Reading orders: one order with its refunds and the entries it caused, and a customer's orders. */
import { notFound } from '../../errors.js';
import type { ProgramContext } from '../../program-context.js';
import type { OrderRecord, RefundRecord } from '../../store/port.js';
import { ledgerEntryView } from '../customers/customer-service.js';
import type { LedgerStore } from './ledger-store.js';

function refundView(r: RefundRecord) {
  return { id: r.id, amount: r.amount, createdAt: r.createdAt.toISOString() };
}

/** An order as the read endpoints show it, with its refunds. */
function orderDetailView(o: OrderRecord, refunds: readonly RefundRecord[]) {
  return {
    id: o.id,
    customerId: o.customerId,
    amount: o.amount,
    refundedAmount: o.refundedAmount,
    netAmount: o.amount - o.refundedAmount,
    placedAt: o.placedAt.toISOString(),
    earnedAt: o.earnedAt.toISOString(),
    pointsAwarded: o.pointsAwarded,
    pointsReversed: o.pointsReversed,
    refunds: refunds.filter((r) => r.orderId === o.id).map(refundView),
  };
}

export class OrderQueries {
  constructor(private readonly store: LedgerStore) {}

  /** The order, its refunds and its ledger entries (earn, the bonus it triggered, refund reversals). */
  async details(ctx: ProgramContext, orderId: string) {
    const order = await this.store.scoped(ctx.program.id).orders.get(orderId);
    if (!order) throw notFound('order_not_found', `No order ${orderId}`);
    const refunds = await this.store.scoped(ctx.program.id).orders.refundsOf([order.id]);
    const entries = await this.store.scoped(ctx.program.id).ledger.ofOrder(
      order.id,
      refunds.map((r) => r.id),
    );
    return {
      order: orderDetailView(order, refunds),
      entries: entries.map(ledgerEntryView),
      currency: ctx.program.settings.currency,
    };
  }

  /** A customer's orders, newest placed first, each with its refunds. */
  async ofCustomer(ctx: ProgramContext, customerId: string, page: { limit: number; cursor?: string }) {
    if (!(await this.store.scoped(ctx.program.id).customers.get(customerId))) {
      throw notFound('customer_not_found', `No customer ${customerId}`);
    }
    const orders = await this.store.scoped(ctx.program.id).orders.listByCustomer(customerId, page);
    const refunds = await this.store.scoped(ctx.program.id).orders.refundsOf(orders.items.map((o) => o.id));
    return { data: orders.items.map((o) => orderDetailView(o, refunds)), nextCursor: orders.nextCursor };
  }
}
