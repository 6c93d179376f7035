/**
 * Webhooks in the storage port (SPEC 5): events written in the transaction of the change they
 * announce, fanned out to one delivery per subscription that wants them.
 */

/** Every event type a merchant can subscribe to. */
export const WEBHOOK_EVENT_TYPES = [
  'tier.upgraded',
  'tier.downgraded',
  'customer.tags_changed',
  'tier.downgrade_warning',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** One event to announce. */
export interface NewWebhookEvent {
  /** The customer the event is about (orders its deliveries). */
  customerId: string;
  type: WebhookEventType;
  /**
   * The event's data. The store adds `customer: { id, email }` and `balances` (the customer's
   * row as of the write), so callers leave them out.
   */
  data: object;
  /** Program time of the change (the delivery body's `createdAt`; test clocks included). */
  at: Date;
}

/** Webhook writes inside a program's unit of work. */
export interface WebhookTxRepository {
  /**
   * Store the events and one pending delivery per enabled subscription of the program that
   * wants the event's type, in one statement. Nothing is written for an event no subscription
   * wants. Callers emit after the customer's row is written, so `balances` are the new ones.
   */
  emit(events: readonly NewWebhookEvent[]): Promise<void>;
}
