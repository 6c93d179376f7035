/**
 * Requests first, deferrable work after (issue 16, docs/decisions/0049-deferred-pass-fetches.md).
 *
 * A cycle boundary that moves 100,000 customers makes 100,000 phones fetch a new pass; each fetch
 * reads the customer, builds and signs, and writes its update tag. Nothing about a phone's
 * background fetch is urgent, but orders, refunds and the console are: a shopper waits for them.
 * `RequestPriority` counts the requests in flight (its middleware sees every request) and lets
 * deferrable work — the pass fetches — start only when no other request is in flight, at most
 * `concurrency` at a time, and never later than `maxDeferMs` after it asked (so a steady stream
 * of orders slows pass fetches down but never starves them). A job starts only once no other
 * request has been in flight for `settleMs` (decision 0049, amendment): a client sending orders
 * back to back leaves gaps of a fraction of a millisecond, and a fetch started in one of them runs
 * beside the next order.
 */
import type { RequestHandler } from 'express';

export interface RequestPriorityOptions {
  /** Deferrable jobs running at once in this process (default 1: measured, decision 0049). */
  concurrency?: number;
  /** Longest a deferrable job waits for other requests to finish before it runs anyway (default 250 ms). */
  maxDeferMs?: number;
  /**
   * How long no other request must have been in flight before a waiting job starts (default 2 ms;
   * 0: at once). With the process idle for longer, a job starts at once.
   */
  settleMs?: number;
}

interface Waiter {
  start: () => void;
  overdue: boolean;
  timer: NodeJS.Timeout;
}

interface Pause {
  resume: () => void;
  timer: NodeJS.Timeout;
}

/** What the pumps and tests can read. */
export interface RequestPriorityStats {
  /** Requests in flight that are not deferrable work. */
  urgent: number;
  /** Deferrable jobs running. */
  running: number;
  /** Deferrable jobs waiting. */
  waiting: number;
  /** Running jobs paused at a checkpoint. */
  paused: number;
  /** Jobs that ran only because they had waited `maxDeferMs`. */
  overdueStarts: number;
}

export class RequestPriority {
  private readonly concurrency: number;
  private readonly maxDeferMs: number;
  private readonly settleMs: number;
  /** When the last request that was not deferrable work ended (performance.now()). */
  private lastUrgentEnd = Number.NEGATIVE_INFINITY;
  /**
   * Deferrable requests whose work is over and whose response has not ended yet: the next ends
   * are theirs, not urgent work's (a close before the work ends counts as urgent: a longer wait).
   */
  private deferredEnding = 0;
  private settling: NodeJS.Timeout | null = null;
  /** Requests in flight, counted by the middleware. */
  private inflight = 0;
  /** Of those, requests inside `deferrable` (waiting or running). */
  private deferredRequests = 0;
  private running = 0;
  private overdueStarts = 0;
  private readonly queue: Waiter[] = [];
  /** Running jobs paused at a checkpoint until nothing urgent is in flight. */
  private readonly paused = new Set<Pause>();

  constructor(opts: RequestPriorityOptions = {}) {
    this.concurrency = Math.max(1, opts.concurrency ?? 1);
    this.maxDeferMs = Math.max(0, opts.maxDeferMs ?? 250);
    this.settleMs = Math.max(0, opts.settleMs ?? 2);
  }

  /** Counts every request from arrival to its response's end (or the connection's close). */
  middleware(): RequestHandler {
    return (_req, res, next) => {
      this.inflight++;
      let done = false;
      const end = () => {
        if (done) return;
        done = true;
        this.inflight--;
        if (this.deferredEnding > 0) this.deferredEnding--;
        else this.lastUrgentEnd = performance.now();
        this.pump();
      };
      res.once('finish', end);
      res.once('close', end);
      next();
    };
  }

  /**
   * Run `fn` when no other request is in flight (or once it has waited `maxDeferMs`), at most
   * `concurrency` at a time. `inRequest`: the caller is itself a request the middleware counted,
   * so it does not count as urgent work while it waits or runs.
   */
  async deferrable<T>(fn: () => Promise<T>, inRequest = true): Promise<T> {
    if (inRequest) this.deferredRequests++;
    try {
      await this.admit();
      try {
        return await fn();
      } finally {
        this.running--;
        this.pump();
      }
    } finally {
      if (inRequest) {
        this.deferredRequests--;
        this.deferredEnding++;
      }
    }
  }

  /**
   * Inside deferrable work, between its steps: resolves at once when no other request is in
   * flight, else when the last one ends or after `maxDeferMs`, whichever is first. The job keeps
   * its place (it still counts as running).
   */
  checkpoint(): Promise<void> {
    if (this.urgent() === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const pause: Pause = {
        resume: () => {
          clearTimeout(pause.timer);
          this.paused.delete(pause);
          resolve();
        },
        timer: setTimeout(() => pause.resume(), this.maxDeferMs),
      };
      pause.timer.unref?.();
      this.paused.add(pause);
    });
  }

  stats(): RequestPriorityStats {
    return {
      urgent: this.urgent(),
      running: this.running,
      waiting: this.queue.length,
      paused: this.paused.size,
      overdueStarts: this.overdueStarts,
    };
  }

  private urgent(): number {
    return Math.max(0, this.inflight - this.deferredRequests);
  }

  private admit(): Promise<void> {
    if (
      this.queue.length === 0 &&
      this.running < this.concurrency &&
      this.urgent() === 0 &&
      this.settledFor() <= 0
    ) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const waiter: Waiter = {
        start: resolve,
        overdue: false,
        timer: setTimeout(() => {
          waiter.overdue = true;
          this.pump();
        }, this.maxDeferMs),
      };
      waiter.timer.unref?.();
      this.queue.push(waiter);
      this.pump();
    });
  }

  /**
   * Resume paused jobs and start waiting ones in arrival order while there is room and nothing
   * urgent (or they are overdue).
   */
  private pump(): void {
    if (this.urgent() === 0) for (const pause of [...this.paused]) pause.resume();
    while (this.queue.length > 0 && this.running < this.concurrency) {
      const head = this.queue[0] as Waiter;
      if (this.urgent() > 0 && !head.overdue) return;
      const wait = head.overdue ? 0 : this.settledFor();
      if (wait > 0) {
        this.settleIn(wait);
        return;
      }
      this.queue.shift();
      clearTimeout(head.timer);
      if (head.overdue && this.urgent() > 0) this.overdueStarts++;
      this.running++;
      head.start();
    }
  }

  /** How much longer until nothing urgent has been in flight for `settleMs` (≤ 0: now). */
  private settledFor(): number {
    return this.lastUrgentEnd + this.settleMs - performance.now();
  }

  /** Look again once the settle window may be over (an urgent request meanwhile moves it on). */
  private settleIn(ms: number): void {
    if (this.settling) return;
    this.settling = setTimeout(() => {
      this.settling = null;
      this.pump();
    }, Math.ceil(ms));
    this.settling.unref?.();
  }
}
