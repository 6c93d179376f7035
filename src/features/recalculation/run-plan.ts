/**
 * What a run of each kind does (SPEC 2, 4) and how one batch of customers is evaluated: each
 * customer's outcome decided by `decideOutcome` (domain/customer-outcome.ts), the function the
 * real-time event path calls, fed with facts the batch query computed set-based.
 */
import type { EvaluationTrigger } from '../../domain/assignment.js';
import {
  type CustomerOutcome,
  decideOutcome,
  isEmptyOutcome,
  type Moment,
  readsOrders,
} from '../../domain/customer-outcome.js';
import { warnsBeforeBoundaries } from '../../domain/downgrade-warning.js';
import { requiredWindows, windowBounds } from '../../domain/qualifications.js';
import type { ProgramSettings } from '../../domain/types.js';
import type { OutcomeToStore } from '../../store/outcome-port.js';
import type { TierRecord } from '../../store/port.js';
import type { BatchCustomer, BatchWork, RunKind } from '../../store/recalculation-port.js';

/**
 * A run either evaluates every customer with a trigger, predicts the next boundary for every
 * customer (downgrade warnings, features/downgrade-warnings), has nothing to do, or cannot run.
 */
export type RunPlan =
  | { type: 'evaluate'; trigger: EvaluationTrigger; carryReset: boolean }
  | { type: 'warn' }
  | { type: 'skip' }
  | { type: 'fail'; error: string };

/** The plan of a run of `kind` under the program's current settings. */
export function planRun(
  kind: RunKind,
  settings: Pick<ProgramSettings, 'retention' | 'tiersEnabled' | 'downgradeWarningDays'>,
): RunPlan {
  const { retention } = settings;
  // Tiers off: nothing is evaluated (SPEC 1); only a boundary still has carry to reset.
  if (!settings.tiersEnabled && kind !== 'cycle') return { type: 'skip' };
  switch (kind) {
    case 'cycle':
      // Resetting carry outside cycle mode would destroy points no boundary accounts for.
      if (retention.mode !== 'cycle')
        return { type: 'fail', error: `retention mode is ${retention.mode}, not cycle` };
      return { type: 'evaluate', trigger: 'boundary', carryReset: true };
    case 'daily':
      if (retention.mode === 'continuous') return { type: 'evaluate', trigger: 'daily', carryReset: false };
      // Cycle mode keeps tiers between boundaries: a daily run only applies due inactivity drops.
      if (retention.mode === 'cycle' && retention.inactivity) {
        return { type: 'evaluate', trigger: 'inactivity', carryReset: false };
      }
      return { type: 'skip' };
    case 'resync':
    case 'sync':
      return { type: 'evaluate', trigger: 'resync', carryReset: false };
    case 'warning':
      // Warnings switched off (or the program left cycle mode) since the run was scheduled.
      return warnsBeforeBoundaries(settings) ? { type: 'warn' } : { type: 'skip' };
  }
}

export interface BatchWorkInput {
  /** How the run evaluates (trigger, carry reset). */
  plan: Extract<RunPlan, { type: 'evaluate' }>;
  /** The program's settings when the run started working. */
  settings: ProgramSettings;
  /** Every live tier, enabled or not. */
  tiers: readonly TierRecord[];
  /** The run's evaluation instant. */
  asOf: Date;
  /** Test hook inside each batch transaction, before commit. */
  beforeCommit?: BatchWork['beforeCommit'];
}

/** How the store processes each batch of the run: every customer's outcome, as the event path decides it. */
export function batchWork({ plan, settings, tiers, asOf, beforeCommit }: BatchWorkInput): BatchWork {
  // Window starts are computed once per run: zone arithmetic per customer would dominate a million.
  const windows = requiredWindows(tiers).map((w) => ({
    key: w,
    from: windowBounds(asOf, w, settings.timezone).from,
  }));
  const withOrders = readsOrders(tiers);
  const moment: Moment = plan.carryReset
    ? {
        type: 'boundary',
        closeCycle: { keyPrefix: `carry_reset:${asOf.toISOString()}:`, reason: 'cycle_boundary' },
      }
    : { type: planMoment(plan.trigger) };
  return {
    orders: { windows, asOf, withOrders },
    closesCycleAt: plan.carryReset ? asOf : null,
    evaluate: decideBatch({ settings, tiers, moment, asOf, withOrders }),
    beforeCommit,
  };
}

/**
 * The outcomes of one batch's customers at one moment (`decideOutcome` each; those that change
 * nothing are left out): every run kind's evaluation, warnings included.
 */
export function decideBatch(input: {
  settings: ProgramSettings;
  tiers: readonly TierRecord[];
  moment: Moment;
  asOf: Date;
  withOrders: boolean;
}): (customers: BatchCustomer[]) => OutcomeToStore[] {
  const { settings, tiers, moment, asOf, withOrders } = input;
  return (customers) => {
    const outcomes: OutcomeToStore[] = [];
    for (const c of customers) {
      const outcome = decideOutcome({
        settings,
        tiers,
        customer: c,
        orders: withOrders ? c.orders : null,
        moment,
        at: asOf,
      });
      if (!isEmptyOutcome(outcome)) outcomes.push(toStore(outcome));
    }
    return outcomes;
  };
}

/**
 * Only what the store writes: the customer after the moment, its facts and the decision are
 * dropped at once, while still young, instead of living in the batch until its statement
 * returns (BENCHMARKS.md, "The boundary's memory").
 */
function toStore(o: CustomerOutcome): OutcomeToStore {
  return {
    customerId: o.customerId,
    at: o.at,
    entries: o.entries,
    placement: o.placement,
    change: o.change,
    events: o.events,
    cycleClosedAt: o.cycleClosedAt,
    passes: o.passes,
  };
}

function planMoment(trigger: EvaluationTrigger): 'daily' | 'inactivity' | 'resync' {
  if (trigger === 'daily' || trigger === 'inactivity' || trigger === 'resync') return trigger;
  throw new Error(`a run does not evaluate for ${trigger}`);
}
