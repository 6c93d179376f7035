/** The records the storage port reads and writes (re-exported by port.ts). */
import type {
  BalanceDelta,
  Balances,
  NewLedgerEntry,
  NewTierChange,
  ProgramMode,
  ProgramSettings,
  Qualification,
  TierBenefits,
  TierChangeReason,
  TierConfig,
  TierPlacement,
} from '../domain/types.js';

export interface ProgramRecord {
  id: string;
  name: string;
  mode: ProgramMode;
  settings: ProgramSettings;
  /** The test clock's time (test programs only). */
  clockNow: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewProgram {
  name: string;
  mode: ProgramMode;
  settings: ProgramSettings;
  clockNow: Date | null;
  now: Date;
}

export type TierDesign = Record<string, unknown>;

export interface TierRecord extends TierConfig {
  design: TierDesign;
  createdAt: Date;
  updatedAt: Date;
}

/** Tier fields a merchant sets; id, rank and timestamps are the store's. */
export interface TierInput {
  title: string;
  icon: string | null;
  visible: boolean;
  enabled: boolean;
  qualifications: Qualification[];
  maintain: Qualification[] | null;
  benefits: TierBenefits;
  design: TierDesign;
}

export interface CustomerRecord {
  id: string;
  email: string | null;
  name: string | null;
  /** The merchant's tags (synced from the shop). */
  tags: string[];
  segments: string[];
  /** Current tier, null when none. */
  tierId: string | null;
  /** Tags Tierpass applies as tier benefits; kept apart from `tags`. */
  tierTags: string[];
  balances: Balances;
  /** Start of the current carry cycle (last carry reset, or creation). */
  carrySince: Date;
  /** Last time the customer earned qualifying points. */
  lastEarnedAt: Date | null;
  /** When the current tier was entered (last tier change), or the customer's creation. */
  tierSince: Date;
  /** Reason of the last tier change; null before any. */
  lastChangeReason: TierChangeReason | null;
  /** Tiers whose one-time entry bonus this customer already received. */
  bonusedTierIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

export type { NewTierChange, TierPlacement };

/** One recorded tier change (SPEC 4) with the facts that decided it. */
export interface TierChangeRecord extends NewTierChange {
  /** Monotonic id (decimal string), also the pagination cursor. */
  id: string;
  createdAt: Date;
}

/** Order-derived facts of one customer as of `asOf` (only orders placed up to it count). */
export interface OrderSummary {
  /** Net spend of orders placed in (from, asOf], per requested window key. */
  windowSpend: Record<string, number>;
  /** Largest net amount of one order. */
  largestOrder: number;
  /** Net spend overall. */
  totalSpend: number;
}

export interface OrderSummaryQuery {
  /** Rolling windows by key (e.g. "P90D") with their exclusive start. */
  windows: { key: string; from: Date }[];
  asOf: Date;
}

export interface CustomerPatch {
  email?: string | null;
  name?: string | null;
  tags?: string[];
  segments?: string[];
  /**
   * The source system's own time of these fields (Shopify's customer `updated_at`): when the
   * customer's stored one is later, email, name and tags are left as they are (segments still
   * apply: Tierpass reads them itself). Absent: applied whatever is stored.
   */
  sourceUpdatedAt?: Date;
}

/** A customer upsert's result. */
export interface CustomerUpsertResult {
  /** The customer as stored after the write. */
  record: CustomerRecord;
  /** The write inserted the customer. */
  created: boolean;
  /**
   * The patch's `sourceUpdatedAt` was older than the stored one, so its email, name and tags were
   * left as they were (segments still applied). Never for a new customer nor an untimed patch.
   */
  stale: boolean;
}

export interface OrderRecord {
  id: string;
  customerId: string;
  amount: number;
  placedAt: Date;
  /** Program time at which the order was processed (its points earned). */
  earnedAt: Date;
  refundedAmount: number;
  /** Qualifying points the order awarded (multiplier included); what refunds reverse. */
  pointsAwarded: number;
  pointsReversed: number;
  requestHash: string;
  response: unknown;
  createdAt: Date;
}

export type NewOrder = Omit<OrderRecord, 'createdAt' | 'refundedAmount' | 'pointsReversed'>;

export interface RefundRecord {
  id: string;
  orderId: string;
  amount: number;
  requestHash: string;
  response: unknown;
  createdAt: Date;
}

export type NewRefund = Omit<RefundRecord, 'createdAt'>;

export interface IdempotencyRecord {
  key: string;
  requestHash: string;
  status: number;
  response: unknown;
  createdAt: Date;
}

export type NewIdempotencyRecord = Omit<IdempotencyRecord, 'createdAt'>;

/** Signed change of each balance carried by one ledger entry. */
export type { BalanceDelta, NewLedgerEntry };

export interface LedgerEntry extends NewLedgerEntry {
  /** Monotonic id (decimal string), also the pagination cursor. */
  id: string;
  customerId: string;
  createdAt: Date;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, null at the end. */
  nextCursor: string | null;
}

export type Inserted<T> = { inserted: true } | { inserted: false; existing: T };

/** Which customers a search returns and in what order (docs/decisions/0030). */
export interface CustomerSearchQuery {
  /** Lower-case prefix of the id, email or name; absent = everyone. */
  prefix?: string;
  /** Only customers in this tier; `null` = only customers without a tier; absent = any. */
  tierId?: string | null;
  /** `id`: by id ascending; `newest`: by creation time, newest first (ties by id). */
  sort: 'id' | 'newest';
  limit: number;
  /** The sort key of the last row of the previous page (`CustomerSearchPage.nextKey`). */
  after?: readonly string[];
}

/** One page of a search, with the key that continues after its last row. */
export interface CustomerSearchPage {
  items: CustomerRecord[];
  /** The last row's sort key (`id`: [id]; `newest`: [created microseconds, id]); null at the end. */
  nextKey: string[] | null;
}

/** A tier's title by id, deleted tiers included (tier changes keep naming them). */
export interface TierTitle {
  id: string;
  title: string;
  /** True once the tier was deleted. */
  deleted: boolean;
}
