/**
 * Applying a tier decision to a customer: the new placement (tier, tier tags, clocks),
 * the one-time entry bonus, and the change record. Shared by real-time evaluation and
 * the batched recalculation runs so both move customers identically.
 */
import type { TierDecision } from './assignment.js';
import { entryBonus, type TierBonus, type TierTagChange, tierTagChange } from './benefits.js';
import type { ProgramSettings, TierChangeReason, TierConfig } from './types.js';

/** The tier-related fields of a customer. */
export interface PlacementState {
  tierId: string | null;
  tierTags: string[];
  tierSince: Date;
  lastChangeReason: TierChangeReason | null;
  bonusedTierIds: string[];
}

export interface Transition {
  placement: PlacementState;
  /** Points to award once for entering the tier (spendable only). */
  bonus: TierBonus | null;
  /** Tag changes to announce (customer.tags_changed). */
  tags: TierTagChange;
  /** The change to record; null when the decision keeps the tier. */
  change: {
    fromTierId: string | null;
    toTierId: string | null;
    direction: 'up' | 'down';
    reason: TierChangeReason;
    facts: TierDecision['facts'];
    at: Date;
  } | null;
}

/** What a decision does to a customer at `at`; no change when its direction is 'none'. */
export function applyDecision(
  state: PlacementState,
  decision: TierDecision,
  tiers: readonly TierConfig[],
  settings: Pick<ProgramSettings, 'tiersEnabled'>,
  at: Date,
): Transition {
  if (decision.direction === 'none' || decision.reason === null) {
    return {
      placement: state,
      bonus: null,
      tags: { add: [], remove: [], tierTags: state.tierTags },
      change: null,
    };
  }
  const to = tiers.find((t) => t.id === decision.toTierId) ?? null;
  const tags = tierTagChange(state.tierTags, to);
  const bonus = entryBonus(
    settings,
    { direction: decision.direction, toTierId: decision.toTierId },
    tiers,
    new Set(state.bonusedTierIds),
  );
  return {
    placement: {
      tierId: decision.toTierId,
      tierTags: tags.tierTags,
      tierSince: at,
      lastChangeReason: decision.reason,
      bonusedTierIds: bonus ? [...state.bonusedTierIds, bonus.tierId] : state.bonusedTierIds,
    },
    bonus,
    tags,
    change: {
      fromTierId: decision.fromTierId,
      toTierId: decision.toTierId,
      direction: decision.direction,
      reason: decision.reason,
      facts: decision.facts,
      at,
    },
  };
}
