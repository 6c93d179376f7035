/**
 * A shop's connection, its opened webhook secret and its live program, remembered for a moment
 * by shop domain, so a signed delivery does not read them again (docs/decisions/0050), as API
 * keys' programs are (store/program-lookup-cache.ts).
 *
 * - A change in this process (connect, disconnect, app/uninstalled, a program's settings, clock or
 *   deletion, reported through `forget` by app.ts's `watchProgramChanges`) drops the program's
 *   entry at once; a lookup that raced with it is not kept (generation check).
 * - A change made elsewhere (another instance, direct SQL) is seen after at most `ttlMs`.
 * - Test programs are never kept: their clock moves. Unknown shops are never kept.
 */
import type { ProgramRecord } from '../../store/port.js';
import type { ShopifyConnectionRecord } from '../../store/shopify-port.js';

/** How long a shop's connection, secret and live program are reused (as PROGRAM_CACHE_TTL_MS). */
export const SHOPIFY_SHOP_CACHE_TTL_MS = 1000;

/** What a delivery needs of its shop. */
export interface KnownShop {
  connection: ShopifyConnectionRecord;
  /** The webhook secret, opened; null when it no longer opens (its key left the keyring). */
  secret: string | null;
  program: ProgramRecord;
}

export interface ShopifyShopCacheOptions {
  /** How long an entry is reused; 0 turns the cache off. */
  ttlMs: number;
  /** Most shops remembered; the cache starts over when full. */
  maxEntries?: number;
  /** Milliseconds clock (tests). */
  now?: () => number;
}

export class ShopifyShopCache {
  private readonly byShop = new Map<string, { shop: KnownShop; expires: number }>();
  /** Bumped by every change: a lookup that started before a change is not kept. */
  private generation = 0;

  constructor(private readonly opts: ShopifyShopCacheOptions) {}

  /** The shop while its entry is fresh. */
  get(shopDomain: string): KnownShop | undefined {
    const hit = this.byShop.get(shopDomain);
    if (!hit) return undefined;
    if (hit.expires > (this.opts.now ?? Date.now)()) return hit.shop;
    this.byShop.delete(shopDomain);
    return undefined;
  }

  /** Where a lookup starts; pass it to `put`. */
  begin(): number {
    return this.generation;
  }

  /** Keep a lookup that started at `since`, unless something changed meanwhile. */
  put(shopDomain: string, shop: KnownShop, since: number): void {
    if (this.opts.ttlMs <= 0 || shop.program.mode !== 'live' || since !== this.generation) return;
    if (this.byShop.size >= (this.opts.maxEntries ?? 10_000)) this.byShop.clear();
    this.byShop.set(shopDomain, { shop, expires: (this.opts.now ?? Date.now)() + this.opts.ttlMs });
  }

  /** The program's connection or program changed (or is gone): its shop is read again. */
  forget(programId: string): void {
    this.generation++;
    for (const [domain, hit] of this.byShop) {
      if (hit.shop.connection.programId === programId) this.byShop.delete(domain);
    }
  }
}
