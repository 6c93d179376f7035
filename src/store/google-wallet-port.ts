/**
 * Storage of Google Wallet state (issue 5): what the Wallet REST API last accepted per loyalty
 * class and per loyalty object, and the notifying messages of the last 24 hours per object
 * (issue 15, docs/decisions/0040-wallet-conformance.md). Scoped by program.
 */

/** A customer's loyalty object as last sent. */
export interface GoogleObjectRecord {
  /** The merchant's customer id. */
  customerId: string;
  /** Full Google object id (`<issuerId>.<…>`); fixed once created. */
  objectId: string;
  /** Class the object was last sent with; null before the API first accepted it. */
  classId: string | null;
  /** Tier the object last showed (null: no tier or a hidden one). */
  tierId: string | null;
  /** Hash of the object body last accepted; null before the API first accepted it. */
  contentHash: string | null;
  /** When the API last accepted the object. */
  syncedAt: Date | null;
  /** Last permanent failure or abandoned retry. */
  lastError: string | null;
  /** When `lastError` happened. */
  lastErrorAt: Date | null;
  /** When the customer first asked for the Google pass. */
  createdAt: Date;
}

/** What the API accepted for an object. */
export interface GoogleObjectSync {
  classId: string;
  tierId: string | null;
  contentHash: string;
}

export interface GoogleWalletRepository {
  /** Hash of the class body last accepted, or null when this class was never sent. */
  classHash(classId: string): Promise<string | null>;
  /** Record the class body the API accepted. */
  setClassHash(classId: string, hash: string, now: Date): Promise<void>;
  /** The customer's object, or null when the customer never asked for a Google pass. */
  object(customerId: string): Promise<GoogleObjectRecord | null>;
  /**
   * The customer's object row, created with `objectId` when missing (committed before the API
   * call, so changes from then on queue updates). Concurrent callers get the one stored row.
   */
  ensureObject(customerId: string, objectId: string, now: Date): Promise<GoogleObjectRecord>;
  /** Record what the API accepted; clears the last error. */
  recordSync(customerId: string, sync: GoogleObjectSync, now: Date): Promise<void>;
  /** Record a permanent failure (or an abandoned retry) of the customer's object. */
  recordError(customerId: string, error: string, now: Date): Promise<void>;
  /**
   * Take one of `limit` notifying-message slots of the customer's object for the message `key`
   * (the same for every attempt at one message), counted over the 24 hours up to `now`
   * (rolling, not per calendar day). Atomic per customer: concurrent takes never exceed `limit`.
   * - `taken`: a slot is now used by `key` (until 24 hours after `now`; it is never given back,
   *   even when sending then fails: Google may have counted it);
   * - `spent`: `key` took a slot before (a retry: send it without notifying);
   * - `full`: `limit` slots were taken in (now − 24 h, now].
   */
  takeNotification(customerId: string, key: string, now: Date, limit: number): Promise<NotificationSlot>;
}

/** What `takeNotification` decided. */
export type NotificationSlot = 'taken' | 'spent' | 'full';
