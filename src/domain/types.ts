/**
 * Plain data shared by the domain rules, the services and the stores.
 * Money is always an integer amount of minor units (cents) in the program currency.
 */

/** One qualification a customer must meet to enter (or, as `maintain`, to keep) a tier. */
export type Qualification =
  | { type: 'tag'; tag: string; enabled?: boolean }
  | { type: 'segment'; segment: string; enabled?: boolean }
  | { type: 'largeOrder'; minAmount: number; enabled?: boolean }
  | { type: 'orderVolume'; minAmount: number; window: string; enabled?: boolean }
  | { type: 'lifetimePoints'; minPoints: number; enabled?: boolean }
  | { type: 'lifetimeSpend'; minAmount: number; enabled?: boolean }
  | { type: 'carryPoints'; minPoints: number; enabled?: boolean };

export type QualificationType = Qualification['type'];

/** What a customer receives while in a tier (SPEC 2.2). */
export interface TierBenefits {
  /** Tier tag added on entry and removed on leaving; never counts as a qualification. */
  tag?: string;
  /** Earning multiplier while in the tier, e.g. 1.5 (at most 3 decimals). */
  multiplier?: number;
  /** One-time points on first entry, never re-awarded. */
  bonusPoints?: number;
  /** Free-text perks shown on the pass and the API. */
  rewards?: string[];
}

/** A tier as the rules see it. */
export interface TierConfig {
  id: string;
  title: string;
  icon: string | null;
  visible: boolean;
  enabled: boolean;
  /** 0 = lowest. */
  rank: number;
  qualifications: Qualification[];
  /** Conditions to keep the tier at a cycle boundary; null = the qualifications. */
  maintain: Qualification[] | null;
  benefits: TierBenefits;
}

export type RetentionMode = 'lifetime' | 'continuous' | 'cycle';

/** How and when customers move down (SPEC 4). */
export interface RetentionSettings {
  mode: RetentionMode;
  /** Cycle boundaries = anchor + k·every in the program time zone (mode `cycle`). */
  cycle?: { every: string; anchor: string };
  /** Most tiers a customer may lose at one boundary. */
  maxDropPerCycle?: number;
  /** ISO duration without earning after which a customer drops one tier. */
  inactivity?: string;
}

/** A program's settings (SPEC 1). */
export interface ProgramSettings {
  tiersEnabled: boolean;
  /** ISO 4217 code. */
  currency: string;
  /** IANA time zone. */
  timezone: string;
  earning: { pointsPerUnit: number };
  retention: RetentionSettings;
  /**
   * Days before a cycle boundary that a `tier.downgrade_warning` goes out to customers the
   * boundary would downgrade; 0 or null = off, absent = the default (7). Cycle mode only.
   */
  downgradeWarningDays?: number | null;
}

export type ProgramMode = 'live' | 'test';

/** The four balances kept per customer (SPEC 3). */
export interface Balances {
  current: number;
  carry: number;
  lifetimeEarned: number;
  lifetimeSpend: number;
}

export type LedgerEntryType = 'earn' | 'bonus' | 'redeem' | 'adjust' | 'refund_reversal' | 'carry_reset';

/** How one ledger entry moves the four balances. */
export type BalanceDelta = Balances;

/** A ledger entry as decided, before it is stored (the store adds id, customer and createdAt). */
export interface NewLedgerEntry {
  type: LedgerEntryType;
  /** Unique per program: replays of the same event find it. */
  key: string;
  orderId: string | null;
  /** Points before the multiplier (earn entries). */
  base: number | null;
  /** Multiplier applied, as a decimal string such as "1.5" (earn entries). */
  multiplier: string | null;
  /** Points awarded/removed by this entry as shown to the merchant. */
  points: number;
  delta: BalanceDelta;
  reason: string | null;
  tierId: string | null;
  /** Program time of the event. */
  at: Date;
}

export type TierChangeReason =
  | 'qualified'
  | 'cycle'
  | 'continuous'
  | 'inactivity'
  | 'tier_disabled'
  | 'tier_deleted'
  | 'resync'
  | 'manual';

/** A customer's tier placement, written whole on every tier change. */
export interface TierPlacement {
  tierId: string | null;
  tierTags: string[];
  tierSince: Date;
  lastChangeReason: TierChangeReason | null;
  bonusedTierIds: string[];
}

/** One tier change (SPEC 4) with the facts that decided it, before it is stored. */
export interface NewTierChange {
  customerId: string;
  fromTierId: string | null;
  toTierId: string | null;
  direction: 'up' | 'down';
  reason: TierChangeReason;
  /** The decision's facts (JSON). */
  facts: unknown;
  /** Program time of the change. */
  at: Date;
}
