/**
 * Money in forms: merchants type major units (12.50), the API takes integer minor units (1250)
 * by the currency's exponent — the server's own `currencyExponent` (USD 2, JPY 0, KWD 3).
 * Conversion is exact string arithmetic, never floating point.
 */
import { currencyExponent } from '../../../src/domain/money.js';

export { currencyExponent };

/** `"12.5"` → 1250 (USD); null when the text is not an amount with at most `exponent` decimals. */
export function toMinorUnits(text: string, currency: string): number | null {
  const exp = currencyExponent(currency);
  const m = /^(\d{1,13})(?:[.,](\d+))?$/.exec(text.trim());
  if (!m) return null;
  const frac = m[2] ?? '';
  if (frac.length > exp) return null;
  return Number(`${m[1]}${frac.padEnd(exp, '0')}`);
}

/** 1250 → `"12.50"` (USD): the value a form field starts with. */
export function toMajorText(minor: number, currency: string): string {
  const exp = currencyExponent(currency);
  if (exp === 0) return String(minor);
  const s = String(Math.abs(minor)).padStart(exp + 1, '0');
  return `${minor < 0 ? '-' : ''}${s.slice(0, -exp)}.${s.slice(-exp)}`;
}

/** 1250 → `"$12.50"` for summaries. */
export function formatMoney(minor: number, currency: string): string {
  const exp = currencyExponent(currency);
  return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(minor / 10 ** exp);
}

/** The error text of a field that does not hold an amount. */
export function amountHint(currency: string): string {
  const exp = currencyExponent(currency);
  return exp === 0
    ? `a whole amount in ${currency}, e.g. 500`
    : `an amount in ${currency} with at most ${exp} decimals, e.g. 500 or 49.${'9'.repeat(exp)}`;
}
