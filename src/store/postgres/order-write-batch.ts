/**
 * The order writes of a group of units sharing one transaction (customer-tx-groups.ts), sent as
 * one statement. Units run concurrently; each that reaches its order write waits here, and the
 * waiting writes go out together as soon as every unit still running is waiting (on this batch
 * or on a write already sent), so a group of any size costs one order statement in the common
 * case, and a unit that finishes or fails without writing an order never holds the others up.
 */
import { type OrderWithOutcome, type StoreResult, storeOrdersWithOutcomes } from './outcome-writes.js';
import type { SqlQuery } from './sql-driver.js';

interface Waiting {
  write: OrderWithOutcome;
  resolve(inserted: boolean): void;
  reject(err: unknown): void;
}

export class OrderWriteBatch {
  private pending: Waiting[] = [];
  /** Units waiting on a write: pending, or sent and not yet answered. */
  private blocked = 0;

  constructor(
    private readonly q: SqlQuery,
    private readonly programId: string,
    /** Units of the group that have not finished. */
    private running: number,
    /** Told what each statement queued (outbox rows, webhook deliveries). */
    private readonly told: (result: StoreResult) => void,
  ) {}

  /** Insert the order with the group's other orders, its outcome stored when new; resolves with whether it was new. */
  insert(write: OrderWithOutcome): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.pending.push({ write, resolve, reject });
      this.blocked++;
      this.maybeSend();
    });
  }

  /** A unit finished (or failed): the others no longer wait for it. */
  unitDone(): void {
    this.running--;
    this.maybeSend();
  }

  private maybeSend(): void {
    if (this.pending.length === 0 || this.blocked < this.running) return;
    const sending = this.pending;
    this.pending = [];
    storeOrdersWithOutcomes(
      this.q,
      this.programId,
      sending.map((w) => w.write),
    ).then(
      (done) => {
        this.told(done);
        this.blocked -= sending.length;
        sending.forEach((w, i) => {
          w.resolve(done.stored[i] === true);
        });
      },
      (err: unknown) => {
        this.blocked -= sending.length;
        for (const w of sending) w.reject(err);
      },
    );
  }
}
