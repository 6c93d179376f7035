/**
 * The backfill's orders phase, paged (docs/decisions/0046, 0051): a page of the shop's orders since
 * `since` (the next one read ahead, shopify-backfill-pages.ts) applied in customer lanes
 * (shopify-backfill-lanes.ts), each historical order exactly as its webhooks would have applied it
 * (ShopifyService.applyAs: paid, then refunds, then cancelled; same ids, mapping and money), then
 * the page's counts, covered time and estimate stored with its cursor. The bulk path
 * (shopify-backfill-bulk.ts) applies its pages through the same `applyOrders`.
 */
import type { HistoryOrder, ShopifyHistory } from '../../integrations/shopify/admin-history.js';
import type { ProgramContext } from '../../program-context.js';
import type { ShopifyBackfillPatch, ShopifyBackfillRecord } from '../../store/shopify-backfill-port.js';
import type { ShopifyConnectionRecord } from '../../store/shopify-port.js';
import type { PageCounts } from './shopify-backfill-bulk.js';
import { inLanes } from './shopify-backfill-lanes.js';
import { type BackfillReads, searchInstant } from './shopify-backfill-pages.js';
import type { ShopifyService } from './shopify-service.js';

/** Orders that were paid: the ones an `orders/paid` webhook was sent for. */
const PAID = new Set(['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED']);

/** What the orders phase uses of the backfill's run (shopify-backfill-service.ts). */
export interface OrdersPhaseRun {
  /** The connected shop the orders are applied for. */
  connection: ShopifyConnectionRecord;
  /** The shop's history for the run (orders pages, refund lines). */
  history: ShopifyHistory;
  /** The run's reads: retried, the next orders page read ahead. */
  reads: Pick<BackfillReads, 'fetch' | 'orders'>;
  /** Applies an order's events as their webhooks. */
  shopify: Pick<ShopifyService, 'applyAs'>;
  /** Customers whose orders of a page are applied at once (default 32). */
  concurrency?: number;
  /** The program and its time, read when a page has come. */
  context(): Promise<ProgramContext>;
  /** Store the backfill's progress (it renews the lease; throws when the lease was lost). */
  save(patch: ShopifyBackfillPatch): Promise<ShopifyBackfillRecord>;
}

/** One page of the paged orders phase, applied and stored with its cursor (the last one: resync). */
export async function ordersPage(run: OrdersPhaseRun, b: ShopifyBackfillRecord): Promise<void> {
  // The next page is read ahead while this one is applied (shopify-backfill-pages.ts).
  const page = await run.reads.orders(run.history, b.cursor, `processed_at:>=${searchInstant(b.since)}`);
  const ctx = await run.context();
  const counts = { done: 0, skipped: 0, refunds: 0, errors: 0, lastError: b.lastError };
  await applyOrders(run, ctx, page.items, counts);
  const last = page.items.at(-1);
  const covered = last ? new Date(last.processedAt) : b.coveredThrough;
  const read = b.ordersDone + b.ordersSkipped + counts.done + counts.skipped;
  const span = ctx.now.getTime() - b.since.getTime();
  const coveredSpan = covered ? covered.getTime() - b.since.getTime() : 0;
  // Orders come oldest first: the rate so far over the time left is the estimate of the rest.
  const estimate = !page.next
    ? read
    : coveredSpan > 0
      ? Math.max(read + 1, Math.round((read * span) / coveredSpan))
      : null;
  await run.save({
    ordersDone: b.ordersDone + counts.done,
    ordersSkipped: b.ordersSkipped + counts.skipped,
    refundsDone: b.refundsDone + counts.refunds,
    errors: b.errors + counts.errors,
    lastError: counts.lastError,
    coveredThrough: covered,
    ordersEstimate: estimate,
    ...(page.next ? { cursor: page.next } : { phase: 'resync', state: 'resyncing', cursor: null }),
  });
}

/** A page of orders (paged or from a bulk export) applied in customer lanes, counted into `counts`. */
export async function applyOrders(
  run: Pick<OrdersPhaseRun, 'connection' | 'history' | 'reads' | 'shopify' | 'concurrency'>,
  ctx: ProgramContext,
  items: readonly HistoryOrder[],
  counts: PageCounts,
): Promise<void> {
  // A customerless order earns nothing and touches no customer: a lane of its own.
  await inLanes(
    items,
    (o) => (o.customer ? `c:${o.customer.legacyResourceId}` : `o:${o.legacyResourceId}`),
    (order) => applyOrder(run, ctx, order, counts),
    run.concurrency,
  );
}

/** One historical order as its webhooks would have applied it: paid, then refunds, then cancelled. */
async function applyOrder(
  run: Pick<OrdersPhaseRun, 'connection' | 'history' | 'reads' | 'shopify'>,
  ctx: ProgramContext,
  order: HistoryOrder,
  counts: PageCounts,
): Promise<void> {
  const { connection: c, history, reads, shopify } = run;
  const count = (
    outcome: { result: string; detail: string | null },
    applied: () => void,
    ignored?: () => void,
  ) => {
    if (outcome.result === 'applied') applied();
    else if (outcome.result === 'failed') {
      counts.errors += 1;
      counts.lastError = outcome.detail;
    } else ignored?.();
  };
  if (!order.displayFinancialStatus || !PAID.has(order.displayFinancialStatus)) {
    counts.skipped += 1;
    return;
  }
  const money = (m: { shopMoney: { amount: string; currencyCode: string } } | null) =>
    m ? { shop_money: { amount: m.shopMoney.amount, currency_code: m.shopMoney.currencyCode } } : undefined;
  const payload = {
    id: order.legacyResourceId,
    test: order.test,
    processed_at: order.processedAt,
    created_at: order.createdAt,
    subtotal_price_set: money(order.subtotalPriceSet) ?? money(order.totalPriceSet),
    total_price_set: money(order.totalPriceSet),
    customer: order.customer
      ? {
          id: order.customer.legacyResourceId,
          email: order.customer.email,
          first_name: order.customer.firstName,
          last_name: order.customer.lastName,
          tags: order.customer.tags.join(', '),
        }
      : null,
  };
  let earned = false;
  count(
    await shopify.applyAs(ctx, c, 'orders/paid', payload),
    () => {
      counts.done += 1;
      earned = true;
    },
    () => {
      counts.skipped += 1;
    },
  );
  if (!earned) return;
  for (const refund of order.refunds) {
    const lines = await reads.fetch(() => history.refundLines(refund.id));
    const outcome = await shopify.applyAs(ctx, c, 'refunds/create', {
      id: refund.legacyResourceId,
      order_id: order.legacyResourceId,
      refund_line_items: lines.map((l) => ({ subtotal_set: money(l) })),
    });
    count(outcome, () => {
      counts.refunds += 1;
    });
  }
  if (order.cancelledAt) {
    count(await shopify.applyAs(ctx, c, 'orders/cancelled', payload), () => {
      counts.refunds += 1;
    });
  }
}
