/**
 * Storage of Google Wallet state (issue 5): what the Wallet REST API last accepted per loyalty
 * class and per loyalty object, and the daily count of notifying messages. Scoped by program.
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
   * Take one of `limit` notifying messages of the customer's object for `day` (YYYY-MM-DD):
   * true when taken, false when `limit` were already sent that day.
   */
  takeNotification(customerId: string, day: string, limit: number): Promise<boolean>;
  /** Give back a notification taken for a message that was not sent. */
  releaseNotification(customerId: string, day: string): Promise<void>;
}
