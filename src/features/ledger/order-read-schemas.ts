/** Response shapes of the order read endpoints. */
import { z } from 'zod';
import { externalIdSchema } from '../../http/common-schemas.js';
import { ledgerEntryView } from '../customers/customer-schemas.js';

export const orderDetailView = z.object({
  id: z.string(),
  customerId: z.string(),
  amount: z.number().int().describe('Minor units of the program currency'),
  refundedAmount: z.number().int(),
  netAmount: z.number().int().describe('amount − refundedAmount'),
  placedAt: z.string(),
  earnedAt: z.string().describe('Program time the order was processed'),
  pointsAwarded: z.number().int(),
  pointsReversed: z.number().int(),
  refunds: z.array(z.object({ id: z.string(), amount: z.number().int(), createdAt: z.string() })),
});

export const orderDetails = z.object({
  order: orderDetailView,
  entries: z
    .array(ledgerEntryView)
    .describe('Oldest first: the earn entry, the tier bonus it triggered, refund reversals'),
  currency: z.string(),
});

export const customerOrdersQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(20),
  cursor: externalIdSchema.optional().describe('`nextCursor` of the previous page'),
});

export const customerOrdersPage = z.object({
  data: z.array(orderDetailView),
  nextCursor: z.string().nullable(),
});
