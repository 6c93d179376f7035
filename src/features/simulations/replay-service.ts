/**
 * POST /v1/simulations/replay: the HTTP request mapped onto the domain's pure replay
 * (`simulate`), and its result mapped back. Nothing is read but the program's settings
 * and, when the request has none, its tiers; nothing is written.
 */
import { type ReplayEvent, type ReplayResult, simulate } from '../../domain/simulate.js';
import type { ProgramSettings, TierConfig } from '../../domain/types.js';
import { badRequest } from '../../errors.js';
import type { ProgramContext } from '../../program-context.js';
import { checkDraft, issueView, toTierConfigs } from './draft-tiers.js';
import { replayProblems, replayStart } from './replay-checks.js';
import type { ReplayBody, ReplayEventInput } from './replay-schemas.js';
import type { SimulationsStore } from './simulations-store.js';

function toDomainEvent(e: ReplayEventInput): ReplayEvent {
  switch (e.type) {
    case 'points': {
      // As on the live API, qualifying defaults to points > 0.
      const qualifying = e.qualifying ?? e.points > 0;
      return { ...e, qualifying: qualifying && e.points > 0 };
    }
    default:
      return e;
  }
}

function settingsOf(ctx: ProgramContext, body: ReplayBody): ProgramSettings {
  const own = ctx.program.settings;
  const o = body.program ?? {};
  return {
    tiersEnabled: o.tiersEnabled ?? own.tiersEnabled,
    currency: o.currency ?? own.currency,
    timezone: o.timezone ?? own.timezone,
    earning: o.earning ?? own.earning,
    retention: o.retention ?? own.retention,
  };
}

function view(result: ReplayResult, tiers: readonly TierConfig[], from: Date, until: Date) {
  return {
    from: from.toISOString(),
    until: until.toISOString(),
    boundaries: result.boundaries.map((b) => b.toISOString()),
    tiers: tiers.map((t) => ({ id: t.id, title: t.title, rank: t.rank })),
    customers: result.customers.map((c) => ({
      id: c.id,
      tierId: c.tierId,
      balances: c.balances,
      tierTags: c.tierTags,
      bonusedTierIds: c.bonusedTierIds,
      timeline: c.timeline.map((t) => ({
        at: t.at.toISOString(),
        fromTierId: t.fromTierId,
        toTierId: t.toTierId,
        direction: t.direction,
        reason: t.reason,
        bonus: t.bonus,
        tagsAdded: t.tagsAdded,
        tagsRemoved: t.tagsRemoved,
        facts: t.facts,
      })),
      ledger: c.ledger.map((e) => ({
        at: e.at.toISOString(),
        type: e.type,
        points: e.points,
        base: e.base ?? null,
        multiplier: e.multiplier ?? null,
        orderId: e.orderId ?? null,
        tierId: e.tierId,
        delta: e.delta,
      })),
    })),
    rejected: result.rejected,
  };
}

export class ReplayService {
  constructor(private readonly store: SimulationsStore) {}

  /** Replay customers and events under the given (or the program's) settings and tiers. */
  async replay(ctx: ProgramContext, body: ReplayBody) {
    const settings = settingsOf(ctx, body);
    const tiers = body.tiers
      ? toTierConfigs(body.tiers)
      : await this.store.scoped(ctx.program.id).tiers.list();
    const warnings = checkDraft(settings, tiers);
    const problems = replayProblems(body, settings.timezone);
    if (problems.length > 0) {
      const shown = problems.slice(0, 3).map((p) => `${p.path}: ${p.message}`);
      throw badRequest('invalid_replay', shown.join('; '), problems);
    }
    const from = replayStart(body);
    const result = simulate({
      settings,
      tiers,
      customers: body.customers,
      events: body.events.map(toDomainEvent),
      from,
      until: body.until,
    });
    return { ...view(result, tiers, from, body.until), warnings: warnings.map(issueView) };
  }
}
