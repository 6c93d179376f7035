/**
 * ShopifyCostBuckets (docs/decisions/0051): a shop's bucket as its answers report it, restored at
 * its rate, with the points of a go-ahead reserved so concurrent writers do not spend them twice.
 */
import { ShopifyCostBuckets } from '../../src/integrations/shopify/cost-buckets.js';

const status = (currentlyAvailable: number) => ({
  requestedQueryCost: 30,
  actualQueryCost: 30,
  throttleStatus: { maximumAvailable: 100, currentlyAvailable, restoreRate: 10 },
});

describe('ShopifyCostBuckets', () => {
  it('lets one first call through per shop and kind, the others wait for its answer', () => {
    let now = 0;
    const b = new ShopifyCostBuckets(() => now);
    expect(b.take('a.myshopify.com', 'w')).toBe(0);
    expect(b.take('a.myshopify.com', 'w')).toBeGreaterThan(0);
    expect(b.take('b.myshopify.com', 'w')).toBe(0);
    // A first call whose answer never came stops holding the others.
    now = 10_000;
    expect(b.take('a.myshopify.com', 'w')).toBe(0);
  });

  it('reserves the reported cost and waits for the restore rate when the bucket is short', () => {
    let now = 1_000;
    const b = new ShopifyCostBuckets(() => now);
    b.report('s', 'w', status(65));
    expect(b.take('s', 'w')).toBe(0); // 65 → 35
    expect(b.take('s', 'w')).toBe(0); // 35 → 5
    // 25 points short at 10 per second.
    expect(b.take('s', 'w')).toBe(2_500);
    now += 2_500;
    expect(b.take('s', 'w')).toBe(0);
    // Restored never past the maximum (100): after a long pause three calls, then 20 points short.
    now += 3_600_000;
    expect([b.take('s', 'w'), b.take('s', 'w'), b.take('s', 'w'), b.take('s', 'w')]).toEqual([
      0, 0, 0, 2_000,
    ]);
    // A THROTTLED answer's level replaces the estimate.
    b.report('s', 'w', { ...status(0), actualQueryCost: null });
    expect(b.take('s', 'w')).toBe(3_000);
  });

  it('ignores answers without a throttle status', () => {
    const b = new ShopifyCostBuckets(() => 0);
    b.report('s', 'w', undefined);
    b.report('s', 'w', { requestedQueryCost: 10 });
    expect(b.take('s', 'w')).toBe(0);
  });
});
