/**
 * The batch work of a downgrade-warning run (docs/decisions/0015-downgrade-warnings.md): every
 * customer of the program, in the same leased batches as a boundary run, evaluated with
 * `predictDowngrade` — the boundary's own `decideTier` on facts projected to the boundary — and
 * one `tier.downgrade_warning` event per customer the boundary would downgrade, written with the
 * batch's done marker (so exactly once per customer per boundary, whoever processes the batch).
 */
import {
  boundaryWindows,
  type DowngradeWarning,
  predictDowngrade,
  warnedBoundary,
} from '../../domain/downgrade-warning.js';
import { requiredWindows } from '../../domain/qualifications.js';
import type { ProgramSettings } from '../../domain/types.js';
import type { TierRecord } from '../../store/port.js';
import type { BatchWork, BatchWrites } from '../../store/recalculation-port.js';
import type { NewWebhookEvent } from '../../store/webhook-port.js';
import { factsOf, readsOrders } from '../recalculation/run-plan.js';

/** A tier as the event names it. */
interface TierRef {
  id: string;
  title: string;
}

function tierRef(tiers: readonly TierRecord[], id: string | null): TierRef | null {
  if (id === null) return null;
  return { id, title: tiers.find((t) => t.id === id)?.title ?? id };
}

/** The `tier.downgrade_warning` event of one warning (the store adds customer and balances). */
export function downgradeWarningEvent(
  customerId: string,
  warning: DowngradeWarning,
  tiers: readonly TierRecord[],
  at: Date,
): NewWebhookEvent {
  return {
    customerId,
    type: 'tier.downgrade_warning',
    data: {
      tier: tierRef(tiers, warning.fromTierId),
      downgradeTo: tierRef(tiers, warning.toTierId),
      boundaryAt: warning.boundaryAt.toISOString(),
      keep: {
        headline: warning.keep.headline,
        missing: warning.keep.missing,
        conditions: warning.keep.conditions,
      },
      ...(warning.decision.facts.maxDrop ? { maxDrop: warning.decision.facts.maxDrop } : {}),
      occurredAt: at.toISOString(),
    },
    at,
  };
}

export interface WarningWorkInput {
  /** The program's settings when the run started working (cycle mode, warnings on). */
  settings: ProgramSettings;
  /** Every live tier, enabled or not. */
  tiers: readonly TierRecord[];
  /** The warning instant (the run's asOf). */
  asOf: Date;
  /** Test hook inside each batch transaction, before commit. */
  beforeCommit?: BatchWork['beforeCommit'];
}

/** How the store processes each batch of a warning run. */
export function warningBatchWork({ settings, tiers, asOf, beforeCommit }: WarningWorkInput): BatchWork {
  const boundary = warnedBoundary(settings, asOf);
  if (!boundary) throw new Error(`retention mode ${settings.retention.mode} has no boundaries to warn about`);
  return {
    // Windows end at the boundary; orders count up to the warning instant (all that is known).
    orders: {
      windows: boundaryWindows(requiredWindows(tiers), boundary, settings.timezone),
      asOf,
      withOrders: readsOrders(tiers),
    },
    evaluate(customers) {
      const writes: BatchWrites = { placements: [], changes: [], entries: [], events: [] };
      for (const c of customers) {
        const warning = predictDowngrade({
          settings,
          tiers,
          state: c,
          facts: factsOf(c, tiers),
          boundary,
          now: asOf,
        });
        if (warning) writes.events.push(downgradeWarningEvent(c.id, warning, tiers, asOf));
      }
      return writes;
    },
    carryReset: null,
    beforeCommit,
  };
}
