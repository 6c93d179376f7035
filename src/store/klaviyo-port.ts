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
  /** Which of these customers were erased (privacy redact): Klaviyo gets nothing more about them. */
  redacted(customerIds: readonly string[]): Promise<string[]>;
  /** Customer ids after `after` in id order, at most `limit`, each with whether they were erased. */
  customerPage(after: string, limit: number): Promise<{ id: string; redacted: boolean }[]>;
  /** The program's latest profile sync, or null (docs/decisions/0052). */
  sync(): Promise<KlaviyoSyncRecord | null>;
  /**
   * Start a sync of `total` customers (replacing a finished one); null when one is running (it
   * stays). Leased to `worker` until `leaseUntil`.
   */
  startSync(
    s: { id: string; total: number; worker: string; leaseUntil: Date },
    now: Date,
  ): Promise<KlaviyoSyncRecord | null>;
  /**
   * Take the running sync `id` for `worker` until `leaseUntil` when nobody holds it (no lease or
   * an expired one, or already ours) and it is not waiting (`retryAt` passed); else null.
   */
  claimSync(id: string, worker: string, leaseUntil: Date, now: Date): Promise<KlaviyoSyncRecord | null>;
  /** Write progress while `worker` holds the lease (null: it lost it); a final state releases it. */
  saveSync(id: string, worker: string, patch: KlaviyoSyncPatch, now: Date): Promise<KlaviyoSyncRecord | null>;
}

export type KlaviyoSyncState = 'running' | 'done' | 'failed';

/** A program's "sync all profiles" (Bulk Import Profiles jobs), migration 041. */
export interface KlaviyoSyncRecord {
  /** The program synced. */
  programId: string;
  /** `ksync_…`, new at each start. */
  id: string;
  /** running (also while waiting), done, failed. */
  state: KlaviyoSyncState;
  /** Last customer id Klaviyo accepted (resume after it), null before the first job. */
  cursor: string | null;
  /** Customers when it started. */
  total: number;
  /** Profiles Klaviyo accepted (202 on their job). */
  sent: number;
  /** Erased customers passed without sending. */
  skipped: number;
  /** Bulk import jobs Klaviyo accepted. */
  jobs: number;
  /** Failed attempts in a row (backoff); 0 after a job goes through. */
  attempts: number;
  /** Why it failed or waits, or the last failure; null when all went well. */
  lastError: string | null;
  /** Not before (Retry-After, backoff, key needing attention). */
  retryAt: Date | null;
  /** The process working it, null when released. */
  worker: string | null;
  /** Until when `worker` holds it (wall clock); null when released. */
  leaseUntil: Date | null;
  /** When it started. */
  startedAt: Date;
  /** Last progress written. */
  updatedAt: Date;
  /** When it ended (done or failed). */
  finishedAt: Date | null;
}

/** What a worker writes: given fields replace the stored ones; `leaseUntil` null releases the lease. */
export type KlaviyoSyncPatch = Partial<
  Pick<
    KlaviyoSyncRecord,
    'state' | 'cursor' | 'sent' | 'skipped' | 'jobs' | 'attempts' | 'lastError' | 'retryAt' | 'finishedAt'
  >
> & { leaseUntil: Date | null };

/** A claimed `klaviyo_profile_changed` row: the event it sends, or null for the profile only. */
export interface KlaviyoOutboxItem extends OutboxItem {
  eventId: string | null;
  /**
   * An erasure (docs/decisions/0052): the sealed identifier of the profile to delete (context
   * `klaviyo:<programId>:erasure:<customerId>`), else null.
   */
  erasureSealed: string | null;
}

/** Across programs: the Klaviyo rows of the outbox (done / retry through `Store.outbox`). */
export interface KlaviyoQueue {
  /**
   * Claim up to `limit` due `klaviyo_profile_changed` rows in id order, leased for `leaseMs`,
   * leaving out any row of a customer with an earlier row still waiting (leased or backing
   * off): a customer's rows go out in order. `programId` limits the claim to one program.
   */
  claim(limit: number, leaseMs: number, programId?: string): Promise<KlaviyoOutboxItem[]>;
  /** Mark rows done and forget the erasure values they carried (sent, given up or dropped alike). */
  done(ids: readonly string[]): Promise<void>;
  /** Programs with a running profile sync nobody holds and not waiting (resumed by the tick). */
  syncsToResume(now: Date, limit: number): Promise<{ programId: string; id: string }[]>;
}
