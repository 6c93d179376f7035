/** Customers: upsert of merchant fields, the customer's state, their ledger. */

import { effectiveMultiplier } from '../../domain/benefits.js';
import { decideOutcome, isEmptyOutcome } from '../../domain/customer-outcome.js';
import { type KeepStatus, keepBoundary, keepStatus } from '../../domain/keep-status.js';
import { nextTierProgress, progressHeadline } from '../../domain/progress.js';
import type { CustomerFacts } from '../../domain/qualifications.js';
import { explainTierChange } from '../../domain/tier-change-explanation.js';
import { effectiveTags } from '../../domain/webhook-events.js';
import { notFound } from '../../errors.js';
import type { ProgramContext } from '../../program-context.js';
import type {
  CustomerRecord,
  LedgerEntry,
  NewLedgerEntry,
  Page,
  ProgramRecord,
  TierChangeRecord,
  TierRecord,
  TierTitle,
} from '../../store/port.js';
import { loadFacts, loadOrderFacts } from '../tiers/tier-evaluation.js';
import type { UpsertCustomerInput } from './customer-schemas.js';
import { type CustomerSearchInput, encodeCustomerCursor, NO_TIER } from './customer-search-schemas.js';
import type { CustomerStore, CustomerTx } from './customer-store.js';

/**
 * The API's fields, or a source's with its own time of them (Shopify's `updated_at`): an older
 * write than the one stored leaves email, name and tags (store/records.ts, CustomerPatch).
 */
export type CustomerUpsert = UpsertCustomerInput & { sourceUpdatedAt?: Date };

export class CustomerService {
  constructor(private readonly store: CustomerStore) {}

  /**
   * Insert or update, then evaluate the tier: new tags or segments may qualify the
   * customer at once, and a new customer enters the entry tier. `stale`: the input's
   * `sourceUpdatedAt` was older than the stored one, so its email, name and tags were left.
   */
  upsert(ctx: ProgramContext, id: string, input: CustomerUpsert) {
    return this.store.scoped(ctx.program.id).transaction(async (tx) => {
      // The effective tags before: a change of the merchant's tags is announced with the tier's.
      const before = await tx.customers.lock(id);
      return this.upsertLocked(ctx, tx, id, before, input);
    });
  }

  /**
   * A synced segment membership (Shopify, docs/decisions/0048): of the customer's segments,
   * those in `tracked` become exactly `memberOf` and the others stay; then the customer is
   * evaluated as by `upsert` (one path, decision 0038). Unchanged segments write nothing
   * (`evaluated: false`); an unknown customer is created (the shop's customer id).
   */
  syncSegments(ctx: ProgramContext, id: string, tracked: readonly string[], memberOf: readonly string[]) {
    return this.store.scoped(ctx.program.id).transaction(async (tx) => {
      const before = await tx.customers.lock(id);
      const kept = (before?.segments ?? []).filter((s) => !tracked.includes(s));
      const segments = [...kept, ...memberOf.filter((s) => !kept.includes(s))];
      if (
        before &&
        before.segments.length === segments.length &&
        segments.every((s) => before.segments.includes(s))
      ) {
        return { evaluated: false, tierId: before.tierId };
      }
      const { record } = await this.upsertLocked(ctx, tx, id, before, { segments });
      return { evaluated: true, tierId: record.tierId };
    });
  }

  private async upsertLocked(
    ctx: ProgramContext,
    tx: CustomerTx,
    id: string,
    before: CustomerRecord | null,
    input: CustomerUpsert,
  ) {
    const { record, created, stale } = await tx.customers.upsert(id, input, ctx.now);
    const tiers = await tx.tiers.list();
    const settings = ctx.program.settings;
    const outcome = decideOutcome({
      settings,
      tiers,
      customer: record,
      orders: await loadOrderFacts(tx.orders, settings, tiers, id, ctx.now),
      moment: { type: 'event', entries: [], tagsBefore: before ? effectiveTags(before) : [] },
      at: ctx.now,
    });
    if (!isEmptyOutcome(outcome)) await tx.outcomes.store(outcome);
    const after = outcome.change ? { ...outcome.customer, updatedAt: ctx.now } : outcome.customer;
    return {
      record: after,
      created,
      stale,
      view: customerView(ctx.program, after, tiers, outcome.facts),
    };
  }

  async get(ctx: ProgramContext, id: string): Promise<CustomerRecord> {
    const customer = await this.store.scoped(ctx.program.id).customers.get(id);
    if (!customer) throw notFound('customer_not_found', `No customer ${id}`);
    return customer;
  }

  /** Ledger entries, newest first. */
  async ledger(
    ctx: ProgramContext,
    id: string,
    page: { limit: number; cursor?: string },
  ): Promise<Page<LedgerEntry>> {
    await this.get(ctx, id);
    return this.store.scoped(ctx.program.id).ledger.list(id, page);
  }

  /**
   * The customer as the merchant API shows it, with progress toward the next tier and, in cycle
   * mode, what keeps the tier at the next boundary (facts projected to it: one more order query).
   */
  async view(ctx: ProgramContext, c: CustomerRecord) {
    const tiers = await this.store.scoped(ctx.program.id).tiers.list();
    const settings = ctx.program.settings;
    const facts = await loadFacts(this.store.scoped(ctx.program.id).orders, settings, tiers, c, ctx.now);
    const boundary = keepBoundary(settings, ctx.now);
    let keep: KeepStatus | null = null;
    if (boundary && c.tierId !== null) {
      const projected = await loadFacts(
        this.store.scoped(ctx.program.id).orders,
        settings,
        tiers,
        c,
        boundary,
      );
      keep = keepStatus({ settings, tiers, tierId: c.tierId, facts: projected, boundary });
    }
    return { ...customerView(ctx.program, c, tiers, facts), keep: keep && keepStatusView(keep) };
  }

  /** Tier changes, newest first, with the tiers' titles and each change in plain words. */
  async tierHistory(ctx: ProgramContext, id: string, page: { limit: number; cursor?: string }) {
    await this.get(ctx, id);
    const [changes, titles] = await Promise.all([
      this.store.scoped(ctx.program.id).tierChanges.list(id, page),
      this.store.scoped(ctx.program.id).tiers.titles(),
    ]);
    const names = new Map(titles.map((t) => [t.id, t]));
    const { currency, timezone } = ctx.program.settings;
    return {
      data: changes.items.map((t) => ({
        ...tierChangeView(t),
        fromTier: tierRefOf(names, t.fromTierId),
        toTier: tierRefOf(names, t.toTierId),
        explanation: explainTierChange(t, {
          title: (tierId) => names.get(tierId)?.title ?? null,
          currency,
          timeZone: timezone,
        }),
      })),
      nextCursor: changes.nextCursor,
    };
  }

  /** One page of the customer list: prefix search on id, email or name, tier filter, two orders. */
  async search(ctx: ProgramContext, input: CustomerSearchInput) {
    const [page, titles] = await Promise.all([
      this.store.scoped(ctx.program.id).customers.search({
        prefix: input.query || undefined,
        tierId: input.tier === undefined ? undefined : input.tier === NO_TIER ? null : input.tier,
        sort: input.sort,
        limit: input.limit,
        after: input.cursor?.key,
      }),
      this.store.scoped(ctx.program.id).tiers.titles(),
    ]);
    const names = new Map(titles.map((t) => [t.id, t]));
    return {
      data: page.items.map((c) => ({
        id: c.id,
        email: c.email,
        name: c.name,
        tier: tierRefOf(names, c.tierId),
        tierSince: c.tierSince.toISOString(),
        balances: c.balances,
        createdAt: c.createdAt.toISOString(),
      })),
      nextCursor: page.nextKey ? encodeCustomerCursor({ sort: input.sort, key: page.nextKey }) : null,
    };
  }
}

/** A tier id with its title (deleted tiers keep theirs), or null for no tier. */
export function tierRefOf(names: ReadonlyMap<string, TierTitle>, id: string | null) {
  if (id === null) return null;
  const t = names.get(id);
  return { id, title: t?.title ?? null, deleted: t?.deleted ?? false };
}

function keepStatusView(k: KeepStatus) {
  return {
    boundaryAt: k.boundaryAt.toISOString(),
    tierId: k.tierId,
    met: k.met,
    missing: k.missing,
    headline: k.headline,
  };
}

/** The customer as the merchant API shows it (hidden tiers included: this is the merchant's view). */
export function customerView(
  program: ProgramRecord,
  c: CustomerRecord,
  tiers: readonly TierRecord[],
  facts: CustomerFacts,
) {
  const tier = tiers.find((t) => t.id === c.tierId) ?? null;
  const settings = program.settings;
  const progress = nextTierProgress({
    tiersEnabled: settings.tiersEnabled,
    tiers,
    currentTierId: c.tierId,
    facts,
    currency: settings.currency,
    includeHidden: true,
  });
  const next = tiers.find((t) => t.id === progress.nextTierId);
  return {
    id: c.id,
    email: c.email,
    name: c.name,
    tags: c.tags,
    segments: c.segments,
    tier: tier ? { id: tier.id, title: tier.title, visible: tier.visible } : null,
    tierSince: c.tierSince.toISOString(),
    balances: c.balances,
    multiplier: effectiveMultiplier(settings, tier),
    tierTags: c.tierTags,
    progress: {
      nextTierId: progress.nextTierId,
      missing: progress.missing,
      headline: next ? progressHeadline(progress.missing, next.title) : null,
    },
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

/** A tier change's stored fields as the API shows them. */
export function tierChangeView(t: TierChangeRecord) {
  return {
    id: t.id,
    fromTierId: t.fromTierId,
    toTierId: t.toTierId,
    direction: t.direction,
    reason: t.reason,
    at: t.at.toISOString(),
    facts: t.facts,
  };
}

/** A ledger entry as the API shows it (ids only once stored). */
export function ledgerEntryView(e: LedgerEntry | NewLedgerEntry) {
  return {
    ...('id' in e ? { id: e.id } : {}),
    key: e.key,
    type: e.type,
    orderId: e.orderId,
    base: e.base,
    multiplier: e.multiplier === null ? null : Number(e.multiplier),
    points: e.points,
    delta: e.delta,
    reason: e.reason,
    tierId: e.tierId,
    at: e.at.toISOString(),
    ...('createdAt' in e ? { createdAt: e.createdAt.toISOString() } : {}),
  };
}
