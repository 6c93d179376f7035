/**
 * A backfill page of the shop's customers as one write (docs/decisions/0051, amendment of
 * 2026-12-06): each customer read and mapped exactly as its `customers/update` webhook is (the
 * same shape check and fields, `checkShape` and `customerFields`), and evaluated exactly as the
 * customer upsert evaluates it (`decideOutcome` for an event without entries, the tags before the
 * write) — but the page's fields and outcomes are stored in one transaction instead of one each.
 */
import { decideOutcome, isEmptyOutcome, readsOrders } from '../../domain/customer-outcome.js';
import { requiredWindows, windowBounds } from '../../domain/qualifications.js';
import type { ProgramSettings } from '../../domain/types.js';
import { effectiveTags } from '../../domain/webhook-events.js';
import { AppError } from '../../errors.js';
import type { HistoryCustomer } from '../../integrations/shopify/admin-history.js';
import type { OutcomeToStore } from '../../store/outcome-port.js';
import type { TierRecord } from '../../store/port.js';
import type { BatchCustomerFields, PageEvaluation } from '../../store/shopify-customer-batch-port.js';
import { checkShape, customerFields } from './shopify-payloads.js';

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
