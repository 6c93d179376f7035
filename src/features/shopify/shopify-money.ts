/** Shopify money strings ("12.50") to integer minor units by the currency's ISO 4217 exponent. */

import { currencyExponent } from '../../domain/money.js';

/** Minor-unit digits of an ISO 4217 currency (JPY 0, USD 2, KWD 3): the domain's, memoised. */
export { currencyExponent };

const DECIMAL = /^(\d{1,15})(?:\.(\d{1,12}))?$/;

/**
 * The amount in minor units, exactly; undefined when it is not a plain non-negative decimal or
 * carries non-zero digits below the currency's minor unit.
 */
export function toMinorUnits(amount: string, currency: string): number | undefined {
  const m = DECIMAL.exec(amount.trim());
  if (!m) return undefined;
  const exp = currencyExponent(currency);
  const whole = m[1] ?? '0';
  const frac = m[2] ?? '';
  if (/[^0]/.test(frac.slice(exp))) return undefined;
  const value = Number(whole + frac.slice(0, exp).padEnd(exp, '0'));
  return Number.isSafeInteger(value) ? value : undefined;
}
