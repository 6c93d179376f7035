/** Shared pieces of every point-moving event: applying entries, replays, results. */

import { type CustomerOutcome, decideOutcome } from '../../domain/customer-outcome.js';
import type { CustomerFacts } from '../../domain/qualifications.js';
import { conflict, unprocessable } from '../../errors.js';
import type { ProgramContext } from '../../program-context.js';
import type {
  CustomerRecord,
  NewLedgerEntry,
  NewTierChange,
  ProgramTx,
  TierRecord,
} from '../../store/port.js';
import { customerView, ledgerEntryView } from '../customers/customer-service.js';
import { loadOrderFacts, type PendingOrder } from '../tiers/tier-evaluation.js';

/** A response to send, and whether it is the stored response of an earlier identical request. */
export interface EventResponse {
  status: number;
  body: unknown;
  replayed: boolean;
}

/** Live programs accept event times up to this far ahead (shop clocks drift); test programs none. */
export const LIVE_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** An event time, refused when later than the program's now (clamped within the live skew). */
export function eventTime(ctx: ProgramContext, at: Date | undefined, field: string): Date {
  if (!at) return ctx.now;
  if (at.getTime() <= ctx.now.getTime()) return at;
  const skew = ctx.program.mode === 'live' ? LIVE_CLOCK_SKEW_MS : 0;
  if (at.getTime() - ctx.now.getTime() <= skew) return ctx.now;
  throw unprocessable('event_in_future', `${field} ${at.toISOString()} is later than the program's now`, [
    { path: `body.${field}`, message: `must not be later than ${ctx.now.toISOString()}` },
  ]);
}

/** The stored response of an earlier request with this key, or 409 when the body differs. */
export function replayOrConflict(
  stored: { requestHash: string; status?: number; response: unknown },
  hash: string,
) {
  if (stored.requestHash !== hash) {
    throw conflict('idempotency_conflict', 'This idempotency key was already used with a different request');
  }
  return { status: stored.status ?? 201, body: stored.response, replayed: true } satisfies EventResponse;
}

/** An event ready to commit: its response body, and the outcome that makes it true. */
export interface Settled {
  body: ReturnType<typeof eventBody>;
  /** Everything the event causes (its entries and any tier bonus, the tier change, events, passes). */
  outcome: CustomerOutcome<CustomerRecord>;
}

/** The body every event returns: its entries, the new balances and the customer. */
function eventBody(
  ctx: ProgramContext,
  after: CustomerRecord,
  tiers: readonly TierRecord[],
  facts: CustomerFacts,
  entries: NewLedgerEntry[],
  change: NewTierChange | null,
) {
  return {
    entries: entries.map(ledgerEntryView),
    balances: after.balances,
    tierChange: change
      ? {
          fromTierId: change.fromTierId,
          toTierId: change.toTierId,
          direction: change.direction,
          reason: change.reason,
        }
      : null,
    customer: customerView(ctx.program, after, tiers, facts),
  };
}

/**
 * Decide the event's outcome (domain/customer-outcome.ts: upgrades are immediate in every mode,
 * the bonus of a newly entered tier) and build the response — all before writing, so the response
 * can be stored with the event's idempotency key in the same unit; the caller stores the outcome.
 */
export async function settle(
  tx: Pick<ProgramTx, 'orders'>,
  ctx: ProgramContext,
  tiers: readonly TierRecord[],
  customer: CustomerRecord,
  entries: NewLedgerEntry[],
  opts: { pending?: PendingOrder; tagsBefore?: readonly string[] } = {},
): Promise<Settled> {
  const settings = ctx.program.settings;
  const orders = await loadOrderFacts(tx.orders, settings, tiers, customer.id, ctx.now, opts.pending);
  const decided = decideOutcome({
    settings,
    tiers,
    customer,
    orders,
    moment: { type: 'event', entries, tagsBefore: opts.tagsBefore },
    at: ctx.now,
  });
  const moved = decided.entries.length > 0 || decided.change !== null;
  const outcome = moved ? { ...decided, customer: { ...decided.customer, updatedAt: ctx.now } } : decided;
  return {
    body: eventBody(ctx, outcome.customer, tiers, outcome.facts, outcome.entries, outcome.change),
    outcome,
  };
}

/** The customer's current tier among `tiers` (null without one). */
export function tierIn(tiers: readonly TierRecord[], c: CustomerRecord): TierRecord | null {
  return tiers.find((t) => t.id === c.tierId) ?? null;
}
