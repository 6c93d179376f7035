/**
 * Recalculation runs (SPEC 2, 4): cycle boundaries, daily syncs, resyncs and manual syncs
 * re-evaluate every customer of a program exactly once, in batches claimed through the store,
 * resumably after a crash and shared by every process that calls `work()` on the same run
 * (docs/decisions/0007-recalculation-runs.md).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { notFound } from '../../errors.js';
import type {
  BatchWork,
  RunBatch,
  RunKind,
  RunListQuery,
  RunRecord,
  RunSummary,
} from '../../store/recalculation-port.js';
import { DatabaseUnavailableError } from '../../store/store-errors.js';
import { warningBatchWork } from '../downgrade-warnings/warning-work.js';
import type { RecalculationScope, RecalculationStore } from './recalculation-store.js';
import { batchWork, planRun } from './run-plan.js';

export type { RunKind } from '../../store/recalculation-port.js';

/** A run as the API and the scheduler see it. */
export interface RunView {
  /** Run id, the job id of GET /v1/jobs/:jobId. */
  id: string;
  /** What the run re-evaluates for. */
  kind: RunKind;
  /** pending until the first batch is claimed, running, then done or failed. */
  state: 'pending' | 'running' | 'done' | 'failed';
  /** ISO instant the customers are evaluated at. */
  asOf: string;
  /** Customers processed so far. */
  processed: number;
  /** Customers in the run (counted at creation; exact once done). */
  total: number;
  /** ISO instant the run was created. */
  createdAt: string;
  /** ISO instant the run ended, null while it runs. */
  finishedAt: string | null;
}

/** Where failures of background work are reported. */
export interface RecalculationLogger {
  /** Log an error with its context. */
  error(obj: object, msg?: string): void;
}

export interface RecalculationDeps {
  /** Where runs, customers and their ledgers live. */
  store: RecalculationStore;
  /** Receives failures of background syncs. */
  logger: RecalculationLogger;
  /** Customers per batch when `work()` is not told otherwise (default 5,000). */
  batchSize?: number;
  /** How long a claimed batch is exclusive before another worker may take it over (default 60 s). */
  leaseMs?: number;
  /** A batch failing this many times fails the run (default 3). */
  maxAttempts?: number;
  /** Longest wait between claims while other workers hold the last batches (default 1 s). */
  pollMs?: number;
  /** Batches one `work()` call processes at once (default 2): evaluation overlaps the database's writes. */
  concurrency?: number;
  /** Test hooks. */
  hooks?: {
    /** Inside a batch's transaction, after its writes, before commit. */
    beforeCommit?(runId: string, batch: RunBatch): Promise<void>;
  };
}

export function runView(r: RunRecord): RunView {
  return {
    id: r.id,
    kind: r.kind,
    state: r.state,
    asOf: r.asOf.toISOString(),
    processed: r.processed,
    total: r.total,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

const finished = (r: RunRecord) => r.state === 'done' || r.state === 'failed';

function newRunId(): string {
  return `run_${randomBytes(8).toString('hex')}`;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class RecalculationService {
  /** Names this process in batch leases (operators see who holds what). */
  private readonly worker = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

  constructor(private readonly deps: RecalculationDeps) {}

  /** Create the run, or return the existing one with the same key (exactly once per boundary/day). */
  async start(programId: string, kind: RunKind, asOf: Date, key: string): Promise<RunView> {
    // A boundary's run leaves out customers created at the boundary: they start in the new cycle.
    const createdBefore = kind === 'cycle' ? asOf : new Date(asOf.getTime() + 1);
    const { run } = await this.deps.store.scoped(programId).runs.create({
      id: newRunId(),
      kind,
      key,
      asOf,
      customersCreatedBefore: createdBefore,
    });
    return runView(run);
  }

  /** One run or null. */
  async get(programId: string, runId: string): Promise<RunView | null> {
    const run = await this.deps.store.scoped(programId).runs.get(runId);
    return run ? runView(run) : null;
  }

  /**
   * A page of the program's runs, newest due time first, with what each changed (the rehearsal
   * timeline); `nextCursor` is the last run's position when the page is full.
   */
  async list(
    programId: string,
    query: Omit<RunListQuery, 'after'> & { cursor?: { asOf: Date; id: string } },
  ): Promise<{ items: RunSummary[]; next: RunSummary | null }> {
    const { cursor, ...rest } = query;
    const items = await this.deps.store.scoped(programId).runs.list({ ...rest, after: cursor });
    return { items, next: items.length === query.limit ? (items.at(-1) ?? null) : null };
  }

  /** Unfinished runs of a program, oldest first: what a restarted scheduler resumes with `work()`. */
  async unfinished(programId: string): Promise<RunView[]> {
    return (await this.deps.store.scoped(programId).runs.listUnfinished()).map(runView);
  }

  /**
   * Resume the program's runs whose worker died (docs/decisions/0007, "Orphaned runs"): an
   * expired lease and no live one, or no activity for a lease length. Each is worked through the
   * same `work()` (exactly once per customer); a failure is logged and the next run still goes.
   * The scheduler calls this before each program's due work, so a crashed manual sync is
   * finished within one tick (or one test-clock advance).
   */
  async resumeOrphaned(programId: string): Promise<RunView[]> {
    const orphaned = await this.deps.store.scoped(programId).runs.listOrphaned(this.deps.leaseMs ?? 60_000);
    const resumed: RunView[] = [];
    for (const run of orphaned) {
      try {
        resumed.push(await this.work(programId, run.id));
      } catch (err) {
        this.deps.logger.error({ err, programId, runId: run.id }, 'resuming an orphaned run failed');
      }
    }
    return resumed;
  }

  /**
   * Start a manual full sync at `now` and process it in the background; progress is read
   * with `get`. Failures are logged; the run stays unfinished for the scheduler to resume.
   */
  async startSync(programId: string, now: Date): Promise<RunView> {
    const run = await this.start(programId, 'sync', now, `sync:${randomBytes(8).toString('hex')}`);
    void this.work(programId, run.id).catch((err: unknown) => {
      this.deps.logger.error({ err, programId, runId: run.id }, 'sync run failed');
    });
    return run;
  }

  /**
   * Claim and process batches until none is left; safe to call concurrently from several
   * processes. Reports progress via run.processed/total (and an optional onProgress callback).
   */
  async work(
    programId: string,
    runId: string,
    opts: { batchSize?: number; onProgress?(r: RunView): void } = {},
  ): Promise<RunView> {
    const scope = this.deps.store.scoped(programId);
    const run = await scope.runs.get(runId);
    if (!run) throw notFound('job_not_found', `No job ${runId}`);
    if (finished(run)) return runView(run);

    // Settings and tiers as they are now: a run started before a change applies the change.
    const [program, tiers] = await Promise.all([scope.program.get(), scope.tiers.list()]);
    const plan = planRun(run.kind, program.settings);
    if (plan.type === 'skip' || plan.type === 'fail') {
      const ended = await scope.runs.finish(
        runId,
        plan.type === 'skip' ? 'done' : 'failed',
        plan.type === 'fail' ? plan.error : null,
      );
      return runView(ended);
    }
    const hook = this.deps.hooks?.beforeCommit;
    const input = {
      settings: program.settings,
      tiers,
      asOf: run.asOf,
      beforeCommit: hook ? (batch: RunBatch) => hook(runId, batch) : undefined,
    };
    // A warning run predicts the next boundary for every customer and writes warnings only.
    const work = plan.type === 'warn' ? warningBatchWork(input) : batchWork({ plan, ...input });
    const claimOptions = {
      batchSize: opts.batchSize ?? this.deps.batchSize ?? 5_000,
      leaseMs: this.deps.leaseMs ?? 60_000,
      worker: this.worker,
    };

    let failure: { err: unknown } | undefined;
    let localBusy = 0;
    let localDone = 0;
    const loop = async (): Promise<void> => {
      while (!failure) {
        const doneBefore = localDone;
        const claim = await scope.runs.claim(runId, claimOptions);
        if (!claim) throw new Error(`run ${runId} disappeared`);
        if (claim.type === 'finished') return;
        if (claim.type === 'wait') {
          // A loop of this process holds a last batch: it claims again after committing and
          // sees the run through, so this loop can stop (a small run does not sleep).
          if (localBusy > 0) return;
          // The batch we waited for was our own and finished meanwhile: claim again at once.
          if (localDone !== doneBefore) continue;
          // Others hold the last batches; their commit or an expired lease ends the wait.
          await sleep(Math.min(Math.max(claim.retryInMs, 100), this.deps.pollMs ?? 1_000));
          continue;
        }
        localBusy += 1;
        try {
          await this.processOne(scope.runs, runId, claim.batch, work, opts.onProgress);
        } finally {
          localBusy -= 1;
          localDone += 1;
        }
      }
    };
    const loops = Array.from({ length: Math.max(1, this.deps.concurrency ?? 2) }, () =>
      loop().catch((err: unknown) => {
        failure ??= { err };
      }),
    );
    await Promise.all(loops);
    if (failure) throw failure.err;
    const after = await scope.runs.get(runId);
    if (!after) throw new Error(`run ${runId} disappeared`);
    return runView(after);
  }

  private async processOne(
    runs: RecalculationScope['runs'],
    runId: string,
    batch: RunBatch,
    work: BatchWork,
    onProgress?: (r: RunView) => void,
  ): Promise<void> {
    let result: Awaited<ReturnType<typeof runs.process>>;
    try {
      result = await runs.process(runId, batch, work);
    } catch (err) {
      // Rolled back: hand the batch back at once, and fail the run when it keeps failing. A lost
      // database connection is not the batch's fault and is not counted (docs/decisions/0018).
      const counted = !(err instanceof DatabaseUnavailableError);
      await runs
        .release(runId, batch.seq, message(err), this.deps.maxAttempts ?? 3, counted)
        .catch(() => undefined);
      throw err;
    }
    if (result.skipped || !onProgress) return;
    // Read after the commit: the run as seen inside the batch's transaction misses a batch
    // committing alongside it, so with two loops the last report could stop short of the total
    // (issue 10: "expected 32, received 24"). After the commit, the last batch to commit always
    // reports every batch.
    onProgress(runView((await runs.get(runId)) ?? result.run));
  }
}
