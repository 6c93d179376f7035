/**
 * The one outbox worker (docs/decisions/0034-one-outbox-worker.md): every kind of outbox work
 * (Apple pushes, Google object updates, webhook deliveries) is a handler registered here, and
 * this one claim/lease loop drives them all — on a commit that queued items (`kick`), from the
 * scheduled jobs and the test clock (`dispatch`), until `close`.
 *
 * A dispatch claims a batch; when it comes back full, `lanes` claim loops run at once (a trickle
 * takes one claim). Each loop claims, handles and claims again until nothing is due; handlers
 * with a `prepare` stage get the next batch claimed and prepared while the current one is
 * handled. Items handled are no longer due (done, retried later, or leased), so a dispatch ends.
 * Concurrent dispatches of one kind and scope in this process share one run; one asked for while
 * it runs makes it look for due items once more before ending. Other processes and instances are
 * kept off the same items by the store's leases.
 */
import type { Logger } from 'pino';
import type { OutboxHandler, OutboxRun } from './outbox-handler.js';
import { decideRetry } from './retry-policy.js';

/** One registered kind, as its callers see it. */
export interface OutboxQueue<Report> {
  /** Deliver everything due now, of all programs or only `scope`'s. */
  dispatch(scope?: string): Promise<Report>;
  /** Deliver soon without waiting; errors are logged (the scheduled job picks up what is left). */
  kick(): void;
}

export interface OutboxWorkerDeps {
  logger: Pick<Logger, 'error'>;
}

/** A prepared batch and how many items its claim returned. */
interface Claimed<Batch> {
  batch: Batch;
  size: number;
}

export class OutboxWorker {
  /** Every running dispatch, for `close`. */
  private readonly running = new Set<Promise<unknown>>();
  private closed = false;

  constructor(private readonly deps: OutboxWorkerDeps) {}

  /**
   * Drive `handler`'s kind; with `wakeOnCommit`, every commit that queued its items kicks it
   * (the scheduled job stays the safety net).
   */
  register<Item, Report, Failed, Batch>(
    handler: OutboxHandler<Item, Report, Failed, Batch>,
    opts: { wakeOnCommit?: boolean } = {},
  ): OutboxQueue<Report> {
    const runs = new Map<string, Promise<Report>>();
    const again = new Set<string>();
    const queue: OutboxQueue<Report> = {
      dispatch: (scope) => {
        const key = scope ?? '*';
        const current = runs.get(key);
        if (current) {
          again.add(key);
          return current;
        }
        const run = this.drain(handler, key, scope, again).finally(() => {
          runs.delete(key);
          this.running.delete(run);
        });
        runs.set(key, run);
        this.running.add(run);
        return run;
      },
      kick: () => {
        queue
          .dispatch()
          .catch((err: unknown) => this.deps.logger.error({ err }, `${handler.label} dispatch failed`));
      },
    };
    if (opts.wakeOnCommit) handler.onQueued(() => queue.kick());
    return queue;
  }

  /** Stop claiming and wait for the batches being handled (their items are settled or leased). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.running]);
  }

  private async drain<Item, Report, Failed, Batch>(
    handler: OutboxHandler<Item, Report, Failed, Batch>,
    key: string,
    scope: string | undefined,
    again: Set<string>,
  ): Promise<Report> {
    const run: OutboxRun<Report, Failed> = {
      report: handler.newReport(),
      decide: (failed, attempt, times) =>
        decideRetry(handler.retry, {
          attempt,
          permanent: handler.classify(failed) === 'permanent',
          ...times,
        }),
    };
    const claim = async (inFlight: Batch | undefined): Promise<Claimed<Batch> | undefined> => {
      if (this.closed) return undefined;
      const items = await handler.claim(handler.batchSize, scope);
      if (items.length === 0) return undefined;
      const batch = handler.prepare
        ? await handler.prepare(items, run, inFlight)
        : (items as unknown as Batch);
      return { batch, size: items.length };
    };
    const loop = async (first?: Claimed<Batch>) => {
      let next = first ? Promise.resolve(first) : claim(undefined);
      for (;;) {
        const claimed = await next;
        if (!claimed) return;
        if (handler.prepare) {
          // Not awaited until this batch is handled; a rejection then ends the dispatch.
          next = claim(claimed.batch);
          next.catch(() => {});
          await handler.handle(claimed.batch, run);
        } else {
          await handler.handle(claimed.batch, run);
          next = claim(undefined);
        }
      }
    };
    do {
      again.delete(key);
      const first = await claim(undefined);
      if (!first) continue;
      const lanes = first.size < handler.batchSize ? 1 : (handler.lanes ?? 1);
      await Promise.all([loop(first), ...Array.from({ length: lanes - 1 }, () => loop())]);
    } while (again.has(key) && !this.closed);
    return run.report;
  }
}
