/**
 * Replace a program's whole tier set in one transaction (PUT /v1/tiers): the draft a merchant
 * simulated becomes live, or nothing changes. Checked exactly as POST /v1/simulations checks a
 * draft, refused when the live set changed since the draft was made (`expectedVersion`), and
 * followed by what the single-tier routes cause: every pass refreshed, a resync (at once after a
 * deletion or an enabled flag change, as DELETE and PATCH do; debounced otherwise).
 */
import { badRequest, conflict } from '../../errors.js';
import type { ProgramContext } from '../../program-context.js';
import type { TierRecord } from '../../store/port.js';
import { requestResync } from '../scheduling/scheduling-service.js';
import { checkDraft, NO_TIER, toTierConfigs } from '../simulations/draft-tiers.js';
import { newTierId, tierInputOf } from './tier-input.js';
import type { TierSetInput } from './tier-set-schemas.js';
import { tierSetVersion } from './tier-set-version.js';
import type { TierScope } from './tier-store.js';

/** What an applied tier set changed. */
export interface TierSetOutcome {
  /** The live tiers, lowest first. */
  tiers: TierRecord[];
  /** Ids created. */
  created: string[];
  /** Ids deleted. */
  deleted: string[];
  /** Whether members must be reassigned now (a deletion or an enabled flag change). */
  immediate: boolean;
}

/** 400 when an id is not a live tier (duplicates are the configuration check's). */
function checkIds(input: TierSetInput, live: ReadonlyMap<string, TierRecord>): void {
  const details = input.tiers.flatMap((t, i) =>
    t.id === undefined || live.has(t.id)
      ? []
      : [{ path: `body.tiers.${i}.id`, code: 'unknown_tier', message: `No tier ${t.id}` }],
  );
  if (details.length > 0) throw badRequest('invalid_tier_set', 'Tier ids must name live tiers', details);
}

/** Apply `input` in one transaction under the program lock; any refusal throws and rolls it all back. */
export async function applyTierSet(
  scope: Pick<TierScope, 'transaction'>,
  ctx: ProgramContext,
  input: TierSetInput,
): Promise<TierSetOutcome> {
  return scope.transaction(async (tx) => {
    await tx.program.lock();
    const before = await tx.tiers.list();
    const version = tierSetVersion(before);
    if (version !== input.expectedVersion) {
      throw conflict(
        'tier_set_changed',
        'The tiers changed since this draft was made; reload and try again',
        [
          {
            path: 'body.expectedVersion',
            code: 'tier_set_changed',
            message: `the current version is ${version}`,
          },
        ],
      );
    }
    const ids = input.tiers.map((t) => t.id ?? newTierId());
    // The same check as a simulation (tiers evaluated as if on), before anything is written.
    const settings = { ...ctx.program.settings, tiersEnabled: true };
    checkDraft(
      settings,
      toTierConfigs(input.tiers.map((t, i) => ({ ...t, id: ids[i] ?? NO_TIER, design: {} }))),
    );

    const live = new Map(before.map((t) => [t.id, t]));
    checkIds(input, live);
    const keep = new Set(ids);
    const deleted = before.filter((t) => !keep.has(t.id)).map((t) => t.id);
    for (const id of deleted) await tx.tiers.remove(id, ctx.now);
    const created: string[] = [];
    let immediate = deleted.length > 0;
    for (const [i, t] of input.tiers.entries()) {
      const id = ids[i] as string;
      const existing = live.get(id);
      const tierInput = tierInputOf(t, t.design ?? existing?.design ?? {});
      if (existing) {
        await tx.tiers.update(id, tierInput, ctx.now);
        if (existing.enabled !== t.enabled) immediate = true;
      } else {
        await tx.tiers.create(id, tierInput, ctx.now);
        created.push(id);
      }
    }
    await tx.tiers.reorder(ids, ctx.now);
    // Every pass shows its tier and the progress to the next one: they all change.
    await tx.outbox.passesChanged();
    await requestResync(tx.program, ctx.now, immediate);
    return { tiers: await tx.tiers.list(), created, deleted, immediate };
  });
}
