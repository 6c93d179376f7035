/** What a customer's wallet pass shows about tiers: the one place Apple and Google passes decide it. */
import { keepBoundary, keepStatus } from '../../domain/keep-status.js';
import { type MissingItem, nextTierProgress, progressHeadline } from '../../domain/progress.js';
import type { ProgramSettings } from '../../domain/types.js';
import type { ProgramContext } from '../../program-context.js';
import type { CustomerRecord, TierRecord } from '../../store/port.js';
import { loadFacts } from '../tiers/tier-evaluation.js';
import type { PassesScope } from './passes-store.js';

export interface WalletView {
  /** The customer's tier, hidden or not (its rewards are shown either way). */
  tier: TierRecord | null;
  /** The tier the pass names and styles: null for hidden tiers and customers without one. */
  shown: TierRecord | null;
  /** The next tier and what is missing to reach it (never a hidden tier), or null. */
  next: { tier: TierRecord; missing: MissingItem[]; headline: string } | null;
  /**
   * Cycle mode: what keeps the shown tier at the next boundary (the keep status headline);
   * null outside cycle mode, without a tier, and for hidden tiers (the pass does not name them).
   */
  keep: string | null;
}

export async function walletView(
  ctx: ProgramContext,
  orders: PassesScope['orders'],
  customer: CustomerRecord,
  tiers: readonly TierRecord[],
): Promise<WalletView> {
  const settings = ctx.program.settings;
  const facts = await loadFacts(orders, settings, tiers, customer, ctx.now);
  const tier = tiers.find((t) => t.id === customer.tierId) ?? null;
  // Hidden tiers: default design, no name. Progress never points at a hidden tier.
  const shown = tier?.visible ? tier : null;
  const progress = nextTierProgress({
    tiersEnabled: settings.tiersEnabled,
    tiers,
    currentTierId: customer.tierId,
    facts,
    currency: settings.currency,
    includeHidden: false,
  });
  const nextTier = tiers.find((t) => t.id === progress.nextTierId);
  const headline = nextTier ? progressHeadline(progress.missing, nextTier.title) : null;
  return {
    tier,
    shown,
    next: nextTier && headline ? { tier: nextTier, missing: progress.missing, headline } : null,
    keep: shown ? await keepLine(ctx, orders, customer, tiers, shown) : null,
  };
}

/**
 * The keep status headline of the shown tier at the next boundary, from the customer's facts
 * projected to it — the computation behind the API's `keep` and the downgrade warning — so the
 * pass changes (and its update tag with it) as the customer earns toward keeping the tier.
 */
async function keepLine(
  ctx: ProgramContext,
  orders: PassesScope['orders'],
  customer: CustomerRecord,
  tiers: readonly TierRecord[],
  shown: TierRecord,
): Promise<string | null> {
  const settings = ctx.program.settings;
  const boundary = keepBoundary(settings, ctx.now);
  if (!boundary) return null;
  const projected = await loadFacts(orders, settings, tiers, customer, boundary);
  return keepStatus({ settings, tiers, tierId: shown.id, facts: projected, boundary })?.headline ?? null;
}

/**
 * `walletView` of a sample member who just entered `tier` (null: no tier) with `points`
 * lifetime and cycle points and nothing else: the designer's sample and the previews.
 */
export function sampleWalletView(
  settings: ProgramSettings,
  tiers: readonly TierRecord[],
  tier: TierRecord | null,
  points: number,
): WalletView {
  const facts = {
    tags: [],
    segments: [],
    largestOrder: 0,
    lifetimeEarned: points,
    lifetimeSpend: 0,
    carry: points,
    windowSpend: {},
  };
  const shown = tier?.visible ? tier : null;
  const progress = nextTierProgress({
    tiersEnabled: settings.tiersEnabled,
    tiers,
    currentTierId: tier?.id ?? null,
    facts,
    currency: settings.currency,
    includeHidden: false,
  });
  const nextTier = tiers.find((t) => t.id === progress.nextTierId);
  const headline = nextTier ? progressHeadline(progress.missing, nextTier.title) : null;
  return {
    tier,
    shown,
    next: nextTier && headline ? { tier: nextTier, missing: progress.missing, headline } : null,
    keep: null,
  };
}
