/** What storage keeps of a program's Klaviyo destination (migration 034, docs/decisions/0044). */
import type { DeliveredEventType } from '../domain/webhook-event-types.js';
import type { OutboxItem } from './outbox-port.js';

export type KlaviyoState = 'connected' | 'needs_attention';

export interface KlaviyoConnectionRecord {
  programId: string;
  /** Sealed (SecretSealer, context `klaviyo:<programId>:api-key`); opened only to call Klaviyo. */
  apiKeySealed: string;
  /** The key's last four characters, for the merchant to recognise it. */
  keyHint: string;
  /** Klaviyo's account id, as GET /api/accounts/ answered when the key was checked. */
  accountId: string;
  /** `needs_attention`: Klaviyo refused the key (401/403); nothing is sent until it is replaced. */
  state: KlaviyoState;
  /** Why the connection needs attention (Klaviyo's answer), or null. */
  lastError: string | null;
  connectedAt: Date;
  updatedAt: Date;
}

export type NewKlaviyoConnection = Pick<KlaviyoConnectionRecord, 'apiKeySealed' | 'keyHint' | 'accountId'>;

/** A stored webhook event, as the Klaviyo handler sends it. */
export interface KlaviyoEventRecord {
  id: string;
  customerId: string | null;
  type: DeliveredEventType;
  data: Record<string, unknown>;
  occurredAt: Date;
}

/** One program's Klaviyo connection; each method is its own statement. */
export interface KlaviyoRepository {
  /** The connection, or null when none. */
  get(): Promise<KlaviyoConnectionRecord | null>;
  /** Insert or replace the connection (state `connected`, no error, `connectedAt` = now). */
  save(c: NewKlaviyoConnection, now: Date): Promise<KlaviyoConnectionRecord>;
  /** Mark the connection as needing attention (with why) or connected again; false when none. */
  setState(state: KlaviyoState, lastError: string | null, now: Date): Promise<boolean>;
  /** Forget the connection (disconnect); false when there was none. */
  remove(): Promise<boolean>;
  /** Stored webhook events by id (those missing are left out), in the order asked. */
  events(ids: readonly string[]): Promise<KlaviyoEventRecord[]>;
}

/** A claimed `klaviyo_profile_changed` row: the event it sends, or null for the profile only. */
export interface KlaviyoOutboxItem extends OutboxItem {
  eventId: string | null;
}

/** Across programs: the Klaviyo rows of the outbox (done / retry through `Store.outbox`). */
export interface KlaviyoQueue {
  /**
   * Claim up to `limit` due `klaviyo_profile_changed` rows in id order, leased for `leaseMs`,
   * leaving out any row of a customer with an earlier row still waiting (leased or backing
   * off): a customer's rows go out in order. `programId` limits the claim to one program.
   */
  claim(limit: number, leaseMs: number, programId?: string): Promise<KlaviyoOutboxItem[]>;
}
