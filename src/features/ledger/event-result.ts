/** Shared pieces of every point-moving event: applying entries, replays, results. */

import type { CustomerFacts } from '../../domain/qualifications.js';
import type { Balances } from '../../domain/types.js';
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
import { evaluate, loadFacts, type PendingOrder, writeOutcome } from '../tiers/tier-evaluation.js';

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

export function sumDeltas(entries: NewLedgerEntry[]): Balances {
  const sum = { current: 0, carry: 0, lifetimeEarned: 0, lifetimeSpend: 0 };
  for (const e of entries) {
    sum.current += e.delta.current;
    sum.carry += e.delta.carry;
    sum.lifetimeEarned += e.delta.lifetimeEarned;
    sum.lifetimeSpend += e.delta.lifetimeSpend;
  }
  return sum;
}

/** The customer as it will be once `entries` are appended (computed before writing). */
export function afterEntries(c: CustomerRecord, entries: NewLedgerEntry[], now: Date): CustomerRecord {
  const d = sumDeltas(entries);
  const b = c.balances;
  return {
    ...c,
    balances: {
      current: b.current + d.current,
      carry: b.carry + d.carry,
      lifetimeEarned: b.lifetimeEarned + d.lifetimeEarned,
      lifetimeSpend: b.lifetimeSpend + d.lifetimeSpend,
    },
    lastEarnedAt: d.lifetimeEarned > 0 ? now : c.lastEarnedAt,
    updatedAt: now,
  };
}

/** An event ready to commit: its response body, and the writes that make it true. */
export interface Settled {
  body: ReturnType<typeof eventBody>;
  /** The customer's current tier before the event (its multiplier applied). */
  customer: CustomerRecord;
  /** Every ledger entry the event writes (its own and any tier bonus). */
  entries: NewLedgerEntry[];
  /**
   * Append the entries (unless `appended`: written with the order), and record a tier change
   * when the event caused one.
   */
  write(opts?: { appended?: boolean }): Promise<void>;
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
 * Evaluate the customer after `entries` (upgrades are immediate in every mode), add the
 * bonus of a newly entered tier, and build the response — all before writing, so the
 * response can be stored with the event's idempotency key in the same transaction.
 */
export async function settle(
  tx: ProgramTx,
  ctx: ProgramContext,
  tiers: readonly TierRecord[],
  customer: CustomerRecord,
  entries: NewLedgerEntry[],
  pending?: PendingOrder,
): Promise<Settled> {
  const afterEvent = afterEntries(customer, entries, ctx.now);
  const facts = await loadFacts(tx.orders, ctx.program.settings, tiers, afterEvent, ctx.now, pending);
  const outcome = evaluate(ctx.program.settings, tiers, afterEvent, facts, ctx.now, 'event');
  const all = [...entries, ...outcome.entries];
  return {
    body: eventBody(ctx, outcome.customer, tiers, facts, all, outcome.change),
    customer,
    entries: all,
    write: (opts) => writeOutcome(tx, customer.id, entries, outcome, ctx.now, opts?.appended ?? false),
  };
}

/** The customer's current tier among `tiers` (null without one). */
export function tierIn(tiers: readonly TierRecord[], c: CustomerRecord): TierRecord | null {
  return tiers.find((t) => t.id === c.tierId) ?? null;
}
