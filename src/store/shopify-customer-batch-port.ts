/**
 * A page of the Shopify backfill's customers in one transaction (docs/decisions/0051, amendment
 * of 2026-12-06): each customer written as a `customers/update` webhook writes it through the
 * customer upsert (email, name and merchant tags set; segments, balances and tier left), then
 * evaluated as that upsert evaluates it, the outcomes decided by the caller and stored as
 * `outcomes.store` stores them. Reached as `store.scoped(programId).shopifyCustomerBatch`.
 *
 * Guarantees every adapter must give (test/store/contract-shopify-customer-batch.ts):
 * - all of a page or nothing: the fields, the outcomes and what they queue commit together;
 * - each customer ends exactly as `customers.upsert(id, { email, name, tags, sourceUpdatedAt }, now)` followed by
 *   `outcomes.store` of the decided outcome would leave it, one customer at a time;
 * - only the scope's program is read or written.
 */
import type { OrderFacts, OutcomeCustomer } from '../domain/customer-outcome.js';
import type { OutcomeToStore } from './outcome-port.js';
import type { OrderSummaryQuery, TierRecord } from './records.js';

/** A customer's merchant fields as the `customers/update` webhook sets them: all three given. */
export interface BatchCustomerFields {
  id: string;
  email: string | null;
  name: string | null;
  /** Merchant tags (replace the customer's). */
  tags: string[];
  /** Shopify's `updated_at` of these fields: a later one stored keeps the customer's (CustomerPatch). */
  sourceUpdatedAt?: Date | null;
}

/** A customer of the page after its fields were written, as the tier rules read it. */
export interface PageCustomer extends OutcomeCustomer {
  /** Merchant and tier tags before the write; null when the write created the customer. */
  before: { tags: string[]; tierTags: string[] } | null;
  /** Order facts at the evaluation's `asOf`; zeros when it reads no orders. */
  orders: OrderFacts;
}

/** How a page is evaluated against the tiers its transaction reads. */
export interface PageEvaluation {
  /** The order facts to read per customer; null when no tier reads orders. */
  orders: OrderSummaryQuery | null;
  /** The outcomes of the page's customers (those that change nothing left out). Pure. */
  evaluate(customers: PageCustomer[]): OutcomeToStore[];
}

/** One program's backfill customer pages. */
export interface ShopifyCustomerBatchRepository {
  /**
   * In one transaction: lock the page's existing customers, insert the missing ones, set the
   * fields of all (`updatedAt` = `now`), read the live tiers, then store the outcomes
   * `plan(tiers).evaluate` decides for the customers as written. Ids must be distinct.
   */
  writePage(
    customers: readonly BatchCustomerFields[],
    now: Date,
    plan: (tiers: TierRecord[]) => PageEvaluation,
  ): Promise<{ created: number; updated: number }>;
}
