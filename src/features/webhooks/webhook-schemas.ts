/** Request and response shapes of the webhook endpoints (API.md "Webhooks"). */
import { z } from 'zod';
import { int8StringSchema } from '../../http/common-schemas.js';

/** Overlap of a secret rotation (hours of program time) unless asked otherwise, and its bound. */
export const OVERLAP_DEFAULT_HOURS = 24;
export const OVERLAP_MAX_HOURS = 168;

/**
 * The subscribe body. URL scheme, address and event names are checked by the service, so each
 * refusal has its own stable code (invalid_webhook_url, webhook_url_not_allowed,
 * unknown_webhook_event); missing or mistyped fields are validation_failed.
 */
export const subscribeBody = z.strictObject({
  url: z
    .string()
    .min(1, 'enter the URL events are POSTed to')
    .max(2048)
    .describe('http(s) URL the events are POSTed to'),
  events: z
    .array(z.string().min(1).max(100))
    .min(1, 'subscribe to at least one event')
    .max(20)
    .describe('tier.upgraded, tier.downgraded, customer.tags_changed, tier.downgrade_warning'),
  format: z
    .enum(['standard', 'klaviyo'])
    .default('standard')
    .describe('standard: { id, type, createdAt, data }; klaviyo: a Klaviyo Create Event body'),
});

export type SubscribeInput = z.output<typeof subscribeBody>;

/** The rotate-secret body (optional as a whole). */
export const rotateSecretBody = z
  .strictObject({
    overlapHours: z
      .number()
      .int('whole hours')
      .min(0)
      .max(OVERLAP_MAX_HOURS, `at most ${OVERLAP_MAX_HOURS} hours (7 days)`)
      .default(OVERLAP_DEFAULT_HOURS)
      .describe(
        'Hours (program time) during which deliveries carry a signature with the previous secret too; 0 = none',
      ),
  })
  .default({ overlapHours: OVERLAP_DEFAULT_HOURS });

export type RotateSecretInput = z.output<typeof rotateSecretBody>;

export const webhookIdParams = z.object({ webhookId: z.string().min(1).max(64) });

export const deliveryParams = webhookIdParams.extend({
  deliveryId: int8StringSchema('unknown delivery id'),
});

export const deliveriesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: int8StringSchema('must be a cursor returned as nextCursor').optional(),
});

export const subscriptionView = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  format: z.enum(['standard', 'klaviyo']),
  state: z.enum(['enabled', 'disabled']),
  disabledReason: z.string().nullable().describe('Why deliveries stopped, when disabled'),
  disabledAt: z.string().nullable(),
  failingSince: z.string().nullable().describe('Start of the current run of failed attempts'),
  previousSecretExpiresAt: z
    .string()
    .nullable()
    .describe('After a secret rotation: until when deliveries are signed with the previous secret too'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const createdSubscriptionView = subscriptionView.extend({
  secret: z.string().describe('Signing secret: shown only in this response (stored sealed)'),
});

export const subscriptionList = z.object({ data: z.array(subscriptionView) });

export const deliveryView = z.object({
  id: z.string(),
  eventId: z.string().describe('Stable event id (the body id; the same on every attempt and redelivery)'),
  eventType: z.string().describe('The event type, or ping for a test event'),
  customerId: z.string().nullable().describe('The customer the event is about; null for a ping'),
  state: z.enum(['pending', 'delivered', 'failed']),
  nextAttemptAt: z.string().nullable(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  redeliveryOf: z.string().nullable(),
  doneAt: z.string().nullable(),
  createdAt: z.string(),
  attempts: z.array(
    z.object({
      at: z.string(),
      status: z.number().int().nullable().describe('HTTP status; null without an answer'),
      error: z.string().nullable(),
      durationMs: z.number().int(),
    }),
  ),
});

export const deliveryList = z.object({ data: z.array(deliveryView), nextCursor: z.string().nullable() });
