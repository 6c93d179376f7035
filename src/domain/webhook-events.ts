/**
 * What each webhook event says (SPEC 5), built in memory from the change it announces. Pure and
 * complete: `announce` adds the customer's id, email and balances after the change, so the store
 * writes the event as it is (docs/decisions/0038).
 */
import type { DowngradeWarning } from './downgrade-warning.js';
import type { Balances, NewTierChange } from './types.js';
import type { WebhookEventType } from './webhook-event-types.js';

/** An event as decided; `data` is the whole payload a receiver gets. */
export interface NewWebhookEvent {
  /** The customer the event is about (orders its deliveries). */
  customerId: string;
  type: WebhookEventType;
  /** The event's data, complete: with `customer: { id, email }` and `balances` once announced. */
  data: object;
  /** Program time of the change (the delivery body's `createdAt`; test clocks included). */
  at: Date;
}

/** A tier as events name it. */
interface TierRef {
  id: string;
  title: string;
}

function tierRef(tiers: readonly TierRef[], id: string | null): TierRef | null {
  if (id === null) return null;
  const tier = tiers.find((t) => t.id === id);
  return { id, title: tier?.title ?? id };
}

/** `tier.upgraded` / `tier.downgraded` for one recorded tier change. */
export function tierChangeEvent(change: NewTierChange, tiers: readonly TierRef[]): NewWebhookEvent {
  return {
    customerId: change.customerId,
    type: change.direction === 'up' ? 'tier.upgraded' : 'tier.downgraded',
    data: {
      from: tierRef(tiers, change.fromTierId),
      to: tierRef(tiers, change.toTierId),
      direction: change.direction,
      reason: change.reason,
      occurredAt: change.at.toISOString(),
    },
    at: change.at,
  };
}

/** The tags a customer carries for marketing tools: the merchant's plus the tier's, each once. */
export function effectiveTags(c: { tags: readonly string[]; tierTags: readonly string[] }): string[] {
  // Most customers of a million-customer run hold no merchant tags and one tier tag at most.
  if (c.tags.length === 0 && c.tierTags.length <= 1) return [...c.tierTags];
  if (c.tierTags.length === 0 && c.tags.length <= 1) return [...c.tags];
  return [...new Set([...c.tags, ...c.tierTags])].sort();
}

/** `customer.tags_changed` when the effective tags differ, else null. */
export function tagsChangedEvent(
  customerId: string,
  before: readonly string[],
  after: readonly string[],
  at: Date,
): NewWebhookEvent | null {
  if (sameList(before, after)) return null;
  const was = new Set(before);
  const now = new Set(after);
  const added = [...now].filter((t) => !was.has(t)).sort();
  const removed = [...was].filter((t) => !now.has(t)).sort();
  if (added.length === 0 && removed.length === 0) return null;
  return {
    customerId,
    type: 'customer.tags_changed',
    data: { added, removed, tags: [...now].sort(), occurredAt: at.toISOString() },
    at,
  };
}

/** Whether two tag lists hold the same tags in the same order (effective tags are sorted, unique). */
export function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The events of one customer's evaluation: its tier change (if any), then its tags change
 * between `tagsBefore` (effective tags before the unit of work) and the customer after it.
 */
export function evaluationEvents(
  customerId: string,
  tagsBefore: readonly string[],
  after: { tags: readonly string[]; tierTags: readonly string[] },
  change: NewTierChange | null,
  tiers: readonly TierRef[],
  at: Date,
  tagsAfter: readonly string[] = effectiveTags(after),
): NewWebhookEvent[] {
  const events: NewWebhookEvent[] = [];
  if (change) events.push(tierChangeEvent(change, tiers));
  const tags = tagsChangedEvent(customerId, tagsBefore, tagsAfter, at);
  if (tags) events.push(tags);
  return events;
}

/** `tier.downgrade_warning` for one predicted downgrade (docs/decisions/0015). */
export function downgradeWarningEvent(
  customerId: string,
  warning: DowngradeWarning,
  tiers: readonly TierRef[],
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

/** The event with who it is about and the balances after the change: what receivers read. */
export function announce(
  event: NewWebhookEvent,
  customer: { id: string; email: string | null },
  balances: Balances,
): NewWebhookEvent {
  return {
    ...event,
    data: { ...event.data, customer: { id: customer.id, email: customer.email }, balances: { ...balances } },
  };
}
