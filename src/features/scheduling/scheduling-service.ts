/**
 * Runs a program's scheduled work (cycle boundaries, daily syncs, debounced resyncs) in
 * time order. The live scheduler (src/jobs) and a test clock's advance call the same
 * `runDue`, so a rehearsal on a test clock takes exactly the path production takes.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { type DueItem, dueWork, resyncKey } from '../../domain/due-work.js';
import type { ProgramRecord, ProgramRepository } from '../../store/port.js';
import type { SchedulingStore } from './scheduling-store.js';

/** Debounce after the tier order changes (SPEC 2). */
export const RESYNC_DEBOUNCE_MS = 5 * 60 * 1000;

/** The recalculation runs the scheduler starts and works through. */
export interface RecalculationRunner {
  /** Create the run or find it by key (exactly once per boundary/day). */
  start(
    programId: string,
    kind: 'cycle' | 'daily' | 'resync' | 'sync' | 'warning',
    asOf: Date,
    key: string,
  ): Promise<{ id: string }>;
  /** Process the run to completion. */
  work(
    programId: string,
    runId: string,
  ): Promise<{ id: string; state: string; processed: number; total: number }>;
  /** Finish the program's runs whose worker died (a crashed manual sync); failures are logged. */
  resumeOrphaned?(programId: string): Promise<unknown[]>;
}

/** One piece of work done by `runDue`. */
export interface RanItem {
  kind: DueItem['kind'];
  at: string;
  jobId: string;
  state: string;
  processed: number;
  total: number;
}

/**
 * Ask for a resync of every customer. `immediate` (a tier disabled or deleted, tiers
 * switched back on) is due now and never postponed; otherwise it is due 5 minutes
 * after this change, pushed back by each further change within that time.
 */
export async function requestResync(
  program: Pick<ProgramRepository, 'schedule' | 'setSchedule'>,
  now: Date,
  immediate: boolean,
): Promise<void> {
  const { resyncDueAt, resyncSeq } = await program.schedule();
  // Every request gets a new number, so a resync already running (started before this
  // change) does not count for it: the run that clears the flag must carry this number.
  const alreadyDue = resyncDueAt !== null && resyncDueAt.getTime() <= now.getTime();
  await program.setSchedule({
    resyncDueAt: immediate || alreadyDue ? now : new Date(now.getTime() + RESYNC_DEBOUNCE_MS),
    resyncSeq: resyncSeq + 1,
  });
}

export class SchedulingService {
  /** One advance or tick per program at a time in this process. */
  private readonly busy = new Map<string, Promise<unknown>>();

  constructor(
    private readonly deps: {
      store: SchedulingStore;
      runner: RecalculationRunner;
      clock: Clock;
      logger: Logger;
      /** Deliveries the work just queued (outbox pushes); failures are logged, never the caller's. */
      afterDue?: (program: ProgramRecord) => Promise<unknown>;
    },
  ) {}

  /** Run everything due for `program` up to `to`, oldest first; a test program's clock follows along. */
  async runDue(program: ProgramRecord, to: Date): Promise<RanItem[]> {
    const ran = await this.exclusive(program.id, () => this.runDueNow(program.id, to));
    await this.deps.afterDue?.(program).catch((err: unknown) => {
      this.deps.logger.error({ err, programId: program.id }, 'delivery after scheduled work failed');
    });
    return ran;
  }

  /**
   * Run a resync that is already due (a tier disabled or deleted, tiers back on) right
   * now, under the same key the scheduler would use, so it runs once whoever gets there first.
   */
  runPendingResync(programId: string, now: Date): Promise<RanItem[]> {
    return this.exclusive(programId, async () => {
      const scope = this.deps.store.scoped(programId);
      const { resyncDueAt, resyncSeq } = await scope.program.schedule();
      if (!resyncDueAt || resyncDueAt.getTime() > now.getTime()) return [];
      const item = { kind: 'resync' as const, at: now, key: resyncKey(resyncSeq) };
      const ran = await this.runItem(programId, item);
      await scope.program.clearResync(resyncSeq);
      return [ran];
    });
  }

  private closed = false;

  /** Refuse new work and resolve once none is running in this process (clean shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    while (this.busy.size > 0) await Promise.allSettled([...this.busy.values()]);
  }

  private exclusive<T>(programId: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the scheduler is shutting down'));
    const previous = this.busy.get(programId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    this.busy.set(programId, next);
    void next.finally(() => {
      if (this.busy.get(programId) === next) this.busy.delete(programId);
    });
    return next;
  }

  private async runItem(programId: string, item: DueItem): Promise<RanItem> {
    const run = await this.deps.runner.start(programId, item.kind, item.at, item.key);
    const done = await this.deps.runner.work(programId, run.id);
    this.deps.logger.info(
      { programId, kind: item.kind, at: item.at, processed: done.processed },
      'scheduled work done',
    );
    return {
      kind: item.kind,
      at: item.at.toISOString(),
      jobId: done.id,
      state: done.state,
      processed: done.processed,
      total: done.total,
    };
  }

  private async runDueNow(programId: string, to: Date): Promise<RanItem[]> {
    const scope = this.deps.store.scoped(programId);
    const program = await scope.program.get();
    const test = program.mode === 'test';
    const schedule = await scope.program.schedule();
    const from = test && program.clockNow ? program.clockNow : schedule.checkedAt;
    // First what a dead worker left unfinished (older than anything due now): a manual sync has
    // no key the due work would start again, so nothing else would ever finish it.
    await this.deps.runner.resumeOrphaned?.(programId);
    const ran: RanItem[] = [];
    const resync = schedule.resyncDueAt ? { dueAt: schedule.resyncDueAt, seq: schedule.resyncSeq } : null;
    for (const item of dueWork(program.settings, from, to, resync)) {
      // The world sees the test clock at the instant each piece of work falls due.
      if (test) await scope.program.setClock(item.at);
      const run = await this.deps.runner.start(programId, item.kind, item.at, item.key);
      const done = await this.deps.runner.work(programId, run.id);
      await scope.program.setSchedule({ checkedAt: item.at });
      if (item.kind === 'resync') await scope.program.clearResync(schedule.resyncSeq);
      ran.push({
        kind: item.kind,
        at: item.at.toISOString(),
        jobId: done.id,
        state: done.state,
        processed: done.processed,
        total: done.total,
      });
      this.deps.logger.info(
        { programId, kind: item.kind, at: item.at, processed: done.processed },
        'scheduled work done',
      );
    }
    if (test) await scope.program.setClock(to);
    await scope.program.setSchedule({ checkedAt: to });
    return ran;
  }

  /** The live scheduler's tick: every live program up to now. */
  async tick(): Promise<number> {
    const now = this.deps.clock.now();
    let count = 0;
    for (const program of await this.deps.store.listPrograms('live')) {
      try {
        count += (await this.runDue(program, now)).length;
      } catch (err) {
        // One failing program must not stop the others; its work stays due for the next tick.
        this.deps.logger.error({ err, programId: program.id }, 'scheduled work failed');
      }
    }
    return count;
  }
}
