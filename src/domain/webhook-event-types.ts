/**
 * The webhook event types (SPEC 5): what a change can announce. Domain vocabulary, not a storage
 * detail: the webhooks feature validates subscriptions against it, the store port carries it, the
 * console labels it (docs/decisions/0035).
 */

/** Every event type a merchant can subscribe to. */
export const WEBHOOK_EVENT_TYPES = [
  'tier.upgraded',
  'tier.downgraded',
  'customer.tags_changed',
  'tier.downgrade_warning',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The test event (POST /v1/webhooks/{id}/test): sent on request only, never subscribed to. */
export const PING_EVENT = 'ping';

/** Every event type a delivery can carry: the subscribable ones and the test event. */
export type DeliveredEventType = WebhookEventType | typeof PING_EVENT;
