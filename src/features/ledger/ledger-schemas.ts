/** Request shapes of the point-moving events (orders, refunds, points, redemptions). */
import { z } from 'zod';
import {
  externalIdSchema,
  idempotencyKeySchema,
  instantSchema,
  pointsSchema,
  positiveAmountSchema,
} from '../../http/common-schemas.js';
import { balancesView, customerView, ledgerEntryView } from '../customers/customer-schemas.js';

export const orderBody = z.strictObject({
  id: externalIdSchema.describe('The merchant order id; also the idempotency key'),
  customerId: externalIdSchema,
  amount: positiveAmountSchema.describe('Net order value in minor units of the program currency'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional()
    .describe('If given, must equal the program currency'),
  placedAt: instantSchema.optional().describe('Defaults to now; never later than the program now'),
});

export const refundBody = z.strictObject({
  id: externalIdSchema.describe('The merchant refund id; also the idempotency key'),
  amount: positiveAmountSchema,
});

export const orderIdParams = z.object({ orderId: externalIdSchema });

export const pointsBody = z.strictObject({
  points: pointsSchema.refine((p) => p !== 0, 'must not be 0'),
  reason: z.string().trim().min(1).max(200),
  qualifying: z.boolean().optional().describe('Counts toward tiers; defaults to true for positive points'),
});

export const redemptionBody = z.strictObject({
  points: pointsSchema.refine((p) => p > 0, 'must be greater than 0'),
  reward: z.string().trim().min(1).max(200),
});

export const idempotencyHeader = {
  name: 'Idempotency-Key',
  required: true,
  description: 'A replay with the same key returns the first response; another body gets 409',
};

export { idempotencyKeySchema };

export type OrderInput = z.output<typeof orderBody>;
export type RefundInput = z.output<typeof refundBody>;
export type PointsInput = z.output<typeof pointsBody>;
export type RedemptionInput = z.output<typeof redemptionBody>;

const orderView = z.object({
  id: z.string(),
  customerId: z.string(),
  amount: z.number().int(),
  refundedAmount: z.number().int(),
  placedAt: z.string(),
});

export const eventResult = z.object({
  entries: z.array(ledgerEntryView),
  balances: balancesView,
  customer: customerView,
});

export const orderResult = eventResult.extend({ order: orderView });
export const refundResult = eventResult.extend({
  order: orderView,
  refund: z.object({ id: z.string(), orderId: z.string(), amount: z.number().int() }),
});
