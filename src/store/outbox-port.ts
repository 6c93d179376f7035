/**
 * The outbox (SPEC 5): rows written in the same transaction as a change, delivered later at
 * least once. Times are the database's (`now()`), so every instance agrees on what is due.
 */

/**
 * Kinds of outbox rows. Each kind has its own handler in the outbox worker, which claims only
 * its kind:
 * `apple_pass_changed` (APNs pushes), `google_object_changed` (patch the customer's Google
 * Wallet loyalty object, with a message when its tier changed), `shopify_customer_changed` (write
 * the customer's tier tags and metafields to the connected Shopify store, docs/decisions/0045),
 * `klaviyo_profile_changed` (send
 * the row's event, if any, and the customer's current profile to Klaviyo; docs/decisions/0044).
 */
export type OutboxKind =
  | 'apple_pass_changed'
  | 'google_object_changed'
  | 'shopify_customer_changed'
  | 'klaviyo_profile_changed';

/** One claimed outbox row. */
export interface OutboxItem {
  /** Row id (decimal string). */
  id: string;
  /** Program of the customer. */
  programId: string;
  /** Customer whose pass changed. */
  customerId: string;
  /** What to deliver. */
  kind: OutboxKind;
  /** Failed attempts so far (backoff). */
  attempts: number;
}

/** Outbox writes inside a program's unit of work. */
export interface OutboxTxRepository {
  /**
   * What every pass shows changed for many customers at once — those in `tierId`, or all of the
   * program's when absent (a tier's design, artwork, title or rewards; the tier list itself,
   * which moves everyone's progress line): a refresh of each customer's wallet passes (Apple on a
   * device, Google object), set-based.
   */
  passesChanged(scope?: { tierId?: string }): Promise<void>;
}

/**
 * The dispatcher's side. Claiming is across programs (the dispatcher serves them all); every
 * row names its program, and the work on it goes through `Store.scoped`.
 */
export interface OutboxRepository {
  /**
   * Claim up to `limit` due rows of `kind`: they are not due again for `leaseMs` (a crashed
   * worker's rows come back).
   */
  claim(kind: OutboxKind, limit: number, leaseMs: number): Promise<OutboxItem[]>;
  /** Mark rows delivered. */
  done(ids: readonly string[]): Promise<void>;
  /** Make rows due again in `delayMs`; `error` counts an attempt and is kept. */
  retry(ids: readonly string[], delayMs: number, error?: string): Promise<void>;
  /** Milliseconds since each of these customers' passes was last pushed; customers never pushed are absent. */
  lastPushAges(programId: string, customerIds: readonly string[]): Promise<Map<string, number>>;
  /** Record that these customers' passes were pushed now (a customer listed twice counts once). */
  recordPushes(programId: string, customerIds: readonly string[]): Promise<void>;
  /**
   * Add APNs outcomes to the program's hour of `at` (program time): the wallet health panel's
   * pushes sent and failed in the last 24 hours.
   */
  recordPushCounts(programId: string, at: Date, counts: { sent: number; failed: number }): Promise<void>;
  /** `retry` with a delay (and error) per row, in one statement. */
  retryEach(rows: readonly { id: string; delayMs: number; error?: string }[]): Promise<void>;
  /**
   * Call `listener` after each program transaction that queued outbox rows has committed (the
   * dispatcher delivers them at once instead of at its next scheduled run).
   */
  onQueued(listener: () => void): void;
}
