/**
 * Tier benefits (SPEC 2.2): the earning multiplier, tier tags, and the one-time entry
 * bonus. Earning itself is earning.ts; this module only picks the multiplier that
 * applies — always the tier the customer is in when the event happens, so the event
 * that triggers an upgrade earns at the old tier's rate.
 */
import { applyMultiplier, type EarnResult, earnForAmount } from './earning.js';
import { currencyExponent } from './money.js';
import type { ProgramSettings, TierConfig } from './types.js';

/** The multiplier applying to a customer in `tier` (1 without a tier, in a disabled tier, or with tiers off). */
export function effectiveMultiplier(
  settings: Pick<ProgramSettings, 'tiersEnabled'>,
  tier: TierConfig | null | undefined,
): number {
  if (!settings.tiersEnabled || !tier?.enabled) return 1;
  return tier.benefits.multiplier ?? 1;
}

/** Points for an order of net `amount` (minor units) earned by a customer currently in `tier`. */
export function earnOrder(
  settings: Pick<ProgramSettings, 'tiersEnabled' | 'currency' | 'earning'>,
  tier: TierConfig | null | undefined,
  amount: number,
): EarnResult {
  return earnForAmount({
    amount,
    currencyExponent: currencyExponent(settings.currency),
    pointsPerUnit: settings.earning.pointsPerUnit,
    multiplier: effectiveMultiplier(settings, tier),
  });
}

/** Points for a non-order earning (signup, social, manual qualifying earn) by a customer in `tier`. */
export function earnPoints(
  settings: Pick<ProgramSettings, 'tiersEnabled'>,
  tier: TierConfig | null | undefined,
  base: number,
): EarnResult {
  const multiplier = effectiveMultiplier(settings, tier);
  return { base, multiplier, awarded: applyMultiplier(base, multiplier) };
}

/** How the customer's tier tags change; tier tags are kept apart from the merchant's tags. */
export interface TierTagChange {
  add: string[];
  remove: string[];
  /** The tier tags after the change: only the new tier's tag. */
  tierTags: string[];
}

/** Tier tags after moving to `toTier`: the old tier's tag leaves, the new tier's tag enters. */
export function tierTagChange(
  currentTierTags: readonly string[],
  toTier: TierConfig | null | undefined,
): TierTagChange {
  const wanted = toTier?.enabled && toTier.benefits.tag ? [toTier.benefits.tag] : [];
  return {
    add: wanted.filter((t) => !currentTierTags.includes(t)),
    remove: currentTierTags.filter((t) => !wanted.includes(t)),
    tierTags: wanted,
  };
}

/** A one-time bonus to award. */
export interface TierBonus {
  tierId: string;
  points: number;
}

/**
 * The bonus earned by entering `toTierId` upward, unless this customer was ever
 * bonused for that tier. Tiers jumped over were never entered and pay nothing.
 * Bonus points are spendable only: they never count as qualifying points.
 */
export function entryBonus(
  settings: Pick<ProgramSettings, 'tiersEnabled'>,
  change: { direction: 'up' | 'down' | 'none'; toTierId: string | null },
  tiers: readonly TierConfig[],
  bonusedTierIds: ReadonlySet<string>,
): TierBonus | null {
  if (!settings.tiersEnabled || change.direction !== 'up' || change.toTierId === null) return null;
  if (bonusedTierIds.has(change.toTierId)) return null;
  const tier = tiers.find((t) => t.id === change.toTierId);
  const points = tier?.enabled ? (tier.benefits.bonusPoints ?? 0) : 0;
  return points > 0 ? { tierId: change.toTierId, points } : null;
}
