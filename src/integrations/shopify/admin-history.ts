/**
 * The shop's history as the backfill reads it (docs/decisions/0046): customers and orders page
 * by page with cursors, and the line items of refunds, through `@shopify/admin-api-client`
 * (`adminCaller`: paced by the shop's cost bucket, ended by the backfill's stop).
 * Every document is a constant, validated by the tests against Shopify's Admin schema.
 */
import { adminCaller, type ShopifyAdminOptions } from './admin-client.js';
import type { AdminPacing } from './admin-pacing.js';

/** Customers per page (Shopify's maximum for a connection is 250). */
export const CUSTOMER_PAGE = 250;
/**
 * Orders per page. Each order lists at most 20 refunds (ids only; their line items are read per
 * refund), and Shopify counts a page's requested cost before it runs: 2 + 30 × (the order, its
 * customer, two money bags, 20 refunds) ≈ 900 of the 1,000 points one query may cost. At 100 per
 * page (before 2026-12-06) every page was refused MAX_COST_EXCEEDED.
 */
export const ORDER_PAGE = 30;

export const HISTORY_CUSTOMERS_QUERY = `query TierpassHistoryCustomers($first: Int!, $after: String, $query: String) {
  customers(first: $first, after: $after, query: $query, sortKey: ID) {
    edges { node { legacyResourceId email firstName lastName tags updatedAt } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const HISTORY_ORDERS_QUERY = `query TierpassHistoryOrders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: PROCESSED_AT) {
    edges {
      node {
        legacyResourceId test processedAt createdAt cancelledAt displayFinancialStatus
        subtotalPriceSet { shopMoney { amount currencyCode } }
        totalPriceSet { shopMoney { amount currencyCode } }
        customer { legacyResourceId email firstName lastName tags }
        refunds(first: 20) { id legacyResourceId }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const HISTORY_REFUND_LINES_QUERY = `query TierpassHistoryRefundLines($id: ID!, $after: String) {
  node(id: $id) {
    ... on Refund {
      refundLineItems(first: 100, after: $after) {
        edges { node { subtotalSet { shopMoney { amount currencyCode } } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}`;

export interface HistoryMoney {
  shopMoney: { amount: string; currencyCode: string };
}

export interface HistoryCustomer {
  legacyResourceId: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  tags: string[];
  /** Read for the customers page (not on an order's customer): when the shop last changed them. */
  updatedAt?: string | null;
}

export interface HistoryOrder {
  legacyResourceId: string;
  test: boolean;
  processedAt: string;
  createdAt: string;
  cancelledAt: string | null;
  displayFinancialStatus: string | null;
  subtotalPriceSet: HistoryMoney | null;
  totalPriceSet: HistoryMoney;
  customer: HistoryCustomer | null;
  refunds: { id: string; legacyResourceId: string }[];
}

export interface HistoryPage<T> {
  items: T[];
  /** Where the next page starts; null on the last page. */
  next: string | null;
}

/** One shop's history with one token. */
export interface ShopifyHistory {
  customers(after: string | null, query: string): Promise<HistoryPage<HistoryCustomer>>;
  orders(after: string | null, query: string): Promise<HistoryPage<HistoryOrder>>;
  /** Every line item subtotal of one refund (its Admin id). */
  refundLines(refundId: string): Promise<HistoryMoney[]>;
}

interface Connection<T> {
  edges: { node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

function page<T>(c: Connection<T>): HistoryPage<T> {
  return { items: c.edges.map((e) => e.node), next: c.pageInfo.hasNextPage ? c.pageInfo.endCursor : null };
}

/**
 * `pacing`, when given, paces every call by the shop's cost bucket (admin-pacing.ts) and stops
 * its waits when `pacing.signal` aborts (the backfill stopped): the call then throws its reason.
 */
export function shopifyHistory(
  shop: string,
  accessToken: string,
  opts: ShopifyAdminOptions = {},
  pacing?: AdminPacing,
): ShopifyHistory {
  const call = adminCaller(shop, accessToken, opts, pacing);

  return {
    async customers(after, query) {
      const data = await call<{ customers: Connection<HistoryCustomer> }>(HISTORY_CUSTOMERS_QUERY, {
        first: CUSTOMER_PAGE,
        after,
        query,
      });
      return page(data.customers);
    },
    async orders(after, query) {
      const data = await call<{ orders: Connection<HistoryOrder> }>(HISTORY_ORDERS_QUERY, {
        first: ORDER_PAGE,
        after,
        query,
      });
      return page(data.orders);
    },
    async refundLines(refundId) {
      const lines: HistoryMoney[] = [];
      let after: string | null = null;
      do {
        const data: { node: { refundLineItems?: Connection<{ subtotalSet: HistoryMoney }> } | null } =
          await call(HISTORY_REFUND_LINES_QUERY, { id: refundId, after });
        const conn = data.node?.refundLineItems;
        if (!conn) break;
        const p = page(conn);
        lines.push(...p.items.map((i) => i.subtotalSet));
        after = p.next;
      } while (after);
      return lines;
    },
  };
}
