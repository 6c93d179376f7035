/**
 * The backfill's Admin reads for one run of a worker (docs/decisions/0046, 0051): each read
 * retried while the shop throttles (always) or fails (a few times), the next orders page read
 * ahead while the current one is applied, and all of it stopped with the run. A stopped run's
 * reads make no further request: the stop is checked before every attempt and ends backoff and
 * pacing waits at once (the history client is built with `signal`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, unprocessable } from '../../errors.js';
import type { HistoryOrder, HistoryPage, ShopifyHistory } from '../../integrations/shopify/admin-history.js';

/** Shopify's search syntax for an instant (the `since` of the phases' queries). */
export const searchInstant = (d: Date) => `'${d.toISOString()}'`;

/** The worker stopped without finishing (lost lease, process stopping, a test hook): resumed by another. */
export class BackfillStopped extends Error {}

export interface BackfillReadOptions {
  /** First wait after the shop throttles or fails (default 1 s, doubling to 30 s). */
  retryBaseMs?: number;
  /** A read that keeps failing (not throttled) this many times fails the backfill (default 5). */
  maxAttempts?: number;
  /**
   * Before each backoff wait: renew the backfill's lease (the worker is alive, only waiting for
   * the shop); throws when the lease was lost, which stops the read.
   */
  renew?: () => Promise<void>;
}

export class BackfillReads {
  private readonly stopping = new AbortController();
  /** The orders page read ahead of the one being applied. */
  private ahead?: { cursor: string; page: Promise<HistoryPage<HistoryOrder>> };

  constructor(private readonly opts: BackfillReadOptions = {}) {}

  /** Aborted when the run stops; the history client of the run waits on it. */
  get signal(): AbortSignal {
    return this.stopping.signal;
  }

  get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  /** One Admin API read, retried while the shop throttles (always) or fails (a few times). */
  async fetch<T>(call: () => Promise<T>): Promise<T> {
    let wait = this.opts.retryBaseMs ?? 1_000;
    let failures = 0;
    for (;;) {
      if (this.stopped) throw new BackfillStopped('the backfill stopped');
      try {
        return await call();
      } catch (err) {
        if (this.stopped) throw new BackfillStopped('the backfill stopped');
        if (!(err instanceof AppError)) throw err;
        const transient = err.code === 'shopify_throttled' || err.code === 'shopify_unavailable';
        if (!transient) throw err;
        if (err.code !== 'shopify_throttled') failures += 1;
        if (failures >= (this.opts.maxAttempts ?? 5)) throw unprocessable(err.code, err.message);
        await this.opts.renew?.();
        try {
          await sleep(wait, undefined, { signal: this.signal });
        } catch {
          throw new BackfillStopped('the backfill stopped');
        }
        wait = Math.min(wait * 2, 30_000);
      }
    }
  }

  /**
   * The orders page at `cursor` (the one read ahead, if it is that page), and the next page read
   * ahead while the caller applies this one: the shop's latency hides behind the ledger's work. The
   * read-ahead's failure, if any, is met when the next page awaits it.
   */
  async orders(
    history: ShopifyHistory,
    cursor: string | null,
    query: string,
  ): Promise<HistoryPage<HistoryOrder>> {
    const read = (at: string | null) => this.fetch(() => history.orders(at, query));
    const page = await (this.ahead && this.ahead.cursor === cursor ? this.ahead.page : read(cursor));
    this.ahead = page.next ? { cursor: page.next, page: read(page.next) } : undefined;
    this.ahead?.page.catch(() => undefined);
    return page;
  }

  /** Stop the run's reads: no attempt starts, waits end; resolves once the read-ahead has settled. */
  async stop(): Promise<void> {
    this.stopping.abort(new BackfillStopped('the backfill stopped'));
    await this.ahead?.page.catch(() => undefined);
  }
}
