/**
 * Shopify's webhook payloads as Tierpass reads them (docs/decisions/0042): which shape each topic
 * must have, the customer fields kept, shop money in minor units, and a data request as listed.
 */

import type { z } from 'zod';
import { badRequest, unprocessable } from '../../errors.js';
import type { ProgramContext } from '../../program-context.js';
import type { ShopifyDataRequestRecord, ShopifyWebhookRecord } from '../../store/shopify-port.js';
import { toMinorUnits } from './shopify-money.js';
import {
  customerDeletePayload,
  customerPayload,
  dataRequestPayload,
  orderPayload,
  redactPayload,
  refundPayload,
  shopRedactPayload,
} from './shopify-schemas.js';

/** A shop-money amount in the program's currency as integer minor units (400 or 422 otherwise). */
export function shopMinor(money: { amount: string; currency_code: string }, ctx: ProgramContext): number {
  if (money.currency_code !== ctx.program.settings.currency) {
    throw unprocessable(
      'currency_mismatch',
      `An amount in ${money.currency_code} reached a ${ctx.program.settings.currency} program`,
    );
  }
  const v = toMinorUnits(money.amount, money.currency_code);
  if (v === undefined)
    throw badRequest(
      'shopify_payload_invalid',
      `Amount "${money.amount}" is not a ${money.currency_code} amount`,
    );
  return v;
}

/** Shopify's customer fields as Tierpass keeps them: email, name, merchant tags, and their time. */
export function customerFields(c: {
  email?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  tags?: string;
  updated_at?: string | null;
}) {
  const name = [c.first_name, c.last_name]
    .filter((s) => s && s.trim().length > 0)
    .join(' ')
    .slice(0, 200);
  const email = c.email && /^[^@\s]+@[^@\s]+$/.test(c.email) && c.email.length <= 320 ? c.email : null;
  const tags =
    c.tags === undefined
      ? undefined
      : [
          ...new Set(
            c.tags
              .split(',')
              .map((t) => t.trim())
              .filter((t) => t.length > 0 && t.length <= 255),
          ),
        ].slice(0, 250);
  // The shop's time of these fields, so an older copy never overwrites a newer one (0051).
  const at = c.updated_at ? new Date(c.updated_at) : null;
  const sourceUpdatedAt = at && !Number.isNaN(at.getTime()) ? at : undefined;
  return {
    email,
    name: name.length > 0 ? name : null,
    ...(tags ? { tags } : {}),
    ...(sourceUpdatedAt ? { sourceUpdatedAt } : {}),
  };
}

/** A `customers/data_request` delivery as the merchant lists it. */
export function dataRequestView(r: ShopifyDataRequestRecord) {
  return {
    id: r.webhookId,
    dataRequestId: r.dataRequestId,
    customerId: r.customerId,
    receivedAt: r.receivedAt.toISOString(),
    processedAt: r.result === 'recorded' ? null : (r.processedAt?.toISOString() ?? null),
    status: dataRequestStatus(r),
    erasedAt: r.erasedAt?.toISOString() ?? null,
  };
}

function dataRequestStatus(r: ShopifyDataRequestRecord): string {
  if (r.result === 'recorded' || r.result === null) return 'pending';
  if (r.erasedAt) return 'erased';
  if (r.hasExport) return 'ready';
  if (r.detail === 'customer_unknown') return 'customer_unknown';
  return r.result === 'failed' ? 'failed' : 'empty';
}

/** A delivery's body as its topic's schema read it (parsed once, by `checkShape`). */
export type ShopifyDelivery =
  | { kind: 'order'; body: z.output<typeof orderPayload> }
  | { kind: 'refund'; body: z.output<typeof refundPayload> }
  | { kind: 'customer'; body: z.output<typeof customerPayload> }
  | { kind: 'customerDelete'; body: z.output<typeof customerDeletePayload> }
  | { kind: 'dataRequest'; body: z.output<typeof dataRequestPayload> }
  | { kind: 'redact'; body: z.output<typeof redactPayload> }
  | { kind: 'shopRedact'; body: z.output<typeof shopRedactPayload> }
  | { kind: 'other'; body: object };

/** What a delivery came to, as its record keeps it. */
export type WebhookOutcome = {
  result: NonNullable<ShopifyWebhookRecord['result']>;
  detail: string | null;
};

function read<K extends ShopifyDelivery['kind'], S extends z.ZodType>(
  kind: K,
  schema: S,
  payload: unknown,
): { kind: K; body: z.output<S> } | undefined {
  const parsed = schema.safeParse(payload);
  return parsed.success ? { kind, body: parsed.data } : undefined;
}

/**
 * The payload read by its topic's schema, once; one that cannot be applied is refused before it
 * is stored (400, nothing changes). Topics without a schema need a JSON object.
 */
export function checkShape(topic: string, payload: unknown): ShopifyDelivery {
  const delivery: ShopifyDelivery | undefined =
    topic === 'orders/paid' || topic === 'orders/cancelled'
      ? read('order', orderPayload, payload)
      : topic === 'refunds/create'
        ? read('refund', refundPayload, payload)
        : topic === 'customers/create' || topic === 'customers/update'
          ? read('customer', customerPayload, payload)
          : topic === 'customers/delete'
            ? read('customerDelete', customerDeletePayload, payload)
            : topic === 'customers/data_request'
              ? read('dataRequest', dataRequestPayload, payload)
              : topic === 'customers/redact'
                ? read('redact', redactPayload, payload)
                : topic === 'shop/redact'
                  ? read('shopRedact', shopRedactPayload, payload)
                  : typeof payload === 'object' && payload !== null
                    ? { kind: 'other', body: payload }
                    : undefined;
  if (!delivery)
    throw badRequest('shopify_payload_invalid', `The ${topic} payload is not shaped as Shopify documents it`);
  return delivery;
}
