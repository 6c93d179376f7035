import { type KnownShop, ShopifyShopCache } from '../../src/features/shopify/shopify-shop-cache.js';
import type { ProgramRecord } from '../../src/store/port.js';
import type { ShopifyConnectionRecord } from '../../src/store/shopify-port.js';

const at = new Date('2026-01-01T00:00:00Z');

function shop(programId: string, mode: 'live' | 'test' = 'live'): KnownShop {
  const program = {
    id: programId,
    name: 'Shop',
    mode,
    settings: {
      tiersEnabled: true,
      currency: 'USD',
      timezone: 'UTC',
      earning: { pointsPerUnit: 1 },
      retention: { mode: 'continuous' },
    },
    clockNow: mode === 'test' ? at : null,
    createdAt: at,
    updatedAt: at,
  } as ProgramRecord;
  const connection = { programId, shopDomain: `${programId}.myshopify.com` } as ShopifyConnectionRecord;
  return { connection, secret: 'shpss_secret', program };
}

describe('ShopifyShopCache', () => {
  let clock = 0;
  const cache = (ttlMs = 1000) => new ShopifyShopCache({ ttlMs, now: () => clock });
  beforeEach(() => {
    clock = 0;
  });

  it('keeps a live program’s shop for its time to live, then reads it again', () => {
    const c = cache();
    const a = shop('a');
    c.put('a.myshopify.com', a, c.begin());
    clock = 999;
    expect(c.get('a.myshopify.com')).toBe(a);
    clock = 1000;
    expect(c.get('a.myshopify.com')).toBeUndefined();
  });

  it('forgets a program’s shop at once, and keeps no lookup that started before the change', () => {
    const c = cache();
    c.put('a.myshopify.com', shop('a'), c.begin());
    c.put('b.myshopify.com', shop('b'), c.begin());
    const racing = c.begin();
    c.forget('a');
    expect(c.get('a.myshopify.com')).toBeUndefined();
    expect(c.get('b.myshopify.com')).toBeDefined();
    // Read before the change, finished after it: not kept.
    c.put('a.myshopify.com', shop('a'), racing);
    expect(c.get('a.myshopify.com')).toBeUndefined();
    c.put('a.myshopify.com', shop('a'), c.begin());
    expect(c.get('a.myshopify.com')).toBeDefined();
  });

  it('never keeps a test program (its clock moves), nor anything when turned off', () => {
    const c = cache();
    c.put('t.myshopify.com', shop('t', 'test'), c.begin());
    expect(c.get('t.myshopify.com')).toBeUndefined();
    const off = cache(0);
    off.put('a.myshopify.com', shop('a'), off.begin());
    expect(off.get('a.myshopify.com')).toBeUndefined();
  });

  it('starts over when full', () => {
    const c = new ShopifyShopCache({ ttlMs: 1000, maxEntries: 2, now: () => clock });
    for (const id of ['a', 'b', 'c']) c.put(`${id}.myshopify.com`, shop(id), c.begin());
    expect(c.get('a.myshopify.com')).toBeUndefined();
    expect(c.get('c.myshopify.com')).toBeDefined();
  });
});
