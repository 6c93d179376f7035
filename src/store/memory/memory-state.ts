/** The in-memory adapter's tables (docs/decisions/0037): one set per program, and the global ones. */
import type { ArtworkSlotRecord, ArtworkVariant } from '../artwork-port.js';
import type { GoogleObjectRecord } from '../google-wallet-port.js';
import type { KlaviyoConnectionRecord, KlaviyoSyncRecord } from '../klaviyo-port.js';
import type { OutboxKind } from '../outbox-port.js';
import type { PassRecord } from '../pass-port.js';
import type { PassRegistration } from '../pass-registration-port.js';
import type { ProgramSchedule } from '../port.js';
import type { RunRecord } from '../recalculation-port.js';
import type {
  CustomerRecord,
  IdempotencyRecord,
  LedgerEntry,
  OrderRecord,
  ProgramRecord,
  RefundRecord,
  TierChangeRecord,
  TierRecord,
} from '../records.js';
import type { WebhookAttemptRecord, WebhookSubscriptionRecord } from '../webhook-port.js';
import { KeyedLocks, Sequence } from './memory-db.js';
import { emptyShopify, type ShopifyData } from './memory-shopify.js';
import { emptyShopifySegments, type ShopifySegmentData } from './memory-shopify-segments.js';
import { emptyShopifyWriteBack, type ShopifyWriteBackData } from './memory-shopify-write-back.js';

/** A tier with its soft-delete mark (rank is meaningless once deleted). */
export interface TierRow {
  record: TierRecord;
  deleted: boolean;
}

export interface RunRow {
  /** The run as stored (`processed` is summed from the done batches while it is unfinished). */
  record: RunRecord;
  /** Last customer id handed out in a range ('' before the first). */
  cursor: string;
  /** No customer ids left after the cursor when the last range was cut. */
  exhausted: boolean;
  /** Batches cut so far (the next one's seq). */
  batches: number;
  /** Creation order: runs created in one millisecond still list oldest first. */
  order: number;
}

export interface BatchRow {
  seq: number;
  fromId: string;
  toId: string;
  /** Claims so far (takeovers included). */
  attempts: number;
  /** Failed attempts counted towards maxAttempts. */
  failures: number;
  state: 'claimed' | 'done';
  /** Database time the lease ends. */
  leaseUntil: number;
  worker: string;
  claimedAt: number;
  doneAt: number | null;
  error: string | null;
  processed: number;
  movedUp: number;
  movedDown: number;
  warned: number;
}

export interface OutboxRow {
  id: number;
  programId: string;
  customerId: string;
  kind: OutboxKind;
  dueAt: number;
  attempts: number;
  lastError: string | null;
  done: boolean;
  /** `klaviyo_profile_changed`: the event the row sends (null: the profile only). */
  eventId?: string | null;
  /** `klaviyo_profile_changed`: the sealed identifier of an erased customer's profile (0052). */
  erasureSealed?: string | null;
}

export interface SubscriptionRow {
  record: WebhookSubscriptionRecord;
  secret: string;
  /** The secret before the last rotation, signing until `record.previousSecretUntil`. */
  previousSecret: string | null;
}

export interface WebhookEventRow {
  id: string;
  customerId: string | null;
  type: string;
  data: Record<string, unknown>;
  occurredAt: Date;
}

export interface DeliveryRow {
  id: number;
  programId: string;
  subscriptionId: string;
  eventId: string;
  customerId: string | null;
  state: 'pending' | 'delivered' | 'failed';
  dueAt: Date;
  /** Database time until which a claim holds it. */
  leaseUntil: number;
  lastStatus: number | null;
  lastError: string | null;
  redeliveryOf: string | null;
  doneAt: Date | null;
  createdAt: Date;
  firstAttemptAt: Date | null;
  attempts: readonly WebhookAttemptRecord[];
}

export interface ArtworkRow {
  record: ArtworkSlotRecord;
  source: Buffer;
  variants: readonly ArtworkVariant[];
}

/** One program's tables. */
export interface ProgramData {
  program: ProgramRecord;
  schedule: ProgramSchedule;
  passDesign: Record<string, unknown>;
  tiers: Map<string, TierRow>;
  customers: Map<string, CustomerRecord>;
  /** The source system's time of each customer's merchant fields (`CustomerPatch.sourceUpdatedAt`). */
  customerSources: Map<string, Date>;
  orders: Map<string, OrderRecord>;
  refunds: Map<string, RefundRecord>;
  idempotency: Map<string, IdempotencyRecord>;
  /** Ledger entries by key (unique per program). */
  ledger: Map<string, LedgerEntry>;
  tierChanges: Map<string, TierChangeRecord>;
  runs: Map<string, RunRow>;
  /** Run key → run id (unique per program). */
  runKeys: Map<string, string>;
  /** `${runId}\u0000${seq}` → batch. */
  batches: Map<string, BatchRow>;
  passes: Map<string, PassRecord>;
  /** `${deviceId}\u0000${serial}` → registration. */
  registrations: Map<string, PassRegistration>;
  artwork: Map<string, ArtworkRow>;
  artworkGenerations: Map<string, number>;
  previews: Map<string, { key: string; data: Buffer }>;
  subscriptions: Map<string, SubscriptionRow>;
  events: Map<string, WebhookEventRow>;
  googleClasses: Map<string, string>;
  googleObjects: Map<string, GoogleObjectRecord>;
  /** Customer → when its personal data was first erased (ms). */
  redactions: Map<string, number>;
  /** The Shopify connection and webhook inbox. */
  shopify: ShopifyData;
  /** The Shopify write-back's setting, record and pending rows (0045). */
  shopifyWriteBack: ShopifyWriteBackData;
  /** The Klaviyo connection (decision 0044). */
  klaviyo: KlaviyoConnectionRecord | null;
  /** The latest Klaviyo profile sync (decision 0052). */
  klaviyoSync: KlaviyoSyncRecord | null;
  /** The Shopify segments the tiers name, their members and the sync (0048). */
  shopifySegments: ShopifySegmentData;
  /** Customer → the notification slots its Google object took (key, when), rolling 24 hours. */
  notices: Map<string, { key: string; at: number }[]>;
  /** Customer → when its passes were last pushed (database time). */
  pushes: Map<string, number>;
  /** Hour start (ms) → APNs outcomes. */
  pushCounts: Map<number, { sent: number; failed: number }>;
}

export interface SessionRow {
  programId: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

/** Everything the store holds. */
export class MemoryState {
  readonly programs = new Map<string, ProgramData>();
  readonly apiKeys = new Map<string, string>();
  readonly sessions = new Map<string, SessionRow>();
  readonly outbox = new Map<number, OutboxRow>();
  readonly deliveries = new Map<number, DeliveryRow>();
  /** Ids of ledger entries, tier changes, outbox rows, deliveries, pass changes: one counter each. */
  readonly ledgerIds = new Sequence();
  readonly changeIds = new Sequence();
  readonly outboxIds = new Sequence();
  readonly deliveryIds = new Sequence();
  readonly passChanges = new Sequence();
  readonly runOrder = new Sequence();
  readonly locks = new KeyedLocks();

  constructor(
    /** Database time (leases, createdAt, due times of the outbox). */
    readonly now: () => number,
  ) {}

  /** A program's tables; throws for an unknown program (a foreign key would). */
  program(id: string): ProgramData {
    const p = this.programs.get(id);
    if (p === undefined) throw new Error(`program ${id} not found`);
    return p;
  }

  /** A program's tables or undefined (reads of an unknown program find nothing). */
  maybe(id: string): ProgramData | undefined {
    return this.programs.get(id);
  }
}

export function emptyProgram(program: ProgramRecord): ProgramData {
  return {
    program,
    schedule: { checkedAt: program.clockNow ?? program.createdAt, resyncDueAt: null, resyncSeq: 0 },
    passDesign: {},
    tiers: new Map(),
    customers: new Map(),
    customerSources: new Map(),
    orders: new Map(),
    refunds: new Map(),
    idempotency: new Map(),
    ledger: new Map(),
    tierChanges: new Map(),
    runs: new Map(),
    runKeys: new Map(),
    batches: new Map(),
    passes: new Map(),
    registrations: new Map(),
    artwork: new Map(),
    artworkGenerations: new Map(),
    previews: new Map(),
    subscriptions: new Map(),
    events: new Map(),
    googleClasses: new Map(),
    googleObjects: new Map(),
    notices: new Map(),
    redactions: new Map(),
    shopify: emptyShopify(),
    shopifyWriteBack: emptyShopifyWriteBack(),
    klaviyo: null,
    klaviyoSync: null,
    shopifySegments: emptyShopifySegments(),
    pushes: new Map(),
    pushCounts: new Map(),
  };
}
