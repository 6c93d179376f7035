/**
 * Privacy operations (docs/decisions/0043): a customer's export for the merchant, the erasure of
 * a customer's personal data, the deletion of a whole program.
 */
import { explainTierChange } from '../../domain/tier-change-explanation.js';
import { notFound } from '../../errors.js';
import type { SecretSealer } from '../../integrations/secrets/secret-box.js';
import type { ProgramContext } from '../../program-context.js';
import type { Page } from '../../store/port.js';
import { customerView, ledgerEntryView, tierChangeView, tierRefOf } from '../customers/customer-service.js';
import { sealErasure } from '../klaviyo/klaviyo-erasure.js';
import { loadFacts } from '../tiers/tier-evaluation.js';
import type { PrivacyStore } from './privacy-store.js';

/** Rows read per round trip while an export is assembled: no single read is unbounded. */
export const EXPORT_PAGE = 500;

/** Every page of a keyset-paginated read, in order. */
async function allPages<T>(read: (cursor?: string) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return out;
}

export class PrivacyService {
  /**
   * `secrets` seals the identifier of an erased customer's Klaviyo profile, queued for its
   * deletion when the program has a Klaviyo connection (docs/decisions/0052).
   */
  constructor(
    private readonly store: PrivacyStore,
    private readonly secrets?: SecretSealer,
  ) {}

  /**
   * Everything Tierpass holds about one customer, as JSON for the merchant: profile and
   * balances, ledger (oldest first), orders with their refunds, tier history, wallet passes and
   * device registrations (no tokens, no device ids), and the webhook events about them.
   */
  async export(ctx: ProgramContext, id: string) {
    const scope = this.store.scoped(ctx.program.id);
    const customer = await scope.customers.get(id);
    if (!customer) throw notFound('customer_not_found', `No customer ${id}`);
    const [tiers, titles, redactedAt] = await Promise.all([
      scope.tiers.list(),
      scope.tiers.titles(),
      scope.privacy.redactedAt(id),
    ]);
    const facts = await loadFacts(scope.orders, ctx.program.settings, tiers, customer, ctx.now);
    const ledger = await allPages((cursor) => scope.ledger.list(id, { limit: EXPORT_PAGE, cursor }));
    const orders = await allPages((cursor) =>
      scope.orders.listByCustomer(id, { limit: EXPORT_PAGE, cursor }),
    );
    const refunds = [];
    for (let i = 0; i < orders.length; i += EXPORT_PAGE) {
      refunds.push(...(await scope.orders.refundsOf(orders.slice(i, i + EXPORT_PAGE).map((o) => o.id))));
    }
    const changes = await allPages((cursor) => scope.tierChanges.list(id, { limit: EXPORT_PAGE, cursor }));
    const events = await allPages((cursor) =>
      scope.privacy.webhookEventsOf(id, { limit: EXPORT_PAGE, cursor }),
    );
    const [passes, google] = await Promise.all([
      scope.privacy.passesOf(id),
      scope.privacy.googleObjectOf(id),
    ]);
    const refundsByOrder = new Map<string, typeof refunds>();
    for (const r of refunds) refundsByOrder.set(r.orderId, [...(refundsByOrder.get(r.orderId) ?? []), r]);
    const names = new Map(titles.map((t) => [t.id, t]));
    const { currency, timezone } = ctx.program.settings;
    return {
      exportedAt: ctx.now.toISOString(),
      currency,
      customer: {
        ...customerView(ctx.program, customer, tiers, facts),
        redactedAt: redactedAt?.toISOString() ?? null,
      },
      // Oldest first: the ledger reads newest first.
      ledger: ledger.reverse().map(ledgerEntryView),
      orders: orders.reverse().map((o) => ({
        id: o.id,
        amount: o.amount,
        refundedAmount: o.refundedAmount,
        placedAt: o.placedAt.toISOString(),
        earnedAt: o.earnedAt.toISOString(),
        pointsAwarded: o.pointsAwarded,
        pointsReversed: o.pointsReversed,
        refunds: (refundsByOrder.get(o.id) ?? []).map((r) => ({
          id: r.id,
          amount: r.amount,
          createdAt: r.createdAt.toISOString(),
        })),
      })),
      tierHistory: changes.reverse().map((t) => ({
        ...tierChangeView(t),
        fromTier: tierRefOf(names, t.fromTierId),
        toTier: tierRefOf(names, t.toTierId),
        explanation: explainTierChange(t, {
          title: (tierId) => names.get(tierId)?.title ?? null,
          currency,
          timeZone: timezone,
        }),
      })),
      passes: {
        apple: passes.map((p) => ({
          serial: p.serial,
          createdAt: p.createdAt.toISOString(),
          updatedAt: p.updatedAt.toISOString(),
          registrations: p.registrations.map((r) => ({
            createdAt: r.createdAt.toISOString(),
            updatedAt: r.updatedAt.toISOString(),
          })),
        })),
        google: google && {
          objectId: google.objectId,
          tierId: google.tierId,
          syncedAt: google.syncedAt?.toISOString() ?? null,
          createdAt: google.createdAt.toISOString(),
        },
      },
      webhookEvents: events.map((e) => ({
        id: e.id,
        type: e.type,
        occurredAt: e.occurredAt.toISOString(),
        data: e.data,
      })),
    };
  }

  /**
   * Erase the customer's personal data (see PrivacyRepository.redactCustomer); the answer is the
   * same on every replay.
   */
  async redact(ctx: ProgramContext, id: string) {
    const scope = this.store.scoped(ctx.program.id);
    const sealer = this.secrets;
    const done = await scope.privacy.redactCustomer(
      id,
      ctx.now,
      sealer && { klaviyoErasure: (email) => sealErasure(sealer, ctx.program.id, id, email) },
    );
    if (!done) throw notFound('customer_not_found', `No customer ${id}`);
    // The Shopify deliveries and exports about them (decision 0047): its own statement after the
    // erasure, idempotent, so a replay of the erasure completes it if a stop came between.
    await scope.shopify.redactCustomer(id, ctx.now);
    return { id, redactedAt: done.redactedAt.toISOString() };
  }

  /** Delete a program and every row it owns (admin); rows deleted per table. */
  async deleteProgram(programId: string) {
    const deleted = await this.store.deleteProgram(programId);
    if (!deleted) throw notFound('program_not_found', `No program ${programId}`);
    return { id: programId, deleted };
  }
}
