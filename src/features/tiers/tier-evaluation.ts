/**
 * Real-time tier evaluation inside an event's transaction (SPEC 4: upgrades are
 * immediate; continuous mode also drops on events), and the facts the rules read. The tiers
 * feature holds both halves: the tier set's configuration (tier-service.ts) and its evaluation.
 */
import { decideTier, type EvaluationTrigger, type TierDecision } from '../../domain/assignment.js';
import { qualifyingTags } from '../../domain/customer-facts.js';
import { type CustomerFacts, requiredWindows, windowBounds } from '../../domain/qualifications.js';
import { applyDecision } from '../../domain/transition.js';
import type { ProgramSettings } from '../../domain/types.js';
import type {
  CustomerRecord,
  NewLedgerEntry,
  NewTierChange,
  OrderRepository,
  OrderSummary,
  ProgramTx,
  TierRecord,
} from '../../store/port.js';
import type { NewWebhookEvent } from '../../store/webhook-port.js';
import { effectiveTags, evaluationEvents } from '../webhooks/webhook-events.js';

/** An order being written in the same transaction, not yet visible to queries. */
export interface PendingOrder {
  amount: number;
  placedAt: Date;
}

function needsOrderQuery(tiers: readonly TierRecord[]): boolean {
  return tiers.some(
    (t) =>
      t.enabled &&
      [...t.qualifications, ...(t.maintain ?? [])].some(
        (q) => q.type === 'orderVolume' || q.type === 'largeOrder',
      ),
  );
}

/** Facts at `asOf`, with one summary query only when a tier needs order windows. */
export async function loadFacts(
  orders: Pick<OrderRepository, 'summary'>,
  settings: Pick<ProgramSettings, 'timezone'>,
  tiers: readonly TierRecord[],
  customer: CustomerRecord,
  asOf: Date,
  pending?: PendingOrder,
): Promise<CustomerFacts> {
  const windows = requiredWindows(tiers).map((w) => ({
    key: w,
    from: windowBounds(asOf, w, settings.timezone).from,
  }));
  let summary: OrderSummary = {
    windowSpend: {},
    largestOrder: 0,
    totalSpend: customer.balances.lifetimeSpend,
  };
  if (needsOrderQuery(tiers)) {
    summary = await orders.summary(customer.id, { windows, asOf });
    if (pending && pending.placedAt.getTime() <= asOf.getTime()) {
      for (const w of windows) {
        if (pending.placedAt.getTime() > w.from.getTime()) {
          summary.windowSpend[w.key] = (summary.windowSpend[w.key] ?? 0) + pending.amount;
        }
      }
      summary.largestOrder = Math.max(summary.largestOrder, pending.amount);
    }
  }
  return {
    tags: qualifyingTags(customer.tags, tiers),
    segments: customer.segments,
    largestOrder: summary.largestOrder,
    lifetimeEarned: customer.balances.lifetimeEarned,
    lifetimeSpend: customer.balances.lifetimeSpend,
    carry: customer.balances.carry,
    windowSpend: summary.windowSpend,
  };
}

export interface EvaluationOutcome {
  decision: TierDecision;
  /** The customer after the change (placement and bonus applied). */
  customer: CustomerRecord;
  /** The bonus entry, when the customer entered a tier for the first time. */
  entries: NewLedgerEntry[];
  change: NewTierChange | null;
  /** Webhook events announcing the change and any change of the customer's effective tags. */
  events: NewWebhookEvent[];
}

/**
 * Decide and apply, in memory; the caller writes `entries`, the placement, `change` and
 * `events`. `tagsBefore`: the effective tags before the unit of work (default: the customer's as
 * given), when the caller changed the merchant's tags itself.
 */
export function evaluate(
  settings: ProgramSettings,
  tiers: readonly TierRecord[],
  customer: CustomerRecord,
  facts: CustomerFacts,
  asOf: Date,
  trigger: EvaluationTrigger,
  tagsBefore: readonly string[] = effectiveTags(customer),
): EvaluationOutcome {
  const decision = decideTier({
    settings,
    tiers,
    state: {
      tierId: customer.tierId,
      tierSince: customer.tierSince,
      lastChangeReason: customer.lastChangeReason,
      lastEarnedAt: customer.lastEarnedAt,
    },
    facts,
    asOf,
    trigger,
  });
  const t = applyDecision(customer, decision, tiers, settings, asOf);
  if (!t.change) {
    const events = evaluationEvents(customer.id, tagsBefore, customer, null, tiers, asOf);
    return { decision, customer, entries: [], change: null, events };
  }
  const entries: NewLedgerEntry[] = t.bonus
    ? [
        {
          type: 'bonus',
          key: `bonus:${customer.id}:${t.bonus.tierId}`,
          orderId: null,
          base: null,
          multiplier: null,
          points: t.bonus.points,
          // Bonus points are spendable only: never qualifying, never carry.
          delta: { current: t.bonus.points, carry: 0, lifetimeEarned: 0, lifetimeSpend: 0 },
          reason: 'tier_bonus',
          tierId: t.bonus.tierId,
          at: asOf,
        },
      ]
    : [];
  const after: CustomerRecord = {
    ...customer,
    ...t.placement,
    balances: { ...customer.balances, current: customer.balances.current + (t.bonus?.points ?? 0) },
    updatedAt: asOf,
  };
  const change = { customerId: customer.id, ...t.change };
  const events = evaluationEvents(customer.id, tagsBefore, after, change, tiers, asOf);
  return { decision, customer: after, entries, change, events };
}

/** Write an evaluated event: its entries plus any bonus, and the tier change when there is one. */
export async function writeOutcome(
  tx: Pick<ProgramTx, 'ledger' | 'customers' | 'tierChanges' | 'outbox' | 'webhooks'>,
  customerId: string,
  entries: NewLedgerEntry[],
  outcome: EvaluationOutcome,
  now: Date,
  /** The entries (and their pass updates) were already written with the order (`orders.insert`). */
  appended = false,
): Promise<void> {
  const all = [...entries, ...outcome.entries];
  // Balance or tier moved: the pass changes; its devices get a push (SPEC 5). With entries, the
  // pass update is queued by the same write as the balances.
  if (all.length > 0) {
    if (!appended) await tx.ledger.append(customerId, all, { passChanged: true });
  } else if (outcome.change) await tx.outbox.passChanged(customerId);
  if (outcome.change) await writeChange(tx, outcome.customer, outcome.change, now);
  // After the customer's row is written: the events carry its new balances.
  if (outcome.events.length > 0) await tx.webhooks.emit(outcome.events);
}

async function writeChange(
  tx: Pick<ProgramTx, 'customers' | 'tierChanges'>,
  c: CustomerRecord,
  change: NewTierChange,
  now: Date,
): Promise<void> {
  await tx.customers.setTier(
    c.id,
    {
      tierId: c.tierId,
      tierTags: c.tierTags,
      tierSince: c.tierSince,
      lastChangeReason: c.lastChangeReason,
      bonusedTierIds: c.bonusedTierIds,
    },
    now,
  );
  await tx.tierChanges.insert(change);
}
