/** What each webhook event announces (SPEC 5), in the merchant's words, for the form and the lists. */
import type { DeliveredEventType, WebhookEventType } from '../../../../src/domain/webhook-event-types.js';

export { WEBHOOK_EVENT_TYPES } from '../../../../src/domain/webhook-event-types.js';

/** Checkbox hints of the subscribe form. */
export const EVENT_HINTS: Record<WebhookEventType, string> = {
  'tier.upgraded': 'A customer moved up a tier, including a new customer placed in the entry tier.',
  'tier.downgraded': 'A customer moved down a tier (re-engagement campaigns start here).',
  'customer.tags_changed': 'A customer’s tags changed: the merchant’s tags or the tier’s tag.',
  'tier.downgrade_warning':
    'Some days before a cycle boundary that would downgrade the customer, with what keeps the tier.',
};

/** How an event type reads in the delivery log (`ping` is the test event). */
export function eventLabel(type: DeliveredEventType | string): string {
  return type === 'ping' ? 'Test event (ping)' : type;
}
