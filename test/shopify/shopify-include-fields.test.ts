/**
 * The fields Tierpass's subscriptions ask Shopify for (decision 0055): derived from the payload
 * schemas, so a delivery trimmed to them reads exactly as the whole documented payload does, for
 * every subscribed topic and currency; and Shopify's filter as the stand-in applies it.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { includeFields, subscriptionTopic } from '../../scripts/lib/shopify-include-fields.js';
import { checkShape } from '../../src/features/shopify/shopify-payloads.js';
import { includeFieldsOf } from '../../src/features/shopify/shopify-schemas.js';
import { SUBSCRIBED_TOPICS, SUBSCRIPTION_FIELDS } from '../../src/features/shopify/shopify-subscriptions.js';
import {
  appUninstalledPayload,
  customerDeletePayload,
  customerPayload,
  orderPayload,
  refundPayload,
} from './payloads.js';

const documented = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../fixtures/shopify/webhooks-2025-10/${name}.json`, import.meta.url), 'utf8'),
  ) as unknown;

const read = (topic: string, payload: unknown) => {
  try {
    return checkShape(topic, payload);
  } catch (err) {
    return { refused: (err as { code?: string }).code };
  }
};

const trimmed = (topic: string, payload: unknown) =>
  includeFields(
    payload,
    SUBSCRIPTION_FIELDS[subscriptionTopic(topic) as keyof typeof SUBSCRIPTION_FIELDS] ?? [],
  );

describe('the fields each subscription asks for', () => {
  it('names a list for every subscribed topic, none empty', () => {
    for (const topic of SUBSCRIBED_TOPICS) expect(SUBSCRIPTION_FIELDS[topic]?.length).toBeGreaterThan(0);
  });

  const cases: [string, unknown][] = [
    ['orders/paid', documented('orders-paid')],
    ['orders/cancelled', documented('orders-cancelled')],
    ['refunds/create', documented('refunds-create')],
    ['customers/create', documented('customers-create')],
    ['customers/update', documented('customers-update')],
    ['customers/delete', documented('customers-delete')],
  ];
  for (const currency of ['USD', 'JPY', 'KWD']) {
    cases.push(
      [
        'orders/paid',
        orderPayload({
          id: 7001,
          customer: { id: 8001 },
          currency,
          subtotal: 12_345,
          shipping: 500,
          tax: 99,
        }),
      ],
      ['orders/paid', orderPayload({ id: 7002, customer: null, currency, subtotal: 100 })],
      [
        'orders/paid',
        orderPayload({ id: 7003, customer: { id: 8003 }, currency, subtotal: 100, test: true }),
      ],
      [
        'orders/cancelled',
        orderPayload({ id: 7004, customer: { id: 8004 }, currency, subtotal: 700 }, 'orders-cancelled'),
      ],
      [
        'refunds/create',
        refundPayload({ id: 9001, orderId: 7001, currency, lines: [300, 450, 1], lineTax: 20, shipping: 50 }),
      ],
    );
  }
  cases.push(
    [
      'customers/update',
      customerPayload({
        id: 8005,
        email: 'a@example.com',
        tags: 'VIP, wholesale',
        updatedAt: '2026-01-02T03:04:05-05:00',
      }),
    ],
    ['customers/delete', customerDeletePayload(8006)],
  );

  it('reads every built case (money in USD, JPY, KWD; with and without a customer)', () => {
    const accepted = cases.filter(([topic, payload]) => !('refused' in read(topic, payload)));
    // All but the six raw examples, whose ids are past 2^53.
    expect(accepted.length).toBe(cases.length - 6);
  });

  it.each(cases.map(([topic, payload], i) => [i, topic, payload] as const))(
    'case %i (%s): the trimmed delivery reads as the whole one',
    (_i, topic, payload) => {
      const cut = trimmed(topic, payload);
      // The raw documented examples carry ids past 2^53 (refused, 400): refused alike when trimmed.
      expect(read(topic, cut)).toEqual(read(topic, payload));
      expect(JSON.stringify(cut).length).toBeLessThan(JSON.stringify(payload).length);
    },
  );

  it('keeps no address, phone, line item or note of an order', () => {
    const order = documented('orders-paid') as Record<string, unknown>;
    const cut = JSON.stringify(trimmed('orders/paid', order));
    for (const key of [
      'billing_address',
      'shipping_address',
      'line_items',
      'note',
      'phone',
      'default_address',
      'browser_ip',
    ]) {
      expect(JSON.stringify(order)).toContain(`"${key}"`);
      expect(cut).not.toContain(`"${key}"`);
    }
    // ≈ 0.7 KB of the ≈ 9 KB Shopify documents.
    expect(cut.length).toBeLessThan(1_000);
  });

  it('app/uninstalled keeps its shop id only', () => {
    expect(trimmed('app/uninstalled', appUninstalledPayload())).toEqual({
      id: (appUninstalledPayload() as { id: unknown }).id,
    });
  });
});

describe('includeFieldsOf', () => {
  it('names nested fields with a period, through lists and optional values, up to the depth', () => {
    const schema = z.object({
      id: z.number(),
      who: z.object({ id: z.number(), name: z.string().optional() }).nullable().optional(),
      lines: z.array(z.object({ price: z.object({ amount: z.string(), currency: z.string() }) })),
    });
    expect(includeFieldsOf(schema)).toEqual(['id', 'who.id', 'who.name', 'lines.price']);
    expect(includeFieldsOf(schema, 3)).toEqual([
      'id',
      'who.id',
      'who.name',
      'lines.price.amount',
      'lines.price.currency',
    ]);
    expect(includeFieldsOf(schema, 1)).toEqual(['id', 'who', 'lines']);
  });
});

describe('Shopify’s payload filter (the stand-in’s)', () => {
  const payload = {
    id: 1,
    note: 'gift',
    customer: { id: 2, email: 'a@example.com', default_address: { city: 'Oslo' } },
    lines: [
      { price: { amount: '1.00', currency: 'USD' }, sku: 'a' },
      { price: { amount: '2.00', currency: 'USD' }, sku: 'b' },
    ],
    empty: null,
  };

  it('keeps the named fields, nested ones of objects and of each list element', () => {
    expect(includeFields(payload, ['id', 'customer.email', 'lines.price'])).toEqual({
      id: 1,
      customer: { email: 'a@example.com' },
      lines: [{ price: { amount: '1.00', currency: 'USD' } }, { price: { amount: '2.00', currency: 'USD' } }],
    });
  });

  it('keeps a field named whole over its nested fields, in either order, and leaves missing ones out', () => {
    expect(includeFields(payload, ['customer.id', 'customer'])).toEqual({ customer: payload.customer });
    expect(includeFields(payload, ['customer', 'customer.id'])).toEqual({ customer: payload.customer });
    expect(includeFields(payload, ['absent', 'empty.x', 'customer.absent'])).toEqual({
      empty: null,
      customer: {},
    });
  });

  it('sends everything when the subscription names no fields', () => {
    expect(includeFields(payload, [])).toBe(payload);
  });
});
