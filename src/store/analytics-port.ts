/**
 * Read-only, set-based queries over one program's customers, tier changes and ledger:
 * the facts a simulation evaluates in memory, and the aggregates of tier analytics.
 * Reached through `ProgramScope.analytics`, so every query is scoped by program.
 */
import type { TierChangeReason } from '../domain/types.js';

/** One customer with the facts the tier rules read, as of the page's `asOf`. */
export interface CustomerFactsRow {
  /** The customer's id (the keyset cursor). */
  id: string;
  /** Email, when known. */
  email: string | null;
  /** Name, when known. */
  name: string | null;
  /** Merchant tags, tier benefit tags not yet removed. */
  tags: string[];
  /** Merchant segments. */
  segments: string[];
  /** Current tier, null when none. */
  tierId: string | null;
  /** When the current tier was entered, or the customer's creation. */
  tierSince: Date;
  /** Reason of the last tier change; null before any. */
  lastChangeReason: TierChangeReason | null;
  /** Last qualifying earn; null when never. */
  lastEarnedAt: Date | null;
  /** Qualifying points of the current cycle. */
  carry: number;
  /** Qualifying points over all time. */
  lifetimeEarned: number;
  /** Net order value over all time. */
  lifetimeSpend: number;
  /** Net spend of orders placed in (from, asOf], per requested window key. */
  windowSpend: Record<string, number>;
  /** Largest net amount of one order placed up to asOf; 0 without orders. */
  largestOrder: number;
}

/** One keyset page of customers (by id) with their facts. */
export interface CustomerFactsQuery {
  /** Only customers whose id sorts after this one; null for the first page. */
  after: string | null;
  /** Page size. */
  limit: number;
  /** Rolling windows by key with their exclusive start. */
  windows: { key: string; from: Date }[];
  /** Orders placed after this instant are ignored. */
  asOf: Date;
}

/** Customers per tier (null = no tier). */
export interface TierCount {
  /** The tier id, null for customers without a tier. */
  tierId: string | null;
  /** How many customers. */
  customers: number;
}

/** Every tier the program ever had, deleted ones included (history names them). */
export interface TierName {
  /** Tier id. */
  id: string;
  /** Title as last stored. */
  title: string;
  /** Rank, null once deleted. */
  rank: number | null;
  /** Whether the tier is enabled. */
  enabled: boolean;
  /** Whether the tier was deleted. */
  deleted: boolean;
}

/** A half-open instant range [from, to) and how to cut it into local calendar buckets. */
export interface BucketQuery {
  /** Inclusive start. */
  from: Date;
  /** Exclusive end. */
  to: Date;
  /** IANA zone whose local calendar defines the buckets. */
  timeZone: string;
}

/** Tier changes of one bucket with one direction, reason and origin. */
export interface MovementRow {
  /** Local start date of the bucket (YYYY-MM-DD; weeks start on Monday). */
  bucket: string;
  /** Up or down. */
  direction: 'up' | 'down';
  /** The recorded reason. */
  reason: TierChangeReason;
  /** True when the customer had no tier before the change. */
  fromNone: boolean;
  /** How many changes. */
  changes: number;
}

/** Points of one month and one tier (the tier recorded on the ledger entries). */
export interface EarningRow {
  /** Local month, YYYY-MM. */
  month: string;
  /** Tier of the entries: for earn entries the tier the customer was in, for bonuses the tier entered. */
  tierId: string | null;
  /** Points awarded by earn entries (multiplier included). */
  awarded: number;
  /** The same entries' points before the multiplier. */
  base: number;
  /** Tier bonus points paid. */
  bonus: number;
  /** How many bonuses were paid. */
  bonuses: number;
}

/** Analytics reads of one program. */
export interface AnalyticsRepository {
  /** One keyset page of customers with tags, segments, balances, window sums and largest order. */
  customerFacts(q: CustomerFactsQuery): Promise<CustomerFactsRow[]>;
  /** Customers per current tier. */
  distributionNow(): Promise<TierCount[]>;
  /** Customers created up to `at`, per tier of their last change at or before `at`. */
  distributionAt(at: Date): Promise<TierCount[]>;
  /** Tier changes per local day or week, direction, reason and origin. */
  movements(q: BucketQuery & { interval: 'day' | 'week' }): Promise<MovementRow[]>;
  /** Points awarded and bonus paid per local month and tier. */
  earnings(q: BucketQuery): Promise<EarningRow[]>;
  /** Every tier, deleted ones included, lowest live rank first. */
  tierNames(): Promise<TierName[]>;
}
