/**
 * The customer's Klaviyo profile as Tierpass keeps it (Create or Update Profile,
 * `POST /api/profile-import`): identified by external id (the Tierpass customer id) and email,
 * with `tierpass_*` properties merchants can segment on. State-based: built from the customer as
 * the merchant API shows it now, so sending it twice or late changes nothing.
 */
import type { TierTitle } from '../../store/records.js';

/** The parts of the customer view (CustomerService.view) the profile shows. */
export interface ProfileSource {
  id: string;
  email: string | null;
  tier: { id: string; title: string } | null;
  tierSince: string;
  balances: { current: number; carry: number; lifetimeEarned: number; lifetimeSpend: number };
  progress: { nextTierId: string | null; headline: string | null };
  keep?: { boundaryAt: string; met: boolean; headline: string } | null;
}

/** Properties set to null are unset in Klaviyo instead (a segment on them then stops matching). */
export function profileProperties(c: ProfileSource, titles: readonly TierTitle[]): Record<string, unknown> {
  const next = titles.find((t) => t.id === c.progress.nextTierId);
  return {
    tierpass_tier: c.tier?.title ?? null,
    tierpass_tier_id: c.tier?.id ?? null,
    tierpass_tier_since: c.tierSince,
    tierpass_points: c.balances.current,
    tierpass_points_carry: c.balances.carry,
    tierpass_lifetime_points: c.balances.lifetimeEarned,
    tierpass_next_tier: next?.title ?? null,
    tierpass_next_tier_progress: c.progress.headline,
    tierpass_keep: c.keep?.headline ?? null,
    tierpass_keep_met: c.keep ? c.keep.met : null,
    tierpass_keep_by: c.keep?.boundaryAt ?? null,
  };
}

/** The request body of Create or Update Profile. */
export function profileImportBody(c: ProfileSource, titles: readonly TierTitle[]): unknown {
  const all = profileProperties(c, titles);
  const properties = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== null));
  const unset = Object.keys(all).filter((k) => all[k] === null);
  const attributes: Record<string, unknown> = { external_id: c.id, properties };
  if (c.email) attributes.email = c.email;
  return {
    data: {
      type: 'profile',
      attributes,
      ...(unset.length > 0 ? { meta: { patch_properties: { unset } } } : {}),
    },
  };
}
