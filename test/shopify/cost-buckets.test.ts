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
    // A THROTTLED answer's level replaces the estimate, less the two calls still out (30 each):
    // 90 points short.
    b.report('s', 'w', { ...status(0), actualQueryCost: null });
    expect(b.take('s', 'w')).toBe(9_000);
    // Their answers come (and the one just asked for is given up unanswered): the shop's own level.
    b.report('s', 'w', status(0));
    b.report('s', 'w', status(0));
    expect(b.take('s', 'w')).toBe(3_000);
  });

  it('counts the calls still out against a newer answer, until their own answers come', () => {
    const now = 0;
    const b = new ShopifyCostBuckets(() => now);
    b.report('s', 'w', status(100));
    expect(b.take('s', 'w')).toBe(0); // 100 → 70
    expect(b.take('s', 'w')).toBe(0); // 70 → 40
    // The first call's answer: the shop ran it alone so far (70); the second still costs 30.
    b.report('s', 'w', status(70));
    expect(b.take('s', 'w')).toBe(0); // 40 → 10
    expect(b.take('s', 'w')).toBe(2_000);
  });

  it('keeps the points of a call that got no answer, and lets the next answer correct them', () => {
    const now = 0;
    const b = new ShopifyCostBuckets(() => now);
    b.report('s', 'w', status(65));
    expect(b.take('s', 'w')).toBe(0); // 65 → 35, out
    b.settle('s', 'w'); // unanswered: may have run, still counted as spent
    expect(b.take('s', 'w')).toBe(0); // 35 → 5
    expect(b.take('s', 'w')).toBe(2_500);
    // It had not run: the next answer says so (and ends the second call's reservation).
    b.report('s', 'w', status(35));
    expect(b.take('s', 'w')).toBe(0);
  });

  it('expects a kind never charged on a known bucket to cost what one query may (1,000), one at a time', () => {
    let now = 0;
    const b = new ShopifyCostBuckets(() => now);
    const big = (currentlyAvailable: number, requestedQueryCost = 30) => ({
      requestedQueryCost,
      throttleStatus: { maximumAvailable: 2_000, currentlyAvailable, restoreRate: 100 },
    });
    b.report('s', 'w', big(900));
    // 100 short of 1,000 at 100 per second.
    expect(b.take('s', 'orders')).toBe(1_000);
    now += 1_000;
    expect(b.take('s', 'orders')).toBe(0);
    // While that first call is out, another of its kind waits for its answer.
    expect(b.take('s', 'orders')).toBe(100);
    b.report('s', 'orders', big(1_098, 902));
    expect(b.take('s', 'orders')).toBe(0); // 1,098 → 196
    expect(b.take('s', 'orders')).toBe(7_060);
    // A bucket smaller than 1,000: the whole bucket.
    b.report('t', 'w', status(100));
    expect(b.take('t', 'segments')).toBe(0);
  });

  it('lets one call of any kind ask a shop never heard from', () => {
    const b = new ShopifyCostBuckets(() => 0);
    expect(b.take('s', 'a')).toBe(0);
    expect(b.take('s', 'b')).toBeGreaterThan(0);
    b.settle('s', 'a');
    expect(b.take('s', 'b')).toBe(0);
  });

  it('ignores answers without a throttle status', () => {
    const b = new ShopifyCostBuckets(() => 0);
    b.report('s', 'w', undefined);
    b.report('s', 'w', { requestedQueryCost: 10 });
    expect(b.take('s', 'w')).toBe(0);
  });
});
