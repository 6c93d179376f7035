/**
 * Tier analytics (SPEC 8): distribution now or at a past instant, movements per day or
 * week, points and bonuses per tier per month. The store aggregates (GROUP BY); this
 * service resolves local dates, fills empty buckets and names the tiers.
 */
import { addDuration } from '../../domain/duration.js';
import { badRequest } from '../../errors.js';
import type { ProgramContext } from '../../program-context.js';
import type { EarningRow, TierName } from '../../store/analytics-port.js';
import { bucketStarts, localMidnight, localRange, monthsBetween } from './analytics-calendar.js';
import type { EarningsInput, MovementsInput } from './analytics-schemas.js';
import type { AnalyticsStore } from './analytics-store.js';

/** Longest range per day bucket (a chart of at most ~730 points). */
export const MAX_DAY_RANGE = 'P2Y';
/** Longest range for weekly movements and monthly earnings. */
export const MAX_LONG_RANGE = 'P5Y';

const NO_TIER = 'none';
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

type Movement = {
  upgrades: number;
  downgrades: number;
  entries: number;
  upgradesByReason: Record<string, number>;
  downgradesByReason: Record<string, number>;
};

function emptyMovement(): Movement {
  return { upgrades: 0, downgrades: 0, entries: 0, upgradesByReason: {}, downgradesByReason: {} };
}

/** One row of the distribution's tier list; id null = customers without a tier. */
interface DistributionTier {
  /** Tier id, null for no tier. */
  id: string | null;
  /** Title, null when unknown or for no tier. */
  title: string | null;
  /** Live rank, null when deleted or for no tier. */
  rank: number | null;
  /** Whether enabled, null for no tier. */
  enabled: boolean | null;
  /** Whether the tier was deleted since. */
  deleted: boolean;
  /** Customers in it. */
  customers: number;
}

type Earning = Pick<EarningRow, 'awarded' | 'base' | 'bonus' | 'bonuses'>;

function addEarning(into: Earning, row: Earning): void {
  into.awarded += row.awarded;
  into.base += row.base;
  into.bonus += row.bonus;
  into.bonuses += row.bonuses;
}

/** Tier ids in display order: live tiers by rank, then the others seen in the data. */
function orderedIds(names: readonly TierName[], seen: Iterable<string>): string[] {
  const live = names.filter((t) => !t.deleted).map((t) => t.id);
  const extra = [...new Set(seen)].filter((id) => !live.includes(id));
  const rankOf = new Map(names.map((t, i) => [t.id, i]));
  extra.sort((a, b) => (rankOf.get(a) ?? Infinity) - (rankOf.get(b) ?? Infinity) || a.localeCompare(b));
  return [...live, ...extra];
}

export class AnalyticsService {
  constructor(private readonly store: AnalyticsStore) {}

  /** Customers per tier now, or at `at` (an instant, or a date = the end of that local day). */
  async distribution(ctx: ProgramContext, at?: string) {
    const tz = ctx.program.settings.timezone;
    const now = ctx.now;
    let instant = now;
    if (at !== undefined) {
      const dateOnly = DATE_ONLY.test(at);
      const start = dateOnly ? localMidnight(at, tz) : new Date(at);
      if (start.getTime() > now.getTime()) {
        throw badRequest('at_in_future', "at must not be later than the program's now", [
          { path: 'query.at', code: 'at_in_future', message: `must not be later than ${now.toISOString()}` },
        ]);
      }
      const end = dateOnly ? new Date(addDuration(start, 'P1D', tz).getTime() - 1) : start;
      instant = end.getTime() > now.getTime() ? now : end;
    }
    const { analytics } = this.store.scoped(ctx.program.id);
    const [rows, names] = await Promise.all([
      at === undefined ? analytics.distributionNow() : analytics.distributionAt(instant),
      analytics.tierNames(),
    ]);
    const counts = new Map(rows.map((r) => [r.tierId ?? NO_TIER, r.customers]));
    const ids = orderedIds(
      names,
      rows.flatMap((r) => (r.tierId === null ? [] : [r.tierId])),
    );
    const byId = new Map(names.map((t) => [t.id, t]));
    const tiers = ids.map((id): DistributionTier => {
      const t = byId.get(id);
      return {
        id,
        title: t?.title ?? null,
        rank: t?.rank ?? null,
        enabled: t?.enabled ?? null,
        deleted: t?.deleted ?? false,
        customers: counts.get(id) ?? 0,
      };
    });
    const none = counts.get(NO_TIER) ?? 0;
    tiers.push({ id: null, title: null, rank: null, enabled: null, deleted: false, customers: none });
    return {
      at: instant.toISOString(),
      source: at === undefined ? ('current' as const) : ('history' as const),
      total: rows.reduce((n, r) => n + r.customers, 0),
      distribution: Object.fromEntries([...ids.map((id) => [id, counts.get(id) ?? 0]), [NO_TIER, none]]),
      tiers,
    };
  }

  /** Upgrades, downgrades and entries per local day or ISO week, by reason. */
  async movements(ctx: ProgramContext, q: MovementsInput) {
    const tz = ctx.program.settings.timezone;
    const span = q.interval === 'day' ? MAX_DAY_RANGE : MAX_LONG_RANGE;
    const range = localRange(q.from, q.to, tz, span);
    const rows = await this.store.scoped(ctx.program.id).analytics.movements({
      from: range.start,
      to: range.end,
      timeZone: tz,
      interval: q.interval,
    });
    const buckets = new Map(bucketStarts(q.from, q.to, q.interval).map((s) => [s, emptyMovement()]));
    const totals = emptyMovement();
    for (const row of rows) {
      let bucket = buckets.get(row.bucket);
      if (!bucket) {
        bucket = emptyMovement();
        buckets.set(row.bucket, bucket);
      }
      for (const m of [bucket, totals]) {
        if (row.direction === 'down') {
          m.downgrades += row.changes;
          m.downgradesByReason[row.reason] = (m.downgradesByReason[row.reason] ?? 0) + row.changes;
        } else if (row.fromNone) {
          m.entries += row.changes;
        } else {
          m.upgrades += row.changes;
          m.upgradesByReason[row.reason] = (m.upgradesByReason[row.reason] ?? 0) + row.changes;
        }
      }
    }
    return {
      from: q.from,
      to: q.to,
      interval: q.interval,
      timezone: tz,
      totals,
      buckets: [...buckets.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([start, m]) => ({ start, ...m })),
    };
  }

  /** Points awarded (earn entries, by the tier the customer was in) and bonuses paid, per month and tier. */
  async earnings(ctx: ProgramContext, q: EarningsInput) {
    const tz = ctx.program.settings.timezone;
    const range = localRange(q.from, q.to, tz, MAX_LONG_RANGE);
    const { analytics } = this.store.scoped(ctx.program.id);
    const [rows, names] = await Promise.all([
      analytics.earnings({ from: range.start, to: range.end, timeZone: tz }),
      analytics.tierNames(),
    ]);
    const ids = orderedIds(
      names,
      rows.flatMap((r) => (r.tierId === null ? [] : [r.tierId])),
    );
    const keys: (string | null)[] = rows.some((r) => r.tierId === null) ? [null, ...ids] : ids;
    const zero = (): Earning => ({ awarded: 0, base: 0, bonus: 0, bonuses: 0 });
    const months = new Map(
      monthsBetween(q.from, q.to).map((m) => [m, new Map(keys.map((k) => [k, zero()]))]),
    );
    const totals = new Map(keys.map((k) => [k, zero()]));
    for (const row of rows) {
      const month = months.get(row.month);
      const cell = month?.get(row.tierId);
      if (cell) addEarning(cell, row);
      const total = totals.get(row.tierId);
      if (total) addEarning(total, row);
    }
    const titles = new Map(names.map((t) => [t.id, t.title]));
    const titleOf = (id: string | null) => (id === null ? null : (titles.get(id) ?? null));
    return {
      from: q.from,
      to: q.to,
      timezone: tz,
      months: [...months.entries()].map(([month, tiers]) => ({
        month,
        tiers: [...tiers.entries()].map(([tierId, e]) => ({ tierId, title: titleOf(tierId), ...e })),
      })),
      tiers: [...totals.entries()].map(([id, e]) => ({
        id,
        title: titleOf(id),
        ...e,
      })),
    };
  }
}
