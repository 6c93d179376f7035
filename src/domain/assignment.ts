/**
 * Tier assignment (SPEC 2, 4): the highest enabled tier a customer may hold, under the
 * program's retention policy. One pure function serves events, daily syncs, cycle
 * boundaries, resyncs and disabled/deleted tiers.
 *
 * Tiers above the current one are gained by their qualifications (upgrades are
 * immediate in every mode). Tiers at or below the current one are kept by a test
 * that depends on the mode: `lifetime` always keeps; `cycle` keeps between boundaries
 * and at a boundary requires the maintain conditions (default: qualifications) over the
 * closing cycle; `continuous` requires them at every evaluation.
 */
import { type InactivityState, inactivityClockStart, inactivityDueAt, isUpgradeHeld } from './inactivity.js';
import {
  type ConditionFact,
  type CustomerFacts,
  evaluateConditions,
  isEntryTier,
  keepConditions,
} from './qualifications.js';
import type { ProgramSettings, RetentionMode, TierChangeReason, TierConfig } from './types.js';

/**
 * What asked for the evaluation: a customer event, the daily sync, a cycle boundary,
 * an inactivity deadline, or a resync (tier order changed, tiers re-enabled, manual sync).
 */
export type EvaluationTrigger = 'event' | 'daily' | 'boundary' | 'inactivity' | 'resync';

/** A customer's tier and the clocks the retention rules read. */
export interface CustomerTierState extends InactivityState {
  /** Current tier; null when none. */
  tierId: string | null;
}

export interface AssignmentInput {
  settings: Pick<ProgramSettings, 'tiersEnabled' | 'timezone' | 'retention'>;
  /** Every live tier, enabled or not; a tier absent from the list has been deleted. */
  tiers: readonly TierConfig[];
  state: CustomerTierState;
  /** Facts at `asOf`; at a boundary, `carry` is the closing cycle's (before its reset). */
  facts: CustomerFacts;
  asOf: Date;
  trigger: EvaluationTrigger;
}

/** How a tier was tested: gained by qualifications, kept by maintain, kept by the mode, or held back. */
export type TierTest = 'qualifications' | 'maintain' | 'retained' | 'held';

/** One tier's test in a decision. */
export interface TierEvaluation {
  tierId: string;
  test: TierTest;
  met: boolean;
  conditions: ConditionFact[];
}

/** Everything that decided a tier change, stored with it. */
export interface DecisionFacts {
  asOf: Date;
  trigger: EvaluationTrigger;
  mode: RetentionMode;
  /** Enabled tiers from the highest down to the one chosen (or all, when none held). */
  tiers: TierEvaluation[];
  /** Set when no evaluation ran because tiers are disabled for the program. */
  skipped?: 'tiers_disabled';
  /** Set when an inactivity drop applied. */
  inactivity?: { since: Date; dueAt: Date };
  /** Set when `maxDropPerCycle` stopped a deeper drop. */
  maxDrop?: { limit: number; wantedTierId: string | null };
}

export type Direction = 'up' | 'down' | 'none';

/** The outcome: `reason` is null exactly when `direction` is 'none'. */
export interface TierDecision {
  fromTierId: string | null;
  toTierId: string | null;
  direction: Direction;
  reason: TierChangeReason | null;
  facts: DecisionFacts;
}

/** Enabled tiers, lowest first. */
export function enabledLadder(tiers: readonly TierConfig[]): TierConfig[] {
  return tiers
    .filter((t) => t.enabled)
    .sort((a, b) => a.rank - b.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function keepTest(mode: RetentionMode, trigger: EvaluationTrigger): 'retained' | 'maintain' {
  if (mode === 'continuous') return 'maintain';
  if (mode === 'cycle' && trigger === 'boundary') return 'maintain';
  return 'retained';
}

function judge(
  tier: TierConfig,
  currentRank: number | null,
  keep: 'retained' | 'maintain',
  held: boolean,
  facts: CustomerFacts,
): TierEvaluation {
  if (currentRank === null || tier.rank > currentRank) {
    if (held) return { tierId: tier.id, test: 'held', met: false, conditions: [] };
    const r = evaluateConditions(tier.qualifications, facts);
    return { tierId: tier.id, test: 'qualifications', met: r.met, conditions: r.conditions };
  }
  if (keep === 'retained') return { tierId: tier.id, test: 'retained', met: true, conditions: [] };
  const r = evaluateConditions(keepConditions(tier), facts);
  return { tierId: tier.id, test: 'maintain', met: r.met, conditions: r.conditions };
}

function directionOf(fromId: string | null, from: TierConfig | null, to: TierConfig | null): Direction {
  if (fromId === (to?.id ?? null)) return 'none';
  if (fromId !== null && from === null) return 'down'; // a deleted tier: its rank is gone, the tier is lost
  if (from === null) return 'up';
  if (to === null) return 'down';
  return to.rank > from.rank ? 'up' : 'down';
}

/** Decide the tier a customer should hold at `asOf`. */
export function decideTier(input: AssignmentInput): TierDecision {
  const { settings, tiers, state, facts, asOf, trigger } = input;
  const retention = settings.retention;
  const base = { asOf, trigger, mode: retention.mode };
  if (!settings.tiersEnabled) {
    const f: DecisionFacts = { ...base, tiers: [], skipped: 'tiers_disabled' };
    return { fromTierId: state.tierId, toTierId: state.tierId, direction: 'none', reason: null, facts: f };
  }
  const ladder = enabledLadder(tiers);
  const current = state.tierId === null ? null : (tiers.find((t) => t.id === state.tierId) ?? null);
  const lost: TierChangeReason | null =
    state.tierId === null
      ? null
      : current === null
        ? 'tier_deleted'
        : current.enabled
          ? null
          : 'tier_disabled';
  const currentRank = current?.rank ?? null;
  const held = currentRank !== null && isUpgradeHeld(state);
  const keep = keepTest(retention.mode, trigger);

  const decided: DecisionFacts = { ...base, tiers: [] };
  let target: TierConfig | null = null;
  for (let i = ladder.length - 1; i >= 0; i -= 1) {
    const tier = ladder[i]!;
    const evaluation = judge(tier, currentRank, keep, held, facts);
    decided.tiers.push(evaluation);
    if (evaluation.met) {
      target = tier;
      break;
    }
  }

  const from = current?.enabled ? ladder.indexOf(current) : -1;
  const limit = retention.maxDropPerCycle;
  if (
    retention.mode === 'cycle' &&
    trigger === 'boundary' &&
    lost === null &&
    from >= 0 &&
    limit !== undefined
  ) {
    const to = target ? ladder.indexOf(target) : -1;
    if (from - to > limit) {
      decided.maxDrop = { limit, wantedTierId: target?.id ?? null };
      target = ladder[from - limit] ?? null;
    }
  }

  let inactive = false;
  if (target === current && from >= 0 && retention.mode !== 'lifetime' && retention.inactivity) {
    const dueAt = inactivityDueAt(state, retention.inactivity, settings.timezone);
    const isFloor = from === 0 && isEntryTier(ladder[0]!);
    if (asOf.getTime() >= dueAt.getTime() && !isFloor) {
      decided.inactivity = { since: inactivityClockStart(state), dueAt };
      target = ladder[from - 1] ?? null;
      inactive = true;
    }
  }

  const toTierId = target?.id ?? null;
  const direction = directionOf(state.tierId, current, target);
  let reason: TierChangeReason | null = null;
  if (direction !== 'none') {
    if (lost) reason = lost;
    else if (inactive) reason = 'inactivity';
    else if (trigger === 'resync') reason = 'resync';
    else if (direction === 'up') reason = 'qualified';
    else reason = retention.mode === 'cycle' ? 'cycle' : 'continuous';
  }
  return { fromTierId: state.tierId, toTierId, direction, reason, facts: decided };
}
