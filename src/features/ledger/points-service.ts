/** Points outside orders: earning rules and adjustments, and redemptions. */
import { earnPoints } from '../../domain/benefits.js';
import { notFound, unprocessable } from '../../errors.js';
import type { ProgramContext } from '../../program-context.js';
import type { CustomerRecord, NewLedgerEntry, TierRecord } from '../../store/port.js';
import { type EventResponse, replayOrConflict, settle, tierIn } from './event-result.js';
import type { PointsInput, RedemptionInput } from './ledger-schemas.js';
import type { LedgerStore, LedgerTx } from './ledger-store.js';
import { requestHash } from './request-hash.js';

type BuildEntry = (customer: CustomerRecord, tier: TierRecord | null) => NewLedgerEntry;

export class PointsService {
  constructor(private readonly store: LedgerStore) {}

  /**
   * Earn (positive, qualifying: multiplied, counts toward tiers), credit (positive,
   * not qualifying: spendable only) or adjust down (negative: spendable, and the
   * qualifying balances too when `qualifying` is true, never below zero).
   */
  change(ctx: ProgramContext, customerId: string, key: string, input: PointsInput): Promise<EventResponse> {
    const qualifying = input.qualifying ?? input.points > 0;
    const hash = requestHash({
      op: 'points',
      customerId,
      points: input.points,
      reason: input.reason,
      qualifying,
    });
    return this.idempotent(ctx, customerId, key, hash, (customer, tier) => {
      const base = {
        key: `points:${key}`,
        orderId: null,
        reason: input.reason,
        tierId: customer.tierId,
        at: ctx.now,
      };
      if (input.points > 0 && qualifying) {
        const { multiplier, awarded } = earnPoints(ctx.program.settings, tier, input.points);
        return {
          ...base,
          type: 'earn',
          base: input.points,
          multiplier: String(multiplier),
          points: awarded,
          delta: { current: awarded, carry: awarded, lifetimeEarned: awarded, lifetimeSpend: 0 },
        };
      }
      const b = customer.balances;
      const down = input.points < 0 && qualifying;
      return {
        ...base,
        type: 'adjust',
        base: null,
        multiplier: null,
        points: input.points,
        delta: {
          current: input.points,
          carry: down ? -Math.min(-input.points, b.carry) : 0,
          lifetimeEarned: down ? -Math.min(-input.points, b.lifetimeEarned) : 0,
          lifetimeSpend: 0,
        },
      };
    });
  }

  /** Spend points on a reward; never touches tier status. */
  redeem(
    ctx: ProgramContext,
    customerId: string,
    key: string,
    input: RedemptionInput,
  ): Promise<EventResponse> {
    const hash = requestHash({ op: 'redemption', customerId, ...input });
    return this.idempotent(ctx, customerId, key, hash, (customer) => {
      if (input.points > customer.balances.current) {
        throw unprocessable(
          'insufficient_points',
          `The customer has ${customer.balances.current} points; ${input.points} were asked`,
        );
      }
      return {
        type: 'redeem',
        key: `redeem:${key}`,
        orderId: null,
        base: null,
        multiplier: null,
        points: -input.points,
        delta: { current: -input.points, carry: 0, lifetimeEarned: 0, lifetimeSpend: 0 },
        reason: input.reward,
        tierId: customer.tierId,
        at: ctx.now,
      };
    });
  }

  /** Lock the customer, answer replays, otherwise write one entry and store the response under the key. */
  private idempotent(
    ctx: ProgramContext,
    customerId: string,
    key: string,
    hash: string,
    build: BuildEntry,
  ): Promise<EventResponse> {
    return this.store.scoped(ctx.program.id).customerTransaction(customerId, async (tx: LedgerTx) => {
      const customer = await tx.customers.lock(customerId);
      const earlier = await tx.idempotency.get(key);
      if (earlier) return replayOrConflict(earlier, hash);
      if (!customer) throw notFound('customer_not_found', `No customer ${customerId}`);
      const tiers = await tx.tiers.list();
      const entry = build(customer, tierIn(tiers, customer));
      const settled = await settle(tx, ctx, tiers, customer, [entry]);
      const body = settled.body;
      const inserted = await tx.idempotency.insert({ key, requestHash: hash, status: 201, response: body });
      if (!inserted.inserted) return replayOrConflict(inserted.existing, hash);
      await tx.outcomes.store(settled.outcome);
      return { status: 201, body, replayed: false };
    });
  }
}
