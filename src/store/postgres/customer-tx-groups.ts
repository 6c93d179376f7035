/**
 * Group commit for units of work that each lock one customer first
 * (`ProgramScope.customerTransaction`). Under load, units of different customers that are waiting
 * at the same time run in one database transaction: one BEGIN, one statement locking all their
 * customers (in id order, so groups never deadlock each other), each unit's own statements, one
 * COMMIT. With no wait there is no group: a unit that finds a free slot runs at once, alone.
 *
 * Nothing of a group is answered before it commits. When a unit throws, the group rolls back
 * (nothing of it was written), that unit runs again alone (its error, if it throws again, is its
 * answer) and the others run again as a group; when the COMMIT fails, every unit runs again alone.
 * Two units of one customer are never in flight together: the second waits in the queue.
 * A group that fails because the database is unavailable is not run again: the driver already
 * retried it where that was safe, and after a COMMIT whose outcome is unknown a rerun could apply
 * a unit twice (docs/decisions/0018). Every unit gets that error.
 */
import { DatabaseUnavailableError } from '../store-errors.js';

/** One waiting unit: the customer it locks and how to run it. */
export interface GroupedUnit<R> {
  customerId: string;
  resolve(value: R): void;
  reject(err: unknown): void;
}

/** A unit of a group threw: which one, and what. */
export class UnitFailed extends Error {
  constructor(
    readonly index: number,
    readonly error: unknown,
  ) {
    super(`unit ${index} of a transaction group failed`);
  }
}

export interface GroupRunner<U> {
  /** Run one unit in its own transaction; resolves with its result. */
  alone(unit: U): Promise<unknown>;
  /**
   * Run the units in one transaction, in the given order, and return their results once it has
   * committed. Throws UnitFailed when a unit threw (the transaction rolled back).
   */
  together(units: U[]): Promise<unknown[]>;
}

export interface GroupLimits {
  /** Transactions (groups or lone units) in flight at once. */
  concurrency: number;
  /** Units in one group at most. */
  maxSize: number;
}

/** Counts since start (the /metrics counters), shared by every program's queue. */
export interface GroupCommitStats {
  /** Database transactions run for units: groups and lone units. */
  transactions: number;
  /** Units committed. */
  units: number;
  /** Units run again after their group rolled back. */
  rerun: number;
}

/** The queue and the in-flight slots of one program's customer transactions. */
export class CustomerTxGroups<U extends GroupedUnit<unknown>> {
  private queue: U[] = [];
  private running = 0;
  /** Customers of the units in flight. */
  private readonly busy = new Set<string>();

  constructor(
    private readonly limits: GroupLimits,
    private readonly runner: GroupRunner<U>,
    private readonly stats: GroupCommitStats = { transactions: 0, units: 0, rerun: 0 },
    /** Told when the last unit in flight finished and none waits (the queue may be dropped). */
    private readonly onIdle?: () => void,
  ) {
    if (!Number.isInteger(limits.concurrency) || limits.concurrency < 1)
      throw new RangeError('concurrency must be a positive integer');
    if (!Number.isInteger(limits.maxSize) || limits.maxSize < 1)
      throw new RangeError('maxSize must be a positive integer');
  }

  /** Queue a unit; it settles when its transaction (or its group's) has committed or failed. */
  submit(unit: U): void {
    this.queue.push(unit);
    this.pump();
  }

  /** Units waiting for a slot (for tests and metrics). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Nothing waiting, nothing in flight: the queue can be dropped and made again when needed. */
  get idle(): boolean {
    return this.queue.length === 0 && this.running === 0;
  }

  private pump(): void {
    while (this.running < this.limits.concurrency) {
      const group = this.take();
      if (group.length === 0) return;
      this.running++;
      for (const u of group) this.busy.add(u.customerId);
      void this.run(group).finally(() => {
        for (const u of group) this.busy.delete(u.customerId);
        this.running--;
        this.pump();
        if (this.idle) this.onIdle?.();
      });
    }
  }

  /** The oldest waiting units of distinct customers not in flight, up to maxSize. */
  private take(): U[] {
    const group: U[] = [];
    const ids = new Set<string>();
    const rest: U[] = [];
    for (const u of this.queue) {
      if (group.length < this.limits.maxSize && !ids.has(u.customerId) && !this.busy.has(u.customerId)) {
        ids.add(u.customerId);
        group.push(u);
      } else rest.push(u);
    }
    this.queue = rest;
    return group;
  }

  private async run(group: U[]): Promise<void> {
    const first = group[0];
    if (group.length === 1 && first) return this.runAlone(first);
    let results: unknown[];
    this.stats.transactions++;
    try {
      results = await this.runner.together(group);
    } catch (err) {
      const cause = err instanceof UnitFailed ? err.error : err;
      if (cause instanceof DatabaseUnavailableError) {
        for (const u of group) u.reject(cause);
        return;
      }
      this.stats.rerun += group.length;
      const failed = err instanceof UnitFailed ? group[err.index] : undefined;
      if (failed === undefined) {
        for (const u of group) await this.runAlone(u);
        return;
      }
      await this.runAlone(failed);
      await this.run(group.filter((u) => u !== failed));
      return;
    }
    this.stats.units += group.length;
    group.forEach((u, i) => {
      u.resolve(results[i]);
    });
  }

  private async runAlone(unit: U): Promise<void> {
    this.stats.transactions++;
    try {
      const result = await this.runner.alone(unit);
      this.stats.units++;
      unit.resolve(result);
    } catch (err) {
      unit.reject(err);
    }
  }
}
