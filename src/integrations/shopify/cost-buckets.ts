/**
 * Shopify's GraphQL cost limit as Tierpass paces it (docs/decisions/0051): every Admin API
 * answer carries `extensions.cost` — the `requestedQueryCost`, the `actualQueryCost` and the
 * shop's leaky bucket (`throttleStatus`: `maximumAvailable`, `currentlyAvailable`,
 * `restoreRate` points per second). One bucket per shop: its level as last reported, restored at
 * the restore rate since, less what this process has spent on calls whose answer has not come
 * yet. Before a call, `take` says how long until the bucket affords the call's expected cost
 * (0: go now, the points are reserved).
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
}

/** While the first call of a kind to a shop is out, others wait this long and ask again. */
const PROBE_WAIT_MS = 100;
/** A first call whose answer never came (a network error) stops holding the others after this. */
const PROBE_STALE_MS = 10_000;

export class ShopifyCostBuckets {
  private readonly shops = new Map<string, Bucket>();
  /** `shop\0kind` → when the first call, whose answer teaches the cost, went out. */
  private readonly probing = new Map<string, number>();

  /** `now` in milliseconds (tests may pass their own). */
  constructor(private readonly now: () => number = Date.now) {}

  private level(b: Bucket, now: number): number {
    return Math.min(b.maximum, b.level + (b.restoreRate * Math.max(0, now - b.at)) / 1000);
  }

  /**
   * An answer's `extensions.cost` for a call of `kind` (e.g. the write-back mutation): the
   * shop's level is what it says, as of now; the call's cost is remembered as the next one's
   * expected cost (the requested cost: Shopify refuses a call the bucket cannot cover at that).
   */
  report(shop: string, kind: string, cost: ShopifyCost | undefined): void {
    const status = cost?.throttleStatus;
    if (
      typeof status?.currentlyAvailable !== 'number' ||
      typeof status.maximumAvailable !== 'number' ||
      typeof status.restoreRate !== 'number'
    ) {
      return;
    }
    const b: Bucket = this.shops.get(shop) ?? {
      maximum: 0,
      level: 0,
      restoreRate: 1,
      at: 0,
      cost: new Map(),
    };
    b.maximum = status.maximumAvailable;
    b.level = status.currentlyAvailable;
    b.restoreRate = Math.max(status.restoreRate, 0.001);
    b.at = this.now();
    const charged = cost?.requestedQueryCost ?? cost?.actualQueryCost;
    if (typeof charged === 'number' && charged > 0) b.cost.set(kind, charged);
    this.shops.set(shop, b);
    this.probing.delete(`${shop}\0${kind}`);
  }

  /**
   * Milliseconds until the shop's bucket affords a call of `kind`; 0 means now, and the
   * expected cost is taken from the bucket (so concurrent callers do not spend the same
   * points). A shop not heard from yet, or a kind never charged: one call goes (its answer
   * teaches the level and the cost) while the others wait for it.
   */
  take(shop: string, kind: string): number {
    const b = this.shops.get(shop);
    const cost = b?.cost.get(kind);
    const now = this.now();
    if (!b || cost === undefined) {
      const key = `${shop}\0${kind}`;
      const since = this.probing.get(key);
      if (since !== undefined && now - since < PROBE_STALE_MS) return PROBE_WAIT_MS;
      this.probing.set(key, now);
      return 0;
    }
    const level = this.level(b, now);
    // A call dearer than the whole bucket can never wait its way in; Shopify answers it.
    const need = Math.min(cost, b.maximum);
    if (level >= need) {
      b.level = level - need;
      b.at = now;
      return 0;
    }
    return Math.ceil(((need - level) / b.restoreRate) * 1000);
  }
}
