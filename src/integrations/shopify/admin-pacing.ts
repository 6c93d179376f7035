/**
 * Admin GraphQL calls paced by the shop's cost bucket (docs/decisions/0051): before a document is
 * sent, `take` on the process's one ShopifyCostBuckets (waiting as long as it says), after its
 * answer `report` of the answer's `extensions.cost`; a call that gets no answer `settle`s its
 * reservation. The kind of a call in the bucket is its document's operation name, so each
 * document's cost is learned and expected separately. Used by the history (backfill) and admin
 * (connection, segments) clients; the write-back paces in its handler (it may hand rows back).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ShopifyCost, ShopifyCostBuckets } from './cost-buckets.js';

/** How an Admin client paces its calls. */
export interface AdminPacing {
  /** The process's one ShopifyCostBuckets, shared with the write-back and every other client. */
  buckets: Pick<ShopifyCostBuckets, 'take' | 'report' | 'settle'>;
  /** Aborted when the caller stops: a wait for the bucket, or a request still out, ends at once. */
  signal?: AbortSignal;
}

/** The operation name a document declares (`query TierpassShop …` → `TierpassShop`). */
export function documentKind(doc: string): string {
  const m = /^\s*(?:query|mutation)\s+(\w+)/.exec(doc);
  return m?.[1] ?? doc;
}

/**
 * `send` the document `doc` to `shop` once its bucket affords it. Throws the signal's reason if
 * aborted while waiting; whatever `send` throws is rethrown after the reservation is settled.
 */
export async function paced<A extends { extensions?: { cost?: ShopifyCost } }>(
  shop: string,
  doc: string,
  pacing: AdminPacing | undefined,
  send: (signal: AbortSignal | undefined) => Promise<A>,
): Promise<A> {
  if (!pacing) return send(undefined);
  const { buckets, signal } = pacing;
  const kind = documentKind(doc);
  for (;;) {
    signal?.throwIfAborted();
    const wait = buckets.take(shop, kind);
    if (wait === 0) break;
    await sleep(wait, undefined, { signal });
  }
  let answer: A;
  try {
    answer = await send(signal);
  } catch (err) {
    buckets.settle(shop, kind);
    throw err;
  }
  buckets.report(shop, kind, answer.extensions?.cost);
  return answer;
}
