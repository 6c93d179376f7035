/**
 * Webhooks in the storage port (SPEC 5): events written in the transaction of the change they
 * announce, fanned out to one delivery per subscription that wants them.
 */
import type { DeliveredEventType, WebhookEventType } from '../domain/webhook-event-types.js';

/** One event to announce, complete (domain/webhook-events.ts); stored through `outcomes`. */
export type { NewWebhookEvent } from '../domain/webhook-events.js';

/** How a subscription's bodies are shaped. */
export type WebhookFormat = 'standard' | 'klaviyo';

/** enabled → disabled (failing for three days, receiver gone) or deleted (unsubscribed). */
export type WebhookSubscriptionState = 'enabled' | 'disabled' | 'deleted';

/** A merchant's subscription, without its secret (shown once, at creation). */
export interface WebhookSubscriptionRecord {
  id: string;
  url: string;
  events: WebhookEventType[];
  format: WebhookFormat;
  state: WebhookSubscriptionState;
  /** Why it was disabled, for the merchant. */
  disabledReason: string | null;
  disabledAt: Date | null;
  /** First failure of the current unbroken run of failures (program time); null after a success. */
  failingSince: Date | null;
  /**
   * After a secret rotation: until when (program time) deliveries are signed with the previous
   * secret too; null when there is no previous secret.
   */
  previousSecretUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewWebhookSubscription {
  id: string;
  url: string;
  events: WebhookEventType[];
  format: WebhookFormat;
  /** The signing secret, sealed (SecretSealer, context `webhook:<programId>:<id>`): stored as given. */
  secret: string;
  now: Date;
}

/** A new signing secret; the current one becomes the previous one until `previousUntil`. */
export interface WebhookSecretRotation {
  /** The new secret, sealed like NewWebhookSubscription.secret. */
  secret: string;
  /** End of the overlap (program time); at or before `now`: the previous secret is not kept. */
  previousUntil: Date;
  now: Date;
}

/** A subscription's stored signing secrets, as the re-sealing job at start sees them. */
export interface StoredWebhookSecrets {
  programId: string;
  subscriptionId: string;
  /** As stored: sealed, or plain when written before migration 031. */
  secret: string;
  previousSecret: string | null;
}

export type WebhookDeliveryState = 'pending' | 'delivered' | 'failed';

/** One HTTP attempt of a delivery. */
export interface WebhookAttemptRecord {
  /** Program time of the attempt. */
  at: Date;
  /** HTTP status; null when there was no response. */
  status: number | null;
  error: string | null;
  durationMs: number;
}

/** One delivery of an event to a subscription, with its attempts (oldest first). */
export interface WebhookDeliveryRecord {
  /** Decimal string; also the pagination cursor. */
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: DeliveredEventType;
  /** The customer the event is about; null for a ping. */
  customerId: string | null;
  state: WebhookDeliveryState;
  /** Next attempt (program time) while pending. */
  dueAt: Date;
  lastStatus: number | null;
  lastError: string | null;
  /** The delivery this one redelivers, if any. */
  redeliveryOf: string | null;
  /** When it was delivered or given up (program time). */
  doneAt: Date | null;
  createdAt: Date;
  attempts: WebhookAttemptRecord[];
}

/** One program's subscriptions and delivery log; each method is its own statement or transaction. */
export interface WebhookRepository {
  /** Store a new enabled subscription. */
  create(sub: NewWebhookSubscription): Promise<WebhookSubscriptionRecord>;
  /** Subscriptions not deleted, oldest first. */
  list(): Promise<WebhookSubscriptionRecord[]>;
  /** One subscription not deleted, or null. */
  get(id: string): Promise<WebhookSubscriptionRecord | null>;
  /** Unsubscribe: the subscription is gone and its pending deliveries fail; false when missing. */
  remove(id: string, now: Date): Promise<boolean>;
  /** Enable a disabled subscription again (its pending deliveries resume); null when missing. */
  enable(id: string, now: Date): Promise<WebhookSubscriptionRecord | null>;
  /**
   * Replace the signing secret of a subscription not deleted: the current one is kept as the
   * previous one until `rotation.previousUntil` (replacing any earlier previous one), or dropped
   * when that is not after `rotation.now`; null when missing.
   */
  rotateSecret(id: string, rotation: WebhookSecretRotation): Promise<WebhookSubscriptionRecord | null>;
  /** Deliveries of a subscription, newest first, with their attempts. */
  deliveries(
    subscriptionId: string,
    page: { limit: number; cursor?: string },
  ): Promise<{ items: WebhookDeliveryRecord[]; nextCursor: string | null }>;
  /** A new pending delivery of the same event, due at `dueAt`; null when the delivery is unknown. */
  redeliver(subscriptionId: string, deliveryId: string, dueAt: Date): Promise<WebhookDeliveryRecord | null>;
  /**
   * Store a `ping` event with `data` and one pending delivery of it, due at `at`, for an enabled
   * subscription (whatever its event filter); null when it is missing or not enabled.
   */
  ping(
    subscriptionId: string,
    data: Record<string, unknown>,
    at: Date,
  ): Promise<WebhookDeliveryRecord | null>;
}

/** A delivery claimed by a dispatcher, with all it needs to send it. */
export interface ClaimedDelivery {
  id: string;
  programId: string;
  /** Test programs attempt at the due time on their clock (docs/decisions/0013-webhooks.md). */
  programMode: 'live' | 'test';
  subscriptionId: string;
  url: string;
  format: WebhookFormat;
  /** The signing secret as stored (sealed; plain only for rows not yet sealed at start). */
  secret: string;
  /** The previous secret (as stored) after a rotation, else null; it signs only before `previousSecretUntil`. */
  previousSecret: string | null;
  /** End of that overlap (program time); null without a previous secret. */
  previousSecretUntil: Date | null;
  /** Null for a ping. */
  customerId: string | null;
  event: { id: string; type: DeliveredEventType; data: Record<string, unknown>; occurredAt: Date };
  /** Attempts so far. */
  attempts: number;
  dueAt: Date;
  firstAttemptAt: Date | null;
  /** The subscription's, as of the claim. */
  failingSince: Date | null;
}

/** What became of one claimed delivery's attempt. */
export interface DeliveryOutcome {
  delivery: ClaimedDelivery;
  /** Program time of the attempt. */
  at: Date;
  status: number | null;
  error: string | null;
  durationMs: number;
  /** delivered (2xx), retry at `nextDueAt`, or failed (given up). */
  result: 'delivered' | 'retry' | 'failed';
  nextDueAt: Date | null;
  /** Disable the subscription with this reason (failing for three days, 410 Gone). */
  disable: string | null;
}

/** The dispatcher's side, across programs. */
export interface WebhookDispatchRepository {
  /**
   * Claim up to `limit` due pending deliveries of enabled subscriptions, held for `leaseMs`: due
   * at `now` for live programs, at the test clock for test programs (or only `programId`'s).
   * Never a delivery while an earlier one of the same customer to the same subscription is
   * pending, so one claim holds at most one delivery per customer and subscription.
   */
  claim(opts: { limit: number; leaseMs: number; now: Date; programId?: string }): Promise<ClaimedDelivery[]>;
  /** Record the attempts and their effects on deliveries and subscriptions, set-based. */
  complete(outcomes: readonly DeliveryOutcome[]): Promise<void>;
  /** Call `listener` after each program transaction that queued deliveries has committed. */
  onQueued(listener: () => void): void;
}
