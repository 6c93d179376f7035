/**
 * What each webhook event says (SPEC 5), built in memory from the change it announces. Pure:
 * the store adds the customer's id, email and balances when it writes the event.
 */
import type { NewTierChange } from '../../store/port.js';
import type { NewWebhookEvent } from '../../store/webhook-port.js';

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
  return [...new Set([...c.tags, ...c.tierTags])].sort();
}

/** `customer.tags_changed` when the effective tags differ, else null. */
export function tagsChangedEvent(
  customerId: string,
  before: readonly string[],
  after: readonly string[],
  at: Date,
): NewWebhookEvent | null {
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
): NewWebhookEvent[] {
  const events: NewWebhookEvent[] = [];
  if (change) events.push(tierChangeEvent(change, tiers));
  const tags = tagsChangedEvent(customerId, tagsBefore, effectiveTags(after), at);
  if (tags) events.push(tags);
  return events;
}
