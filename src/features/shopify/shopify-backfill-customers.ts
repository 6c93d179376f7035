/**
 * The backfill's customers phase (docs/decisions/0046; 0051, amendment of 2026-12-06): a page of
 * the shop's customers as one write, each customer read and mapped exactly as its
 * `customers/update` webhook is (the same shape check and fields, `checkShape` and
 * `customerFields`), and evaluated exactly as the customer upsert evaluates it (`decideOutcome` for
 * an event without entries, the tags before the write) — but the page's fields and outcomes are
 * stored in one transaction instead of one each. A page the store refuses is applied one customer
 * at a time, as webhooks, in customer lanes (shopify-backfill-lanes.ts).
 */
import { decideOutcome, isEmptyOutcome, readsOrders } from '../../domain/customer-outcome.js';
import { requiredWindows, windowBounds } from '../../domain/qualifications.js';
import type { ProgramSettings } from '../../domain/types.js';
import { effectiveTags } from '../../domain/webhook-events.js';
import { AppError } from '../../errors.js';
import type { HistoryCustomer, ShopifyHistory } from '../../integrations/shopify/admin-history.js';
import type { ProgramContext } from '../../program-context.js';
import type { OutcomeToStore } from '../../store/outcome-port.js';
import type { TierRecord } from '../../store/port.js';
import type { ShopifyBackfillPatch, ShopifyBackfillRecord } from '../../store/shopify-backfill-port.js';
import type { BatchCustomerFields, PageEvaluation } from '../../store/shopify-customer-batch-port.js';
import type { ShopifyConnectionRecord } from '../../store/shopify-port.js';
import { inLanes } from './shopify-backfill-lanes.js';
import { type BackfillReads, searchInstant } from './shopify-backfill-pages.js';
import type { ShopifyBackfillScope } from './shopify-backfill-store.js';
import { checkShape, customerFields } from './shopify-payloads.js';
import type { ShopifyService } from './shopify-service.js';

/** What the customers phase uses of the backfill's run (shopify-backfill-service.ts). */
export interface CustomersPhaseRun {
  /** Where a page of customers is written in one transaction. */
  scope: Pick<ShopifyBackfillScope, 'shopifyCustomerBatch'>;
  /** The connected shop the customers are applied for. */
  connection: ShopifyConnectionRecord;
  /** The shop's history for the run. */
  history: ShopifyHistory;
  /** The run's reads, retried while the shop throttles or fails. */
  reads: Pick<BackfillReads, 'fetch'>;
  /** Applies a customer as its webhook (a refused page, one customer at a time). */
  shopify: Pick<ShopifyService, 'applyAs'>;
  /** Customers applied at once when a page is applied one customer at a time (default 32). */
  concurrency?: number;
  /** The program and its time, read when a page has come. */
  context(): Promise<ProgramContext>;
  /** Store the backfill's progress (it renews the lease; throws when the lease was lost). */
  save(patch: ShopifyBackfillPatch): Promise<ShopifyBackfillRecord>;
}

/**
 * One page of customers in one transaction (`shopifyCustomerBatch.writePage`), each written and
 * evaluated as its `customers/update` webhook would be (`customerPageFields`,
 * `customerPageEvaluation`). A page the store refuses (an AppError) is applied one customer at a
 * time, as webhooks, so each refusal is counted against its customer.
 */
export async function customersPage(run: CustomersPhaseRun, b: ShopifyBackfillRecord): Promise<void> {
  const { scope, history, reads } = run;
  const page = await reads.fetch(() => history.customers(b.cursor, `updated_at:>=${searchInstant(b.since)}`));
  const ctx = await run.context();
  const { fields, refused } = customerPageFields(page.items);
  let counts = {
    done: page.items.length - refused.length,
    errors: refused.length,
    lastError: refused.at(-1) ?? b.lastError,
  };
  try {
    await scope.shopifyCustomerBatch.writePage(
      fields,
      ctx.now,
      customerPageEvaluation(ctx.program.settings, ctx.now),
    );
  } catch (err) {
    if (!(err instanceof AppError && err.status < 500)) throw err;
    counts = await customersOneByOne(run, ctx, page.items, b.lastError);
  }
  await run.save({
    customersDone: b.customersDone + counts.done,
    errors: b.errors + counts.errors,
    lastError: counts.lastError,
    ...(page.next ? { cursor: page.next } : { phase: 'orders', cursor: null }),
  });
}

/** A page of customers applied as their webhooks, in customer lanes (the path before 2026-12-06). */
async function customersOneByOne(
  run: Pick<CustomersPhaseRun, 'connection' | 'shopify' | 'concurrency'>,
  ctx: ProgramContext,
  items: readonly HistoryCustomer[],
  lastError: string | null,
): Promise<{ done: number; errors: number; lastError: string | null }> {
  const counts = { done: 0, errors: 0, lastError };
  await inLanes(
    items,
    (customer) => customer.legacyResourceId,
    async (customer) => {
      const outcome = await run.shopify.applyAs(ctx, run.connection, 'customers/update', {
        id: customer.legacyResourceId,
        email: customer.email,
        first_name: customer.firstName,
        last_name: customer.lastName,
        tags: customer.tags.join(', '),
        // The shop's time of the copy: one a live customers/update changed since stays (0051).
        updated_at: customer.updatedAt ?? null,
      });
      // A copy older than the live one changed nothing, and needs nothing more: done.
      if (outcome.result === 'applied' || outcome.detail === 'stale_update') counts.done += 1;
      else if (outcome.result === 'failed') {
        counts.errors += 1;
        counts.lastError = outcome.detail;
      }
    },
    run.concurrency,
  );
  return counts;
}

/** A page's customers as their webhooks would write them, and those their webhook would refuse. */
export interface CustomerPageFields {
  /** Distinct ids; a customer listed twice keeps its last reading, as applied in page order. */
  fields: BatchCustomerFields[];
  /** The error code of each customer whose payload does not fit (`failed` as a delivery). */
  refused: string[];
}

/** The Admin API customer as the payload of its `customers/update` webhook, checked and mapped. */
export function customerPageFields(items: readonly HistoryCustomer[]): CustomerPageFields {
  const byId = new Map<string, BatchCustomerFields>();
  const refused: string[] = [];
  for (const customer of items) {
    const payload = {
      id: customer.legacyResourceId,
      email: customer.email,
      first_name: customer.firstName,
      last_name: customer.lastName,
      tags: customer.tags.join(', '),
      updated_at: customer.updatedAt,
    };
    let delivery: ReturnType<typeof checkShape>;
    try {
      delivery = checkShape('customers/update', payload);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      refused.push(err.code);
      continue;
    }
    if (delivery.kind !== 'customer') continue;
    const f = customerFields(delivery.body);
    byId.delete(delivery.body.id);
    byId.set(delivery.body.id, {
      id: delivery.body.id,
      email: f.email,
      name: f.name,
      tags: f.tags ?? [],
      sourceUpdatedAt: f.sourceUpdatedAt ?? null,
    });
  }
  return { fields: [...byId.values()], refused };
}

/**
 * How the page's customers are evaluated against the tiers its transaction reads: the order
 * facts `loadOrderFacts` would read (none when no tier reads orders) and, per customer, the
 * outcome `CustomerService.upsert` decides at `now`.
 */
export function customerPageEvaluation(
  settings: ProgramSettings,
  now: Date,
): (tiers: TierRecord[]) => PageEvaluation {
  return (tiers) => {
    const withOrders = readsOrders(tiers);
    const windows = requiredWindows(tiers).map((w) => ({
      key: w,
      from: windowBounds(now, w, settings.timezone).from,
    }));
    return {
      orders: withOrders ? { windows, asOf: now } : null,
      evaluate(customers) {
        const outcomes: OutcomeToStore[] = [];
        for (const c of customers) {
          const outcome = decideOutcome({
            settings,
            tiers,
            customer: c,
            orders: withOrders ? c.orders : null,
            moment: { type: 'event', entries: [], tagsBefore: c.before ? effectiveTags(c.before) : [] },
            at: now,
          });
          if (!isEmptyOutcome(outcome)) outcomes.push(outcome);
        }
        return outcomes;
      },
    };
  };
}
