/** Customers: upsert of merchant fields, the customer's state, their ledger. */
import { notFound } from '../../http/errors.js';
import type {
  CustomerRecord,
  LedgerEntry,
  NewLedgerEntry,
  Page,
  ProgramRecord,
  TierRecord,
} from '../../store/port.js';
import type { ProgramContext } from '../programs/program-context.js';
import type { UpsertCustomerInput } from './customer-schemas.js';

export class CustomerService {
  /** Insert or update; returns whether the customer is new. */
  upsert(ctx: ProgramContext, id: string, input: UpsertCustomerInput) {
    return ctx.scope.customers.upsert(id, input, ctx.now);
  }

  async get(ctx: ProgramContext, id: string): Promise<CustomerRecord> {
    const customer = await ctx.scope.customers.get(id);
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
    return ctx.scope.ledger.list(id, page);
  }

  /** The customer as the merchant API shows it. */
  async view(ctx: ProgramContext, c: CustomerRecord) {
    const tier = c.tierId ? await ctx.scope.tiers.get(c.tierId) : null;
    return customerView(ctx.program, c, tier);
  }
}

/** Effective earning multiplier: the current tier's, only while tiers are enabled. */
export function effectiveMultiplier(program: ProgramRecord, tier: TierRecord | null): number {
  return program.settings.tiersEnabled && tier ? (tier.benefits.multiplier ?? 1) : 1;
}

/** The customer as the merchant API shows it, given its current tier record. */
export function customerView(program: ProgramRecord, c: CustomerRecord, tier: TierRecord | null) {
  return {
    id: c.id,
    email: c.email,
    name: c.name,
    tags: c.tags,
    segments: c.segments,
    tier: tier ? { id: tier.id, title: tier.title } : null,
    balances: c.balances,
    multiplier: effectiveMultiplier(program, tier),
    tierTags: c.tierTags,
    progress: null,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
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
