/**
 * The backfill's orders phase through a Shopify bulk operation (docs/decisions/0046, amendment
 * "Bulk operations"): start the export, poll it with backoff while Shopify prepares it (each poll
 * stored, which renews the lease and shows "preparing" in the progress), then stream the file and
 * apply it a page at a time through the same order path as the paged phase. The cursor holds the
 * operation id and how many of its orders are applied, so a restarted worker polls the same
 * operation, downloads its file again and skips what was applied; an expired operation is replaced
 * by a new export from the processed time reached.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, unprocessable } from '../../errors.js';
import type { BulkOperation, BulkStatus, ShopifyBulk } from '../../integrations/shopify/admin-bulk.js';
import type { HistoryOrder } from '../../integrations/shopify/admin-history.js';
import type { ShopifyBackfillPatch, ShopifyBackfillRecord } from '../../store/shopify-backfill-port.js';

/** How the orders phase reads the shop: `auto` picks bulk for a large shop (`bulkFromCustomers`). */
export type BackfillOrdersMode = 'auto' | 'paged' | 'bulk';

/** The orders phase's position in a bulk export, stored as the backfill's cursor. */
export interface BulkCursor {
  /** The bulk operation (null: not started yet). */
  op: string | null;
  /** Orders of its file applied (pages stored), skipped when the file is read again. */
  skip: number;
  /** Its status when last polled. */
  status: BulkStatus | null;
  /** Orders the export has counted so far (Shopify's `rootObjectCount`). */
  exported: number;
  /**
   * Ids of the applied orders processed at `coveredThrough`: a new export (after an expired one)
   * starts at that instant and leaves these out, so no order is applied or counted twice.
   */
  last?: string[];
  /** New exports started after Shopify failed one with INTERNAL_SERVER_ERROR. */
  retried?: number;
}

/**
 * Exports started again after Shopify fails one with INTERNAL_SERVER_ERROR (which Shopify calls
 * possibly intermittent); a TIMEOUT would time out again, ACCESS_DENIED needs the merchant.
 */
export const BULK_EXPORT_RETRIES = 2;

const PREFIX = 'bulk:';

export function bulkCursor(cursor: string | null): BulkCursor | null {
  if (!cursor?.startsWith(PREFIX)) return null;
  return JSON.parse(cursor.slice(PREFIX.length)) as BulkCursor;
}

const encode = (c: BulkCursor) => `${PREFIX}${JSON.stringify(c)}`;

/**
 * Which path an orders phase takes. A stored cursor decides (a bulk one, or a Shopify page cursor
 * of a paged phase begun before); at the start, `mode`, and `auto` takes bulk when the customers
 * phase imported at least `bulkFromCustomers` customers (every customer who ordered since `since`
 * was updated since, so it is a free lower bound of the orders to read).
 */
export function ordersPath(
  b: ShopifyBackfillRecord,
  mode: BackfillOrdersMode,
  bulkFromCustomers: number,
): 'paged' | 'bulk' {
  if (bulkCursor(b.cursor)) return 'bulk';
  if (b.cursor !== null) return 'paged';
  if (mode === 'auto') return b.customersDone >= bulkFromCustomers ? 'bulk' : 'paged';
  return mode;
}

/** What the bulk phase shows in the progress view. */
export function bulkView(b: ShopifyBackfillRecord) {
  const c = bulkCursor(b.cursor);
  const mode = c ? 'bulk' : b.phase === 'customers' || (b.phase === 'orders' && !b.cursor) ? null : 'paged';
  return {
    mode: mode as 'bulk' | 'paged' | null,
    export: c ? { status: c.status, preparing: c.status !== 'COMPLETED', orders: c.exported } : null,
  };
}

/** Order counts of one applied page (the paged path's counts). */
export interface PageCounts {
  done: number;
  skipped: number;
  refunds: number;
  errors: number;
  lastError: string | null;
}

/** What the bulk phase uses of the backfill service. */
export interface BulkPhaseHost {
  /** One Admin API call, retried while the shop throttles or fails (the paged path's retry). */
  fetch<T>(call: () => Promise<T>): Promise<T>;
  /** Apply a page of orders as their webhooks (the paged path's `applyOrders`, shopify-backfill-orders.ts). */
  apply(items: HistoryOrder[]): Promise<PageCounts>;
  save(patch: ShopifyBackfillPatch): Promise<ShopifyBackfillRecord>;
  /** The first wait between polls of a running export. */
  pollMs: number;
  /** Download failures in a row after which the backfill fails. */
  maxAttempts: number;
}

/** The open download of one worker (one per `work` call). */
export interface BulkStream {
  op?: string;
  pages?: AsyncGenerator<HistoryOrder[]>;
  /** The next poll's wait (doubles to 10 s while the export is prepared). */
  wait?: number;
  failures?: number;
}

/** Release an open download (the worker stops). */
export async function closeBulkStream(s: BulkStream): Promise<void> {
  const pages = s.pages;
  s.pages = undefined;
  await pages?.return(undefined).catch(() => undefined);
}

function failed(op: BulkOperation): AppError {
  if (op.status === 'FAILED' && op.errorCode === 'ACCESS_DENIED') {
    return unprocessable('shopify_scope_missing', 'The bulk export was denied a scope (docs/shopify.md)');
  }
  if (op.status === 'FAILED') {
    const code = op.errorCode ? `shopify_bulk_${op.errorCode.toLowerCase()}` : 'shopify_bulk_failed';
    return unprocessable(code, `Shopify's bulk export ${op.id} failed (${op.errorCode ?? 'no code'})`);
  }
  return unprocessable('shopify_bulk_canceled', `Shopify's bulk export ${op.id} was canceled`);
}

/** One step of the bulk orders phase: start, one poll, or one page of the file. */
export async function bulkOrdersStep(
  host: BulkPhaseHost,
  bulk: ShopifyBulk,
  b: ShopifyBackfillRecord,
  s: BulkStream,
): Promise<void> {
  const c = bulkCursor(b.cursor) ?? { op: null, skip: 0, status: null, exported: 0 };
  // A new export reads from the processed time reached (an expired one's orders before it are in).
  const restart = async (retried = c.retried) => {
    await closeBulkStream(s);
    const op = await host.fetch(() => bulk.runOrders(b.coveredThrough ?? b.since));
    s.wait = undefined;
    await host.save({
      cursor: encode({
        op: op.id,
        skip: 0,
        status: op.status,
        exported: op.rootObjectCount,
        last: c.last,
        ...(retried ? { retried } : {}),
      }),
    });
  };
  if (!c.op) return restart();
  if (s.op !== c.op || !s.pages) {
    await closeBulkStream(s);
    s.op = c.op;
    const op = await host.fetch(() => bulk.operation(c.op as string));
    if (!op || op.status === 'EXPIRED') return restart();
    if (op.status === 'CREATED' || op.status === 'RUNNING') {
      await host.save({ cursor: encode({ ...c, status: op.status, exported: op.rootObjectCount }) });
      s.wait = Math.min((s.wait ?? host.pollMs / 2) * 2, Math.max(host.pollMs, 10_000));
      await sleep(s.wait);
      return;
    }
    const retried = c.retried ?? 0;
    if (op.status === 'FAILED' && op.errorCode === 'INTERNAL_SERVER_ERROR' && retried < BULK_EXPORT_RETRIES) {
      return restart(retried + 1);
    }
    if (op.status !== 'COMPLETED' || !op.url) {
      await host.save({ cursor: encode({ ...c, status: op.status, exported: op.rootObjectCount }) });
      throw failed(op);
    }
    s.pages = bulk.orders(op.url, c.skip);
    const read = b.ordersDone + b.ordersSkipped;
    await host.save({
      cursor: encode({ ...c, status: 'COMPLETED', exported: op.rootObjectCount }),
      ordersEstimate: Math.max(read, read - c.skip + op.rootObjectCount),
    });
    return;
  }
  let next: IteratorResult<HistoryOrder[]>;
  try {
    next = await s.pages.next();
  } catch (err) {
    await closeBulkStream(s);
    if (err instanceof AppError && err.code === 'shopify_bulk_expired') return restart();
    if (!(err instanceof AppError && err.code === 'shopify_unavailable')) throw err;
    // The download broke off: read the file again after a wait (the next step re-polls).
    s.failures = (s.failures ?? 0) + 1;
    if (s.failures >= host.maxAttempts) throw unprocessable(err.code, err.message);
    await sleep(host.pollMs);
    return;
  }
  const read = b.ordersDone + b.ordersSkipped;
  if (next.done) {
    await closeBulkStream(s);
    // The bulk cursor stays: the progress keeps saying the orders came from an export.
    await host.save({ phase: 'resync', state: 'resyncing', ordersEstimate: read });
    return;
  }
  const done = new Set(c.last ?? []);
  const counts = await host.apply(next.value.filter((o) => !done.has(o.legacyResourceId)));
  const last = next.value.at(-1);
  const reached = last ? new Date(last.processedAt) : b.coveredThrough;
  const at = next.value.filter((o) => reached && Date.parse(o.processedAt) === reached.getTime());
  const same = reached && b.coveredThrough && reached.getTime() === b.coveredThrough.getTime();
  await host.save({
    ordersDone: b.ordersDone + counts.done,
    ordersSkipped: b.ordersSkipped + counts.skipped,
    refundsDone: b.refundsDone + counts.refunds,
    errors: b.errors + counts.errors,
    lastError: counts.lastError,
    coveredThrough: reached,
    ordersEstimate: Math.max(b.ordersEstimate ?? 0, read + counts.done + counts.skipped),
    cursor: encode({
      ...c,
      skip: c.skip + next.value.length,
      last: [...(same ? (c.last ?? []) : []), ...at.map((o) => o.legacyResourceId)],
    }),
  });
}
