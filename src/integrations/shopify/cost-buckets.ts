/**
 * Shopify's GraphQL cost limit as Tierpass paces it (docs/decisions/0051): every Admin API
 * answer carries `extensions.cost` — the `requestedQueryCost`, the `actualQueryCost` and the
 * shop's leaky bucket (`throttleStatus`: `maximumAvailable`, `currentlyAvailable`,
 * `restoreRate` points per second). One bucket per shop: its level as last reported, restored at
 * the restore rate since, less what this process has spent on calls whose answer has not come
 * yet. Before a call, `take` says how long until the bucket affords the call's expected cost
 * (0: go now, the points are reserved until its answer is reported or it is `settle`d).
 * Shared by every Admin call of the process to a shop — write-back, backfill, segment sync — so
 * each sees what the others spend.
 */

/** `extensions.cost` of an Admin GraphQL answer. */
export interface ShopifyCost {
  requestedQueryCost?: number | null;
  actualQueryCost?: number | null;
  throttleStatus?: {
    maximumAvailable?: number;
    currentlyAvailable?: number;
    restoreRate?: number;
  } | null;
}

interface Bucket {
  maximum: number;
  /** Points available at `at` (ms). */
  level: number;
  restoreRate: number;
  at: number;
  /** What calls of this kind were last charged (the expected cost of the next). */
  cost: Map<string, number>;
  /** Points taken for calls not answered yet, per kind, oldest first, with when they were taken. */
  out: Map<string, { points: number; at: number }[]>;
}

/** While the first call of a kind to a shop is out, others wait this long and ask again. */
const PROBE_WAIT_MS = 100;
/** A first call whose answer never came (a network error) stops holding the others after this. */
const PROBE_STALE_MS = 10_000;
/**
 * The most one query may cost (Shopify refuses more, MAX_COST_EXCEEDED): what a call of a kind
 * never charged yet is assumed to cost when the shop's bucket is already known.
 */
const SINGLE_QUERY_MAX = 1000;
/** A reservation whose call never reported nor settled (a caller bug) stops counting after this. */
const RESERVATION_STALE_MS = 60_000;

export class ShopifyCostBuckets {
  private readonly shops = new Map<string, Bucket>();
  /** `shop\0kind` → when the first call, whose answer teaches the cost, went out. */
  private readonly probing = new Map<string, number>();

  /** `now` in milliseconds (tests may pass their own). */
  constructor(private readonly now: () => number = Date.now) {}

  private level(b: Bucket, now: number): number {
    return Math.min(b.maximum, b.level + (b.restoreRate * Math.max(0, now - b.at)) / 1000);
  }

  /** Points still reserved by unanswered calls (stale ones dropped). */
  private outstanding(b: Bucket, now: number): number {
    let sum = 0;
    for (const [kind, list] of b.out) {
      const live = list.filter((r) => now - r.at < RESERVATION_STALE_MS);
      if (live.length === 0) b.out.delete(kind);
      else b.out.set(kind, live);
      for (const r of live) sum += r.points;
    }
    return sum;
  }

  /** The oldest live reservation of `kind` ends: its call was answered or failed. */
  private endReservation(b: Bucket | undefined, kind: string): void {
    if (!b) return;
    this.outstanding(b, this.now());
    b.out.get(kind)?.shift();
  }

  private endProbe(shop: string, kind: string): void {
    this.probing.delete(`${shop}\0${kind}`);
    this.probing.delete(`${shop}\0`);
  }

  private reserve(b: Bucket, kind: string, level: number, points: number, now: number): void {
    b.level = level - points;
    b.at = now;
    const list = b.out.get(kind) ?? [];
    list.push({ points, at: now });
    b.out.set(kind, list);
  }

  /**
   * An answer's `extensions.cost` for a call of `kind` (e.g. the write-back mutation): the
   * shop's level is what it says, as of now; the call's cost is remembered as the next one's
   * expected cost (the requested cost: Shopify refuses a call the bucket cannot cover at that).
   * The call's reservation ends. Calls still out keep theirs: the shop's level is lowered by them,
   * although it may already count some of them — an over-estimate until their own answers come,
   * never an under-estimate that would get a call throttled.
   */
  report(shop: string, kind: string, cost: ShopifyCost | undefined): void {
    const known = this.shops.get(shop);
    this.endReservation(known, kind);
    this.endProbe(shop, kind);
    const status = cost?.throttleStatus;
    if (
      typeof status?.currentlyAvailable !== 'number' ||
      typeof status.maximumAvailable !== 'number' ||
      typeof status.restoreRate !== 'number'
    ) {
      return;
    }
    const b: Bucket = known ?? {
      maximum: 0,
      level: 0,
      restoreRate: 1,
      at: 0,
      cost: new Map(),
      out: new Map(),
    };
    const now = this.now();
    b.maximum = status.maximumAvailable;
    b.level = status.currentlyAvailable - this.outstanding(b, now);
    b.restoreRate = Math.max(status.restoreRate, 0.001);
    b.at = now;
    const charged = cost?.requestedQueryCost ?? cost?.actualQueryCost;
    if (typeof charged === 'number' && charged > 0) b.cost.set(kind, charged);
    this.shops.set(shop, b);
  }

  /**
   * A call of `kind` that `take` let go failed without an answer (unreachable, reset, aborted):
   * its reservation ends but its points are not given back. The request may have reached the
   * shop and run; giving them back could let the next call through on points that are not there
   * (a THROTTLED answer). Keeping them costs at most their restore time (cost / restoreRate), and
   * only until the shop's next answer replaces the estimate (docs/decisions/0051).
   */
  settle(shop: string, kind: string): void {
    this.endReservation(this.shops.get(shop), kind);
    this.endProbe(shop, kind);
  }

  /**
   * Milliseconds until the shop's bucket affords a call of `kind`; 0 means now, and the
   * expected cost is taken from the bucket (so concurrent callers do not spend the same
   * points). A shop not heard from yet: one call goes (its answer teaches the level and the
   * cost) while the others wait for it. A kind never charged on a known bucket: one call goes,
   * counted at the most one query may cost (1,000), so it is not throttled either.
   */
  take(shop: string, kind: string): number {
    const b = this.shops.get(shop);
    const cost = b?.cost.get(kind);
    const now = this.now();
    // A shop not heard from: one call of any kind; a kind never charged: one call of that kind.
    const key = b ? `${shop}\0${kind}` : `${shop}\0`;
    if (cost === undefined) {
      const since = this.probing.get(key);
      if (since !== undefined && now - since < PROBE_STALE_MS) return PROBE_WAIT_MS;
      if (!b) {
        this.probing.set(key, now);
        return 0;
      }
    }
    if (!b) return PROBE_WAIT_MS;
    const level = this.level(b, now);
    // A call dearer than the whole bucket can never wait its way in; Shopify answers it.
    const need = Math.min(cost ?? SINGLE_QUERY_MAX, b.maximum);
    if (level >= need) {
      if (cost === undefined) this.probing.set(key, now);
      this.reserve(b, kind, level, need, now);
      return 0;
    }
    return Math.ceil(((need - level) / b.restoreRate) * 1000);
  }
}
