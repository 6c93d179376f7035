/** HTTP routes of point-moving events. */
import type { Request } from 'express';
import { badRequest } from '../../errors.js';
import type { ApiRegistry } from '../../http/route.js';
import { customerIdParams } from '../customers/customer-schemas.js';
import type { EventResponse } from './event-result.js';
import {
  eventResult,
  idempotencyHeader,
  idempotencyKeySchema,
  orderBody,
  orderIdParams,
  orderResult,
  pointsBody,
  redemptionBody,
  refundBody,
  refundResult,
} from './ledger-schemas.js';
import type { OrderService } from './order-service.js';
import type { PointsService } from './points-service.js';

function idempotencyKey(req: Request): string {
  const raw = req.get('Idempotency-Key');
  if (raw === undefined) throw badRequest('idempotency_key_required', 'Send an Idempotency-Key header');
  const parsed = idempotencyKeySchema.safeParse(raw);
  if (!parsed.success) {
    throw badRequest('invalid_idempotency_key', 'Idempotency-Key must be 1–255 printable ASCII characters');
  }
  return parsed.data;
}

function send(r: EventResponse) {
  return {
    status: r.status,
    body: r.body,
    headers: r.replayed ? { 'Idempotent-Replayed': 'true' } : undefined,
  };
}

export function registerLedgerRoutes(api: ApiRegistry, orders: OrderService, points: PointsService): void {
  api.add({
    method: 'post',
    path: '/v1/orders',
    summary: 'Record an order and award its points (the order id is the idempotency key)',
    tag: 'Events',
    auth: 'apiKey',
    body: orderBody,
    responses: { 201: { description: 'Recorded (replays return the first response)', schema: orderResult } },
    async handler({ ctx, body }) {
      return send(await orders.place(ctx, body));
    },
  });
  api.add({
    method: 'post',
    path: '/v1/orders/:orderId/refunds',
    summary:
      'Refund part or all of an order, reversing its points in proportion (the refund id is the idempotency key)',
    tag: 'Events',
    auth: 'apiKey',
    params: orderIdParams,
    body: refundBody,
    responses: { 201: { description: 'Refunded', schema: refundResult } },
    async handler({ ctx, params, body }) {
      return send(await orders.refund(ctx, params.orderId, body));
    },
  });
  api.add({
    method: 'post',
    path: '/v1/customers/:customerId/points',
    summary: 'Earn or adjust points',
    tag: 'Events',
    auth: 'apiKey',
    params: customerIdParams,
    body: pointsBody,
    headers: [idempotencyHeader],
    responses: { 201: { description: 'Applied', schema: eventResult } },
    async handler({ ctx, params, body, req }) {
      return send(await points.change(ctx, params.customerId, idempotencyKey(req), body));
    },
  });
  api.add({
    method: 'post',
    path: '/v1/customers/:customerId/redemptions',
    summary: 'Redeem points for a reward (422 when the balance is too low)',
    tag: 'Events',
    auth: 'apiKey',
    params: customerIdParams,
    body: redemptionBody,
    headers: [idempotencyHeader],
    responses: { 201: { description: 'Redeemed', schema: eventResult } },
    async handler({ ctx, params, body, req }) {
      return send(await points.redeem(ctx, params.customerId, idempotencyKey(req), body));
    },
  });
}
