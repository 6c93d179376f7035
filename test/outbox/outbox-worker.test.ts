/**
 * The outbox worker's loop and the retry policy it applies, with an in-process queue as the
 * kind (the worker is the unit; the three real kinds are covered end to end in test/passes,
 * test/google and test/webhooks, and their stores in test/store's contract).
 */
import type { OutboxHandler, OutboxRun } from '../../src/features/outbox/outbox-handler.js';
import { OutboxWorker } from '../../src/features/outbox/outbox-worker.js';
import { backoffMs, decideRetry, type RetryPolicy } from '../../src/features/outbox/retry-policy.js';

interface Report {
  handled: number[];
  batches: number;
}

/** Items 0 … n-1 queued in memory; a claim takes the first `limit` not yet taken. */
class MemoryKind implements OutboxHandler<number, Report, string> {
  readonly label = 'memory';
  readonly retry: RetryPolicy = { baseMs: 10, maxMs: 40, maxAttempts: 3 };
  queue: number[] = [];
  listeners: (() => void)[] = [];
  /** Claims in flight at once, at most. */
  concurrent = 0;
  mostConcurrent = 0;
  decisions: unknown[] = [];
  gate: Promise<void> = Promise.resolve();
  constructor(
    readonly batchSize: number,
    readonly lanes = 1,
  ) {}
  classify(failed: string) {
    return failed === 'gone' ? ('permanent' as const) : ('retry' as const);
  }
  newReport(): Report {
    return { handled: [], batches: 0 };
  }
  async claim(limit: number, scope: string | undefined) {
    if (scope === 'other') return [];
    return this.queue.splice(0, limit);
  }
  async handle(items: number[], run: OutboxRun<Report, string>) {
    this.concurrent += 1;
    this.mostConcurrent = Math.max(this.mostConcurrent, this.concurrent);
    await this.gate;
    await new Promise((r) => setTimeout(r, 5));
    this.concurrent -= 1;
    run.report.handled.push(...items);
    run.report.batches += 1;
    this.decisions.push(run.decide('boom', items.length), run.decide('gone', 1));
  }
  onQueued(listener: () => void) {
    this.listeners.push(listener);
  }
}

describe('retry policy', () => {
  it('doubles from baseMs up to maxMs, gives up after maxAttempts or giveUpAfterMs, never retries a permanent failure', () => {
    const policy: RetryPolicy = { baseMs: 30_000, maxMs: 6 * 3600_000, maxAttempts: 5 };
    expect([1, 2, 3, 4].map((a) => backoffMs(policy, a))).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(backoffMs(policy, 20)).toBe(6 * 3600_000);
    expect(backoffMs(policy, 5000)).toBe(6 * 3600_000);
    expect(decideRetry(policy, { attempt: 4, permanent: false })).toEqual({ retry: true, delayMs: 240_000 });
    expect(decideRetry(policy, { attempt: 5, permanent: false })).toEqual({
      retry: false,
      reason: 'exhausted',
    });
    expect(decideRetry(policy, { attempt: 1, permanent: true })).toEqual({
      retry: false,
      reason: 'permanent',
    });
    const timed: RetryPolicy = { baseMs: 1000, maxMs: 60_000, giveUpAfterMs: 3600_000 };
    const first = new Date('2025-01-01T00:00:00Z');
    const at = (ms: number) => ({ firstAttemptAt: first, at: new Date(first.getTime() + ms) });
    expect(decideRetry(timed, { attempt: 50, permanent: false, ...at(3599_999) })).toEqual({
      retry: true,
      delayMs: 60_000,
    });
    expect(decideRetry(timed, { attempt: 2, permanent: false, ...at(3600_000) })).toEqual({
      retry: false,
      reason: 'exhausted',
    });
  });
});

describe('OutboxWorker', () => {
  it('drains everything due in batches and applies the kind’s policy to its failures', async () => {
    const kind = new MemoryKind(3);
    kind.queue = [0, 1, 2, 3, 4, 5, 6];
    const queue = new OutboxWorker({ logger: { error: () => {} } }).register(kind);
    const report = await queue.dispatch();
    expect(report).toEqual({ handled: [0, 1, 2, 3, 4, 5, 6], batches: 3 });
    // Batches of 3, 3 and 1 items fail as attempts 3, 3 and 1 (maxAttempts 3).
    expect(kind.decisions).toEqual([
      { retry: false, reason: 'exhausted' },
      { retry: false, reason: 'permanent' },
      { retry: false, reason: 'exhausted' },
      { retry: false, reason: 'permanent' },
      { retry: true, delayMs: 10 },
      { retry: false, reason: 'permanent' },
    ]);
    // Scope reaches the claim.
    kind.queue = [7];
    expect(await queue.dispatch('other')).toEqual({ handled: [], batches: 0 });
    expect(await queue.dispatch()).toEqual({ handled: [7], batches: 1 });
  });

  it('runs its lanes at once for a full first claim, one for a trickle', async () => {
    const backlog = new MemoryKind(2, 3);
    backlog.queue = Array.from({ length: 12 }, (_, i) => i);
    const worker = new OutboxWorker({ logger: { error: () => {} } });
    const report = await worker.register(backlog).dispatch();
    expect([...report.handled].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(backlog.mostConcurrent).toBe(3);
    const trickle = new MemoryKind(2, 3);
    trickle.queue = [0];
    await worker.register(trickle).dispatch();
    expect(trickle.mostConcurrent).toBe(1);
  });

  it('shares one run between concurrent dispatches and looks again when asked during it', async () => {
    const kind = new MemoryKind(10);
    let open: () => void = () => {};
    kind.gate = new Promise((r) => {
      open = r;
    });
    kind.queue = [1];
    const queue = new OutboxWorker({ logger: { error: () => {} } }).register(kind);
    const first = queue.dispatch();
    await new Promise((r) => setTimeout(r, 10));
    // Queued while the first batch is being handled: the same run picks it up before ending.
    kind.queue.push(2);
    const second = queue.dispatch();
    expect(second).toBe(first);
    open();
    expect((await first).handled).toEqual([1, 2]);
  });

  it('wakes on commit when asked to, logs a failed kick, and stops claiming once closed', async () => {
    const errors: unknown[] = [];
    const worker = new OutboxWorker({ logger: { error: (obj: unknown) => errors.push(obj) } });
    const woken = new MemoryKind(10);
    const quiet = new MemoryKind(10);
    worker.register(woken, { wakeOnCommit: true });
    worker.register(quiet);
    expect(woken.listeners).toHaveLength(1);
    expect(quiet.listeners).toHaveLength(0);
    woken.queue = [1];
    woken.listeners[0]?.();
    await worker.close();
    expect(woken.queue).toEqual([]);
    const failing = new MemoryKind(10);
    failing.claim = async () => {
      throw new Error('database gone');
    };
    const fresh = new OutboxWorker({ logger: { error: (obj: unknown) => errors.push(obj) } });
    fresh.register(failing, { wakeOnCommit: true });
    failing.listeners[0]?.();
    await fresh.close();
    expect(errors).toEqual([
      expect.objectContaining({ err: expect.objectContaining({ message: 'database gone' }) }),
    ]);
    // Closed: nothing more is claimed.
    quiet.queue = [5];
    const closed = new OutboxWorker({ logger: { error: () => {} } });
    const q = closed.register(quiet);
    await closed.close();
    expect(await q.dispatch()).toEqual({ handled: [], batches: 0 });
    expect(quiet.queue).toEqual([5]);
  });
});
