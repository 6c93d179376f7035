/**
 * The tier form's state (text as typed) and its conversion to the API body. Amounts are typed in
 * the program currency's major units and sent as integer minor units (format/amounts.ts);
 * everything else is validated by the server's own `createTierBody`/`updateTierBody`.
 */
import type { FieldErrors } from '../../api/field-errors';
import type { Tier } from '../../api/types';
import { amountHint, toMajorText, toMinorUnits } from '../../format/amounts';

export const CONDITION_TYPES = [
  'tag',
  'segment',
  'largeOrder',
  'orderVolume',
  'lifetimePoints',
  'lifetimeSpend',
  'carryPoints',
] as const;
export type ConditionType = (typeof CONDITION_TYPES)[number];

/** What each condition type takes: a label, an amount (+ window) or points. */
export const CONDITION_INFO: Record<
  ConditionType,
  { label: string; explain: string; input: 'label' | 'amount' | 'points' }
> = {
  tag: { label: 'Has a tag', explain: 'The customer carries this tag from your shop.', input: 'label' },
  segment: {
    label: 'In a segment',
    explain: 'The customer is in this segment of your shop.',
    input: 'label',
  },
  largeOrder: {
    label: 'One large order',
    explain: 'At least one order ever, net of refunds, reached this amount.',
    input: 'amount',
  },
  orderVolume: {
    label: 'Spend within a window',
    explain:
      'Net spend of the orders placed within the window (rolling, counted back from now) reached this amount.',
    input: 'amount',
  },
  lifetimePoints: {
    label: 'Lifetime points',
    explain: 'Qualifying points earned over all time (tier bonuses and redemptions do not count).',
    input: 'points',
  },
  lifetimeSpend: {
    label: 'Lifetime spend',
    explain: 'Net spend over all time reached this amount.',
    input: 'amount',
  },
  carryPoints: {
    label: 'Points this cycle',
    explain:
      'Qualifying points earned in the current cycle (reset at each cycle boundary; needs cycle retention).',
    input: 'points',
  },
};

export interface ConditionDraft {
  /** Stable React key. */
  key: string;
  type: ConditionType;
  enabled: boolean;
  /** tag or segment. */
  label: string;
  /** Major units as typed. */
  amount: string;
  /** ISO duration (orderVolume). */
  window: string;
  points: string;
}

export interface TierDraft {
  title: string;
  icon: string;
  visible: boolean;
  enabled: boolean;
  qualifications: ConditionDraft[];
  maintainOn: boolean;
  maintain: ConditionDraft[];
  benefitTag: string;
  multiplier: string;
  bonusPoints: string;
  rewards: string[];
}

let keySeq = 0;
export function newCondition(type: ConditionType = 'lifetimePoints'): ConditionDraft {
  keySeq += 1;
  return { key: `c${keySeq}`, type, enabled: true, label: '', amount: '', window: 'P90D', points: '' };
}

export function emptyTierDraft(): TierDraft {
  return {
    title: '',
    icon: '',
    visible: true,
    enabled: true,
    qualifications: [],
    maintainOn: false,
    maintain: [],
    benefitTag: '',
    multiplier: '',
    bonusPoints: '',
    rewards: [],
  };
}

function conditionDraft(q: Record<string, unknown>, currency: string): ConditionDraft {
  const c = newCondition(q.type as ConditionType);
  c.enabled = q.enabled !== false;
  if (typeof q.tag === 'string') c.label = q.tag;
  if (typeof q.segment === 'string') c.label = q.segment;
  if (typeof q.minAmount === 'number') c.amount = toMajorText(q.minAmount, currency);
  if (typeof q.window === 'string') c.window = q.window;
  if (typeof q.minPoints === 'number') c.points = String(q.minPoints);
  return c;
}

export function tierDraft(t: Tier, currency: string): TierDraft {
  const b = t.benefits as { tag?: string; multiplier?: number; bonusPoints?: number; rewards?: string[] };
  return {
    title: t.title,
    icon: t.icon ?? '',
    visible: t.visible,
    enabled: t.enabled,
    qualifications: t.qualifications.map((q) => conditionDraft(q, currency)),
    maintainOn: t.maintain !== null,
    maintain: (t.maintain ?? []).map((q) => conditionDraft(q, currency)),
    benefitTag: b.tag ?? '',
    multiplier: b.multiplier === undefined ? '' : String(b.multiplier),
    bonusPoints: b.bonusPoints === undefined ? '' : String(b.bonusPoints),
    rewards: b.rewards ?? [],
  };
}

/** A number field: empty → undefined, otherwise Number (NaN is left for the schema to name). */
function num(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text.trim());
}

function conditionBody(c: ConditionDraft, currency: string, path: string, errors: FieldErrors) {
  const base = { type: c.type, ...(c.enabled ? {} : { enabled: false }) };
  switch (c.type) {
    case 'tag':
      return { ...base, tag: c.label };
    case 'segment':
      return { ...base, segment: c.label };
    case 'largeOrder':
    case 'lifetimeSpend':
    case 'orderVolume': {
      const minor = toMinorUnits(c.amount, currency);
      if (minor === null) errors[`${path}.minAmount`] = `Enter ${amountHint(currency)}.`;
      const amount = { minAmount: minor ?? 0 };
      return c.type === 'orderVolume'
        ? { ...base, ...amount, window: c.window.trim() }
        : { ...base, ...amount };
    }
    case 'lifetimePoints':
    case 'carryPoints':
      return { ...base, minPoints: num(c.points) ?? Number.NaN };
  }
}

/**
 * The API body of the draft, and the errors found while converting amounts (added to the
 * schema's own errors). `design` is left to the pass designer.
 */
export function tierBody(
  d: TierDraft,
  currency: string,
): { body: Record<string, unknown>; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const rewards = d.rewards.map((r) => r.trim()).filter((r) => r !== '');
  const body = {
    title: d.title,
    icon: d.icon.trim() === '' ? null : d.icon.trim(),
    visible: d.visible,
    enabled: d.enabled,
    qualifications: d.qualifications.map((c, i) => conditionBody(c, currency, `qualifications.${i}`, errors)),
    maintain: d.maintainOn
      ? d.maintain.map((c, i) => conditionBody(c, currency, `maintain.${i}`, errors))
      : null,
    benefits: {
      ...(d.benefitTag.trim() === '' ? {} : { tag: d.benefitTag.trim() }),
      ...(num(d.multiplier) === undefined ? {} : { multiplier: num(d.multiplier) }),
      ...(num(d.bonusPoints) === undefined ? {} : { bonusPoints: num(d.bonusPoints) }),
      ...(rewards.length === 0 ? {} : { rewards }),
    },
  };
  return { body, errors };
}
