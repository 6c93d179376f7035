/**
 * The storage port. Services depend only on these interfaces; adapters
 * (store/postgres — also embedded on PGlite — and later store/mongo) implement them.
 *
 * Tenancy: every repository is reached through `Store.scoped(programId)`, so no
 * query method takes (or can forget) a program id.
 *
 * Guarantees every adapter must give (the contract suite in test/store checks them):
 * - `transaction` is atomic: all writes inside commit together or not at all.
 * - `customerTransaction` is too, per unit, even when the adapter commits several units of
 *   different customers together (group commit): each ends as if it had run alone.
 * - `customers.lock` serialises transactions on one customer until commit.
 * - `insert` methods on natural/idempotency keys never create a duplicate, also under
 *   concurrency: they report the existing record instead.
 * - `outcomes` stores a decided outcome (outcome-port.ts): its entries move the customer's
 *   balances by exactly their deltas, atomically, so balances always equal the ledger's sum.
 */

import type { Balances, ProgramMode, ProgramSettings } from '../domain/types.js';
import type { AnalyticsRepository } from './analytics-port.js';
import type { ArtworkRepository } from './artwork-port.js';
import type { GoogleWalletRepository } from './google-wallet-port.js';
import type { KlaviyoQueue, KlaviyoRepository } from './klaviyo-port.js';
import type { OutboxRepository, OutboxTxRepository } from './outbox-port.js';
import type { OutcomeTxRepository } from './outcome-port.js';
import type { PassRepository } from './pass-port.js';
import type { PassRegistrationRepository } from './pass-registration-port.js';
import type { PrivacyRepository, ProgramDeletion } from './privacy-port.js';
import type { RunRepository } from './recalculation-port.js';
import type {
  CustomerPatch,
  CustomerRecord,
  CustomerSearchPage,
  CustomerSearchQuery,
  CustomerUpsertResult,
  IdempotencyRecord,
  Inserted,
  LedgerEntry,
  NewIdempotencyRecord,
  NewOrder,
  NewProgram,
  NewRefund,
  OrderRecord,
  OrderSummary,
  OrderSummaryQuery,
  Page,
  ProgramRecord,
  RefundRecord,
  TierChangeRecord,
  TierInput,
  TierRecord,
  TierTitle,
} from './records.js';
import type { SessionRepository } from './session-port.js';
import type { ShopifyBackfillDirectory, ShopifyBackfillRepository } from './shopify-backfill-port.js';
import type { ShopifyCustomerBatchRepository } from './shopify-customer-batch-port.js';
import type { ShopifyRepository, ShopifyShopDirectory } from './shopify-port.js';
import type { ShopifySegmentRepository } from './shopify-segment-port.js';
import type { ShopifyWriteBackRepository } from './shopify-write-back-port.js';
import type { WalletHealthRepository } from './wallet-health-port.js';
import type { StoredWebhookSecrets, WebhookDispatchRepository, WebhookRepository } from './webhook-port.js';

/**
 * The sealed credentials of connections (docs/decisions/0052), beside webhook signing secrets:
 * a Shopify connection's access token and webhook secret, a Klaviyo connection's private key.
 */
export type SealedCredentialKind =
  | 'shopifyAccessToken'
  | 'shopifyWebhookSecret'
  | 'klaviyoApiKey'
  /** The identifier of an erased customer's Klaviyo profile, on a pending outbox row. */
  | 'klaviyoErasure';

/** One sealed credential as the re-sealing walk sees it. */
export interface StoredCredential {
  /** Which credential (where it is stored and what its sealing is bound to). */
  kind: SealedCredentialKind;
  /** The program it belongs to. */
  programId: string;
  /** The customer the value is about (`klaviyoErasure`), else null. */
  customerId: string | null;
  /** As stored (sealed). */
  sealed: string;
}

export type * from './records.js';

/** Reads and writes of one program's own settings. */
export interface ProgramRepository {
  /** The program itself. */
  get(): Promise<ProgramRecord>;
  /** Replace settings/name; returns the stored record. */
  update(patch: { name?: string; settings?: ProgramSettings }, now: Date): Promise<ProgramRecord>;
  /** Move the test clock. */
  setClock(now: Date): Promise<void>;
  /** Scheduler bookkeeping: scheduled work is done up to `checkedAt`; a resync is pending at `resyncDueAt`. */
  schedule(): Promise<ProgramSchedule>;
  /** Change the scheduler bookkeeping (fields left out keep their value). */
  setSchedule(patch: Partial<ProgramSchedule>): Promise<void>;
  /** Mark resync number `seq` done, unless a newer one was asked for meanwhile. */
  clearResync(seq: number): Promise<void>;
  /** The program's own pass design as stored (`{}` when never set); see decision 0025. */
  passDesign(): Promise<Record<string, unknown>>;
  /** Replace the program's pass design; returns what is stored. */
  setPassDesign(design: Record<string, unknown>, now: Date): Promise<Record<string, unknown>>;
}

/** Where a program's scheduled work stands. */
export interface ProgramSchedule {
  /** Everything due up to this instant has run (initially the program's creation). */
  checkedAt: Date;
  /** A debounced resync waiting to run, or null. */
  resyncDueAt: Date | null;
  /** Number of the latest requested resync (its run key). */
  resyncSeq: number;
}

export interface TierRepository {
  /** Live (not deleted) tiers, lowest rank first. */
  list(): Promise<TierRecord[]>;
  /** One live tier or null. */
  get(id: string): Promise<TierRecord | null>;
  /** Create at the top rank. */
  create(id: string, input: TierInput, now: Date): Promise<TierRecord>;
  /** Replace the merchant fields of a live tier; null when missing. */
  update(id: string, input: TierInput, now: Date): Promise<TierRecord | null>;
  /** Soft-delete; false when missing. */
  remove(id: string, now: Date): Promise<boolean>;
  /** Set ranks to the position of each id in `ids` (lowest first), atomically. */
  reorder(ids: string[], now: Date): Promise<void>;
  /** Every tier's title, deleted tiers included (history views name them). */
  titles(): Promise<TierTitle[]>;
}

export interface CustomerRepository {
  /** One customer or null. */
  get(id: string): Promise<CustomerRecord | null>;
  /** The customers among `ids` that exist, in one read (batch work such as pass pushes). */
  getMany(ids: readonly string[]): Promise<CustomerRecord[]>;
  /** Insert or update merchant fields (`CustomerUpsertResult`). */
  upsert(id: string, patch: CustomerPatch, now: Date): Promise<CustomerUpsertResult>;
  /** One keyset page of customers matching a prefix and tier filter, in the asked order. */
  search(query: CustomerSearchQuery): Promise<CustomerSearchPage>;
}

export interface LedgerRepository {
  /** Entries of one customer, newest first. */
  list(customerId: string, opts: { limit: number; cursor?: string }): Promise<Page<LedgerEntry>>;
  /** Sum of all entries' deltas for one customer (audits and tests). */
  sum(customerId: string): Promise<Balances>;
  /**
   * The entries an order caused, oldest first: its earn entry (key `order:<id>`), the tier bonus
   * written with it, and the reversals of `refundIds` (keys `refund:<id>`).
   */
  ofOrder(orderId: string, refundIds: readonly string[]): Promise<LedgerEntry[]>;
}

export interface OrderRepository {
  /** One order or null. */
  get(id: string): Promise<OrderRecord | null>;
  /** Net spend per window, largest order and total spend of one customer, in one query. */
  summary(customerId: string, q: OrderSummaryQuery): Promise<OrderSummary>;
  /** One customer's orders, newest placed first (ties by id); the cursor is the last order's id. */
  listByCustomer(customerId: string, opts: { limit: number; cursor?: string }): Promise<Page<OrderRecord>>;
  /** The refunds of these orders, oldest first. */
  refundsOf(orderIds: readonly string[]): Promise<RefundRecord[]>;
}

export interface TierChangeRepository {
  /** Tier changes of one customer, newest first. */
  list(customerId: string, opts: { limit: number; cursor?: string }): Promise<Page<TierChangeRecord>>;
}

export interface IdempotencyRepository {
  /** A stored idempotent response or null. */
  get(key: string): Promise<IdempotencyRecord | null>;
}

/** Read access to one program's data outside a transaction. */
export interface ProgramScope {
  readonly programId: string;
  program: ProgramRepository;
  tiers: TierRepository;
  customers: CustomerRepository;
  orders: OrderRepository;
  ledger: LedgerRepository;
  idempotency: IdempotencyRepository;
  tierChanges: TierChangeRepository;
  /** Read-only aggregates and fact pages for simulations and analytics. */
  analytics: AnalyticsRepository;
  /** Recalculation runs and their batches; each method is its own transaction. */
  runs: RunRepository;
  /** Apple Wallet pass identities (serial, token, update tag); each method is its own statement. */
  passes: PassRepository;
  /** Devices registered for pass updates (PassKit web service); each method is its own statement. */
  passRegistrations: PassRegistrationRepository;
  /** Per-tier pass artwork: sources, rendered variants, previews; each write is its own transaction. */
  artwork: ArtworkRepository;
  /** Webhook subscriptions and their delivery log; each method is its own statement. */
  webhooks: WebhookRepository;
  /** Google Wallet classes and objects as last sent, and the daily notification counts. */
  googleWallet: GoogleWalletRepository;
  /** Counts of the wallet health panel (passes, devices, pushes, Google objects and failures). */
  walletHealth: WalletHealthRepository;
  /** A customer's export reads and the erasure of their personal data (docs/decisions/0043). */
  privacy: PrivacyRepository;
  /** The program's Shopify store connection and webhook inbox (migration 032). */
  shopify: ShopifyRepository;
  /** The Shopify write-back's setting and record (migration 035, docs/decisions/0045). */
  shopifyWriteBack: ShopifyWriteBackRepository;
  /** The program's Klaviyo destination (migration 034, docs/decisions/0044). */
  klaviyo: KlaviyoRepository;
  /** The program's Shopify history backfill (migration 036, docs/decisions/0046). */
  shopifyBackfill: ShopifyBackfillRepository;
  /** The backfill's customer pages, each in one transaction (docs/decisions/0051, amendment). */
  shopifyCustomerBatch: ShopifyCustomerBatchRepository;
  /** The shop's segments the tiers name, their members and the sync (migration 038). */
  shopifySegments: ShopifySegmentRepository;
  /** Run `fn` in one atomic unit of work; rolled back if it throws. */
  transaction<T>(fn: (tx: ProgramTx) => Promise<T>): Promise<T>;
  /**
   * `transaction` for a unit that locks `customerId` first and no other customer. The adapter may
   * run it in one database transaction with other customers' units (group commit); it then
   * commits or rolls back with them and is run again when another one fails, so `fn` (like every
   * transaction body) must have no effect outside `tx`. Units of one customer run one at a time.
   */
  customerTransaction<T>(customerId: string, fn: (tx: ProgramTx) => Promise<T>): Promise<T>;
}

/** Everything a unit of work may do, all scoped to one program. */
export interface ProgramTx {
  readonly programId: string;
  program: ProgramRepository & {
    /** Serialise program-wide changes (tier count, order) until commit. */
    lock(): Promise<ProgramRecord>;
  };
  tiers: TierRepository;
  customers: CustomerRepository & {
    /** Read and lock one customer until commit; null when missing. */
    lock(id: string): Promise<CustomerRecord | null>;
  };
  tierChanges: TierChangeRepository;
  orders: OrderRepository & {
    /** Insert unless the id exists (nothing else is written; orders that earn use `outcomes.storeWithOrder`). */
    insert(order: NewOrder): Promise<Inserted<OrderRecord>>;
    /** Record a refund's effect on its order. */
    updateRefunded(id: string, refundedAmount: number, pointsReversed: number): Promise<void>;
  };
  refunds: {
    /** One refund or null. */
    get(id: string): Promise<RefundRecord | null>;
    /** Insert unless the refund id exists. */
    insert(refund: NewRefund): Promise<Inserted<RefundRecord>>;
  };
  idempotency: IdempotencyRepository & {
    /** Store a response under its key unless the key exists. */
    insert(rec: NewIdempotencyRecord): Promise<Inserted<IdempotencyRecord>>;
  };
  ledger: LedgerRepository;
  /**
   * What a change causes, decided by the domain (domain/customer-outcome.ts) and stored here:
   * entries and balances, placement and tier change, closed cycle, wallet pass refreshes and
   * webhook events, committed or rolled back with the unit (SPEC 5).
   */
  outcomes: OutcomeTxRepository;
  /** Program-wide pass refreshes (a tier's design changed), committed or rolled back with the unit. */
  outbox: OutboxTxRepository;
}

/** A storage backend. */
export interface Store {
  /** Create a program with its first API key (stored as a hash only). */
  createProgram(input: NewProgram, apiKeyHash: string): Promise<ProgramRecord>;
  /** Every program of one mode (the live scheduler walks the live ones). */
  listPrograms(mode: ProgramMode): Promise<ProgramRecord[]>;
  /** The program an API key hash belongs to, or null. */
  findProgramByApiKeyHash(hash: string): Promise<ProgramRecord | null>;
  /** Repositories scoped to one program. */
  scoped(programId: string): ProgramScope;
  /** Programs where a PassKit device holds registrations (its id is global; the rest is scoped). */
  programsOfPassDevice(deviceId: string): Promise<string[]>;
  /**
   * Replace every legacy pass token still in plain text (migration 021) by `seal(token)`, in
   * batches across programs; returns how many were sealed. Sealed values start with `sealedPrefix`.
   */
  sealLegacyPassTokens(seal: (token: string) => string, sealedPrefix: string): Promise<number>;
  /**
   * Walk every subscription (deleted ones too, across programs) whose secret or previous secret
   * does not start with `currentPrefix`, in batches; `reseal` gives the values to store instead
   * (null: leave the row as it is). Each row is written only if unchanged since read, so
   * concurrent walkers and rotations never lose a secret. Returns how many rows were rewritten.
   */
  resealWebhookSecrets(
    reseal: (stored: StoredWebhookSecrets) => { secret: string; previousSecret: string | null } | null,
    currentPrefix: string,
  ): Promise<number>;
  /**
   * Walk every connection credential (Shopify access tokens and webhook secrets, Klaviyo keys,
   * the erasure values of pending Klaviyo outbox rows; across programs) that does not start with `currentPrefix`, in batches; `reseal` gives the
   * value to store instead (null: leave it). Each value is written only if unchanged since read
   * (a reconnect meanwhile wins). Returns how many values were rewritten, per kind.
   */
  resealCredentials(
    reseal: (stored: StoredCredential) => string | null,
    currentPrefix: string,
  ): Promise<Record<SealedCredentialKind, number>>;
  /**
   * Delete every row of one program, its API keys and console sessions included, atomically;
   * rows deleted per table, or null when there is no such program (docs/decisions/0043).
   */
  deleteProgram(programId: string): Promise<ProgramDeletion | null>;
  /** Console sessions, found by the hash of their id (docs/decisions/0023). */
  sessions: SessionRepository;
  /** The outbox as its dispatcher sees it (claims across programs). */
  outbox: OutboxRepository;
  /** Webhook deliveries as their dispatcher sees them (claims across programs). */
  webhookDeliveries: WebhookDispatchRepository;
  /** Which program a Shopify shop's webhooks belong to (its domain is global; the rest is scoped). */
  shopifyShops: ShopifyShopDirectory;
  /** The Klaviyo rows of the outbox, claimed in order per customer (docs/decisions/0044). */
  klaviyoQueue: KlaviyoQueue;
  /** Shopify backfills whose worker stopped, across programs (docs/decisions/0046). */
  shopifyBackfills: ShopifyBackfillDirectory;
  /** How `customerTransaction` units were grouped since the store opened (for /metrics). */
  groupCommitStats(): { transactions: number; units: number; rerun: number };
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  /** Release connections. */
  close(): Promise<void>;
}
