/**
 * Privacy operations (docs/decisions/0043): what a customer's export needs beyond the customer,
 * ledger, orders and tier history repositories; the erasure of a customer's personal data; and
 * the deletion of a whole program.
 *
 * Personal data, as Tierpass holds it: the customer's email, name and merchant tags (free text
 * the merchant writes about a person), and every copy of them — stored API responses (orders,
 * refunds, points events), webhook event data, tier change facts (they hold the tags), and the
 * merchant's free-text ledger reasons. Amounts, tiers, segments (ids of the merchant's segments)
 * and the merchant's customer id (the pseudonymous key) are not erased.
 */

import type { Page } from './records.js';

/** A wallet pass of the customer as the export shows it: no token, no device or push token. */
export interface PassExport {
  /** Apple pass serial. */
  serial: string;
  createdAt: Date;
  /** When its content last changed. */
  updatedAt: Date;
  /** Devices registered for its updates: when each registered, nothing that identifies the device. */
  registrations: { createdAt: Date; updatedAt: Date }[];
}

/** The customer's Google Wallet loyalty object as last sent. */
export interface GoogleObjectExport {
  objectId: string;
  /** Tier it shows (null: none or hidden). */
  tierId: string | null;
  /** When the API last accepted it (null: never). */
  syncedAt: Date | null;
  createdAt: Date;
}

/** A webhook event about the customer, with its data as stored. */
export interface WebhookEventExport {
  /** Public id ("evt_…"). */
  id: string;
  type: string;
  data: unknown;
  occurredAt: Date;
}

/** What an erasure did. */
export interface RedactionResult {
  /** When the customer's data was first erased (a replay keeps it). */
  redactedAt: Date;
  /** False when nothing personal was left (a replay): then nothing was written. */
  changed: boolean;
}

/** One program's privacy reads and the erasure of one customer. */
export interface PrivacyRepository {
  /** The customer's Apple passes and their device registrations, oldest first. */
  passesOf(customerId: string): Promise<PassExport[]>;
  /** The customer's Google Wallet object or null. */
  googleObjectOf(customerId: string): Promise<GoogleObjectExport | null>;
  /** Webhook events about the customer, oldest first; the cursor is opaque. */
  webhookEventsOf(
    customerId: string,
    opts: { limit: number; cursor?: string },
  ): Promise<Page<WebhookEventExport>>;
  /** When the customer's data was erased, or null (never, or no such customer). */
  redactedAt(customerId: string): Promise<Date | null>;
  /**
   * Erase the customer's personal data, atomically: email, name and merchant tags on the
   * customer; the same keys in the stored responses of their orders, refunds and points events
   * and in their webhook events' data (pending and delivered alike); tags in their tier changes'
   * facts; their ledger entries' reasons. Amounts and balances are not touched. When something
   * was erased, the customer's wallet passes are queued for a refresh (Apple push, Google object
   * patch) in the same transaction. Returns null when the customer does not exist. Idempotent:
   * when nothing personal is left it writes nothing and returns `changed: false` with the first
   * erasure's time. With `opts.klaviyoErasure` and a Klaviyo connection, a changed erasure also
   * queues the deletion of the customer's Klaviyo profile (an outbox row, docs/decisions/0052).
   */
  redactCustomer(customerId: string, now: Date, opts?: RedactionOptions): Promise<RedactionResult | null>;
}

/** What an erasure forwards (docs/decisions/0052). */
export interface RedactionOptions {
  /**
   * When the program has a Klaviyo connection and this erasure changed the customer: the sealed
   * value queued (same transaction) for the deletion of their Klaviyo profile, given the email the
   * customer had before the erasure (null: none, the profile is found by external id).
   */
  klaviyoErasure?(email: string | null): string;
}

/** Rows deleted per table by a program's deletion. */
export type ProgramDeletion = Record<string, number>;
