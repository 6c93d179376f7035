/**
 * The backfill's customer lanes (docs/decisions/0051): a page's items applied concurrently across
 * customers and in page order within each, so the ledger's group commit (0017) batches them.
 */

/**
 * Apply a page's items partitioned by `key` (the customer): one lane per customer takes that
 * customer's items in page order (oldest first, as their webhooks came), at most `concurrency`
 * customers at once. Every lane runs to its end before this returns (the page's cursor is
 * stored only then); after an unexpected failure no further lane starts, and the first failure
 * is thrown once the running ones have settled.
 */
export async function inLanes<T>(
  items: readonly T[],
  key: (item: T) => string,
  apply: (item: T) => Promise<void>,
  concurrency = 32,
): Promise<void> {
  const byCustomer = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const lane = byCustomer.get(k);
    if (lane) lane.push(item);
    else byCustomer.set(k, [item]);
  }
  const queue = [...byCustomer.values()];
  const width = Math.max(1, Math.min(concurrency, queue.length));
  let failed = false;
  const settled = await Promise.allSettled(
    Array.from({ length: width }, async () => {
      for (let lane = queue.shift(); lane && !failed; lane = queue.shift()) {
        try {
          for (const item of lane) await apply(item);
        } catch (err) {
          failed = true;
          throw err;
        }
      }
    }),
  );
  const first = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (first) throw first.reason;
}
