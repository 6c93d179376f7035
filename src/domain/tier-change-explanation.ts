/**
 * "Why this tier": one plain-words sentence for a recorded tier change, built only from what was
 * stored with it (its reason and the decision facts of `decideTier`), e.g. "Moved to Gold on
 * 1 Feb 2027: $1,100.00 spent in the last 90 days (needs $1,000.00) and 8,500 lifetime points
 * (needs 7,500)". Money is in the program currency, dates on the program's calendar.
 *
 * Pure and browser-safe (Intl only): the API sends the sentence with each change and the console
 * can build the same one. Facts are stored JSON from any past version, so they are read
 * defensively: what cannot be read is left out of the sentence, never guessed.
 */
import { describeDuration } from './duration.js';
import { formatMoney } from './progress.js';
import type { TierChangeReason } from './types.js';

/** A tier change as stored (times as Date or ISO strings). */
export interface ExplainedChange {
  fromTierId: string | null;
  toTierId: string | null;
  direction: 'up' | 'down';
  reason: TierChangeReason | string;
  at: Date | string;
  facts: unknown;
}

export interface ExplainOptions {
  /** The tier's title; deleted tiers keep theirs. Unknown ids are named by id. */
  title(tierId: string): string | null;
  /** ISO 4217 program currency. */
  currency: string;
  /** IANA program time zone (dates are the program's calendar dates). */
  timeZone: string;
}

/** A judged condition as `evaluateCondition` stores it. */
interface StoredCondition {
  type: string;
  required: unknown;
  actual: unknown;
  met: boolean;
  window?: unknown;
}

interface StoredEvaluation {
  tierId: string;
  test: string;
  met: boolean;
  conditions: StoredCondition[];
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();
const numbers = new Intl.NumberFormat('en-US');
const lists = new Intl.ListFormat('en-US', { type: 'conjunction' });

/** "1 Feb 2027": the calendar date of `at` in the program time zone. */
export function formatProgramDate(at: Date | string, timeZone: string): string {
  let f = dateFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone });
    dateFormats.set(timeZone, f);
  }
  return f.format(typeof at === 'string' ? new Date(at) : at);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function evaluations(facts: unknown): StoredEvaluation[] {
  if (!isRecord(facts) || !Array.isArray(facts.tiers)) return [];
  return facts.tiers.filter(
    (t): t is StoredEvaluation =>
      isRecord(t) &&
      typeof t.tierId === 'string' &&
      typeof t.met === 'boolean' &&
      Array.isArray(t.conditions),
  );
}

function conditionsOf(evaluation: StoredEvaluation | undefined): StoredCondition[] {
  return (evaluation?.conditions ?? []).filter(
    (c): c is StoredCondition => isRecord(c) && typeof c.type === 'string' && typeof c.met === 'boolean',
  );
}

function windowText(window: unknown): string {
  if (typeof window !== 'string') return 'the window';
  try {
    return `the last ${describeDuration(window)}`;
  } catch {
    return window;
  }
}

/** One judged condition in words, e.g. "8,500 lifetime points (needs 7,500)"; null when unreadable. */
export function describeCondition(c: StoredCondition, currency: string): string | null {
  const label = typeof c.required === 'string' ? c.required : null;
  if (c.type === 'tag' && label !== null) return c.met ? `tagged "${label}"` : `not tagged "${label}"`;
  if (c.type === 'segment' && label !== null) {
    return c.met ? `in the "${label}" segment` : `not in the "${label}" segment`;
  }
  if (typeof c.required !== 'number' || typeof c.actual !== 'number') return null;
  const money = (n: number) => formatMoney(n, currency);
  const points = (n: number) => numbers.format(n);
  switch (c.type) {
    case 'largeOrder':
      return `largest order ${money(c.actual)} (needs ${money(c.required)})`;
    case 'orderVolume':
      return `${money(c.actual)} spent in ${windowText(c.window)} (needs ${money(c.required)})`;
    case 'lifetimeSpend':
      return `${money(c.actual)} spent in total (needs ${money(c.required)})`;
    case 'lifetimePoints':
      return `${points(c.actual)} lifetime points (needs ${points(c.required)})`;
    case 'carryPoints':
      return `${points(c.actual)} points this cycle (needs ${points(c.required)})`;
    default:
      return null;
  }
}

function listOf(conditions: StoredCondition[], currency: string): string | null {
  const parts = conditions.map((c) => describeCondition(c, currency)).filter((p): p is string => p !== null);
  return parts.length === 0 ? null : lists.format(parts);
}

/** Why the customer holds `tierId` now: the conditions it met, or "everyone qualifies". */
function metText(evaluation: StoredEvaluation | undefined, tier: string, currency: string): string | null {
  if (!evaluation) return null;
  if (evaluation.test === 'retained') return `${tier} is kept between cycle boundaries`;
  const conditions = conditionsOf(evaluation);
  if (evaluation.test === 'qualifications' && conditions.length === 0)
    return `everyone qualifies for ${tier}`;
  return listOf(conditions, currency);
}

/** What the customer no longer met for `tierId`: its failed conditions. */
function unmetText(evaluation: StoredEvaluation | undefined, currency: string): string | null {
  return listOf(
    conditionsOf(evaluation).filter((c) => !c.met),
    currency,
  );
}

/** "the conditions of Gold no longer held, with …"; null when the facts name none. */
function droppedText(source: StoredEvaluation | undefined, from: string, currency: string): string | null {
  const unmet = unmetText(source, currency);
  return unmet ? `the conditions of ${from} no longer held, with ${unmet}` : null;
}

function joined(lead: string, detail: string | null): string {
  return detail ? `${lead}: ${detail}` : lead;
}

/** The plain-words explanation of one recorded tier change. */
export function explainTierChange(change: ExplainedChange, opts: ExplainOptions): string {
  const name = (id: string | null) => (id === null ? 'no tier' : (opts.title(id) ?? `tier ${id}`));
  const from = name(change.fromTierId);
  const to = name(change.toTierId);
  const date = formatProgramDate(change.at, opts.timeZone);
  const head =
    change.direction === 'up'
      ? `Moved to ${to} on ${date}`
      : change.toTierId === null
        ? `Left ${from} on ${date}`
        : `Moved down to ${to} on ${date}`;
  const evals = evaluations(change.facts);
  const target = evals.find((e) => e.tierId === change.toTierId);
  const source = evals.find((e) => e.tierId === change.fromTierId);
  const facts = isRecord(change.facts) ? change.facts : {};
  const currency = opts.currency;
  const landing = change.toTierId === null ? 'no other tier is met' : `${to} is the highest tier met`;

  switch (change.reason) {
    case 'qualified':
      return `${joined(head, metText(target, to, currency))}.`;
    case 'cycle': {
      const lead = `${head} at the cycle boundary`;
      const unmet = unmetText(source, currency);
      let text = joined(lead, unmet ? `the conditions to keep ${from} were not met, with ${unmet}` : null);
      const maxDrop = isRecord(facts.maxDrop) ? facts.maxDrop : null;
      if (maxDrop && typeof maxDrop.limit === 'number') {
        const wanted = typeof maxDrop.wantedTierId === 'string' ? name(maxDrop.wantedTierId) : 'no tier';
        const tiers = maxDrop.limit === 1 ? 'tier' : 'tiers';
        text += `; at most ${numbers.format(maxDrop.limit)} ${tiers} may be lost at one boundary, so not down to ${wanted}`;
      }
      return `${text}.`;
    }
    case 'continuous':
      return `${joined(head, droppedText(source, from, currency))}.`;
    case 'inactivity': {
      const inactivity = isRecord(facts.inactivity) ? facts.inactivity : null;
      const since = typeof inactivity?.since === 'string' ? inactivity.since : null;
      const detail = since
        ? `no points earned since ${formatProgramDate(since, opts.timeZone)}, so one tier was dropped`
        : 'no points earned for too long, so one tier was dropped';
      return `${joined(head, detail)}.`;
    }
    case 'tier_disabled':
    case 'tier_deleted': {
      const what = change.reason === 'tier_disabled' ? 'disabled' : 'deleted';
      return `${head}: ${from} was ${what}, and ${landing}.`;
    }
    case 'resync': {
      const lead = `${head} when every customer was re-evaluated`;
      const detail =
        change.direction === 'up' ? metText(target, to, currency) : droppedText(source, from, currency);
      return `${joined(lead, detail)}.`;
    }
    case 'manual':
      return `${head}: changed by hand.`;
    default:
      return `${head} (reason: ${change.reason}).`;
  }
}
