/**
 * The Shopify history backfill (issue 14 item 5, docs/decisions/0046): the shop's customers and
 * orders since a chosen date, read page by page from the Admin GraphQL API and applied exactly as
 * their webhooks would be (ShopifyService.applyAs: same ids, mapping and money), in the
 * background, resumable from the stored cursor, ending with a resync.
 *
 * This file holds the job: start, claim and lease, the loop over the phases, failure handling,
 * resume, close, the resync and the progress view. The phases live beside it: the customers page
 * in shopify-backfill-customers.ts, the paged orders page and one order as its webhooks in
 * shopify-backfill-orders.ts (customer lanes: shopify-backfill-lanes.ts), the bulk export in
 * shopify-backfill-bulk.ts, the retried reads and the read-ahead in shopify-backfill-pages.ts.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../../clock.js';
import { AppError, conflict, notFound, unprocessable } from '../../errors.js';
import type { ShopifyBulk } from '../../integrations/shopify/admin-bulk.js';
import type { HistoryOrder, ShopifyHistory } from '../../integrations/shopify/admin-history.js';
import type { ProgramContext } from '../../program-context.js';
import type { ShopifyBackfillPatch, ShopifyBackfillRecord } from '../../store/shopify-backfill-port.js';
import {
  type BackfillOrdersMode,
  type BulkStream,
  bulkOrdersStep,
  bulkView,
  closeBulkStream,
  ordersPath,
  type PageCounts,
} from './shopify-backfill-bulk.js';
import { customersPage } from './shopify-backfill-customers.js';
import { applyOrders, type OrdersPhaseRun, ordersPage } from './shopify-backfill-orders.js';
import { BackfillReads, BackfillStopped } from './shopify-backfill-pages.js';
import type { ShopifyBackfillStore } from './shopify-backfill-store.js';
import type { ShopifyService } from './shopify-service.js';

/** The recalculation runs the backfill ends with (RecalculationService). */
export interface BackfillResync {
  start(programId: string, kind: 'resync', asOf: Date, key: string): Promise<{ id: string }>;
  work(
    programId: string,
    runId: string,
    opts?: { onProgress?(r: { processed: number; total: number }): void },
  ): Promise<{ state: string }>;
}

export interface ShopifyBackfillDeps {
  store: ShopifyBackfillStore;
  /** Wall clock: leases. */
  clock: Clock;
  shopify: Pick<ShopifyService, 'applyAs' | 'accessToken'>;
  /** The shop's history for one run; `signal` aborts when the run stops (its reads then end). */
  history(shop: string, accessToken: string, signal?: AbortSignal): ShopifyHistory;
  /** The shop's bulk operations (the orders phase of a large shop, shopify-backfill-bulk.ts). */
  bulk?(shop: string, accessToken: string, signal?: AbortSignal): ShopifyBulk;
  /** How the orders phase reads the shop (default `auto`: bulk from `bulkFromCustomers`). */
  ordersMode?: BackfillOrdersMode;
  /** `auto` reads orders in bulk when the customers phase imported this many (default 1,000). */
  bulkFromCustomers?: number;
  /** First wait between polls of a bulk export (default 1 s, doubling to 10 s). */
  bulkPollMs?: number;
  resync: BackfillResync;
  programNow(program: ProgramContext['program']): Date;
  logger: { error(obj: object, msg?: string): void; info?(obj: object, msg?: string): void };
  /** How long a worker holds a backfill without renewing it (default 60 s). */
  leaseMs?: number;
  /** First wait after the shop throttles or fails (default 1 s, doubling to 30 s). */
  retryBaseMs?: number;
  /** A page that keeps failing (not throttled) this many times fails the backfill (default 5). */
  maxAttempts?: number;
  /**
   * Customers whose orders of a page are applied at once (default 32): each customer's orders in
   * their page order, different customers concurrently, so the ledger's group commit (0017)
   * batches them.
   */
  concurrency?: number;
  /** Test hook: after each page's progress is stored; throwing stops the worker there. */
  afterPage?(b: ShopifyBackfillRecord): Promise<void>;
}

function view(b: ShopifyBackfillRecord) {
  const read = b.ordersDone + b.ordersSkipped;
  let progress = 0;
  if (b.state === 'done') progress = 1;
  else if (b.phase === 'orders' && b.ordersEstimate)
    progress = 0.05 + 0.85 * Math.min(1, read / b.ordersEstimate);
  else if (b.phase === 'orders') progress = 0.05;
  else if (b.phase === 'resync') progress = 0.9;
  return {
    id: b.id,
    state: b.state,
    phase: b.phase,
    since: b.since.toISOString(),
    progress: Math.round(progress * 1000) / 1000,
    customers: { done: b.customersDone },
    orders: {
      done: b.ordersDone,
      skipped: b.ordersSkipped,
      estimatedTotal: b.ordersEstimate,
      ...bulkView(b),
    },
    refunds: { done: b.refundsDone },
    coveredThrough: b.coveredThrough?.toISOString() ?? null,
    errors: { count: b.errors, last: b.lastError },
    resyncJobId: b.resyncRunId,
    startedAt: b.startedAt.toISOString(),
    updatedAt: b.updatedAt.toISOString(),
    finishedAt: b.finishedAt?.toISOString() ?? null,
  };
}

export type BackfillView = ReturnType<typeof view>;

export class ShopifyBackfillService {
  /** Names this process in leases. */
  private readonly worker = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly running = new Set<Promise<unknown>>();
  /** The reads of every run this process is working: stopped by `close`. */
  private readonly runs = new Set<BackfillReads>();

  constructor(private readonly deps: ShopifyBackfillDeps) {}

  private leaseUntil(): Date {
    return new Date(this.deps.clock.now().getTime() + (this.deps.leaseMs ?? 60_000));
  }

  /** Start importing the shop's history since `since` in the background (409 while one runs). */
  async start(ctx: ProgramContext, since: Date, ordersMode?: BackfillOrdersMode): Promise<BackfillView> {
    const scope = this.deps.store.scoped(ctx.program.id);
    const c = await scope.shopify.get();
    if (!c) throw notFound('shopify_not_connected', 'No Shopify store is connected');
    if (c.state !== 'connected') {
      throw conflict(
        'shopify_uninstalled',
        'The Tierpass app was uninstalled from the shop; connect it again',
      );
    }
    if (since.getTime() >= ctx.now.getTime()) {
      throw unprocessable('backfill_since_invalid', '`since` must be in the past');
    }
    if (this.deps.shopify.accessToken(c) === null) {
      throw unprocessable(
        'shopify_credentials_unreadable',
        'The stored access token no longer opens (its secrets key is gone); connect the store again',
      );
    }
    const started = await scope.shopifyBackfill.start({
      id: `bf_${randomBytes(8).toString('hex')}`,
      since,
      ordersMode,
      worker: this.worker,
      leaseUntil: this.leaseUntil(),
      now: this.deps.clock.now(),
    });
    if (!started) throw conflict('shopify_backfill_running', 'A backfill of this store is already running');
    this.background(ctx.program.id, started.id);
    return view(started);
  }

  async status(ctx: ProgramContext): Promise<BackfillView> {
    const b = await this.deps.store.scoped(ctx.program.id).shopifyBackfill.get();
    if (!b) throw notFound('shopify_backfill_not_found', 'No backfill has been started');
    return view(b);
  }

  /** Resume the backfills whose worker stopped (lease expired); the scheduler's tick calls this. */
  async resumeOrphaned(limit = 10): Promise<number> {
    const found = await this.deps.store.shopifyBackfills.orphaned(this.deps.clock.now(), limit);
    await Promise.all(found.map((f) => this.work(f.programId, f.id)));
    return found.length;
  }

  /** Wait for this process's background backfills (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Stop this process's backfills (shutdown): their reads end, each stops after its page; resumed later. */
  async close(): Promise<void> {
    await Promise.all([...this.runs].map((r) => r.stop()));
    await this.idle();
  }

  private background(programId: string, id: string): void {
    const p = this.work(programId, id).finally(() => this.running.delete(p));
    this.running.add(p);
  }

  /**
   * Work backfill `id` to its end from its stored phase and cursor, unless another live worker
   * holds it. Never throws: a failure it cannot retry marks the backfill failed; an unexpected one
   * (e.g. the database gone) leaves it for another worker once the lease expires.
   */
  async work(programId: string, id: string): Promise<void> {
    const scope = this.deps.store.scoped(programId);
    let b = await scope.shopifyBackfill.claim(id, this.worker, this.leaseUntil(), this.deps.clock.now());
    if (!b) return;
    const reads: BackfillReads = new BackfillReads({
      ...this.deps,
      // A shop throttling for longer than the lease keeps it held, and a lost one stops the reads.
      renew: async () => {
        const held = await scope.shopifyBackfill.update(
          id,
          this.worker,
          { leaseUntil: this.leaseUntil() },
          this.deps.clock.now(),
        );
        if (!held) throw new BackfillStopped('the lease was taken over');
      },
    });
    this.runs.add(reads);
    const save = async (patch: ShopifyBackfillPatch) => {
      const next = await scope.shopifyBackfill.update(
        id,
        this.worker,
        { ...patch, leaseUntil: this.leaseUntil() },
        this.deps.clock.now(),
      );
      if (!next) throw new BackfillStopped('the lease was taken over');
      b = next;
      return next;
    };
    const exported: BulkStream = {};
    try {
      const c = await scope.shopify.get();
      const token = c && c.state === 'connected' ? this.deps.shopify.accessToken(c) : null;
      if (!c || token === null) {
        await save({
          state: 'failed',
          lastError: 'shopify_not_connected',
          finishedAt: this.deps.clock.now(),
        });
        return;
      }
      // What the phases use of this run (shopify-backfill-customers.ts, shopify-backfill-orders.ts).
      const run = {
        scope,
        connection: c,
        history: this.deps.history(c.shopDomain, token, reads.signal),
        reads,
        shopify: this.deps.shopify,
        concurrency: this.deps.concurrency,
        context: () => this.context(scope),
        save,
      };
      while ((b.state === 'running' || b.state === 'resyncing') && !reads.stopped) {
        const current: ShopifyBackfillRecord = b;
        if (current.phase === 'customers') await customersPage(run, current);
        else if (current.phase === 'orders' && this.bulkPath(current))
          await this.bulkStep(run, token, current, exported, reads.signal);
        else if (current.phase === 'orders') await ordersPage(run, current);
        else await this.resync(programId, current, save);
        const after: ShopifyBackfillRecord = b;
        if (this.deps.afterPage && after.state !== 'done') await this.deps.afterPage(after);
      }
    } catch (err) {
      // A download left open by a worker that stops (the export is read again on resume).
      await closeBulkStream(exported);
      if (err instanceof BackfillStopped) return;
      if (err instanceof AppError && err.status < 500 && err.code !== 'shopify_throttled') {
        await save({ state: 'failed', lastError: err.code, finishedAt: this.deps.clock.now() }).catch(
          () => undefined,
        );
        return;
      }
      this.deps.logger.error({ err, programId, backfillId: id }, 'shopify backfill stopped; resumed later');
    } finally {
      // However it stopped (done, failed, lease lost, stopping, a crash): no read of it goes on.
      await reads.stop();
      this.runs.delete(reads);
    }
  }

  private async context(scope: ReturnType<ShopifyBackfillStore['scoped']>): Promise<ProgramContext> {
    const program = await scope.program.get();
    return { program, now: this.deps.programNow(program) };
  }

  private bulkPath(b: ShopifyBackfillRecord): boolean {
    if (!this.deps.bulk) return false;
    const mode = b.ordersMode ?? this.deps.ordersMode ?? 'auto';
    return ordersPath(b, mode, this.deps.bulkFromCustomers ?? 1_000) === 'bulk';
  }

  /** One step of the orders phase through a bulk export (shopify-backfill-bulk.ts). */
  private async bulkStep(
    run: OrdersPhaseRun,
    token: string,
    b: ShopifyBackfillRecord,
    stream: BulkStream,
    signal: AbortSignal,
  ): Promise<void> {
    // Paced by the shop's cost bucket and ended with the run, as the paged reads (0051).
    const bulk = (this.deps.bulk as NonNullable<ShopifyBackfillDeps['bulk']>)(
      run.connection.shopDomain,
      token,
      signal,
    );
    const host = {
      fetch: <T>(call: () => Promise<T>) => run.reads.fetch(call),
      save: run.save,
      pollMs: this.deps.bulkPollMs ?? 1_000,
      maxAttempts: this.deps.maxAttempts ?? 5,
      apply: async (items: HistoryOrder[]) => {
        const ctx = await run.context();
        const counts: PageCounts = { done: 0, skipped: 0, refunds: 0, errors: 0, lastError: b.lastError };
        await applyOrders(run, ctx, items, counts);
        return counts;
      },
    };
    await bulkOrdersStep(host, bulk, b, stream);
  }

  /** The resync every backfill ends with, keyed by the backfill so a resumed one reuses it. */
  private async resync(
    programId: string,
    b: ShopifyBackfillRecord,
    save: (p: ShopifyBackfillPatch) => Promise<ShopifyBackfillRecord>,
  ): Promise<void> {
    const scope = this.deps.store.scoped(programId);
    const program = await scope.program.get();
    const run = await this.deps.resync.start(
      programId,
      'resync',
      this.deps.programNow(program),
      `shopify-backfill:${b.id}`,
    );
    if (b.resyncRunId !== run.id) await save({ resyncRunId: run.id });
    let renewing = Promise.resolve<unknown>(undefined);
    const ended = await this.deps.resync.work(programId, run.id, {
      // A long resync keeps the backfill's lease.
      onProgress: () => {
        renewing = renewing.then(() => save({}).catch(() => undefined));
      },
    });
    await renewing;
    await save({
      phase: 'done',
      state: ended.state === 'done' ? 'done' : 'failed',
      lastError: ended.state === 'done' ? b.lastError : 'resync_failed',
      finishedAt: this.deps.clock.now(),
    });
  }
}
