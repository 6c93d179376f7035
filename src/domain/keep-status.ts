/**
 * What keeps a customer's tier at the next cycle boundary (SPEC 4 `cycle`, SPEC 6 "$120 by 1 Jul
 * to keep Gold"; "Gold kept at the boundary on 1 Jul" once met). The tier's maintain conditions
 * (default: its qualifications) judged on the customer's facts projected to the boundary — the
 * same projection downgrade warnings use (downgrade-warning.ts `projectFacts`): rolling windows
 * end at the boundary, the other facts stay as they are now.
 */
import { nextBoundaryAfter } from './cycles.js';
import { type MissingItem, missingItems } from './progress.js';
import {
  type ConditionFact,
  type CustomerFacts,
  evaluateConditions,
  keepConditions,
} from './qualifications.js';
import { formatProgramDate } from './tier-change-explanation.js';
import type { ProgramSettings, TierConfig } from './types.js';

/** The keep test of the next boundary for one customer. */
export interface KeepStatus {
  /** The next cycle boundary. */
  boundaryAt: Date;
  /** The tier being kept. */
  tierId: string;
  /** True when the conditions already hold as projected to the boundary. */
  met: boolean;
  /** Each enabled keep condition, judged on the projected facts. */
  conditions: ConditionFact[];
  /** What is still missing by the boundary, with labels. */
  missing: MissingItem[];
  /** "$120.00 within 12 months by 1 Jul 2027 to keep Gold" or "Gold is kept at the boundary on 1 Jul 2027". */
  headline: string;
}

const lists = new Intl.ListFormat('en-US', { type: 'conjunction' });

type KeepSettings = Pick<ProgramSettings, 'tiersEnabled' | 'retention' | 'timezone' | 'currency'>;

/** The boundary a keep status is about: the next one after `now`; null outside cycle mode or with tiers off. */
export function keepBoundary(settings: KeepSettings, now: Date): Date | null {
  const cycle = settings.retention.mode === 'cycle' ? settings.retention.cycle : undefined;
  if (!settings.tiersEnabled || !cycle) return null;
  return nextBoundaryAfter(cycle, settings.timezone, now);
}

/**
 * The keep status of `tierId` at `boundary` from facts projected to it; null without a tier or
 * when the tier is gone or disabled (such customers are reassigned at once, not at a boundary).
 */
export function keepStatus(input: {
  settings: KeepSettings;
  tiers: readonly TierConfig[];
  tierId: string | null;
  facts: CustomerFacts;
  boundary: Date;
}): KeepStatus | null {
  const { settings, tiers, tierId, facts, boundary } = input;
  const tier = tierId === null ? undefined : tiers.find((t) => t.id === tierId && t.enabled);
  if (!tier) return null;
  const conditions = keepConditions(tier);
  const judged = evaluateConditions(conditions, facts);
  const missing = missingItems(conditions, facts, { currency: settings.currency });
  const date = formatProgramDate(boundary, settings.timezone);
  const headline =
    judged.met || missing.length === 0
      ? `${tier.title} is kept at the boundary on ${date}`
      : `${lists.format(missing.map((m) => m.label))} by ${date} to keep ${tier.title}`;
  return {
    boundaryAt: boundary,
    tierId: tier.id,
    met: judged.met,
    conditions: judged.conditions,
    missing,
    headline,
  };
}
