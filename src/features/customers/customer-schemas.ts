/** Request and response shapes of the customer endpoints. */
import { z } from 'zod';
import { externalIdSchema, int8StringSchema, labelSchema } from '../../http/common-schemas.js';

export const customerIdParams = z.object({ customerId: externalIdSchema });

const labels = z
  .array(labelSchema)
  .max(250, 'at most 250 entries')
  .transform((xs) => [...new Set(xs)]);

export const upsertCustomerBody = z.strictObject({
  email: z.email().max(320).nullable().optional(),
  name: z.string().trim().min(1).max(200).nullable().optional(),
  tags: labels.optional(),
  segments: labels.optional(),
});

export type UpsertCustomerInput = z.output<typeof upsertCustomerBody>;

export const ledgerQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: int8StringSchema('must be a cursor returned as nextCursor').optional(),
});

export const balancesView = z.object({
  current: z.number().int(),
  carry: z.number().int(),
  lifetimeEarned: z.number().int(),
  lifetimeSpend: z.number().int().describe('Net order value, minor units'),
});

/** Cycle mode: the tier's keep conditions judged on the facts projected to the next boundary. */
export const keepStatusView = z.object({
  boundaryAt: z.string(),
  tierId: z.string(),
  met: z.boolean(),
  missing: z.array(z.record(z.string(), z.unknown())),
  headline: z.string().describe('e.g. "$120.00 within 12 months by 1 Jul 2027 to keep Gold"'),
});

export const customerView = z.object({
  id: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  tags: z.array(z.string()),
  segments: z.array(z.string()),
  tier: z.object({ id: z.string(), title: z.string(), visible: z.boolean() }).nullable(),
  tierSince: z.string(),
  balances: balancesView,
  multiplier: z.number(),
  tierTags: z.array(z.string()),
  progress: z.object({
    nextTierId: z.string().nullable(),
    missing: z
      .array(z.record(z.string(), z.unknown()))
      .describe('What is still missing, e.g. { type, missing, label: "1,250 points" }'),
    headline: z.string().nullable().describe('e.g. "1,250 points and $120.00 within 30 days to Gold"'),
  }),
  keep: keepStatusView
    .nullable()
    .optional()
    .describe(
      'Cycle mode, GET of one customer: what keeps the tier at the next boundary (null: nothing to keep)',
    ),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const ledgerEntryView = z.object({
  id: z.string().optional(),
  key: z.string().describe('Idempotency key of the event that wrote the entry'),
  type: z.enum(['earn', 'bonus', 'redeem', 'adjust', 'refund_reversal', 'carry_reset']),
  orderId: z.string().nullable(),
  base: z.number().int().nullable().describe('Points before the multiplier'),
  multiplier: z.number().nullable(),
  points: z.number().int().describe('Points awarded (negative when removed)'),
  delta: balancesView,
  reason: z.string().nullable(),
  tierId: z.string().nullable(),
  at: z.string(),
  createdAt: z.string().optional(),
});

export const ledgerPage = z.object({ data: z.array(ledgerEntryView), nextCursor: z.string().nullable() });

/** A tier as list rows and tier changes name it. */
export const tierRef = z.object({
  id: z.string(),
  title: z.string().nullable().describe('null only for an id the program never had'),
  deleted: z.boolean().describe('The tier was deleted since; its title is the last it had'),
});

export const tierChangeView = z.object({
  id: z.string(),
  fromTierId: z.string().nullable(),
  toTierId: z.string().nullable(),
  fromTier: tierRef.nullable(),
  toTier: tierRef.nullable(),
  direction: z.enum(['up', 'down']),
  reason: z.string(),
  at: z.string(),
  facts: z.unknown(),
  explanation: z
    .string()
    .describe(
      'The change in plain words from its facts, money in the program currency, dates in its time zone',
    ),
});

export const tierHistoryPage = z.object({ data: z.array(tierChangeView), nextCursor: z.string().nullable() });
