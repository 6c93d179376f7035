/** Analytics reads on the in-memory adapter: the same aggregates, computed over the program's maps. */
import type { AnalyticsRepository, EarningRow, MovementRow, TierCount } from '../analytics-port.js';
import { copy } from './memory-db.js';
import type { MemoryState } from './memory-state.js';

/** The local calendar date (YYYY-MM-DD) of an instant in an IANA zone. */
function localDate(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** The Monday starting the ISO week of a local date. */
function weekStart(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  const back = (d.getUTCDay() + 6) % 7;
  return new Date(d.getTime() - back * 86_400_000).toISOString().slice(0, 10);
}

function counts(tierIds: (string | null)[]): TierCount[] {
  const by = new Map<string | null, number>();
  for (const id of tierIds) by.set(id, (by.get(id) ?? 0) + 1);
  return [...by].map(([tierId, customers]) => ({ tierId, customers }));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function memoryAnalytics(state: MemoryState, programId: string): AnalyticsRepository {
  const p = () => state.maybe(programId);
  return {
    async customerFacts(q) {
      const data = p();
      if (!data) return [];
      const page = [...data.customers.values()]
        .filter((c) => q.after === null || c.id > q.after)
        .sort((a, b) => cmp(a.id, b.id))
        .slice(0, q.limit);
      const orders = [...data.orders.values()].filter((o) => o.placedAt.getTime() <= q.asOf.getTime());
      return page.map((c) => {
        const mine = orders
          .filter((o) => o.customerId === c.id)
          .map((o) => ({ ...o, net: o.amount - o.refundedAmount }));
        return copy({
          id: c.id,
          email: c.email,
          name: c.name,
          tags: c.tags,
          segments: c.segments,
          tierId: c.tierId,
          tierSince: c.tierSince,
          lastChangeReason: c.lastChangeReason,
          lastEarnedAt: c.lastEarnedAt,
          carry: c.balances.carry,
          lifetimeEarned: c.balances.lifetimeEarned,
          lifetimeSpend: c.balances.lifetimeSpend,
          windowSpend: Object.fromEntries(
            q.windows.map((w) => [
              w.key,
              mine.filter((o) => o.placedAt.getTime() > w.from.getTime()).reduce((s, o) => s + o.net, 0),
            ]),
          ),
          largestOrder: mine.reduce((m, o) => Math.max(m, o.net), 0),
        });
      });
    },
    async distributionNow() {
      return counts([...(p()?.customers.values() ?? [])].map((c) => c.tierId));
    },
    async distributionAt(at) {
      const data = p();
      if (!data) return [];
      const last = new Map<string, { at: number; id: number; to: string | null }>();
      for (const ch of data.tierChanges.values()) {
        if (ch.at.getTime() > at.getTime()) continue;
        const was = last.get(ch.customerId);
        const id = Number(ch.id);
        if (!was || ch.at.getTime() > was.at || (ch.at.getTime() === was.at && id > was.id))
          last.set(ch.customerId, { at: ch.at.getTime(), id, to: ch.toTierId });
      }
      return counts(
        [...data.customers.values()]
          .filter((c) => c.createdAt.getTime() <= at.getTime())
          .map((c) => last.get(c.id)?.to ?? null),
      );
    },
    async movements(q) {
      const rows = new Map<string, MovementRow>();
      for (const ch of p()?.tierChanges.values() ?? []) {
        if (ch.at.getTime() < q.from.getTime() || ch.at.getTime() >= q.to.getTime()) continue;
        const day = localDate(ch.at, q.timeZone);
        const bucket = q.interval === 'week' ? weekStart(day) : day;
        const fromNone = ch.fromTierId === null;
        const key = [bucket, ch.direction, ch.reason, fromNone].join('\u0000');
        const row = rows.get(key) ?? {
          bucket,
          direction: ch.direction,
          reason: ch.reason,
          fromNone,
          changes: 0,
        };
        row.changes += 1;
        rows.set(key, row);
      }
      return [...rows.values()].sort(
        (a, b) =>
          cmp(a.bucket, b.bucket) ||
          cmp(a.direction, b.direction) ||
          cmp(a.reason, b.reason) ||
          Number(a.fromNone) - Number(b.fromNone),
      );
    },
    async earnings(q) {
      const rows = new Map<string, EarningRow>();
      for (const e of p()?.ledger.values() ?? []) {
        if (e.type !== 'earn' && e.type !== 'bonus') continue;
        if (e.at.getTime() < q.from.getTime() || e.at.getTime() >= q.to.getTime()) continue;
        const month = localDate(e.at, q.timeZone).slice(0, 7);
        const key = `${month}\u0000${e.tierId ?? ''}\u0000${e.tierId === null}`;
        const row = rows.get(key) ?? { month, tierId: e.tierId, awarded: 0, base: 0, bonus: 0, bonuses: 0 };
        if (e.type === 'earn') {
          row.awarded += e.points;
          row.base += e.base ?? 0;
        } else {
          row.bonus += e.points;
          row.bonuses += 1;
        }
        rows.set(key, row);
      }
      return [...rows.values()].sort(
        (a, b) =>
          cmp(a.month, b.month) ||
          (a.tierId === null
            ? b.tierId === null
              ? 0
              : -1
            : b.tierId === null
              ? 1
              : cmp(a.tierId, b.tierId)),
      );
    },
    async tierNames() {
      return [...(p()?.tiers.values() ?? [])]
        .map((t) => ({
          id: t.record.id,
          title: t.record.title,
          rank: t.deleted ? null : t.record.rank,
          enabled: t.record.enabled,
          deleted: t.deleted,
          createdAt: t.record.createdAt.getTime(),
        }))
        .sort(
          (a, b) =>
            (a.rank ?? Number.MAX_SAFE_INTEGER) - (b.rank ?? Number.MAX_SAFE_INTEGER) ||
            a.createdAt - b.createdAt ||
            cmp(a.id, b.id),
        )
        .map(({ createdAt: _, ...t }) => t);
    },
  };
}
