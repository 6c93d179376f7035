/**
 * Inactivity demotion (SPEC 4): a customer who earned no qualifying points for the
 * configured duration drops one tier; the clock restarts after each drop.
 *
 * The clock runs from the later of the last qualifying earn and the last tier change
 * (or the customer's creation), so every tier change — an inactivity drop included —
 * restarts it. A customer demoted for inactivity is not re-upgraded by evaluations
 * until they earn again: otherwise the next daily sync would hand back the tier their
 * lifetime facts still qualify them for, and the demotion would never stick.
 */
import { addDuration } from './duration.js';
import type { TierChangeReason } from './types.js';

/** The per-customer fields the inactivity rule reads. */
export interface InactivityState {
  /** When the current tier was entered (last tier change), or the customer's creation. */
  tierSince: Date;
  /** Reason of the last tier change; null before any. */
  lastChangeReason: TierChangeReason | null;
  /** Last time the customer earned qualifying points; null when never. */
  lastEarnedAt: Date | null;
}

/** The instant the inactivity clock counts from. */
export function inactivityClockStart(state: InactivityState): Date {
  const earned = state.lastEarnedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  return new Date(Math.max(earned, state.tierSince.getTime()));
}

/** When the customer drops one tier unless they earn first: clock start + inactivity duration. */
export function inactivityDueAt(state: InactivityState, inactivity: string, timeZone: string): Date {
  return addDuration(inactivityClockStart(state), inactivity, timeZone);
}

/** True while the customer sits in a tier they were demoted to for inactivity and has not earned since. */
export function isUpgradeHeld(state: InactivityState): boolean {
  if (state.lastChangeReason !== 'inactivity') return false;
  return state.lastEarnedAt === null || state.lastEarnedAt.getTime() < state.tierSince.getTime();
}
