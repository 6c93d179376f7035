/** Tiers: CRUD and ordering, validated as a whole program configuration. */
import type { ProgramSettings } from '../../domain/types.js';
import { validateConfig } from '../../domain/validate-config.js';
import { badRequest, notFound, unprocessable } from '../../errors.js';
import type { ProgramContext } from '../../program-context.js';
import type { ProgramRecord, TierDesign, TierInput, TierRecord } from '../../store/port.js';
import { requestResync } from '../scheduling/scheduling-service.js';
import { newTierId, tierInputOf } from './tier-input.js';
import { type CreateTierInput, MAX_TIERS, type UpdateTierInput } from './tier-schemas.js';
import { applyTierSet, type TierSetOutcome } from './tier-set.js';
import type { TierSetInput } from './tier-set-schemas.js';
import type { TierStore } from './tier-store.js';

function inputOf(t: TierRecord): TierInput {
  return tierInputOf(t, t.design);
}

/**
 * Refuse a tier set that cannot work (maintain above the qualification, a duration like
 * P0D, …), naming the offending tier by its title. Warnings do not block.
 */
export function assertValidConfig(settings: ProgramSettings, tiers: TierRecord[]): void {
  const errors = validateConfig(settings, tiers).filter((i) => i.severity === 'error');
  if (errors.length === 0) return;
  throw badRequest(
    'invalid_configuration',
    errors.map((e) => e.message).join('; '),
    errors.map((e) => {
      const m = /^tiers\[(\d+)\](.*)$/.exec(e.path);
      const tier = m ? tiers[Number(m[1])] : undefined;
      return { path: tier ? `tiers.${tier.id}${m?.[2] ?? ''}` : e.path, code: e.code, message: e.message };
    }),
  );
}

/** Runs a resync that is due now: queued on the live scheduler, or inline when there is none. */
export interface ResyncKicker {
  /** Ask for the program's due resync to run now. */
  kick(program: ProgramRecord, now: Date): Promise<void>;
}

export class TierService {
  constructor(
    private readonly store: TierStore,
    private readonly kicker: ResyncKicker = { kick: async () => {} },
  ) {}

  /** After a change that needs members reassigned now. */
  private async kickLive(ctx: ProgramContext): Promise<void> {
    await this.kicker.kick(ctx.program, ctx.now);
  }

  /** Live tiers, lowest rank first. */
  list(ctx: ProgramContext): Promise<TierRecord[]> {
    return this.store.scoped(ctx.program.id).tiers.list();
  }

  async get(ctx: ProgramContext, id: string): Promise<TierRecord> {
    const tier = await this.store.scoped(ctx.program.id).tiers.get(id);
    if (!tier) throw notFound('tier_not_found', `No tier ${id}`);
    return tier;
  }

  /** Create at the top of the order. */
  create(ctx: ProgramContext, input: CreateTierInput): Promise<TierRecord> {
    return this.store.scoped(ctx.program.id).transaction(async (tx) => {
      await tx.program.lock();
      const tiers = await tx.tiers.list();
      if (tiers.length >= MAX_TIERS) {
        throw unprocessable('tier_limit_reached', `A program has at most ${MAX_TIERS} tiers`);
      }
      const created = await tx.tiers.create(newTierId(), input, ctx.now);
      assertValidConfig(ctx.program.settings, [...tiers, created]);
      // Every wallet pass shows progress to the next tier: they all change.
      await tx.outbox.passesChanged();
      // Existing customers may qualify for the new tier: resync them (debounced like a reorder).
      await requestResync(tx.program, ctx.now, false);
      return created;
    });
  }

  /** Change some fields; the merged tier is what gets stored. */
  async update(ctx: ProgramContext, id: string, patch: UpdateTierInput): Promise<TierRecord> {
    let immediate = false;
    const updated = await this.store.scoped(ctx.program.id).transaction(async (tx) => {
      const existing = await tx.tiers.get(id);
      if (!existing) throw notFound('tier_not_found', `No tier ${id}`);
      const merged: TierInput = { ...inputOf(existing) };
      for (const [k, v] of Object.entries(patch)) {
        if (v !== undefined) (merged as unknown as Record<string, unknown>)[k] = v;
      }
      const updated = await tx.tiers.update(id, merged, ctx.now);
      if (!updated) throw notFound('tier_not_found', `No tier ${id}`);
      assertValidConfig(ctx.program.settings, await tx.tiers.list());
      // Names, rewards, thresholds and design show on wallet passes (this tier's and the progress
      // line of others): update them all.
      await tx.outbox.passesChanged();
      // Switching a tier off (or back on) reassigns its members at once (reason tier_disabled);
      // other edits (thresholds, benefits) resync everyone after the debounce.
      immediate = existing.enabled !== updated.enabled;
      await requestResync(tx.program, ctx.now, immediate);
      return updated;
    });
    if (immediate) await this.kickLive(ctx);
    return updated;
  }

  /**
   * Replace the pass design of a tier (validated by the passes feature). Design never affects
   * tier assignment, so unlike `update` no resync follows; the tier's wallet passes are updated.
   */
  async setDesign(ctx: ProgramContext, id: string, design: TierDesign): Promise<TierRecord> {
    return this.store.scoped(ctx.program.id).transaction(async (tx) => {
      const existing = await tx.tiers.get(id);
      if (!existing) throw notFound('tier_not_found', `No tier ${id}`);
      const updated = await tx.tiers.update(id, { ...inputOf(existing), design }, ctx.now);
      if (!updated) throw notFound('tier_not_found', `No tier ${id}`);
      // The tier's members' wallet passes are rebuilt with the new design and pushed.
      await tx.outbox.passesChanged({ tierId: id });
      return updated;
    });
  }

  /** Delete; its members are reassigned at once (reason tier_deleted). */
  async remove(ctx: ProgramContext, id: string): Promise<void> {
    await this.store.scoped(ctx.program.id).transaction(async (tx) => {
      await tx.program.lock();
      const removed = await tx.tiers.remove(id, ctx.now);
      if (!removed) throw notFound('tier_not_found', `No tier ${id}`);
      await tx.outbox.passesChanged();
      await requestResync(tx.program, ctx.now, true);
    });
    await this.kickLive(ctx);
  }

  /** Replace the whole tier set atomically (tier-set.ts); members are reassigned as after each single change. */
  async replaceAll(ctx: ProgramContext, input: TierSetInput): Promise<TierSetOutcome> {
    const outcome = await applyTierSet(this.store.scoped(ctx.program.id), ctx, input);
    if (outcome.immediate) await this.kickLive(ctx);
    return outcome;
  }

  /** Reorder atomically; `ids` must name every live tier exactly once, lowest first. */
  reorder(ctx: ProgramContext, ids: string[]): Promise<TierRecord[]> {
    return this.store.scoped(ctx.program.id).transaction(async (tx) => {
      await tx.program.lock();
      const live = new Set((await tx.tiers.list()).map((t) => t.id));
      const seen = new Set<string>();
      const details = [];
      for (const [i, id] of ids.entries()) {
        if (seen.has(id))
          details.push({ path: `body.tierIds.${i}`, code: 'duplicate', message: `${id} appears twice` });
        else if (!live.has(id))
          details.push({ path: `body.tierIds.${i}`, code: 'unknown_tier', message: `No tier ${id}` });
        seen.add(id);
      }
      for (const id of live) {
        if (!seen.has(id))
          details.push({ path: 'body.tierIds', code: 'missing_tier', message: `${id} is missing` });
      }
      if (details.length > 0) {
        throw badRequest(
          'invalid_tier_order',
          'tierIds must list every tier exactly once, lowest first',
          details,
        );
      }
      await tx.tiers.reorder(ids, ctx.now);
      await tx.outbox.passesChanged();
      // Every customer is resynced 5 minutes later; further changes push it back (debounce).
      await requestResync(tx.program, ctx.now, false);
      return tx.tiers.list();
    });
  }
}

/** The tier as the merchant API shows it. */
export function tierView(t: TierRecord) {
  return {
    id: t.id,
    rank: t.rank,
    ...tierInputOf(t, t.design),
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}
