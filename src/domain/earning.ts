/**
 * Earning and refund arithmetic (SPEC 3). Exact integer math: decimals such as a
 * 1.5× multiplier or 2.5 points per unit are scaled to integers, never multiplied as floats.
 */

/** Decimal places accepted for `pointsPerUnit`. */
export const POINTS_PER_UNIT_DECIMALS = 4;
/** Decimal places accepted for a tier multiplier. */
export const MULTIPLIER_DECIMALS = 3;

/** True when `x` has at most `decimals` decimal places (and is finite). */
export function hasAtMostDecimals(x: number, decimals: number): boolean {
  if (!Number.isFinite(x)) return false;
  const scaled = x * 10 ** decimals;
  return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}

function scaled(x: number, decimals: number): bigint {
  return BigInt(Math.round(x * 10 ** decimals));
}

export interface EarnInput {
  /** Net order value in minor units (≥ 0). */
  amount: number;
  /** Digits of the currency's minor unit (USD 2, JPY 0, KWD 3). */
  currencyExponent: number;
  pointsPerUnit: number;
  /** The current tier's multiplier; 1 without a tier or with tiers disabled. */
  multiplier: number;
}

export interface EarnResult {
  /** floor(net major units × pointsPerUnit). */
  base: number;
  multiplier: number;
  /** floor(net major units × pointsPerUnit × multiplier): what the customer gets. */
  awarded: number;
}

/** Points an order earns: fractions round down per order. */
export function earnForAmount(input: EarnInput): EarnResult {
  const amount = BigInt(input.amount);
  const ppu = scaled(input.pointsPerUnit, POINTS_PER_UNIT_DECIMALS);
  const mult = scaled(input.multiplier, MULTIPLIER_DECIMALS);
  const unit = 10n ** BigInt(input.currencyExponent);
  const base = (amount * ppu) / (unit * 10n ** BigInt(POINTS_PER_UNIT_DECIMALS));
  const awarded =
    (amount * ppu * mult) / (unit * 10n ** BigInt(POINTS_PER_UNIT_DECIMALS + MULTIPLIER_DECIMALS));
  return { base: Number(base), multiplier: input.multiplier, awarded: Number(awarded) };
}

/** Points earned outside orders (signup, social, manual earn) at a multiplier. */
export function applyMultiplier(points: number, multiplier: number): number {
  const mult = scaled(multiplier, MULTIPLIER_DECIMALS);
  return Number((BigInt(points) * mult) / 10n ** BigInt(MULTIPLIER_DECIMALS));
}

export interface RefundState {
  /** Order amount in minor units. */
  amount: number;
  refundedBefore: number;
  pointsAwarded: number;
  pointsReversedBefore: number;
}

/**
 * Points a refund reverses, in proportion to the refunded share of the order.
 * Computed on the cumulative refunded amount so that refunds adding up to the
 * whole order reverse exactly all the points it earned, whatever their split.
 */
export function refundReversal(state: RefundState, refundAmount: number): number {
  const refundedAfter = state.refundedBefore + refundAmount;
  const target =
    refundedAfter >= state.amount
      ? state.pointsAwarded
      : Number((BigInt(state.pointsAwarded) * BigInt(refundedAfter)) / BigInt(state.amount));
  return target - state.pointsReversedBefore;
}
