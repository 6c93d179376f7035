/**
 * Delivery records written in groups (docs/decisions/0050): while a program's groups are being
 * stored (`receiveMany`, one statement and one commit each, at most `concurrency` at once), the
 * deliveries finishing meanwhile wait and go together in the next. Alone, a delivery is written
 * at once: nothing waits for a group to fill. Each caller of `record` gets its own receipt only
 * once its group is committed, so no delivery is acknowledged before its record is durable.
 *
 * Written behind (`later`): the record of a keyed delivery whose effect has committed, which the
 * ledger's own ids already make idempotent, is queued and the delivery answered at once; the
 * queue writes batches (at most `maxBatch`, or after `delayMs`) through the same `receiveMany`,
 * retries a failed batch a bounded number of times, and is written out by `idle()`/`close()`
 * (main.ts at shutdown). A crash loses at most the unwritten records, never an effect.
 */
import type { Logger } from 'pino';
import type { NewShopifyWebhook, ShopifyReceipt } from '../../store/shopify-port.js';
import type { ShopifyStore } from './shopify-store.js';

/** How records written behind are batched and retried. */
export interface RecordsBehindOptions {
  /** Most records in one batch; a full batch is written at once (default 500). */
  maxBatch: number;
  /** Longest a record waits for its batch to fill (default 25 ms; the timer does not hold the process). */
  delayMs: number;
  /** Attempts of one batch before its records are given up, logged (default 4). */
  attempts: number;
  /** Wait before the second attempt, doubled after each (default 100 ms). */
  retryMs: number;
  /** Batches being written at once (default 2). */
  concurrency: number;
}

export const RECORDS_BEHIND_DEFAULTS: RecordsBehindOptions = {
  maxBatch: 500,
  delayMs: 25,
  attempts: 4,
  retryMs: 100,
  concurrency: 2,
};

interface Behind {
  programId: string;
  webhook: NewShopifyWebhook;
}

interface Waiting {
  webhook: NewShopifyWebhook;
  resolve(receipt: ShopifyReceipt): void;
  reject(err: unknown): void;
}

interface Queue {
  items: Waiting[];
  inFlight: number;
}

export class ShopifyDeliveryRecords {
  /** Program id → deliveries waiting for the next group, and the groups being stored. */
  private readonly waiting = new Map<string, Queue>();

  constructor(
    private readonly store: ShopifyStore,
    /** Most deliveries in one statement. */
    private readonly maxGroup = 500,
    /**
     * Groups of one program being stored at once: with two, a delivery finishing while a group is
     * in flight starts the next at once instead of waiting for it (as the order group commit's
     * two transactions in flight; measured in BENCHMARKS.md).
     */
    private readonly concurrency = 2,
    behind: Partial<RecordsBehindOptions> = {},
    private readonly logger?: Pick<Logger, 'warn' | 'error'>,
  ) {
    this.behindOptions = { ...RECORDS_BEHIND_DEFAULTS, ...behind };
  }

  private readonly behindOptions: RecordsBehindOptions;
  /** Records queued to be written behind, oldest first. */
  private readonly behind: Behind[] = [];
  /** Batches being written behind. */
  private readonly writing = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;

  /**
   * Record one delivery later, with the others queued meanwhile; returns at once. Only for
   * deliveries whose effect is committed and idempotent by its own key (decision 0050).
   */
  later(programId: string, webhook: NewShopifyWebhook): void {
    this.behind.push({ programId, webhook });
    if (this.behind.length >= this.behindOptions.maxBatch) this.pump();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, this.behindOptions.delayMs);
      this.timer.unref();
    }
  }

  /** Resolves once every record queued so far (and since) is written or given up. */
  async idle(): Promise<void> {
    while (this.behind.length > 0 || this.writing.size > 0) {
      this.pump();
      await Promise.all([...this.writing]);
    }
  }

  /** Written out at shutdown: the queue is emptied before the store closes. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.idle();
  }

  /** Start batches while some are queued and fewer than `concurrency` are being written. */
  private pump(): void {
    if (this.timer && this.behind.length >= this.behindOptions.maxBatch) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.behind.length > 0 && this.writing.size < this.behindOptions.concurrency) {
      const batch = this.behind.splice(0, this.behindOptions.maxBatch);
      const byProgram = new Map<string, NewShopifyWebhook[]>();
      for (const b of batch) {
        const list = byProgram.get(b.programId);
        if (list) list.push(b.webhook);
        else byProgram.set(b.programId, [b.webhook]);
      }
      const done: Promise<void> = Promise.all(
        [...byProgram].map(([programId, webhooks]) => this.writeBehind(programId, webhooks)),
      ).then(() => {
        this.writing.delete(done);
        // Records queued while this batch was written go now, or on their timer.
        if (this.behind.length > 0 && (!this.timer || this.behind.length >= this.behindOptions.maxBatch))
          this.pump();
      });
      this.writing.add(done);
    }
  }

  /** One program's batch, attempted a bounded number of times; never rejects. */
  private async writeBehind(programId: string, webhooks: NewShopifyWebhook[]): Promise<void> {
    const { attempts, retryMs } = this.behindOptions;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.store.scoped(programId).shopify.receiveMany(webhooks);
        return;
      } catch (err) {
        // No payload and no secret: the program, how many records, the error's code and message.
        const why = {
          programId,
          records: webhooks.length,
          attempt,
          code: (err as { code?: unknown }).code,
          message: err instanceof Error ? err.message : String(err),
        };
        if (attempt >= attempts) {
          this.logger?.error(why, 'Shopify delivery records not written; their effects are committed');
          return;
        }
        this.logger?.warn(why, 'Shopify delivery records not written; retrying');
        await new Promise((r) => setTimeout(r, retryMs * 2 ** (attempt - 1)));
      }
    }
  }

  /** Record one delivery with the others of its program that are ready; resolves once committed. */
  record(programId: string, webhook: NewShopifyWebhook): Promise<ShopifyReceipt> {
    return new Promise((resolve, reject) => {
      let queue = this.waiting.get(programId);
      if (!queue) {
        queue = { items: [], inFlight: 0 };
        this.waiting.set(programId, queue);
      }
      queue.items.push({ webhook, resolve, reject });
      if (queue.inFlight < this.concurrency) void this.send(programId, queue);
    });
  }

  private async send(programId: string, queue: Queue): Promise<void> {
    queue.inFlight++;
    const repository = this.store.scoped(programId).shopify;
    while (queue.items.length > 0) {
      const group = queue.items.splice(0, this.maxGroup);
      try {
        const receipts = await repository.receiveMany(group.map((w) => w.webhook));
        group.forEach((w, i) => {
          w.resolve(receipts[i] as ShopifyReceipt);
        });
      } catch (err) {
        // The group is rolled back as one: each delivery answers 5xx and Shopify redelivers it.
        for (const w of group) w.reject(err);
      }
    }
    queue.inFlight--;
    if (queue.inFlight === 0) this.waiting.delete(programId);
  }
}
