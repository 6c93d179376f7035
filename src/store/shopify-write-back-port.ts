/**
 * The Shopify write-back's setting and record (migration 035, docs/decisions/0045). Queueing the
 * write-backs is the outcome writes' job (outcome-port.ts); this is what the handler and the
 * API read and record.
 */

/** A program's write-back: whether it runs, and what it did. */
export interface ShopifyWriteBackStatus {
  /** Tier tags and metafields are written to the shop (default true). */
  enabled: boolean;
  /** Customers written to the shop so far. */
  synced: number;
  /** Write-backs given up (token revoked, customer not in the shop, retries exhausted). */
  failed: number;
  lastSyncedAt: Date | null;
  /** The last give-up: a stable code, a message without secrets, and when. */
  lastError: { code: string; message: string; at: Date } | null;
}

/** One program's write-back record; each method is its own statement. */
export interface ShopifyWriteBackRepository {
  /** The setting and counters (defaults when never written). */
  get(): Promise<ShopifyWriteBackStatus>;
  /** Turn write-back on or off; counters are kept. */
  setEnabled(enabled: boolean): Promise<void>;
  /** Count `count` customers written at `at`. */
  recordSynced(count: number, at: Date): Promise<void>;
  /** Count one write-back given up, keeping why as the last error. */
  recordFailed(code: string, message: string, at: Date): Promise<void>;
}
