/**
 * Simulation of a draft tier configuration against the program's real customers,
 * without writing anything: customers and their facts are read in keyset pages (one
 * set-based query per page), and each customer is decided in memory by the same pure
 * `decideTier` the live services use.
 */
import { decideTier } from '../../domain/assignment.js';
import { tierBenefitTags } from '../../domain/customer-facts.js';
import { type CustomerFacts, requiredWindows, windowBounds } from '../../domain/qualifications.js';
import type { ProgramSettings } from '../../domain/types.js';
import type { ProgramContext } from '../../program-context.js';
import type { CustomerFactsRow } from '../../store/analytics-port.js';
import { tierSetVersion } from '../tiers/tier-set-version.js';
import { checkDraft, issueView, NO_TIER, toTierConfigs } from './draft-tiers.js';
import type { SimulationInput } from './simulation-schemas.js';
import type { SimulationsStore } from './simulations-store.js';

/** Customers read and decided per round trip. */
export const SIMULATION_PAGE_SIZE = 5_000;

type Counts = Record<string, number>;

function zeroed(keys: readonly string[]): Counts {
  return Object.fromEntries([...keys, NO_TIER].map((k) => [k, 0]));
}

/** A tier id with its title; null for no tier. */
type TierRef = { id: string; title: string } | null;

/** One customer who would change tier. */
interface Mover {
  /** Customer id. */
  customerId: string;
  /** Email, when known. */
  email: string | null;
  /** Name, when known. */
  name: string | null;
  /** Current tier. */
  from: TierRef;
  /** Tier under the draft. */
  to: TierRef;
}

/** `counts` as a list with titles in `order`, then no tier. */
function titled(counts: Counts, order: readonly { id: string; title: string }[]) {
  return [
    ...order.map((t) => ({ id: t.id, title: t.title, customers: counts[t.id] ?? 0 })),
    { id: null, title: null, customers: counts[NO_TIER] ?? 0 },
  ];
}

function bump(counts: Counts, key: string | null, n = 1): void {
  const k = key ?? NO_TIER;
  counts[k] = (counts[k] ?? 0) + n;
}

/** Facts of one row; `benefitTags` never count (as in qualifyingTags, computed once per run). */
function factsOf(row: CustomerFactsRow, benefitTags: ReadonlySet<string>): CustomerFacts {
  return {
    tags: benefitTags.size === 0 ? row.tags : row.tags.filter((t) => !benefitTags.has(t)),
    segments: row.segments,
    largestOrder: row.largestOrder,
    lifetimeEarned: row.lifetimeEarned,
    lifetimeSpend: row.lifetimeSpend,
    carry: row.carry,
    windowSpend: row.windowSpend,
  };
}

export class SimulationService {
  constructor(
    private readonly store: SimulationsStore,
    private readonly pageSize = SIMULATION_PAGE_SIZE,
  ) {}

  /** Today's distribution next to the one the draft would produce now. */
  async simulate(ctx: ProgramContext, input: SimulationInput) {
    const tiers = toTierConfigs(input.tiers);
    // A simulation answers "what if these tiers were live": evaluated even while the
    // program has tiers switched off (the usual state before launch).
    const settings: ProgramSettings = {
      ...ctx.program.settings,
      tiersEnabled: true,
      retention: input.retention ?? ctx.program.settings.retention,
    };
    const warnings = checkDraft(settings, tiers);
    const asOf = ctx.now;
    const scope = this.store.scoped(ctx.program.id);
    const live = await scope.tiers.list();
    const windows = requiredWindows(tiers).map((key) => ({
      key,
      from: windowBounds(asOf, key, settings.timezone).from,
    }));

    const current = zeroed(live.map((t) => t.id));
    const simulated = zeroed(tiers.map((t) => t.id));
    const qualified = zeroed(tiers.map((t) => t.id));
    const moves = new Map<string, { from: string; to: string; customers: number }>();
    const liveRef = new Map(live.map((t) => [t.id, { id: t.id, title: t.title }]));
    const draftRef = new Map(tiers.map((t) => [t.id, { id: t.id, title: t.title }]));
    const refOf = (refs: Map<string, { id: string; title: string }>, id: string | null): TierRef =>
      id === null ? null : (refs.get(id) ?? { id, title: id });
    // Movers are collected in customer id order (the scan's order): one page after the cursor.
    const movers: Mover[] = [];
    let moreMovers = false;
    let customers = 0;
    let changed = 0;
    const benefitTags = tierBenefitTags(tiers);
    const fresh = { tierId: null, tierSince: asOf, lastChangeReason: null, lastEarnedAt: null };
    const read = (after: string | null) =>
      scope.analytics.customerFacts({ after, limit: this.pageSize, windows, asOf });
    let next: Promise<CustomerFactsRow[]> | null = read(null);
    while (next) {
      const page: CustomerFactsRow[] = await next;
      const last = page.at(-1);
      // The next page is read while this one is decided in memory.
      next = page.length === this.pageSize && last ? read(last.id) : null;
      for (const row of page) {
        const facts = factsOf(row, benefitTags);
        const state = {
          tierId: row.tierId,
          tierSince: row.tierSince,
          lastChangeReason: row.lastChangeReason,
          lastEarnedAt: row.lastEarnedAt,
        };
        const placed = decideTier({ settings, tiers, state, facts, asOf, trigger: 'resync' }).toTierId;
        const byRules = decideTier({
          settings,
          tiers,
          state: fresh,
          facts,
          asOf,
          trigger: 'resync',
        }).toTierId;
        customers += 1;
        bump(current, row.tierId);
        bump(simulated, placed);
        bump(qualified, byRules);
        // Staying put is no move: `moves` and `movers` list changes only.
        if (placed === row.tierId) continue;
        changed += 1;
        const key = `${row.tierId ?? NO_TIER}\u0000${placed ?? NO_TIER}`;
        const move = moves.get(key) ?? { from: row.tierId ?? NO_TIER, to: placed ?? NO_TIER, customers: 0 };
        move.customers += 1;
        moves.set(key, move);
        if (input.moversCursor !== undefined && row.id <= input.moversCursor) continue;
        if (movers.length === input.moversLimit) moreMovers = true;
        else {
          movers.push({
            customerId: row.id,
            email: row.email,
            name: row.name,
            from: refOf(liveRef, row.tierId),
            to: refOf(draftRef, placed),
          });
        }
      }
    }

    const liveIds = new Set(live.map((t) => t.id));
    return {
      asOf: asOf.toISOString(),
      customers,
      current,
      simulated,
      qualified,
      changed,
      currentTiers: titled(current, live),
      simulatedTiers: titled(simulated, tiers),
      moves: [...moves.values()]
        .sort((a, b) => b.customers - a.customers || a.from.localeCompare(b.from) || a.to.localeCompare(b.to))
        .map((m) => ({
          from: m.from,
          fromTitle: refOf(liveRef, m.from === NO_TIER ? null : m.from)?.title ?? null,
          to: m.to,
          toTitle: refOf(draftRef, m.to === NO_TIER ? null : m.to)?.title ?? null,
          customers: m.customers,
        })),
      movers: {
        data: movers,
        nextCursor: moreMovers ? (movers.at(-1)?.customerId ?? null) : null,
      },
      tiersVersion: tierSetVersion(live),
      tiers: tiers.map((t) => ({
        id: t.id,
        title: t.title,
        rank: t.rank,
        enabled: t.enabled,
        existing: liveIds.has(t.id),
      })),
      warnings: warnings.map(issueView),
    };
  }
}
