/** Request and response shapes of the privacy operations (docs/decisions/0043). */
import { z } from 'zod';
import { externalIdSchema } from '../../http/common-schemas.js';
import { customerView, ledgerEntryView, tierChangeView } from '../customers/customer-schemas.js';

export const programIdParams = z.object({ programId: externalIdSchema });

const instant = z.string().describe('ISO 8601 instant');

export const customerExport = z.object({
  exportedAt: instant,
  currency: z.string(),
  customer: customerView.extend({
    redactedAt: instant.nullable().describe('When the customer’s personal data was erased (null: never)'),
  }),
  ledger: z.array(ledgerEntryView).describe('Every ledger entry, oldest first'),
  orders: z
    .array(
      z.object({
        id: z.string(),
        amount: z.number().int().describe('Minor units of the program currency'),
        refundedAmount: z.number().int(),
        placedAt: instant,
        earnedAt: instant,
        pointsAwarded: z.number().int(),
        pointsReversed: z.number().int(),
        refunds: z.array(z.object({ id: z.string(), amount: z.number().int(), createdAt: instant })),
      }),
    )
    .describe('Every order, oldest placed first, with its refunds'),
  tierHistory: z.array(tierChangeView).describe('Every tier change, oldest first'),
  passes: z.object({
    apple: z.array(
      z.object({
        serial: z.string(),
        createdAt: instant,
        updatedAt: instant,
        registrations: z
          .array(z.object({ createdAt: instant, updatedAt: instant }))
          .describe('Devices registered for updates: when, without device ids or push tokens'),
      }),
    ),
    google: z
      .object({
        objectId: z.string(),
        tierId: z.string().nullable(),
        syncedAt: instant.nullable(),
        createdAt: instant,
      })
      .nullable(),
  }),
  webhookEvents: z
    .array(z.object({ id: z.string(), type: z.string(), occurredAt: instant, data: z.unknown() }))
    .describe('Webhook events about the customer, oldest first, with their data as stored'),
});

export const redactionView = z.object({
  id: z.string(),
  redactedAt: instant.describe('When the personal data was first erased; the same on every replay'),
});

export const programDeletionView = z.object({
  id: z.string(),
  deleted: z.record(z.string(), z.number().int()).describe('Rows deleted per table'),
});
