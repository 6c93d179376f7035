/**
 * Progress toward the next tier (SPEC 6: "1,250 points to Gold"): exactly what is
 * missing, as structured items with a human label each. Money labels use Intl in the
 * program currency from exact minor units (never divided as a float).
 */
import { enabledLadder } from './assignment.js';
import { describeDuration } from './duration.js';
import { currencyExponent } from './money.js';
import { type CustomerFacts, evaluateCondition, isEnabledCondition } from './qualifications.js';
import type { Qualification, TierConfig } from './types.js';

/** One unmet condition and what closes the gap. Amounts in minor units. */
export type MissingItem =
  | { type: 'lifetimePoints' | 'carryPoints'; missing: number; label: string }
  | { type: 'lifetimeSpend'; missing: number; label: string }
  /** `missing` is the size of the single order still needed. */
  | { type: 'largeOrder'; missing: number; label: string }
  | { type: 'orderVolume'; missing: number; window: string; label: string }
  | { type: 'tag'; tag: string; label: string }
  | { type: 'segment'; segment: string; label: string };

export interface TierProgress {
  /** The next tier up, null at the top (or with tiers off). */
  nextTierId: string | null;
  /** What is still missing for it; empty when every condition holds. */
  missing: MissingItem[];
}

/** Money and number formatting options. */
export interface LabelFormat {
  /** ISO 4217 program currency. */
  currency: string;
  /** BCP 47 locale for labels; default en-US. */
  locale?: string;
}

// Building an Intl formatter costs far more than using one; these are constant per
// locale and currency, so each is built once (a pure memo, no observable state).
const moneyFormats = new Map<string, Intl.NumberFormat>();
const listFormats = new Map<string, Intl.ListFormat>();
const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: string): Intl.NumberFormat {
  let f = numberFormats.get(locale);
  if (!f) {
    f = new Intl.NumberFormat(locale);
    numberFormats.set(locale, f);
  }
  return f;
}

function moneyFormat(locale: string, currency: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let f = moneyFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, { style: 'currency', currency });
    moneyFormats.set(key, f);
  }
  return f;
}

function listFormat(locale: string): Intl.ListFormat {
  let f = listFormats.get(locale);
  if (!f) {
    f = new Intl.ListFormat(locale, { type: 'conjunction' });
    listFormats.set(locale, f);
  }
  return f;
}

/** `12000` USD minor units → "$120.00"; exact for any integer amount. */
export function formatMoney(amount: number, currency: string, locale = 'en-US'): string {
  const exp = currencyExponent(currency);
  const digits = Math.abs(amount)
    .toString()
    .padStart(exp + 1, '0');
  const whole = digits.slice(0, digits.length - exp);
  const decimal = exp > 0 ? `${whole}.${digits.slice(digits.length - exp)}` : whole;
  const value = `${amount < 0 ? '-' : ''}${decimal}` as `${number}`;
  return moneyFormat(locale, currency).format(value);
}

/** `1250` → "1,250 points". */
export function formatPoints(points: number, locale = 'en-US'): string {
  // Same as points.toLocaleString(locale), which builds a formatter on every call.
  return `${numberFormat(locale).format(points)} point${points === 1 ? '' : 's'}`;
}

/** What is missing for each unmet enabled condition, in the conditions' order. */
export function missingItems(
  conditions: readonly Qualification[],
  facts: CustomerFacts,
  format: LabelFormat,
): MissingItem[] {
  const money = (n: number) => formatMoney(n, format.currency, format.locale);
  const items: MissingItem[] = [];
  for (const q of conditions.filter(isEnabledCondition)) {
    const fact = evaluateCondition(q, facts);
    if (fact.met) continue;
    const gap = typeof fact.actual === 'number' ? (fact.required as number) - fact.actual : 0;
    switch (q.type) {
      case 'tag':
        items.push({ type: 'tag', tag: q.tag, label: `the "${q.tag}" tag` });
        break;
      case 'segment':
        items.push({ type: 'segment', segment: q.segment, label: `the "${q.segment}" segment` });
        break;
      case 'largeOrder':
        items.push({
          type: q.type,
          missing: q.minAmount,
          label: `one order of ${money(q.minAmount)} or more`,
        });
        break;
      case 'orderVolume':
        items.push({
          type: q.type,
          missing: gap,
          window: q.window,
          label: `${money(gap)} within ${describeDuration(q.window)}`,
        });
        break;
      case 'lifetimeSpend':
        items.push({ type: q.type, missing: gap, label: money(gap) });
        break;
      case 'lifetimePoints':
        items.push({ type: q.type, missing: gap, label: formatPoints(gap, format.locale) });
        break;
      case 'carryPoints':
        items.push({ type: q.type, missing: gap, label: `${formatPoints(gap, format.locale)} this cycle` });
        break;
    }
  }
  return items;
}

export interface ProgressInput extends LabelFormat {
  tiersEnabled: boolean;
  tiers: readonly TierConfig[];
  currentTierId: string | null;
  facts: CustomerFacts;
  /** Count hidden tiers as a next step (merchant views); customer-facing surfaces leave it off. */
  includeHidden?: boolean;
}

/** The next enabled tier above the current one and what the customer still needs for it. */
export function nextTierProgress(input: ProgressInput): TierProgress {
  if (!input.tiersEnabled) return { nextTierId: null, missing: [] };
  const current = input.tiers.find((t) => t.id === input.currentTierId);
  const rank = current?.rank ?? Number.NEGATIVE_INFINITY;
  const next = enabledLadder(input.tiers).find((t) => t.rank > rank && (input.includeHidden || t.visible));
  if (!next) return { nextTierId: null, missing: [] };
  return { nextTierId: next.id, missing: missingItems(next.qualifications, input.facts, input) };
}

/** "1,250 points and $120.00 within 30 days to Gold"; null when nothing is missing. */
export function progressHeadline(
  missing: readonly MissingItem[],
  tierTitle: string,
  locale = 'en-US',
): string | null {
  if (missing.length === 0) return null;
  const list = listFormat(locale).format(missing.map((m) => m.label));
  return `${list} to ${tierTitle}`;
}
