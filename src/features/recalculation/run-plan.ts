/**
 * What a run of each kind does (SPEC 2, 4) and how one batch of customers is evaluated: with
 * `decideTier` and `applyDecision`, the functions the real-time event path uses
 * (features/tiers/tier-evaluation.ts), fed with facts the batch query computed set-based.
 */
import { decideTier, type EvaluationTrigger } from '../../domain/assignment.js';
import { qualifyingTags } from '../../domain/customer-facts.js';
import { warnsBeforeBoundaries } from '../../domain/downgrade-warning.js';
import { type CustomerFacts, requiredWindows, windowBounds } from '../../domain/qualifications.js';
import { applyDecision } from '../../domain/transition.js';
import type { ProgramSettings } from '../../domain/types.js';
import type { NewLedgerEntry, TierRecord } from '../../store/port.js';
import type { BatchCustomer, BatchWork, BatchWrites, RunKind } from '../../store/recalculation-port.js';
import { effectiveTags, evaluationEvents } from '../webhooks/webhook-events.js';

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

/** Whether any enabled tier reads orders (the batch query then sums them). */
export function readsOrders(tiers: readonly TierRecord[]): boolean {
  return tiers.some(
    (t) =>
      t.enabled &&
      [...t.qualifications, ...(t.maintain ?? [])].some(
        (q) => q.type === 'orderVolume' || q.type === 'largeOrder',
      ),
  );
}

/** Facts of one batch customer, built exactly as the event path's `loadFacts` builds them. */
export function factsOf(customer: BatchCustomer, tiers: readonly TierRecord[]): CustomerFacts {
  const { orders } = customer;
  return {
    tags: qualifyingTags(customer.tags, tiers),
    segments: customer.segments,
    largestOrder: orders.largestOrder,
    lifetimeEarned: customer.balances.lifetimeEarned,
    lifetimeSpend: customer.balances.lifetimeSpend,
    carry: customer.balances.carry,
    windowSpend: orders.windowSpend,
  };
}

/** The entry bonus as the event path writes it: the key makes a second award impossible. */
function bonusEntry(customerId: string, tierId: string, points: number, at: Date): NewLedgerEntry {
  return {
    type: 'bonus',
    key: `bonus:${customerId}:${tierId}`,
    orderId: null,
    base: null,
    multiplier: null,
    points,
    // Spendable only: never qualifying, never carry.
    delta: { current: points, carry: 0, lifetimeEarned: 0, lifetimeSpend: 0 },
    reason: 'tier_bonus',
    tierId,
    at,
  };
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

/** How the store processes each batch of the run. */
export function batchWork({ plan, settings, tiers, asOf, beforeCommit }: BatchWorkInput): BatchWork {
  // Window starts are computed once per run: zone arithmetic per customer would dominate a million.
  const windows = requiredWindows(tiers).map((w) => ({
    key: w,
    from: windowBounds(asOf, w, settings.timezone).from,
  }));
  return {
    orders: { windows, asOf, withOrders: readsOrders(tiers) },
    evaluate(customers) {
      const writes: BatchWrites = { placements: [], changes: [], entries: [], events: [] };
      for (const c of customers) {
        const decision = decideTier({
          settings,
          tiers,
          state: c,
          facts: factsOf(c, tiers),
          asOf,
          trigger: plan.trigger,
        });
        if (decision.direction === 'none') continue;
        const t = applyDecision(c, decision, tiers, settings, asOf);
        if (!t.change) continue;
        const change = { customerId: c.id, ...t.change };
        writes.placements.push({ customerId: c.id, placement: t.placement });
        writes.changes.push(change);
        const after = { tags: c.tags, tierTags: t.placement.tierTags };
        writes.events.push(...evaluationEvents(c.id, effectiveTags(c), after, change, tiers, asOf));
        if (t.bonus) {
          writes.entries.push({
            customerId: c.id,
            entry: bonusEntry(c.id, t.bonus.tierId, t.bonus.points, asOf),
          });
        }
      }
      return writes;
    },
    carryReset: plan.carryReset
      ? { at: asOf, keyPrefix: `carry_reset:${asOf.toISOString()}:`, reason: 'cycle_boundary' }
      : null,
    beforeCommit,
  };
}
