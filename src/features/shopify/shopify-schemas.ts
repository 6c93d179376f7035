/** The connection API's shapes and the fields Tierpass reads of Shopify's webhook payloads. */
import { z } from 'zod';

export const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]{0,60}\.myshopify\.com$/;

export const connectBody = z.strictObject({
  shopDomain: z
    .string()
    .trim()
    .toLowerCase()
    .regex(SHOP_DOMAIN, 'must be the shop’s <name>.myshopify.com domain')
    .describe('The shop’s permanent domain, <name>.myshopify.com'),
  accessToken: z
    .string()
    .min(10)
    .max(255)
    .describe('The custom app’s Admin API access token (never returned)'),
  webhookSecret: z
    .string()
    .min(10)
    .max(255)
    .describe('The app’s client secret, which signs its webhooks (never returned)'),
  earnOn: z
    .enum(['subtotal', 'total'])
    .default('subtotal')
    .describe('subtotal: after discounts, without shipping and tax (default); total: what the customer paid'),
  includeTestOrders: z.boolean().default(false).describe('Count test orders (default false)'),
});
export type ConnectInput = z.output<typeof connectBody>;

export const connectionView = z.object({
  shopDomain: z.string(),
  shopName: z.string(),
  currency: z.string(),
  state: z.enum(['connected', 'uninstalled']),
  earnOn: z.enum(['subtotal', 'total']),
  includeTestOrders: z.boolean(),
  webhookTopics: z.array(z.string()),
  connectedAt: z.string(),
  updatedAt: z.string(),
});

export const webhookAck = z.object({
  received: z.boolean(),
  duplicate: z.boolean(),
  result: z.string().nullable(),
});

// Shopify's payloads: only the fields Tierpass reads are checked; the rest passes.
const money = z.object({ amount: z.string(), currency_code: z.string().regex(/^[A-Z]{3}$/) });
const moneySet = z.object({ shop_money: money });
const shopifyId = z.union([z.number().int().positive(), z.string().regex(/^\d{1,20}$/)]).transform(String);

export const customerPayload = z.object({
  id: shopifyId,
  email: z.string().nullable().optional(),
  first_name: z.string().nullable().optional(),
  last_name: z.string().nullable().optional(),
  tags: z.string().optional(),
  /** When the shop last changed the customer: an older delivery than the one applied changes nothing. */
  updated_at: z.string().nullable().optional(),
});

export const orderPayload = z.object({
  id: shopifyId,
  test: z.boolean().optional(),
  processed_at: z.string().nullable().optional(),
  created_at: z.string().nullable().optional(),
  subtotal_price_set: moneySet,
  total_price_set: moneySet,
  customer: customerPayload.nullable().optional(),
});

export const refundPayload = z.object({
  id: shopifyId,
  order_id: shopifyId,
  refund_line_items: z.array(z.object({ subtotal_set: moneySet })),
});

export const customerDeletePayload = z.object({ id: shopifyId });

// The mandatory privacy topics (shopify.dev, privacy law compliance): the customer is named by id.
const privacyCustomer = z.object({
  id: shopifyId,
  email: z.string().nullable().optional(),
  phone: z.string().nullable().optional(),
});

export const dataRequestPayload = z.object({
  shop_domain: z.string(),
  customer: privacyCustomer,
  orders_requested: z.array(shopifyId).optional(),
  data_request: z.object({ id: shopifyId }).optional(),
});

export const redactPayload = z.object({
  shop_domain: z.string(),
  customer: privacyCustomer,
  orders_to_redact: z.array(shopifyId).optional(),
});

export const shopRedactPayload = z.object({ shop_domain: z.string() });

export const dataRequestList = z.object({
  items: z.array(
    z.object({
      id: z.string().describe('The delivery id (X-Shopify-Webhook-Id): the export is downloaded by it'),
      dataRequestId: z.string().nullable().describe('Shopify’s data_request.id'),
      customerId: z.string().nullable(),
      receivedAt: z.string(),
      processedAt: z.string().nullable(),
      status: z
        .enum(['pending', 'ready', 'customer_unknown', 'erased', 'failed', 'empty'])
        .describe(
          'pending: recorded, not applied yet; ready: the export can be downloaded; customer_unknown: Tierpass holds nothing about the customer; erased: the customer was redacted since, and the export with them',
        ),
      erasedAt: z.string().nullable(),
    }),
  ),
});

export const dataRequestParams = z.object({ requestId: z.string().regex(/^[\x21-\x7E]{1,255}$/) });

/**
 * The payload fields a schema reads, as Shopify's `includeFields` names them (a period between a
 * field and its nested field; a list's nested fields apply to each element). Paths stop at
 * `depth` segments: a deeper object is asked for whole (a money set's `shop_money` with its
 * amount and currency), so no nesting deeper than Shopify documents is relied on.
 */
export function includeFieldsOf(schema: z.ZodType, depth = 2): string[] {
  const out: string[] = [];
  const walk = (s: z.ZodType, path: string[]): void => {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) walk(s.unwrap() as z.ZodType, path);
    else if (s instanceof z.ZodArray) walk(s.element as z.ZodType, path);
    else if (s instanceof z.ZodObject && path.length < depth) {
      for (const [key, field] of Object.entries(s.shape)) walk(field as z.ZodType, [...path, key]);
    } else if (path.length > 0) out.push(path.join('.'));
  };
  walk(schema, []);
  return out;
}
