/** The backfill API's shapes (docs/shopify.md, "History backfill"). */
import { z } from 'zod';
import { instantSchema } from '../../http/common-schemas.js';

export const backfillBody = z.strictObject({
  since: instantSchema.describe(
    'Import orders processed at or after this instant (and customers updated since)',
  ),
  mode: z
    .enum(['auto', 'paged', 'bulk'])
    .optional()
    .describe(
      'How orders are read: `paged` (Admin API pages), `bulk` (one bulk export, for a large shop), `auto` (bulk once 1,000 customers were imported); default: the server’s SHOPIFY_BACKFILL_ORDERS',
    ),
});

export const backfillView = z.object({
  id: z.string(),
  state: z.enum(['running', 'resyncing', 'done', 'failed']),
  phase: z.enum(['customers', 'orders', 'resync', 'done']).describe('What is being read now'),
  since: z.string(),
  progress: z.number().min(0).max(1).describe('Fraction done (estimated while orders are read)'),
  customers: z.object({ done: z.number().int().describe('Customers imported') }),
  orders: z.object({
    done: z.number().int().describe('Orders that earned'),
    skipped: z.number().int().describe('Orders read that do not earn (test, unpaid, no customer, zero)'),
    estimatedTotal: z
      .number()
      .int()
      .nullable()
      .describe(
        'Orders expected in all: from the time covered so far (paged), the export’s count (bulk); exact once done',
      ),
    mode: z
      .enum(['paged', 'bulk'])
      .nullable()
      .describe(
        'How orders are read: page by page, or one bulk export (null until the orders phase decides)',
      ),
    export: z
      .object({
        status: z
          .enum(['CREATED', 'RUNNING', 'COMPLETED', 'CANCELING', 'CANCELED', 'FAILED', 'EXPIRED'])
          .nullable()
          .describe('Shopify’s status of the bulk operation when last polled'),
        preparing: z.boolean().describe('Shopify is still writing the export: no order is applied yet'),
        orders: z.number().int().describe('Orders the export has counted so far'),
      })
      .nullable()
      .describe('The bulk export the orders come from (mode bulk)'),
  }),
  refunds: z.object({ done: z.number().int().describe('Refunds and cancellations applied') }),
  coveredThrough: z.string().nullable().describe('Processed time of the last order read (oldest first)'),
  errors: z.object({
    count: z.number().int(),
    last: z.string().nullable().describe('The last error code'),
  }),
  resyncJobId: z.string().nullable().describe('The resync that ends the backfill (GET /v1/jobs/{jobId})'),
  startedAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
});
