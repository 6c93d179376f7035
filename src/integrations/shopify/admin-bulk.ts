/**
 * The shop's orders as one bulk operation (docs/decisions/0046, amendment "Bulk operations"):
 * `bulkOperationRunQuery` with the orders query, `node(id:)` polled until Shopify has written the
 * JSONL export, then the file streamed line by line and yielded as `HistoryOrder` pages in the
 * shape the paged path yields. A bulk query has no cost limit and reads no query points per order.
 *
 * Shopify refuses a connection inside a list field in a bulk query, and 2022-07's `Order.refunds`
 * is a list: refunds come inline (ids), their line items are read per refund as on the paged path.
 */
import { AppError } from '../../errors.js';
import { adminCaller, type ShopifyAdminOptions } from './admin-client.js';
import type { HistoryOrder } from './admin-history.js';
import type { AdminPacing } from './admin-pacing.js';

/** Orders per page handed to the backfill from the stream. */
export const BULK_ORDER_PAGE = 250;

/** The bulk query document: the paged orders query's fields, every order since `since`. */
export function bulkOrdersQuery(since: Date): string {
  return `{
  orders(query: "processed_at:>='${since.toISOString()}'", sortKey: PROCESSED_AT) {
    edges {
      node {
        id legacyResourceId test processedAt createdAt cancelledAt displayFinancialStatus
        subtotalPriceSet { shopMoney { amount currencyCode } }
        totalPriceSet { shopMoney { amount currencyCode } }
        customer { legacyResourceId email firstName lastName tags }
        refunds { id legacyResourceId }
      }
    }
  }
}`;
}

export const BULK_RUN_MUTATION = `mutation TierpassBulkRun($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status errorCode objectCount rootObjectCount url query }
    userErrors { field message }
  }
}`;

export const BULK_OPERATION_QUERY = `query TierpassBulkOperation($id: ID!) {
  node(id: $id) {
    ... on BulkOperation { id status errorCode objectCount rootObjectCount url query }
  }
}`;

export const CURRENT_BULK_OPERATION_QUERY = `query TierpassCurrentBulkOperation {
  currentBulkOperation { id status errorCode objectCount rootObjectCount url query }
}`;

export type BulkStatus =
  | 'CREATED'
  | 'RUNNING'
  | 'COMPLETED'
  | 'CANCELING'
  | 'CANCELED'
  | 'FAILED'
  | 'EXPIRED';

/** A bulk operation as Shopify reports it. */
export interface BulkOperation {
  id: string;
  status: BulkStatus;
  /** Why a FAILED operation failed (ACCESS_DENIED, INTERNAL_SERVER_ERROR, TIMEOUT). */
  errorCode: string | null;
  /** Lines written so far (orders and any nested connection's nodes). */
  objectCount: number;
  /** Orders written so far: exact once COMPLETED. */
  rootObjectCount: number;
  /** The JSONL file once COMPLETED (expires 7 days later). */
  url: string | null;
  /** The bulk query document it runs. */
  query: string;
}

/** One shop's bulk operations with one token. */
export interface ShopifyBulk {
  /**
   * Start the bulk export of the orders processed since `since`. When the shop already runs a bulk
   * query with this very document (ours, started by a worker that stopped before storing its id),
   * that one is returned; another app's or another query's is `409 shopify_bulk_operation_running`.
   */
  runOrders(since: Date): Promise<BulkOperation>;
  /** The operation `id` as it stands, or null when the shop does not know it. */
  operation(id: string): Promise<BulkOperation | null>;
  /**
   * The export's orders in pages of `BULK_ORDER_PAGE`, after skipping the first `skip` orders,
   * streamed from `url` (never the whole file in memory). `403/404/410` of the file (an expired
   * link) is `410 shopify_bulk_expired`.
   */
  orders(url: string, skip: number): AsyncGenerator<HistoryOrder[]>;
}

interface RawOperation extends Omit<BulkOperation, 'objectCount' | 'rootObjectCount'> {
  objectCount: string | number;
  rootObjectCount: string | number;
}

const operationOf = (r: RawOperation): BulkOperation => ({
  ...r,
  objectCount: Number(r.objectCount),
  rootObjectCount: Number(r.rootObjectCount),
});

/** One line of the export: a root object and the nested connections' lines that follow it. */
export interface BulkRecord {
  node: Record<string, unknown>;
  children: Record<string, unknown>[];
}

/**
 * Regroup JSONL lines: a line with `__parentId` belongs to the root object before it (Shopify
 * writes a parent's nested-connection nodes after it), so a root is complete when the next root
 * line arrives.
 */
export async function* bulkRecords(lines: AsyncIterable<string>): AsyncGenerator<BulkRecord> {
  let current: BulkRecord | undefined;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const obj = JSON.parse(line) as Record<string, unknown>;
    if (typeof obj.__parentId === 'string') {
      if (!current) throw new AppError(502, 'shopify_bulk_malformed', 'A child line came before any parent');
      current.children.push(obj);
      continue;
    }
    if (current) yield current;
    current = { node: obj, children: [] };
  }
  if (current) yield current;
}

/**
 * The lines of a fetched body, read chunk by chunk as they are consumed. A read that brings
 * nothing for `idleMs` fails (a stalled download would otherwise hold the worker forever).
 */
async function* bodyLines(body: ReadableStream<Uint8Array>, idleMs: number): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let rest = '';
  const read = async () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const idle = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no data for ${idleMs} ms`)), idleMs);
    });
    try {
      return await Promise.race([reader.read(), idle]);
    } finally {
      clearTimeout(timer);
    }
  };
  try {
    for (;;) {
      const { done, value } = await read();
      if (done) break;
      rest += decoder.decode(value, { stream: true });
      let at = rest.indexOf('\n');
      while (at >= 0) {
        yield rest.slice(0, at);
        rest = rest.slice(at + 1);
        at = rest.indexOf('\n');
      }
    }
    rest += decoder.decode();
    if (rest !== '') yield rest;
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => undefined);
  }
}

function historyOrder(node: Record<string, unknown>): HistoryOrder {
  const { id: _id, __parentId: _p, ...order } = node;
  return order as unknown as HistoryOrder;
}

const unavailable = (what: string) => new AppError(502, 'shopify_unavailable', what);

export function shopifyBulk(
  shop: string,
  accessToken: string,
  opts: ShopifyAdminOptions = {},
  pacing?: AdminPacing,
): ShopifyBulk {
  const call = adminCaller(shop, accessToken, opts, pacing);

  return {
    async runOrders(since) {
      const query = bulkOrdersQuery(since);
      const data = await call<{
        bulkOperationRunQuery: { bulkOperation: RawOperation | null; userErrors: { message: string }[] };
      }>(BULK_RUN_MUTATION, { query });
      const r = data.bulkOperationRunQuery;
      if (r.bulkOperation && r.userErrors.length === 0) return operationOf(r.bulkOperation);
      const { currentBulkOperation: current } = await call<{ currentBulkOperation: RawOperation | null }>(
        CURRENT_BULK_OPERATION_QUERY,
      );
      const busy = current && (current.status === 'CREATED' || current.status === 'RUNNING');
      if (busy && current.query === query) return operationOf(current);
      if (busy) {
        throw new AppError(
          409,
          'shopify_bulk_operation_running',
          `The shop already runs a bulk query (${current.id}); Shopify allows one at a time`,
        );
      }
      throw new AppError(
        422,
        'shopify_rejected',
        `Shopify refused the bulk query: ${r.userErrors.map((e) => e.message).join('; ')}`,
      );
    },
    async operation(id) {
      const data = await call<{ node: RawOperation | null }>(BULK_OPERATION_QUERY, { id });
      return data.node?.id ? operationOf(data.node) : null;
    },
    async *orders(url, skip) {
      let res: Response;
      try {
        res = await fetch(url, { signal: pacing?.signal });
      } catch (err) {
        if (pacing?.signal?.aborted) throw err;
        throw unavailable('The bulk export could not be downloaded');
      }
      if (res.status === 403 || res.status === 404 || res.status === 410) {
        await res.body?.cancel();
        throw new AppError(410, 'shopify_bulk_expired', 'The bulk export link expired');
      }
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        throw unavailable(`The bulk export answered HTTP ${res.status}`);
      }
      let seen = 0;
      let page: HistoryOrder[] = [];
      try {
        for await (const record of bulkRecords(bodyLines(res.body, opts.bulkDownloadIdleMs ?? 60_000))) {
          seen += 1;
          if (seen <= skip) continue;
          page.push(historyOrder(record.node));
          if (page.length === BULK_ORDER_PAGE) {
            yield page;
            page = [];
          }
        }
      } catch (err) {
        if (err instanceof AppError) throw err;
        if (err instanceof SyntaxError) throw new AppError(502, 'shopify_bulk_malformed', err.message);
        throw unavailable('The bulk export download broke off');
      }
      if (page.length > 0) yield page;
    },
  };
}
