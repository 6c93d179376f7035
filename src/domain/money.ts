/** Currency facts from the ICU data Node ships (no I/O). */

const known = new Set(Intl.supportedValuesOf('currency'));

/** True for an ISO 4217 code Node knows. */
export function isCurrency(code: string): boolean {
  return known.has(code);
}

const exponents = new Map<string, number>();

/** Digits of the currency's minor unit: USD 2, JPY 0, KWD 3 (memoised: building the formatter is slow). */
export function currencyExponent(code: string): number {
  let exp = exponents.get(code);
  if (exp === undefined) {
    exp = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions()
      .maximumFractionDigits as number;
    exponents.set(code, exp);
  }
  return exp;
}

/** True for an IANA time zone Node knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
