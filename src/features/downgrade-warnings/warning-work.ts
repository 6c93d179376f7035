/**
 * The batch work of a downgrade-warning run (docs/decisions/0015-downgrade-warnings.md): every
 * customer of the program, in the same leased batches as a boundary run, evaluated with
 * `predictDowngrade` — the boundary's own `decideTier` on facts projected to the boundary — and
 * one `tier.downgrade_warning` event per customer the boundary would downgrade, written with the
 * batch's done marker (so exactly once per customer per boundary, whoever processes the batch).
 */
import { readsOrders } from '../../domain/customer-outcome.js';
import { boundaryWindows, warnedBoundary } from '../../domain/downgrade-warning.js';
import { requiredWindows } from '../../domain/qualifications.js';
import type { ProgramSettings } from '../../domain/types.js';
import type { TierRecord } from '../../store/port.js';
import type { BatchWork } from '../../store/recalculation-port.js';
import { decideBatch } from '../recalculation/run-plan.js';

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
  const withOrders = readsOrders(tiers);
  return {
    // Windows end at the boundary; orders count up to the warning instant (all that is known).
    orders: {
      windows: boundaryWindows(requiredWindows(tiers), boundary, settings.timezone),
      asOf,
      withOrders,
    },
    closesCycleAt: null,
    evaluate: decideBatch({ settings, tiers, moment: { type: 'warning', boundary }, asOf, withOrders }),
    beforeCommit,
  };
}
