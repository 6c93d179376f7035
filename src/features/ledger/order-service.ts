/** Orders and refunds: earning on net order value, proportional reversal on refunds. */
import { earnOrder } from '../../domain/benefits.js';
import { refundReversal } from '../../domain/earning.js';
import { notFound, unprocessable } from '../../errors.js';
import type { ProgramContext } from '../../program-context.js';
import type { NewLedgerEntry, OrderRecord } from '../../store/port.js';
import { type EventResponse, eventTime, replayOrConflict, settle, tierIn } from './event-result.js';
import type { OrderInput, RefundInput } from './ledger-schemas.js';
import type { LedgerStore } from './ledger-store.js';
import { requestHash } from './request-hash.js';

function orderView(o: Pick<OrderRecord, 'id' | 'customerId' | 'amount' | 'refundedAmount' | 'placedAt'>) {
  return {
    id: o.id,
    customerId: o.customerId,
    amount: o.amount,
    refundedAmount: o.refundedAmount,
    placedAt: o.placedAt.toISOString(),
  };
}

/** Another transaction stored this refund id first; the caller's transaction rolls back and retries. */
class RefundRace extends Error {}

export class OrderService {
  constructor(private readonly store: LedgerStore) {}

  /** Record an order and award its points; the order id makes replays harmless. */
  async place(ctx: ProgramContext, input: OrderInput): Promise<EventResponse> {
    const settings = ctx.program.settings;
    if (input.currency !== undefined && input.currency !== settings.currency) {
      throw unprocessable('currency_mismatch', `The program's currency is ${settings.currency}`);
    }
    const hash = requestHash({ op: 'order', ...input });
    const placedAt = eventTime(ctx, input.placedAt, 'placedAt');
    // Run with other customers' orders in one database transaction when several wait (group commit).
    return this.store.scoped(ctx.program.id).customerTransaction(input.customerId, async (tx) => {
      const customer = await tx.customers.lock(input.customerId);
      if (!customer) throw notFound('customer_not_found', `No customer ${input.customerId}`);
      const tiers = await tx.tiers.list();
      // The order earns at the tier the customer is in when it happens, even if it upgrades them.
      const earn = earnOrder(settings, tierIn(tiers, customer), input.amount);
      // Carry holds the current cycle's points: an order placed before the cycle began
      // (a backfill) counts for lifetime figures but not for carry.
      const inCycle = placedAt.getTime() >= customer.carrySince.getTime();
      const entry: NewLedgerEntry = {
        type: 'earn',
        key: `order:${input.id}`,
        orderId: input.id,
        base: earn.base,
        multiplier: String(earn.multiplier),
        points: earn.awarded,
        delta: {
          current: earn.awarded,
          carry: inCycle ? earn.awarded : 0,
          lifetimeEarned: earn.awarded,
          lifetimeSpend: input.amount,
        },
        reason: 'order',
        tierId: customer.tierId,
        at: ctx.now,
      };
      const settled = await settle(tx, ctx, tiers, customer, [entry], {
        pending: { amount: input.amount, placedAt },
      });
      const order = {
        id: input.id,
        customerId: customer.id,
        amount: input.amount,
        refundedAmount: 0,
        placedAt,
      };
      const body = { order: orderView(order), ...settled.body };
      // One write: the order, and only if it is new everything it causes (its outcome).
      const inserted = await tx.outcomes.storeWithOrder(
        {
          id: input.id,
          customerId: customer.id,
          amount: input.amount,
          placedAt,
          earnedAt: ctx.now,
          pointsAwarded: earn.awarded,
          requestHash: hash,
          response: body,
        },
        settled.outcome,
      );
      if (!inserted.inserted) return replayOrConflict(inserted.existing, hash);
      return { status: 201, body, replayed: false };
    });
  }

  /** Refund part or all of an order, reversing its points in proportion. */
  async refund(ctx: ProgramContext, orderId: string, input: RefundInput): Promise<EventResponse> {
    try {
      return await this.refundOnce(ctx, orderId, input);
    } catch (err) {
      // Rolled back; the second attempt finds the other transaction's refund and answers with it.
      if (err instanceof RefundRace) return this.refundOnce(ctx, orderId, input);
      throw err;
    }
  }

  private async refundOnce(ctx: ProgramContext, orderId: string, input: RefundInput): Promise<EventResponse> {
    const scope = this.store.scoped(ctx.program.id);
    const known = await scope.orders.get(orderId);
    if (!known) throw notFound('order_not_found', `No order ${orderId}`);
    const hash = requestHash({ op: 'refund', orderId, ...input });
    return this.store.scoped(ctx.program.id).customerTransaction(known.customerId, async (tx) => {
      // Every change to an order happens under its customer's lock.
      const customer = await tx.customers.lock(known.customerId);
      const order = await tx.orders.get(orderId);
      if (!customer || !order) throw notFound('order_not_found', `No order ${orderId}`);
      const earlier = await tx.refunds.get(input.id);
      if (earlier) {
        if (earlier.orderId !== orderId) return replayOrConflict({ ...earlier, requestHash: '' }, hash);
        return replayOrConflict(earlier, hash);
      }
      const refundable = order.amount - order.refundedAmount;
      if (input.amount > refundable) {
        throw unprocessable(
          'refund_exceeds_order',
          `Only ${refundable} of the order's ${order.amount} minor units can still be refunded`,
        );
      }
      const reversed = refundReversal(
        {
          amount: order.amount,
          refundedBefore: order.refundedAmount,
          pointsAwarded: order.pointsAwarded,
          pointsReversedBefore: order.pointsReversed,
        },
        input.amount,
      );
      const inCycle = order.placedAt.getTime() >= customer.carrySince.getTime();
      const entry: NewLedgerEntry = {
        type: 'refund_reversal',
        key: `refund:${input.id}`,
        orderId,
        base: null,
        multiplier: null,
        points: -reversed,
        delta: {
          current: -reversed,
          carry: inCycle ? -Math.min(reversed, customer.balances.carry) : 0,
          lifetimeEarned: -reversed,
          lifetimeSpend: -input.amount,
        },
        reason: 'refund',
        tierId: customer.tierId,
        at: ctx.now,
      };
      const refundedAmount = order.refundedAmount + input.amount;
      // The refund is applied to the order before evaluating, so windows see the net amount.
      await tx.orders.updateRefunded(orderId, refundedAmount, order.pointsReversed + reversed);
      const settled = await settle(tx, ctx, await tx.tiers.list(), customer, [entry]);
      const body = {
        refund: { id: input.id, orderId, amount: input.amount },
        order: orderView({ ...order, refundedAmount }),
        ...settled.body,
      };
      const inserted = await tx.refunds.insert({
        id: input.id,
        orderId,
        amount: input.amount,
        requestHash: hash,
        response: body,
      });
      if (!inserted.inserted) throw new RefundRace();
      await tx.outcomes.store(settled.outcome);
      return { status: 201, body, replayed: false };
    });
  }
}
